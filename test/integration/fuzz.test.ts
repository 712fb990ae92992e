/**
 * Property-based fuzzing of the whole mutation surface, of every query that takes arguments and of query documents,
 * seeded so a failure replays. For every mutation and every query with arguments of the built schema, at least 100
 * generated argument sets (hostile strings, wrong types, extreme numbers, wide and deep inputs) go to the real
 * endpoint. Every answer must be a well-formed GraphQL success or error with a known code, never a 5xx, a dropped
 * connection or an internal detail; afterwards the database invariants (test/helpers/invariants.ts) still hold and
 * the server still serves.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { GraphQLSchema } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql, rawGql, type GqlResponse, type RequestOptions } from "../helpers/graphql.js";
import { documentFor, minimalVariables, rootOperations, type RootOperation } from "../helpers/schema-ops.js";
import { arbitraryFor } from "../helpers/fuzz-arbitraries.js";
import { checkInvariants } from "../helpers/invariants.js";
import { World } from "../helpers/world.js";
import { getSchema } from "../../src/server/schema.js";
import { ErrorCode } from "../../src/common/errors.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { CreateChatDocument, SendChatMessageDocument, SetUserRoleDocument, ViewerDocument } from "../../client/generated/graphql.js";

const FUZZ_SEED = 20_261_125;
const RUNS_PER_MUTATION = 100;
const RUNS_PER_QUERY = 100;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** What an answer must never carry: stack frames, source paths, SQL or driver errors. */
const LEAKS: [string, RegExp][] = [
  ["stack frame", /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)/],
  ["source path", /\/(work|home|root|usr|app)\/[\w./-]+|node_modules|dist\/src|\.ts:\d+/],
  [
    "SQL error",
    /syntax error at or near|violates (unique|foreign key|check|not-null)|duplicate key value|relation "\w+"|column "\w+"|invalid byte sequence|invalid input syntax for type/i,
  ],
  ["SQL text", /\b(SELECT [\w*., ]+ FROM \w+|INSERT INTO \w+ \(|UPDATE \w+ SET|DELETE FROM \w+ WHERE)/],
];

/** Problems with one answer: an empty list means it is a well-formed success or error. */
function answerProblems(res: GqlResponse<unknown>, sentText: string): string[] {
  const out: string[] = [];
  // GraphQL over HTTP: an executed request (it has data) answers 200 whatever its errors; bad input is never 5xx.
  if (res.status >= 500) out.push(`HTTP ${res.status}`);
  if (res.data !== undefined && res.status !== 200) out.push(`HTTP ${res.status} for an executed request`);
  if (res.data === undefined && !res.errors) out.push("neither data nor errors");
  for (const e of res.errors ?? []) {
    const code = e.extensions?.code as string | undefined;
    if (typeof e.message !== "string") out.push("error without a message");
    if (!code || !KNOWN_CODES.has(code)) out.push(`unknown code ${code}`);
    if (code === ErrorCode.INTERNAL_SERVER_ERROR) out.push(`INTERNAL_SERVER_ERROR at ${JSON.stringify(e.path)}`);
    if ("stacktrace" in (e.extensions ?? {}) || "exception" in (e.extensions ?? {})) out.push("stack trace in extensions");
  }
  // The answer's text, minus what the request itself carried (error messages may quote a bad value).
  const text = JSON.stringify({ errors: res.errors ?? [] });
  for (const [what, re] of LEAKS) {
    const m = re.exec(text);
    if (m && !sentText.includes(m[0])) out.push(`${what} leaked: ${m[0].slice(0, 80)}`);
  }
  return out;
}

describe("fuzzing: generated arguments to every mutation and generated query documents", function () {
  this.timeout(600_000);
  let server: TestServer;
  let schema: GraphQLSchema;
  let admin: RequestOptions;
  let worker: RequestOptions;
  const ids: string[] = [];

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", RATE_LIMIT: "false", CHAT_RATE_LIMIT_GENERATIONS: "1000000", TREE_MANAGER__GOAL_TREE_SIZE: "5" });
    schema = await getSchema();
    const frontend = await server.createClient({ name: "fuzz frontend", trusted: true });
    admin = { key: frontend.key, user: "local:fuzz-admin" };
    worker = { key: (await server.createClient({ name: "fuzz worker", kind: ApiClientKind.WORKER })).key };
    const me = await gql(server.url, ViewerDocument, {}, admin);
    await gql(server.url, SetUserRoleDocument, { input: { userId: me.data!.viewer.user!.id, role: "ADMIN" } }, { key: server.adminKey });
    // Real objects for the generated ids to hit: a growing tree with reviews, a pending task, a chat with an answer.
    const w = new World(server, frontend.key, "en");
    const root = await w.growingTree(w.annotator());
    const child = await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    const pending = await w.annotator().request("RANDOM", "en");
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, { key: frontend.key, user: "local:chatter" });
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "hello", model: "synthetic" } },
      { key: frontend.key, user: "local:chatter" },
    );
    ids.push(root, child.messageId, chat.data!.createChat.id, sent.data!.sendChatMessage.assistantMessage.id, sent.data!.sendChatMessage.prompterMessage.id);
    if (pending.data) ids.push(pending.data.requestTask.id);
    expect(await checkInvariants(server.chorus.app.ds)).to.deep.equal([]);
  });
  after(async () => {
    await server?.stop();
  });

  /**
   * The caller a mutation is fuzzed as: the admin user, or the worker key for the worker protocol. Deleting one's own
   * account is fuzzed as a user of its own, or the admin would be deleted and every later mutation refused.
   */
  async function callerFor(op: RootOperation): Promise<RequestOptions> {
    if (op.name === "deleteMyAccount") return { key: admin.key, user: "local:fuzz-leaver" };
    const vars = minimalVariables(op);
    const probe = await rawGql(server.url, documentFor(op, Object.keys(vars)), vars, admin);
    return ["FORBIDDEN", "UNAUTHENTICATED"].includes(String(probe.errors?.[0]?.extensions?.code)) ? worker : admin;
  }

  /**
   * Sends `runs` generated argument sets to each operation. Two thirds of the runs send values of the right types
   * (hostile content), so calls get past coercion into the services; the rest mix in wrong types, unknown fields,
   * deep nests and wide objects. Returns the problems found and the outcomes per operation.
   */
  async function fuzzOperations(ops: RootOperation[], runs: number): Promise<{ problems: string[]; outcomes: Record<string, Record<string, number>> }> {
    const problems: string[] = [];
    const outcomes: Record<string, Record<string, number>> = {};
    for (const op of ops) {
      const as = await callerFor(op);
      const varsOf = (wrongTypes: boolean) => {
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const a of op.field.args) model[a.name] = arbitraryFor(a.type, { ids, wrongTypes });
        return fc.record(model, { requiredKeys: op.field.args.filter((a) => !wrongTypes && String(a.type).endsWith("!")).map((a) => a.name) });
      };
      const tally: Record<string, number> = (outcomes[op.name] = {});
      let made = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 2, arbitrary: varsOf(false) }, { weight: 1, arbitrary: varsOf(true) }), async (vars) => {
          made++;
          const sent = JSON.stringify(vars);
          const t0 = Date.now();
          const res = await rawGql(server.url, documentFor(op), vars as Record<string, unknown>, as);
          if (process.env.FUZZ_DEBUG && Date.now() - t0 > 200)
            console.log(`slow ${op.name} ${Date.now() - t0} ms ${res.status} ${sent.length} bytes ${sent.slice(0, 120)}`);
          const code = res.errors ? String(res.errors[0].extensions?.code) : "ok";
          tally[code] = (tally[code] ?? 0) + 1;
          const found = answerProblems(res, sent);
          if (found.length) problems.push(`${op.name}(${sent.slice(0, 300)}): ${found.join("; ")}`);
          return true;
        }),
        { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true },
      );
      expect(made, op.name).to.be.at.least(runs);
      if (process.env.FUZZ_DEBUG) console.log(op.name, JSON.stringify(tally));
    }
    return { problems, outcomes };
  }

  it(`sends ${RUNS_PER_MUTATION} generated argument sets to every mutation; every answer is well formed and the database stays consistent`, async () => {
    const { problems, outcomes } = await fuzzOperations(
      rootOperations(schema).filter((o) => o.kind === "mutation"),
      RUNS_PER_MUTATION,
    );
    if (process.env.FUZZ_DEBUG) console.log(JSON.stringify(outcomes, null, 1));
    expect(problems, problems.slice(0, 20).join("\n")).to.deep.equal([]);
    // The generated calls did more than bounce off argument coercion: some were accepted by the services.
    const accepted = Object.values(outcomes).reduce((n, t) => n + (t.ok ?? 0), 0);
    expect(accepted).to.be.greaterThan(20);
    expect(await checkInvariants(server.chorus.app.ds)).to.deep.equal([]);
    const alive = await gql(server.url, ViewerDocument, {}, admin);
    expect(alive.errors).to.equal(undefined);
  });

  it(`sends ${RUNS_PER_QUERY} generated argument sets to every query that takes arguments (pages both ways, lookups, filters); every answer is well formed`, async () => {
    const queries = rootOperations(schema).filter((o) => o.kind === "query" && o.field.args.length > 0);
    const { problems, outcomes } = await fuzzOperations(queries, RUNS_PER_QUERY);
    expect(problems, problems.slice(0, 20).join("\n")).to.deep.equal([]);
    const answered = Object.values(outcomes).reduce((n, t) => n + (t.ok ?? 0), 0);
    expect(answered, JSON.stringify(outcomes)).to.be.greaterThan(queries.length);
    expect(await checkInvariants(server.chorus.app.ds)).to.deep.equal([]);
  });

  it("sends injection strings in every text input of every mutation; the database is intact afterwards", async () => {
    const tables: { n: number }[] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    const [{ n: clientsBefore }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM api_client WHERE revoked_at IS NULL`);
    const injections = [
      "'; DROP TABLE message; --",
      "' OR '1'='1' --",
      "1); DELETE FROM api_client; --",
      "'; UPDATE users SET role = 'ADMIN'; --",
      "\\'; TRUNCATE message_tree_state CASCADE; --",
    ];
    const problems: string[] = [];
    for (const op of rootOperations(schema).filter((o) => o.kind === "mutation")) {
      const as = await callerFor(op);
      for (const inj of injections) {
        const vars = withStrings(minimalVariables(op), inj, op);
        const res = await rawGql(server.url, documentFor(op, Object.keys(vars)), vars, as);
        const found = answerProblems(res, JSON.stringify(vars));
        if (found.length) problems.push(`${op.name}: ${found.join("; ")}`);
      }
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
    const after: { n: number }[] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(after[0].n).to.equal(tables[0].n);
    const [{ n: clientsAfter }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM api_client WHERE revoked_at IS NULL`);
    expect(clientsAfter).to.be.at.least(clientsBefore);
    const [{ n: admins }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM "user" WHERE role = 'ADMIN'`);
    expect(admins).to.equal(1);
    const [{ n: states }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM message_tree_state`);
    expect(states).to.be.greaterThan(0);
    expect(await checkInvariants(server.chorus.app.ds)).to.deep.equal([]);
  });

  it("answers generated query documents within the depth and complexity limits, or refuses them with QUERY_TOO_DEEP / QUERY_TOO_COMPLEX", async () => {
    const { maxQueryDepth } = server.chorus.app.config;
    const tally: Record<string, number> = {};
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(queryDocument(), async ({ text, depth }) => {
        const res = await rawGql(server.url, text, text.includes("$id") ? { id: ids[0] } : {}, admin);
        const code = res.errors ? String(res.errors[0].extensions?.code) : "ok";
        tally[code] = (tally[code] ?? 0) + 1;
        const found = answerProblems(res, text);
        if (depth > maxQueryDepth + 1 && code !== "QUERY_TOO_DEEP") found.push(`depth ${depth} not refused (${code})`);
        if (found.length) problems.push(`${text.slice(0, 200)}: ${found.join("; ")}`);
        return true;
      }),
      { seed: FUZZ_SEED, numRuns: 150, endOnFailure: true },
    );
    expect(problems, problems.slice(0, 10).join("\n")).to.deep.equal([]);
    expect(tally.ok ?? 0, JSON.stringify(tally)).to.be.greaterThan(0);
    expect(tally.QUERY_TOO_DEEP ?? 0, JSON.stringify(tally)).to.be.greaterThan(0);
    expect(tally.QUERY_TOO_COMPLEX ?? 0, JSON.stringify(tally)).to.be.greaterThan(0);
  });
});

/** Replaces every String leaf the minimal variables hold, and fills every optional String argument, with `s`. */
function withStrings(vars: Record<string, unknown>, s: string, op: RootOperation): Record<string, unknown> {
  const swap = (v: unknown, key: string): unknown => {
    if (typeof v === "string" && !["authMethod"].includes(key) && !/^[0-9a-f-]{36}$/.test(v)) return s;
    if (Array.isArray(v)) return v.map((x) => swap(x, key));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x, k)]));
    return v;
  };
  const out = swap(vars, "") as Record<string, unknown>;
  for (const a of op.field.args) if (String(a.type) === "String" && !(a.name in out)) out[a.name] = s;
  return out;
}

/**
 * Query documents over messages: `children` and `parent` nested to a random depth, aliases to a random width,
 * fragments and page sizes, so some stay inside the limits and some cross them. `depth` counts field levels.
 */
function queryDocument(): fc.Arbitrary<{ text: string; depth: number }> {
  const leaf = fc.constantFrom("id", "text", "role", "lang", "reviewCount", "childrenCount", "createdDate", "deleted", "userIsAuthor");
  return fc
    .record({
      path: fc.array(fc.constantFrom("children", "parent", "longestConversationInTree"), { maxLength: 20 }),
      width: fc.integer({ min: 1, max: 80 }),
      first: fc.constantFrom(1, 5, 20, 100, 1000),
      fields: fc.array(leaf, { minLength: 1, maxLength: 4 }),
      useFragment: fc.boolean(),
      root: fc.constantFrom("message", "messageTree", "messages"),
    })
    .map(({ path, width, first, fields, useFragment, root }) => {
      let nested = useFragment ? "...F" : fields.join(" ");
      for (const step of [...path].reverse()) nested = `id ${step} { ${nested} }`;
      const aliases = Array.from({ length: width }, (_, i) => `a${i}: id`).join(" ");
      const select =
        root === "message"
          ? `message(id: $id) { ${aliases} ${nested} }`
          : root === "messageTree"
            ? `messageTree(id: $id) { id messages { ${aliases} ${nested} } }`
            : `messages(first: ${first}) { edges { node { ${aliases} ${nested} } } }`;
      const fragment = useFragment ? ` fragment F on Message { ${fields.join(" ")} }` : "";
      const rootLevels = root === "message" ? 1 : root === "messageTree" ? 2 : 3;
      const vars = root === "messages" ? "" : "($id: ID!)";
      return { text: `query Q${vars} { ${select} }${fragment}`, depth: rootLevels + path.length + 1 };
    });
}
