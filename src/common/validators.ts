/**
 * The parts of class-validator Chorus uses, each loaded from its own file. class-validator's index loads every
 * decorator it has, and behind them the whole of validator.js and libphonenumber-js: 321 modules and about 150 ms
 * of CPU at every start-up, against 32 modules and 25 ms for these (issue 14: start-up is mostly module loading).
 * The types are the index's (a type-only import, erased from the output). The files are the package's CommonJS
 * build, reachable because class-validator has no "exports" map; test/unit/validators.test.ts checks that each
 * export is the very function the index exports and that the index stays unloaded.
 */
import type * as ClassValidator from "class-validator";

type Api = typeof ClassValidator;

function load<K extends keyof Api>(file: string, name: K): Api[K] {
  return (require(`class-validator/cjs/${file}`) as Api)[name];
}

export const ArrayMaxSize = load("decorator/array/ArrayMaxSize", "ArrayMaxSize");
export const ArrayMinSize = load("decorator/array/ArrayMinSize", "ArrayMinSize");
export const IsEmail = load("decorator/string/IsEmail", "IsEmail");
export const IsOptional = load("decorator/common/IsOptional", "IsOptional");
export const IsUUID = load("decorator/string/IsUUID", "IsUUID");
export const Length = load("decorator/string/Length", "Length");
export const Matches = load("decorator/string/Matches", "Matches");
export const Max = load("decorator/number/Max", "Max");
export const MaxLength = load("decorator/string/MaxLength", "MaxLength");
export const Min = load("decorator/number/Min", "Min");
export const ValidateNested = load("decorator/common/ValidateNested", "ValidateNested");
export const getMetadataStorage = load("metadata/MetadataStorage", "getMetadataStorage");

const { getFromContainer } = require("class-validator/cjs/container") as { getFromContainer<T>(someClass: new (...args: unknown[]) => T): T };
const { Validator } = require("class-validator/cjs/validation/Validator") as { Validator: new () => ClassValidator.Validator };

/** class-validator's `validateOrReject(object, options)`, as its index defines it (the validator from its container). */
export function validateOrReject(object: object, options?: ClassValidator.ValidatorOptions): Promise<void> {
  return getFromContainer(Validator).validateOrReject(object, options);
}

export type { ValidationError, ValidatorOptions } from "class-validator";
