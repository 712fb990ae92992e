/**
 * The declarations flattened into one list, in declaration order: what docs/configuration.md prints and what the
 * admin `settings` query shows (spec §7.2 `backend_settings/full`): every configuration variable with its effective
 * value. Secrets are never shown, only whether one is set; passwords in URLs are masked (the declaration's `show`).
 */
import { DECLARATIONS } from "./declarations.js";
import type { Config } from "./index.js";
import { isCompound, isVariable, render, type GroupId, type Node } from "./variable.js";

export interface Setting {
  name: string;
  value: string | null;
  secret: boolean;
  isSet: boolean;
}

/** One variable as the docs and `settings` see it. */
export interface DescribedVariable {
  name: string;
  group: GroupId;
  description: string;
  /** The docs' default column (Markdown). */
  defaultText: string;
  secret: boolean;
  /** The value `settings` shows, before secrets are hidden. */
  shown: (config: Config) => unknown;
}

function describe(node: Node, at: (config: Config) => unknown, out: DescribedVariable[]): void {
  if (isVariable(node)) {
    const show = node.show ?? ((value: unknown) => value);
    const rendered = render(show(node.default));
    out.push({
      name: node.name,
      group: node.group,
      description: node.description,
      defaultText: node.defaultText ?? (rendered === null ? "unset" : "`" + rendered + "`"),
      secret: node.secret ?? false,
      shown: (config) => show(at(config)),
    });
  } else if (isCompound(node)) {
    for (const v of node.variables) {
      const { name, group, description, defaultText } = v;
      out.push({ name, group, description, defaultText, secret: v.secret ?? false, shown: (config) => v.show(at(config)) });
    }
  } else {
    for (const [key, child] of Object.entries(node)) describe(child, (config) => (at(config) as Record<string, unknown>)[key], out);
  }
}

/** Every variable the API reads, the tree manager's last, in declaration order. */
export const VARIABLES: readonly DescribedVariable[] = (() => {
  const out: DescribedVariable[] = [];
  describe(DECLARATIONS, (config) => config, out);
  return out;
})();

/** Every configuration variable, then every tree-manager variable, with its effective value. */
export function fullSettings(config: Config): Setting[] {
  return VARIABLES.map((v) => {
    const raw = v.shown(config);
    return { name: v.name, value: v.secret ? null : render(raw), secret: v.secret, isSet: raw !== undefined && raw !== null && raw !== "" };
  });
}
