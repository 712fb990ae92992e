/**
 * Which websockets keep the identity they resolved to for their whole life (src/server/websocket-server.ts,
 * keepsIdentity): only a worker's, authenticated by its key and watched by the open-socket registry, which re-checks
 * its key and role against PostgreSQL and closes or refreshes it. Every other socket looks its identity up again
 * after 5 s.
 */
import "reflect-metadata";
import { expect } from "chai";
import { keepsIdentity } from "../../../src/server/websocket-server.js";
import { ApiClient, ApiClientKind } from "../../../src/modules/api-clients/api-client.entity.js";
import type { Identity } from "../../../src/server/context.js";

function identity(kind: ApiClientKind, via: Identity["via"]): Identity {
  const apiClient = Object.assign(new ApiClient(), { id: "c1", kind });
  return { via, apiClient, user: null, token: null };
}

describe("websocket identity reuse", () => {
  it("keeps a watched worker key's identity", () => {
    expect(keepsIdentity(identity(ApiClientKind.WORKER, "api-key"), true)).to.equal(true);
  });

  it("looks every other identity up again", () => {
    expect(keepsIdentity(identity(ApiClientKind.WORKER, "api-key"), false), "not watched").to.equal(false);
    expect(keepsIdentity(identity(ApiClientKind.CLIENT, "api-key"), true), "a client's key").to.equal(false);
    expect(keepsIdentity(identity(ApiClientKind.CLIENT, "user-token"), true), "a user token").to.equal(false);
    expect(keepsIdentity({ via: "anonymous", apiClient: null, user: null, token: null }, false), "anonymous").to.equal(false);
  });
});
