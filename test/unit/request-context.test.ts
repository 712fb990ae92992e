import { expect } from "chai";
import pino from "pino";
import { actingUserOf, internalRequestContext, requestContext } from "../../src/common/request-context.js";
import type { ApiClient } from "../../src/modules/api-clients/api-client.entity.js";
import type { User } from "../../src/modules/users/user.entity.js";
import { Role } from "../../src/modules/users/role.js";
import { ChorusError, ErrorCode } from "../../src/common/errors.js";

const log = pino({ level: "silent" });
const client = (trusted: boolean) => ({ id: "0d3c5a8e-1f2b-4c3d-9e8f-000000000001", trusted }) as ApiClient;
const user = { id: "0d3c5a8e-1f2b-4c3d-9e8f-000000000002" } as User;

describe("request context (src/common/request-context.ts)", () => {
  it("holds only data about the caller and the request: no services, loaders or database handle", () => {
    const rc = requestContext({ requestId: "r1", log, identity: { via: "api-key", apiClient: client(true), user }, role: Role.ADMIN });
    expect(Object.keys(rc).sort()).to.deep.equal(["actor", "identity", "log", "requestId", "role", "visibility"]);
    expect(Object.keys(rc.identity).sort()).to.deep.equal(["apiClient", "user", "via"]);
  });

  it("an untrusted client sees its own client's records; a trusted one everything", () => {
    const of = (trusted: boolean) =>
      requestContext({ requestId: "r", log, identity: { via: "api-key", apiClient: client(trusted), user: null }, role: Role.USER }).visibility;
    expect(of(false)).to.deep.equal({ apiClientId: client(false).id });
    expect(of(true)).to.deep.equal({ apiClientId: null });
  });

  it("journals a GraphQL caller as its acting user and client, through whichever credentials it came", () => {
    for (const via of ["api-key", "user-token"] as const) {
      const rc = requestContext({ requestId: "r", log, identity: { via, apiClient: client(false), user }, role: Role.MODERATOR });
      expect(rc.actor).to.deep.equal({ userId: user.id, apiClientId: client(false).id, via: "graphql" });
      expect(rc.role).to.equal(Role.MODERATOR);
    }
    const noUser = requestContext({ requestId: "r", log, identity: { via: "api-key", apiClient: client(true), user: null }, role: Role.ADMIN });
    expect(noUser.actor).to.deep.equal({ userId: null, apiClientId: client(true).id, via: "graphql" });
  });

  it("is a snapshot nobody changes on the way down", () => {
    const rc = requestContext({ requestId: "r", log, identity: { via: "api-key", apiClient: client(true), user }, role: Role.ADMIN });
    expect(Object.isFrozen(rc) && Object.isFrozen(rc.identity) && Object.isFrozen(rc.actor)).to.equal(true);
  });

  it("the command line and the server itself act with no client and no user, see everything, and journal their door", () => {
    for (const via of ["cli", "system"] as const) {
      const rc = internalRequestContext(via, log, Role.ADMIN);
      expect(rc.identity).to.deep.equal({ via, apiClient: null, user: null });
      expect(rc.actor).to.deep.equal({ userId: null, apiClientId: null, via });
      expect(rc.visibility).to.deep.equal({ apiClientId: null });
      expect(rc.role).to.equal(Role.ADMIN);
      expect(rc.requestId.startsWith(`${via}-`)).to.equal(true);
    }
    expect(internalRequestContext("cli", log, Role.ADMIN).requestId).to.not.equal(internalRequestContext("cli", log, Role.ADMIN).requestId);
  });

  it("the acting user is the context's user; without one it fails as the GraphQL context's actingUser() does", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ChorusError).extensions.code;
      }
      return "none";
    };
    const rc = (apiClient: ApiClient | null, u: User | null) =>
      requestContext({ requestId: "r", log, identity: { via: "api-key", apiClient, user: u }, role: Role.USER });
    expect(actingUserOf(rc(client(false), user))).to.equal(user);
    expect(code(() => actingUserOf(rc(client(false), null)))).to.equal(ErrorCode.USER_NOT_SPECIFIED);
    expect(code(() => actingUserOf(rc(null, user)))).to.equal(ErrorCode.UNAUTHENTICATED);
    expect(code(() => actingUserOf(internalRequestContext("cli", log, Role.ADMIN)))).to.equal(ErrorCode.UNAUTHENTICATED);
  });
});
