import { expect } from "chai";
import { parse, GraphQLError } from "graphql";
import { effectiveRole, assertAnonymousMayRun } from "../../src/server/auth.js";
import { Role, roleAtLeast, parseRole } from "../../src/modules/users/role.js";
import { parseUserHeader } from "../../src/modules/users/user-ref.js";
import { generateApiKey, hashApiKey, sameDigest } from "../../src/common/keys.js";
import { decodeCursor, encodeCursor } from "../../src/common/pagination.js";
import { ChorusError, ErrorCode, formatError } from "../../src/common/errors.js";
import type { ApiClient } from "../../src/modules/api-clients/api-client.entity.js";
import type { User } from "../../src/modules/users/user.entity.js";

const client = (trusted: boolean, role: Role) => ({ trusted, role }) as ApiClient;
const user = (role: Role) => ({ role }) as User;

describe("auth rules", () => {
  it("effective role: trusted client + user = the user's role; untrusted + user = USER; no user = the client's role", () => {
    expect(effectiveRole(client(true, Role.USER), user(Role.ADMIN))).to.equal(Role.ADMIN);
    expect(effectiveRole(client(true, Role.ADMIN), user(Role.USER))).to.equal(Role.USER);
    expect(effectiveRole(client(true, Role.USER), user(Role.MODERATOR))).to.equal(Role.MODERATOR);
    expect(effectiveRole(client(false, Role.ADMIN), user(Role.ADMIN))).to.equal(Role.USER);
    expect(effectiveRole(client(false, Role.MODERATOR), null)).to.equal(Role.MODERATOR);
    expect(effectiveRole(client(true, Role.ADMIN), null)).to.equal(Role.ADMIN);
  });

  it("orders roles USER < MODERATOR < ADMIN", () => {
    expect(roleAtLeast(Role.ADMIN, Role.MODERATOR)).to.equal(true);
    expect(roleAtLeast(Role.MODERATOR, Role.MODERATOR)).to.equal(true);
    expect(roleAtLeast(Role.USER, Role.MODERATOR)).to.equal(false);
    expect(parseRole("moderator")).to.equal(Role.MODERATOR);
    expect(() => parseRole("root")).to.throw(/unknown role/);
  });

  it("parses the acting-user header on the first colon", () => {
    expect(parseUserHeader("discord:123:456", "N")).to.deep.equal({ authMethod: "discord", id: "123:456", displayName: "N" });
    for (const bad of ["nocolon", ":id", "local:", "a b:c"]) expect(() => parseUserHeader(bad), bad).to.throw(GraphQLError);
  });

  it("makes 256-bit keys, hashes them with SHA-256 and compares digests in constant time", () => {
    const k = generateApiKey();
    expect(k).to.match(/^chk_[0-9a-f]{64}$/);
    expect(generateApiKey()).to.not.equal(k);
    const fixed = generateApiKey(() => Buffer.alloc(32, 1));
    expect(fixed).to.equal("chk_" + "01".repeat(32));
    expect(hashApiKey(fixed)).to.have.length(64);
    expect(sameDigest(hashApiKey(fixed), hashApiKey(fixed))).to.equal(true);
    expect(sameDigest(hashApiKey(fixed), hashApiKey(k))).to.equal(false);
    expect(sameDigest("ab", "abcd")).to.equal(false);
  });

  it("round-trips cursors and refuses forged ones with INVALID_CURSOR_VALUE", () => {
    const c = { at: new Date(0).toISOString(), id: "x" };
    expect(decodeCursor(encodeCursor(c))).to.deep.equal(c);
    for (const bad of ["", "abc", Buffer.from('["not a date","x"]').toString("base64url")]) {
      try {
        decodeCursor(bad);
        expect.fail("should throw");
      } catch (err) {
        expect((err as ChorusError).extensions.code).to.equal(ErrorCode.INVALID_CURSOR_VALUE);
      }
    }
  });

  it("lets anonymous callers run only public and introspection root fields", () => {
    expect(() => assertAnonymousMayRun(parse("{ __typename __schema { types { name } } }"))).to.not.throw();
    expect(() => assertAnonymousMayRun(parse("{ viewer { role } }"))).to.throw(/needs an API key/);
    expect(() => assertAnonymousMayRun(parse("query A { __typename } query B { viewer { role } }"), "B")).to.throw(/viewer/);
    expect(() => assertAnonymousMayRun(parse("query A { __typename } query B { viewer { role } }"), "A")).to.not.throw();
    expect(() => assertAnonymousMayRun(parse("{ ... on Query { viewer { role } } }"))).to.throw(/viewer/);
  });
});

describe("error model", () => {
  it("carries extensions.code and the reference's number", () => {
    const e = new ChorusError(ErrorCode.TASK_ALREADY_DONE, "done");
    expect(e.extensions).to.deep.equal({ code: "TASK_ALREADY_DONE", oaErrorCode: 2105 });
    expect(new ChorusError(ErrorCode.NOT_FOUND, "x").extensions).to.deep.equal({ code: "NOT_FOUND" });
  });

  it("masks unexpected errors and reports them with a request id", () => {
    let logged: unknown;
    const internal = new Error("password=hunter2 at db.ts:12");
    const formatted = formatError(
      { message: internal.message, extensions: { stacktrace: ["x"] } },
      new GraphQLError("boom", { originalError: internal }),
      (e) => {
        logged = e;
        return "req-1";
      },
    );
    expect(logged).to.equal(internal);
    expect(formatted.message).to.equal("Internal server error (request req-1)");
    expect(formatted.extensions).to.deep.equal({ code: "INTERNAL_SERVER_ERROR", oaErrorCode: 0, requestId: "req-1" });
    expect(JSON.stringify(formatted)).to.not.include("hunter2");
  });

  it("keeps known errors but drops stack traces", () => {
    const e = new ChorusError(ErrorCode.FORBIDDEN, "no");
    const f = formatError({ message: "no", extensions: { code: "FORBIDDEN", stacktrace: ["a"] } }, e, () => "x");
    expect(f).to.deep.equal({ message: "no", extensions: { code: "FORBIDDEN" } });
  });

  it("turns class-validator failures into BAD_USER_INPUT listing fields, not the input", () => {
    const err = new GraphQLError("Argument Validation Error", {
      extensions: {
        code: "BAD_USER_INPUT",
        validationErrors: [{ property: "first", constraints: { min: "first must not be less than 1" }, target: { secret: "s3cr3t" } }],
      },
    });
    const f = formatError({ message: err.message, extensions: err.extensions }, err, () => "x");
    expect(f.extensions).to.deep.equal({ code: "BAD_USER_INPUT", fields: ["first: first must not be less than 1"] });
    expect(JSON.stringify(f)).to.not.include("s3cr3t");
  });
});
