/**
 * Argument validation with class-validator, as type-graphql's `validate` option does it, minus its cost per call:
 * type-graphql resolves `require("class-validator")` through a dynamic import on every validated argument (about 7 %
 * of a streaming server's busy time in a profile), and runs the validator even for input classes that declare no
 * rule. Here the module is imported once and classes without rules are skipped (their validation cannot fail).
 * Same options as before: missing properties skipped, unknown values allowed.
 */
import { getMetadataStorage, validateOrReject, type ValidationError, type ValidatorOptions } from "../common/validators.js";
import { ArgumentValidationError } from "type-graphql";

const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * Per input class: whether class-validator has any rule for it (nested classes carry their own decorators). Begun
 * anew when a rule is registered (memoiseRuleLookups).
 */
let hasRules = new WeakMap<object, boolean>();

function needsValidation(value: object): boolean {
  const ctor = value.constructor;
  if (!ctor || ctor === Object) return true;
  let known = hasRules.get(ctor);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(ctor, "", true, false).length > 0;
    hasRules.set(ctor, known);
  }
  return known;
}

/**
 * class-validator looks up a class's rules for every object it validates by filtering the rules of every class it
 * knows (an `instanceof` per class, for inherited rules): about 1 % of a task cycle's server CPU. The answer changes
 * only when a rule is registered (decorators run at import), so it is kept per class and options, and every kept
 * answer is dropped when a rule is added. Callers read the list; none changes it.
 */
export function memoiseRuleLookups(storage = getMetadataStorage()): void {
  const marked = storage as typeof storage & { chorusMemoised?: true };
  if (marked.chorusMemoised) return;
  marked.chorusMemoised = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const kept = new Map<unknown, Map<string, ReturnType<typeof lookup>>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${String(schema)}\u0000${always}\u0000${strictGroups}\u0000${groups?.join("\u0001") ?? ""}`;
    let byOptions = kept.get(target);
    if (!byOptions) kept.set(target, (byOptions = new Map()));
    let rules = byOptions.get(key);
    if (!rules) byOptions.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.addValidationMetadata = (metadata) => {
    kept.clear();
    hasRules = new WeakMap();
    add(metadata);
  };
}
memoiseRuleLookups();

export async function validateArgs(value: unknown): Promise<void> {
  if (value === null || typeof value !== "object") return;
  const items = Array.isArray(value) ? value.filter((v): v is object => v !== null && typeof v === "object") : [value];
  try {
    for (const item of items) if (needsValidation(item)) await validateOrReject(item, OPTIONS);
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
}
