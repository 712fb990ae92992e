/**
 * The shape of a declaration: everything about one configuration variable in one place (name, default, parser,
 * description, whether it is secret, its section of docs/configuration.md). The config object's type, the loader,
 * the generated docs/configuration.md and the admin `settings` rows (with their masking) are all derived from these.
 */
import type { Env } from "./errors.js";
import type { Parser } from "./parsers.js";

/** Sections of docs/configuration.md, in their order there. */
export const GROUPS = {
  server: "Server and HTTP",
  storage: "Database, Redis and local mode",
  limits: "Request limits",
  identity: "User tokens and identities",
  tasks: "Crowdsourced tasks",
  chat: "Chat and workers",
  stats: "Stats and leaderboards",
  arena: "Model arena",
  treeManager: "Tree manager",
} as const;
export type GroupId = keyof typeof GROUPS;

/** What every variable says about itself, whether it makes a value of its own or is read as part of a compound. */
interface Documented {
  readonly name: string;
  readonly group: GroupId;
  /** The meaning column of docs/configuration.md (Markdown). */
  readonly description: string;
  /** Never shown by `settings` (only whether it is set). */
  readonly secret?: boolean;
}

/** One variable that makes one value of the config object. */
export interface Variable<T> extends Documented {
  readonly kind: "variable";
  /** The value when the variable is unset: the parser gets it, the docs print it (unless `defaultText` says more). */
  readonly default: T;
  /** The docs' default column when the default is not one literal (derived from another variable, "unset: ..."). */
  readonly defaultText?: string;
  readonly parse: Parser<T>;
  /** What `settings` shows for the value (a masked URL, a rate as LIMIT/SECONDS); the value itself when absent. */
  readonly show?: (value: T) => unknown;
}

/** A variable read as part of a compound: the compound parses it, the variable says how its part is shown. */
export interface CompoundVariable<T> extends Documented {
  readonly defaultText: string;
  readonly show: (value: T) => unknown;
}

/**
 * Several variables that make one value together, because they cannot be read one by one: `RATE_LIMIT=false` means
 * the four task rate limits are not read at all, and the tree-manager table is checked as a whole (mandatory labels
 * must be a subset of the full set) and refuses unknown `TREE_MANAGER__*` names.
 */
export interface Compound<T> {
  readonly kind: "compound";
  readonly build: (env: Env) => T;
  readonly variables: readonly CompoundVariable<T>[];
}

/** A declaration or a group of them. `any`: a group holds variables of every value type (Variable<T> is invariant in T). */
export type Node = Variable<any> | Compound<any> | { readonly [key: string]: Node };

export const variable = <T>(declaration: Omit<Variable<T>, "kind">): Variable<T> => ({ kind: "variable", ...declaration });
export const compound = <T>(declaration: Omit<Compound<T>, "kind">): Compound<T> => ({ kind: "compound", ...declaration });

/** The config object a tree of declarations builds. */
export type Built<N> =
  N extends Variable<infer T>
    ? T
    : N extends Compound<infer T>
      ? T
      : N extends { readonly [key: string]: Node }
        ? { -readonly [K in keyof N]: Built<N[K]> }
        : never;

export const isVariable = (node: Node): node is Variable<unknown> => (node as { kind?: unknown }).kind === "variable";
export const isCompound = (node: Node): node is Compound<unknown> => (node as { kind?: unknown }).kind === "compound";

/** `["a", "b"]` → `a,b`; undefined and null → null; anything else as text. How `settings` and the docs render values. */
export function render(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}
