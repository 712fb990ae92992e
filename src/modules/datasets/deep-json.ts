/**
 * `JSON.stringify` for data of any depth. The native one recurses once per level and throws "Maximum call stack
 * size exceeded" near 2,500 levels of nesting; trees and chats are data and may be deeper. The fast native call is
 * tried first; only a value too deep for it is written again with an explicit stack, to the same text.
 */
export function stringifyDeep(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return stringifyIteratively(value);
  }
}

type Frame = { kind: "array"; items: unknown[]; i: number } | { kind: "object"; entries: [string, unknown][]; i: number; wrote: boolean };

/** The JSON of one value that is not an array or object (undefined when JSON.stringify would leave it out). */
function scalar(v: unknown): string | undefined {
  return JSON.stringify(v);
}

function toJsonValue(v: unknown, key: string): unknown {
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") return (v as { toJSON(k: string): unknown }).toJSON(key);
  return v;
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === "object";
}

export function stringifyIteratively(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** Writes a value, or opens it when it is a container; returns false when it is left out (undefined, a function). */
  const open = (raw: unknown, key: string, inArray: boolean): boolean => {
    const v = toJsonValue(raw, key);
    if (isContainer(v)) {
      if (Array.isArray(v)) {
        out.push("[");
        stack.push({ kind: "array", items: v, i: 0 });
      } else {
        out.push("{");
        stack.push({ kind: "object", entries: Object.entries(v), i: 0, wrote: false });
      }
      return true;
    }
    const s = scalar(v);
    if (s === undefined) {
      if (inArray) out.push("null");
      return inArray;
    }
    out.push(s);
    return true;
  };
  if (!open(root, "", false)) return undefined as unknown as string;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.kind === "array") {
      if (top.i >= top.items.length) {
        out.push("]");
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(",");
      const i = top.i++;
      open(top.items[i], String(i), true);
      continue;
    }
    if (top.i >= top.entries.length) {
      out.push("}");
      stack.pop();
      continue;
    }
    const [k, v] = top.entries[top.i++];
    const value = toJsonValue(v, k);
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    out.push(`${top.wrote ? "," : ""}${JSON.stringify(k)}:`);
    top.wrote = true;
    open(value, k, false);
  }
  return out.join("");
}
