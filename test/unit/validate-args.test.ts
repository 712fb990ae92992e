/**
 * Argument validation (src/server/validate-args.ts) with class-validator's rule lookups kept per class: the same
 * verdicts as class-validator's own, for a class's rules and its parent's, and a rule registered after a class was
 * validated applies from the next validation on.
 */
import "reflect-metadata";
import { expect } from "chai";
import { IsInt, Max, MinLength, getMetadataStorage, validate } from "class-validator";
import { ArgumentValidationError } from "type-graphql";
import { validateArgs } from "../../src/server/validate-args.js";

class Parent {
  @IsInt()
  n!: unknown;
}

class Child extends Parent {
  @MinLength(2)
  s!: string;
}

class Later {
  n!: number;
}

async function verdict(value: object): Promise<string[]> {
  try {
    await validateArgs(value);
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(ArgumentValidationError);
    return (err as ArgumentValidationError).extensions.validationErrors.map((e) => e.property).sort();
  }
}

const make = <T extends object>(cls: new () => T, fields: Partial<T>): T => Object.assign(new cls(), fields);

describe("validateArgs with kept rule lookups", () => {
  it("gives class-validator's verdicts, inherited rules included, however often a class is validated", async () => {
    for (let i = 0; i < 3; i++) {
      expect(await verdict(make(Parent, { n: 1 }))).to.deep.equal([]);
      expect(await verdict(make(Parent, { n: "x" }))).to.deep.equal(["n"]);
      expect(await verdict(make(Child, { n: 1, s: "ok" }))).to.deep.equal([]);
      expect(await verdict(make(Child, { n: "x", s: "o" }))).to.deep.equal(["n", "s"]);
    }
    // class-validator's own answer for the same objects, through its uncached path for comparison
    const direct = await validate(make(Child, { n: "x", s: "o" }), { skipMissingProperties: true, forbidUnknownValues: false });
    expect(direct.map((e) => e.property).sort()).to.deep.equal(["n", "s"]);
    expect(getMetadataStorage().getTargetValidationMetadatas(Child, "", true, false)).to.have.length(2);
  });

  it("applies a rule registered after the class was validated", async () => {
    expect(await verdict(make(Later, { n: 10 }))).to.deep.equal([]);
    IsInt()(Later.prototype, "n");
    Max(5)(Later.prototype, "n");
    expect(await verdict(make(Later, { n: 10 }))).to.deep.equal(["n"]);
    expect(await verdict(make(Later, { n: 3 }))).to.deep.equal([]);
  });
});
