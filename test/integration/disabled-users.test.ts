/**
 * Class test (issue 12, item 6): a disabled, deleted or banned user can do nothing, whatever the operation and
 * whatever the door. Every root operation of the built schema (queries, mutations, subscriptions; a new one is
 * covered automatically) is called as such a user: by the x-chorus-user header of a trusted client, by a user token
 * minted before the user was disabled, and, for operations that take one, by a `user` argument. Each must answer
 * USER_DISABLED (HTTP 403) and run nothing; a websocket of such a user is closed with 4403 before it can subscribe.
 */
import { expect } from "chai";
import type { GraphQLSchema } from "graphql";
import { GraphQLInputObjectType, GraphQLList, GraphQLNonNull, getNamedType, type GraphQLInputType } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { documentFor, minimalVariables, rootOperations, type RootOperation } from "../helpers/schema-ops.js";
import { getSchema } from "../../src/server/schema.js";
import { Role } from "../../src/modules/users/role.js";
import {
  CreateChatDocument,
  CreateUserTokenDocument,
  DeleteUserDocument,
  PurgeUserDocument,
  SendChatMessageDocument,
  UpdateUserDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";

type Caller = { label: string; opts: RequestOptions; params: Record<string, unknown> };

describe("disabled, deleted and banned users are refused every operation (class test)", function () {
  this.timeout(300_000);
  let server: TestServer;
  let schema: GraphQLSchema;
  let trustedKey: string;
  const callers: Caller[] = [];
  /** Banned user's frontend identity, for `user` arguments. */
  const bannedRef = { authMethod: "local", id: "banned-bob" };
  let chatOfDisabled: string;

  async function userOf(ref: string): Promise<{ id: string; token: string }> {
    const [authMethod, id] = ref.split(":");
    const minted = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod, id } } }, { key: trustedKey });
    expect(minted.errors, JSON.stringify(minted.errors)).to.equal(undefined);
    return { id: minted.data!.createUserToken.user.id, token: minted.data!.createUserToken.token };
  }

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    schema = await getSchema();
    trustedKey = (await server.createClient({ name: "trusted web", trusted: true, role: Role.USER })).key;
    const admin = { key: server.adminKey };

    const disabled = await userOf("local:disabled-dora");
    // Something of the disabled user's own to act on, made before the user was disabled.
    const chat = await gql(server.url, CreateChatDocument, { input: { title: "mine" } }, { key: disabled.token });
    chatOfDisabled = chat.data!.createChat.id;
    const upd = await gql(server.url, UpdateUserDocument, { input: { userId: disabled.id, enabled: false } }, admin);
    expect(upd.errors, JSON.stringify(upd.errors)).to.equal(undefined);

    const deleted = await userOf("local:deleted-dan");
    const del = await gql(server.url, DeleteUserDocument, { input: { userId: deleted.id } }, admin);
    expect(del.errors, JSON.stringify(del.errors)).to.equal(undefined);

    const banned = await userOf(`${bannedRef.authMethod}:${bannedRef.id}`);
    const ban = await gql(server.url, PurgeUserDocument, { input: { userId: banned.id, ban: true, preview: false } }, admin);
    expect(ban.errors, JSON.stringify(ban.errors)).to.equal(undefined);

    callers.push(
      {
        label: "disabled user by header",
        opts: { key: trustedKey, user: "local:disabled-dora" },
        params: { authorization: `Bearer ${trustedKey}`, user: "local:disabled-dora" },
      },
      { label: "disabled user by token", opts: { key: disabled.token }, params: { authorization: `Bearer ${disabled.token}` } },
      { label: "deleted user by token", opts: { key: deleted.token }, params: { authorization: `Bearer ${deleted.token}` } },
      {
        label: "deleted user by its anonymised header",
        opts: { key: trustedKey, user: `local:deleted_${deleted.id}` },
        params: { authorization: `Bearer ${trustedKey}`, user: `local:deleted_${deleted.id}` },
      },
      {
        label: "banned user by header",
        opts: { key: trustedKey, user: "local:banned-bob" },
        params: { authorization: `Bearer ${trustedKey}`, user: "local:banned-bob" },
      },
      { label: "banned user by token", opts: { key: banned.token }, params: { authorization: `Bearer ${banned.token}` } },
    );
  });
  after(async () => {
    await server?.stop();
  });

  /** Variables with the operation's own chat where it names one, so an allowed call would really act. */
  function variablesFor(op: RootOperation): Record<string, unknown> {
    const vars = minimalVariables(op, op.name === "heartbeat" ? { intervalMs: 250 } : {});
    if (op.name === "chat" || op.name === "deleteChat") vars.id = chatOfDisabled;
    if (op.name === "sendChatMessage") vars.input = { chatId: chatOfDisabled, text: "still here?", model: "synthetic" };
    if (op.name === "updateChat") vars.input = { id: chatOfDisabled, title: "renamed" };
    return vars;
  }

  it("over HTTP: every query and mutation answers USER_DISABLED with HTTP 403, for every kind of refused user", async () => {
    const wrong: string[] = [];
    let calls = 0;
    const ops = rootOperations(schema).filter((o) => o.kind !== "subscription");
    for (const op of ops) {
      const vars = variablesFor(op);
      for (const caller of callers) {
        const res = await rawGql(server.url, documentFor(op, Object.keys(vars)), vars, caller.opts);
        calls++;
        if (errorCode(res) !== "USER_DISABLED" || res.status !== 403 || (res.data !== undefined && res.data !== null)) {
          wrong.push(`${op.kind} ${op.name} as ${caller.label}: HTTP ${res.status}, ${errorCode(res) ?? "data"}`);
        }
      }
    }
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
    expect(calls).to.equal(ops.length * callers.length);
    expect(ops.length).to.be.greaterThan(70);
    // Nothing ran: the disabled user's chat still has its title and no message.
    const rows = await server.chorus.app.ds.query(`SELECT title, (SELECT count(*)::int FROM chat_message WHERE chat_id = $1) AS n FROM chat WHERE id = $1`, [
      chatOfDisabled,
    ]);
    expect(rows[0]).to.deep.equal({ title: "mine", n: 0 });
  });

  it("over graphql-ws: the connection of a refused user closes with 4403 before any subscription or mutation runs", async () => {
    const wrong: string[] = [];
    const ops = rootOperations(schema).filter((o) => o.kind === "subscription" || o.name === "sendChatMessage");
    for (const op of ops) {
      for (const caller of callers) {
        let closeCode: number | undefined;
        const client = wsClient(server.wsUrl, caller.params, { onClose: (code) => (closeCode = code) });
        const vars = variablesFor(op);
        const outcome = await new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve("silent"), 5_000);
          client.subscribe(
            { query: documentFor(op, Object.keys(vars)), variables: vars },
            {
              next: (r) => {
                clearTimeout(timer);
                resolve(r.errors ? `error ${String(r.errors[0].extensions?.code)}` : "data");
              },
              error: () => {
                clearTimeout(timer);
                resolve(`closed ${closeCode}`);
              },
              complete: () => {
                clearTimeout(timer);
                resolve("complete");
              },
            },
          );
        });
        await client.dispose();
        if (outcome !== "closed 4403") wrong.push(`${op.kind} ${op.name} as ${caller.label}: ${outcome}`);
      }
    }
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
  });

  /** The paths (argument, then fields) at which an operation takes a UserRefInput. */
  function userRefPaths(op: RootOperation): string[][] {
    const out: string[][] = [];
    const walk = (type: GraphQLInputType, path: string[], depth: number) => {
      const named = getNamedType(type);
      if (named.name === "UserRefInput") return out.push(path);
      if (!(named instanceof GraphQLInputObjectType) || depth > 3) return;
      for (const f of Object.values(named.getFields())) walk(f.type, [...path, f.name], depth + 1);
    };
    for (const a of op.field.args) walk(a.type, [a.name], 0);
    return out;
  }

  it("by a `user` argument: every operation that takes one answers USER_DISABLED for a banned user, from a trusted key with no header", async () => {
    const withRef = rootOperations(schema).filter((o) => o.kind !== "subscription" && userRefPaths(o).length > 0);
    expect(withRef.map((o) => o.name)).to.include.members(["viewer", "requestTask", "createUserToken", "acceptTermsOfService"]);
    const wrong: string[] = [];
    for (const op of withRef) {
      for (const path of userRefPaths(op)) {
        const vars = variablesFor(op);
        let holder: Record<string, unknown> = vars;
        for (const key of path.slice(0, -1)) {
          const arg = op.field.args.find((a) => a.name === key);
          const isList = arg && (arg.type instanceof GraphQLList || (arg.type instanceof GraphQLNonNull && arg.type.ofType instanceof GraphQLList));
          holder[key] ??= isList ? [{}] : {};
          holder = (isList ? (holder[key] as Record<string, unknown>[])[0] : holder[key]) as Record<string, unknown>;
        }
        holder[path[path.length - 1]] = bannedRef;
        const res = await rawGql(server.url, documentFor(op, Object.keys(vars)), vars, { key: trustedKey });
        if (errorCode(res) !== "USER_DISABLED") wrong.push(`${op.name}(${path.join(".")}): ${errorCode(res) ?? "data"}`);
      }
    }
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
  });

  it("never renames a refused user from a request's display name", async () => {
    const res = await gql(server.url, ViewerDocument, {}, { key: trustedKey, user: "local:banned-bob", userName: "Bob Returns" });
    expect(errorCode(res)).to.equal("USER_DISABLED");
    const rows = await server.chorus.app.ds.query(`SELECT display_name FROM "user" WHERE username = 'banned-bob'`);
    expect(rows[0].display_name).to.not.equal("Bob Returns");
  });

  it("a deleted user's former frontend id is a new, empty account (deleteUser forgets the identity; a ban keeps it out)", async () => {
    const fresh = await gql(server.url, ViewerDocument, {}, { key: trustedKey, user: "local:deleted-dan" });
    expect(fresh.errors, JSON.stringify(fresh.errors)).to.equal(undefined);
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, { key: trustedKey, user: "local:deleted-dan" });
    expect(chat.errors, JSON.stringify(chat.errors)).to.equal(undefined);
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "hi", model: "synthetic" } },
      { key: trustedKey, user: "local:banned-bob" },
    );
    expect(errorCode(sent)).to.equal("USER_DISABLED");
  });
});
