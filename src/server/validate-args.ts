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

/** Per input class: whether class-validator has any rule for it (nested classes carry their own decorators). */
const hasRules = new WeakMap<object, boolean>();

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

export async function validateArgs(value: unknown): Promise<void> {
  if (value === null || typeof value !== "object") return;
  const items = Array.isArray(value) ? value.filter((v): v is object => v !== null && typeof v === "object") : [value];
  try {
    for (const item of items) if (needsValidation(item)) await validateOrReject(item, OPTIONS);
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
}
