/**
 * Class test (issue 11, item 12): every privileged change is journaled exactly once, whichever door it came through.
 *
 * - GraphQL: the privileged mutations are read from the resolvers' own `@Authorized(MODERATOR | ADMIN |
 *   TRUSTED_CLIENT)` declarations (type-graphql's metadata), plus the mutations that are privileged when they act on
 *   another user; each must have a case below, or the test fails naming it. A case makes one real change through
 *   the real endpoint and expects exactly one new journal row (its action, its target, `via: graphql`); where
 *   repeating the call changes nothing (deleting a deleted message, revoking a revoked key), the repeat must write
 *   no row.
 * - CLI: every command of the real `chorus` bin is either journaled (a case below: one row, `via: cli`, no user, no
 *   client) or listed as exempt with the reason.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { getMetadataStorage } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { print } from "graphql";
import type { Command } from "commander";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { documentFor, rootOperations, type RootOperation } from "../helpers/schema-ops.js";
import { CLI, runNode } from "../helpers/process.js";
import { World } from "../helpers/world.js";
import { getSchema } from "../../src/server/schema.js";
import { buildCli } from "../../src/cli.js";
import { loadConfig } from "../../src/config/index.js";
import { Role } from "../../src/modules/users/role.js";
import { Requirement } from "../../src/server/auth.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import {
  CreateChatDocument,
  CreateUserTokenDocument,
  ReportChatMessageDocument,
  SendChatMessageDocument,
  ViewerDocument,
  WorkerJobsDocument,
  WorkersDocument,
} from "../../client/generated/graphql.js";

interface JournalRow {
  id: string;
  event_type: string;
  target_id: string | null;
  user_id: string | null;
  api_client_id: string | null;
  event_payload: Record<string, unknown>;
}

/** Mutations that are privileged only when they act on someone else, or that record a user's own privileged act. */
const ALSO_PRIVILEGED = ["setLeaderboardVisibility", "revokeUserTokens", "deleteMyAccount", "acceptTermsOfService"];
/** Privileged by declaration but not a change of anything stored, so not journaled. */
const NOT_A_CHANGE: Record<string, string> = {
  createUserToken: "mints a short-lived credential for one of the client's own users; nothing stored changes",
};

/** CLI commands that change nothing privileged. */
const CLI_EXEMPT: Record<string, string> = {
  migrate: "applies the schema's migrations",
  "api-client list": "reads only",
  export: "reads only",
  "export-chats": "reads only",
  "export-battles": "reads only",
  "import-battles": "loads arena battles (votes, not a change of who may do what); it reports its own summary",
  import: "loads datasets (contributions, not a change of who may do what); it reports its own summary",
  "search-vectors": "builds derived search data of messages already imported (no change of who may do what or of any content)",
};

describe("every privileged change is journaled exactly once, through GraphQL and the CLI (class test)", function () {
  this.timeout(300_000);
  let server: TestServer;
  let schema: GraphQLSchema;
  let admin: RequestOptions;
  let trustedKey: string;
  let world: World;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    schema = await getSchema();
    trustedKey = (await server.createClient({ name: "journal web", trusted: true })).key;
    admin = { key: trustedKey, user: "local:journal-admin" };
    const v = await gql(server.url, ViewerDocument, {}, admin);
    await server.chorus.app.ds.query(`UPDATE "user" SET role = 'ADMIN' WHERE id = $1`, [v.data!.viewer.user!.id]);
    world = new World(server, trustedKey, "xj");
  });
  after(async () => {
    // the worker sockets the walk opened (openWorkers, below), then the server
    for (const w of openWorkers) await w.dispose();
    await server?.stop();
  });

  const ds = () => server.chorus.app.ds;
  async function lastJournalId(): Promise<string> {
    const rows: { id: string }[] = await ds().query(`SELECT id FROM journal ORDER BY id DESC LIMIT 1`);
    return rows[0]?.id ?? "00000000-0000-0000-0000-000000000000";
  }
  async function rowsSince(id: string): Promise<JournalRow[]> {
    return ds().query(`SELECT id, event_type, target_id, user_id, api_client_id, event_payload FROM journal WHERE id > $1 ORDER BY id`, [id]);
  }
  const uniq = (p: string) => `${p}-${crypto.randomBytes(3).toString("hex")}`;
  async function userId(ref: string, key = trustedKey): Promise<string> {
    const v = await gql(server.url, ViewerDocument, {}, { key, user: ref });
    expect(v.errors, JSON.stringify(v.errors)).to.equal(undefined);
    return v.data!.viewer.user!.id;
  }
  async function client(opts: { kind?: ApiClientKind } = {}) {
    return server.createClient({ name: uniq("target"), kind: opts.kind });
  }

  interface Case {
    /** The journal action the change must write. */
    action: string;
    /** Sets up a target; returns the variables of the call, the expected target id, and who calls. */
    prepare(): Promise<{ vars: Record<string, unknown>; target: string | null; as?: RequestOptions }>;
    /** Repeating the same call changes nothing and must write no row (else each call is a change of its own). */
    repeatIsNoop?: boolean;
  }

  const CASES: Record<string, Case> = {
    createApiClient: {
      action: "api_client_created",
      prepare: async () => ({ vars: { input: { name: uniq("made") } }, target: null }),
    },
    rotateApiClientKey: {
      action: "api_client_key_rotated",
      prepare: async () => {
        const c = await client();
        return { vars: { input: { id: c.id } }, target: c.id };
      },
    },
    revokeApiClient: {
      action: "api_client_revoked",
      repeatIsNoop: true,
      prepare: async () => {
        const c = await client();
        return { vars: { input: { id: c.id } }, target: c.id };
      },
    },
    setUserRole: {
      action: "user_role_changed",
      repeatIsNoop: true,
      prepare: async () => {
        const id = await userId(`local:${uniq("role")}`);
        return { vars: { input: { userId: id, role: "MODERATOR" } }, target: id };
      },
    },
    updateUser: {
      action: "user_updated",
      repeatIsNoop: true,
      prepare: async () => {
        const id = await userId(`local:${uniq("upd")}`);
        return { vars: { input: { userId: id, enabled: false, notes: "spam suspect" } }, target: id };
      },
    },
    deleteUser: {
      action: "user_deleted",
      repeatIsNoop: true,
      prepare: async () => {
        const id = await userId(`local:${uniq("del")}`);
        return { vars: { input: { userId: id } }, target: id };
      },
    },
    mergeUsers: {
      action: "users_merged",
      repeatIsNoop: true,
      prepare: async () => {
        const dest = await userId(`local:${uniq("dest")}`);
        const src = await userId(`local:${uniq("src")}`);
        return { vars: { input: { destinationUserId: dest, sourceUserIds: [src] } }, target: dest };
      },
    },
    purgeUser: {
      action: "user_purged",
      prepare: async () => {
        const a = world.annotator(uniq("purged"));
        await world.prompt(a);
        const id = await userId(a.userHeader);
        return { vars: { input: { userId: id, ban: true, preview: false } }, target: id };
      },
    },
    purgeUserMessages: {
      action: "user_messages_purged",
      prepare: async () => {
        const a = world.annotator(uniq("purgedmsgs"));
        await world.prompt(a);
        const id = await userId(a.userHeader);
        return { vars: { input: { userId: id, preview: false } }, target: id };
      },
    },
    deleteMessage: {
      action: "message_deleted",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        return { vars: { input: { messageId: m } }, target: m };
      },
    },
    undeleteMessage: {
      action: "message_undeleted",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        await ds().query(`UPDATE message SET deleted = true WHERE id = $1`, [m]);
        return { vars: { input: { messageId: m } }, target: m };
      },
    },
    deleteUserMessages: {
      action: "user_messages_deleted",
      repeatIsNoop: true,
      prepare: async () => {
        const a = world.annotator(uniq("author"));
        await world.prompt(a);
        const id = await userId(a.userHeader);
        return { vars: { input: { userId: id } }, target: id };
      },
    },
    editMessage: {
      action: "message_edited",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        return { vars: { input: { messageId: m, text: "edited by a moderator" } }, target: m };
      },
    },
    markFlaggedProcessed: {
      action: "flag_processed",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        await ds().query(`INSERT INTO flagged_message (message_id) VALUES ($1)`, [m]);
        return { vars: { input: { messageId: m } }, target: m };
      },
    },
    setTreeHalted: {
      action: "tree_halted",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        return { vars: { input: { messageId: m, halt: true } }, target: m };
      },
    },
    retryScoring: {
      action: "scoring_retried",
      repeatIsNoop: true,
      prepare: async () => {
        const m = await world.prompt(world.annotator());
        await ds().query(`UPDATE message_tree_state SET state = 'scoring_failed', active = false WHERE message_tree_id = $1`, [m]);
        return { vars: {}, target: m };
      },
    },
    refreshLeaderboards: {
      action: "leaderboards_refreshed",
      prepare: async () => ({ vars: { input: { windows: ["DAY"] } }, target: null }),
    },
    refreshCachedStats: {
      action: "cached_stats_refreshed",
      prepare: async () => ({ vars: {}, target: null }),
    },
    refreshModelLeaderboard: {
      action: "arena_leaderboard_refreshed",
      prepare: async () => ({ vars: { input: { category: "journal" } }, target: null }),
    },
    setArenaVoterExclusion: {
      action: "arena_voter_excluded",
      repeatIsNoop: true,
      prepare: async () => {
        const id = await userId(`local:${uniq("voter")}`);
        return { vars: { input: { userId: id, excluded: true, reason: "votes at random" } }, target: id };
      },
    },
    resolveChatReport: {
      action: "chat_report_resolved",
      repeatIsNoop: true,
      prepare: async () => {
        const owner = { key: trustedKey, user: `local:${uniq("reporter")}` };
        const chat = await gql(server.url, CreateChatDocument, { input: {} }, owner);
        const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "hello", model: "synthetic" } }, owner);
        const report = await gql(
          server.url,
          ReportChatMessageDocument,
          { input: { messageId: sent.data!.sendChatMessage.assistantMessage.id, reportType: "SPAM", reason: "spam" } },
          owner,
        );
        expect(report.errors, JSON.stringify(report.errors)).to.equal(undefined);
        const id = report.data!.reportChatMessage.id;
        return { vars: { input: { reportId: id, resolution: "dealt with" } }, target: id };
      },
    },
    drainWorker: {
      action: "worker_drained",
      repeatIsNoop: true,
      prepare: async () => {
        const w = await client({ kind: ApiClientKind.WORKER });
        const sessionId = crypto.randomUUID();
        const ws = wsClient(server.wsUrl, { authorization: `Bearer ${w.key}` });
        openWorkers.push(ws);
        ws.subscribe(
          {
            query: print(WorkerJobsDocument),
            variables: { input: { protocolVersion: 1, models: ["synthetic"], capacity: 1, hardware: { device: "test" }, name: "journal", sessionId } },
          },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
        for (let i = 0; i < 100; i++) {
          const list = await gql(server.url, WorkersDocument, {}, admin);
          if (list.data?.workers.some((x) => x.id === sessionId)) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        return { vars: { input: { workerId: sessionId } }, target: sessionId };
      },
    },
    setLeaderboardVisibility: {
      action: "leaderboard_visibility_changed",
      repeatIsNoop: true,
      prepare: async () => {
        const id = await userId(`local:${uniq("shy")}`);
        return { vars: { input: { userId: id, show: false } }, target: id };
      },
    },
    revokeUserTokens: {
      action: "user_tokens_revoked",
      prepare: async () => {
        const id = await userId(`local:${uniq("logout")}`);
        return { vars: { input: { userId: id } }, target: id };
      },
    },
    deleteMyAccount: {
      action: "account_deleted",
      prepare: async () => {
        const name = uniq("leaver");
        const minted = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: name } } }, { key: trustedKey });
        const { token, user } = minted.data!.createUserToken;
        return { vars: { input: { confirm: true } }, target: user.id, as: { key: token } };
      },
    },
    acceptTermsOfService: {
      action: "tos_accepted",
      prepare: async () => {
        const ref = `local:${uniq("tos")}`;
        return { vars: {}, target: await userId(ref), as: { key: trustedKey, user: ref } };
      },
    },
  };
  const openWorkers: ReturnType<typeof wsClient>[] = [];

  /** Privileged mutations by their `@Authorized` declaration. */
  function declaredPrivileged(): string[] {
    const storage = getMetadataStorage();
    const privileged = new Set<unknown>([Role.MODERATOR, Role.ADMIN, Requirement.TRUSTED_CLIENT, Requirement.SYSTEM_ADMIN]);
    return storage.mutations
      .filter((m) => storage.authorizedFields.some((a) => a.target === m.target && a.fieldName === m.methodName && a.roles.some((r) => privileged.has(r))))
      .map((m) => m.schemaName);
  }

  it("has a case for every privileged mutation of the schema (a new one fails here by name)", () => {
    const mutations = rootOperations(schema)
      .filter((o) => o.kind === "mutation")
      .map((o) => o.name);
    const declared = declaredPrivileged();
    expect(declared).to.include.members(["deleteMessage", "setUserRole", "revokeApiClient", "drainWorker"]);
    const privileged = [...new Set([...declared, ...ALSO_PRIVILEGED])].filter((n) => !(n in NOT_A_CHANGE));
    const missing = privileged.filter((n) => !(n in CASES));
    expect(missing, `privileged mutations without a journal case: ${missing.join(", ")}`).to.deep.equal([]);
    const stale = Object.keys(CASES).filter((n) => !mutations.includes(n));
    expect(stale, `cases naming no mutation: ${stale.join(", ")}`).to.deep.equal([]);
  });

  const op = (name: string): RootOperation => rootOperations(schema).find((o) => o.kind === "mutation" && o.name === name)!;

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: one ${c.action} row per change${c.repeatIsNoop ? ", none for a repeat that changes nothing" : ""}`, async () => {
      const { vars, target, as } = await c.prepare();
      const mark = await lastJournalId();
      const res = await rawGql(server.url, documentFor(op(name), Object.keys(vars)), vars, as ?? admin);
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      const rows = await rowsSince(mark);
      expect(
        rows.map((r) => r.event_type),
        `${name} wrote`,
      ).to.deep.equal([c.action]);
      const row = rows[0];
      if (target) expect(row.target_id ?? row.event_payload.worker_id).to.equal(target);
      expect(row.event_payload.via).to.equal("graphql");
      expect(row.api_client_id).to.be.a("string");
      if (c.repeatIsNoop) {
        const again = await lastJournalId();
        const res2 = await rawGql(server.url, documentFor(op(name), Object.keys(vars)), vars, as ?? admin);
        // A repeat either succeeds without a change or is refused (a merged-away source, a resolved report).
        if (res2.errors) expect(errorCode(res2)).to.be.oneOf(["NOT_FOUND", "CONFLICT"]);
        expect(
          (await rowsSince(again)).map((r) => r.event_type),
          `repeating ${name} wrote`,
        ).to.deep.equal([]);
      }
    });
  }

  it("a purge preview changes nothing and writes no row", async () => {
    const a = world.annotator(uniq("previewed"));
    await world.prompt(a);
    const id = await userId(a.userHeader);
    const mark = await lastJournalId();
    const res = await rawGql(server.url, documentFor(op("purgeUser"), ["input"]), { input: { userId: id, ban: true } }, admin);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    expect(await rowsSince(mark)).to.deep.equal([]);
  });

  describe("the CLI (real bin)", () => {
    const cliEnv = () => ({ DATABASE_URL: server.db.url });
    async function cli(args: string[]) {
      const r = await runNode(CLI, args, cliEnv());
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(0);
      return r.stdout;
    }

    /** Leaf commands of the CLI, as `group command`. */
    function commands(cmd: Command, prefix = ""): string[] {
      return cmd.commands.flatMap((c) => {
        const name = `${prefix}${c.name()}`;
        return c.commands.length ? commands(c, `${name} `) : [name];
      });
    }

    const CLI_CASES: Record<string, { action: string; run(): Promise<{ target: string | null; repeat?: () => Promise<unknown> }> }> = {
      "api-client create": {
        action: "api_client_created",
        run: async () => ({ target: /created API client ([0-9a-f-]{36})/.exec(await cli(["api-client", "create", "--name", uniq("cli")]))![1] }),
      },
      "worker-key create": {
        action: "api_client_created",
        run: async () => ({ target: /created worker key ([0-9a-f-]{36})/.exec(await cli(["worker-key", "create", "--name", uniq("gpu")]))![1] }),
      },
      "api-client rotate": {
        action: "api_client_key_rotated",
        run: async () => {
          const c = await client();
          await cli(["api-client", "rotate", c.id]);
          return { target: c.id };
        },
      },
      "api-client revoke": {
        action: "api_client_revoked",
        run: async () => {
          const c = await client();
          await cli(["api-client", "revoke", c.id]);
          return { target: c.id, repeat: () => cli(["api-client", "revoke", c.id]) };
        },
      },
      "user set-role": {
        action: "user_role_changed",
        run: async () => {
          const name = uniq("cli-role");
          const id = await userId(`local:${name}`);
          const args = ["user", "set-role", "--auth-method", "local", "--id", name, "--role", "moderator"];
          await cli(args);
          return { target: id, repeat: () => cli(args) };
        },
      },
      "user revoke-tokens": {
        action: "user_tokens_revoked",
        run: async () => {
          const name = uniq("cli-logout");
          const id = await userId(`local:${name}`);
          await cli(["user", "revoke-tokens", "--auth-method", "local", "--id", name]);
          return { target: id };
        },
      },
    };

    it("has a case or a written exemption for every command (a new command fails here by name)", () => {
      const all = commands(buildCli(() => loadConfig({})));
      const missing = all.filter((c) => !(c in CLI_CASES) && !(c in CLI_EXEMPT));
      expect(missing, `CLI commands neither journaled nor exempt: ${missing.join(", ")}`).to.deep.equal([]);
      const stale = [...Object.keys(CLI_CASES), ...Object.keys(CLI_EXEMPT)].filter((c) => !all.includes(c));
      expect(stale).to.deep.equal([]);
    });

    for (const [name, c] of Object.entries(CLI_CASES)) {
      it(`chorus ${name}: one ${c.action} row (via cli, no user, no client)`, async () => {
        const mark = await lastJournalId();
        const { target, repeat } = await c.run();
        const rows = (await rowsSince(mark)).filter((r) => r.event_payload.via === "cli");
        expect(rows.map((r) => r.event_type)).to.deep.equal([c.action]);
        expect(rows[0]).to.include({ user_id: null, api_client_id: null });
        if (target) expect(rows[0].target_id).to.equal(target);
        if (repeat) {
          const again = await lastJournalId();
          await repeat();
          expect(await rowsSince(again), `repeating chorus ${name} wrote`).to.deep.equal([]);
        }
      });
    }
  });
});
