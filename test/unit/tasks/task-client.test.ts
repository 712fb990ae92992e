import { expect } from "chai";
import pino from "pino";
import { internalRequestContext, requestContext } from "../../../src/common/request-context.js";
import type { ApiClient } from "../../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../../src/modules/users/role.js";
import { taskClientId } from "../../../src/modules/tasks/task-common.js";

const log = pino({ level: "silent" });
const client = { id: "0d3c5a8e-1f2b-4c3d-9e8f-000000000001", trusted: false } as ApiClient;

// Tasks belong to the API client that requested them; with the caller now in the request context, that client is
// read from it, and a context that has none must be refused rather than store tasks with no client.
describe("tasks: the API client a task belongs to (task-common.ts)", () => {
  it("is the request context's client, whoever the acting user is", () => {
    for (const via of ["api-key", "user-token"] as const) {
      const rc = requestContext({ requestId: "r", log, identity: { via, apiClient: client, user: null }, role: Role.USER });
      expect(taskClientId(rc)).to.equal(client.id);
    }
  });

  it("is refused for the command line and the server's own jobs, which have no client", () => {
    for (const via of ["cli", "system"] as const) {
      expect(() => taskClientId(internalRequestContext(via, log, Role.ADMIN))).to.throw(`Task operations need an API client (caller via ${via})`);
    }
  });
});
