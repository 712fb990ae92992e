/**
 * The model arena end to end (issue 16), through the real GraphQL endpoint and the real CLI: five synthetic
 * models of known Bradley–Terry strengths answer blind battles; a simulated crowd votes (honest voters prefer the
 * better answer with the model's probabilities, ties included; noisy voters vote at random and are excluded by a
 * moderator; some voters peek at the models first, their votes must not count). The leaderboard must recover the
 * true order, cover the true strengths with its intervals, and equal an independent fit computed here. Then the
 * blindness walk (every field reachable from the battle and its messages, subscription events, exports) and the
 * FastChat-layout export round trip.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { GraphQLField, GraphQLSchema } from "graphql";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { CLI, runNode } from "../helpers/process.js";
import { createTestDatabase } from "../helpers/database.js";
import { stringsIn, walkDocument } from "../helpers/schema-walk.js";
import { getSchema } from "../../src/server/schema.js";
import { createRng } from "../../src/db/random.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../src/modules/users/role.js";
import {
  ChatMessageDocument,
  ChooseDraftDocument,
  ContinueBattleDocument,
  GenerationDocument,
  ModelLeaderboardDocument,
  ModelLeaderboardUpdatedDocument,
  RefreshModelLeaderboardDocument,
  RevealBattleDocument,
  SetArenaVoterExclusionDocument,
  StartBattleDocument,
  ViewerDocument,
  VoteBattleDocument,
  type ArenaWinner,
} from "../../client/generated/graphql.js";

/** The true strengths (natural-log odds, mean 0). */
const TRUTH: Record<string, number> = { "arena-alpha": 2, "arena-bravo": 1, "arena-charlie": 0, "arena-delta": -1, "arena-echo": -2 };
const MODELS = Object.keys(TRUTH);
const HONEST = 30;
const NOISY = 6;
const BATTLES = Number(process.env.ARENA_TEST_BATTLES ?? 240);
/** Battles run at once (the crowd is many people). */
const CONCURRENCY = 10;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function writeModelsFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-arena-models-"));
  const file = path.join(dir, "models.json");
  const sampling = { maxNewTokens: 16, temperature: 0.7, topP: 0.9 };
  fs.writeFileSync(
    file,
    JSON.stringify({
      models: MODELS.map((id) => ({ id, limits: { maxInputTokens: 1024, maxTotalTokens: 2048, maxNewTokens: 64 }, defaultSampling: sampling })),
    }),
  );
  return file;
}

/** An independent Bradley–Terry fit: Hunter's MM iterations, ties as half wins, centred on mean 0. */
function independentFit(battles: { a: string; b: string; scoreA: number }[]): Map<string, number> {
  const names = [...new Set(battles.flatMap((b) => [b.a, b.b]))].sort();
  const idx = new Map(names.map((n, i) => [n, i]));
  const k = names.length;
  const wins = new Array<number>(k).fill(0);
  const games = names.map(() => new Array<number>(k).fill(0));
  for (const b of battles) {
    const i = idx.get(b.a)!;
    const j = idx.get(b.b)!;
    wins[i] += b.scoreA;
    wins[j] += 1 - b.scoreA;
    games[i][j]++;
    games[j][i]++;
  }
  let p = new Array<number>(k).fill(1);
  for (let iter = 0; iter < 200_000; iter++) {
    const next = p.map((pi, i) => wins[i] / games[i].reduce((s, n, j) => (n > 0 ? s + n / (pi + p[j]) : s), 0));
    const g = Math.exp(next.reduce((s, x) => s + Math.log(x), 0) / k);
    const moved = Math.max(...next.map((x, i) => Math.abs(Math.log(x / g) - Math.log(p[i]))));
    p = next.map((x) => x / g);
    if (moved < 1e-14) break;
  }
  return new Map(names.map((n, i) => [n, Math.log(p[i])]));
}

describe("model arena: blind battles, the crowd's votes and the model leaderboard (issue 16)", function () {
  this.timeout(600_000);
  let server: TestServer;
  let key: string;
  let modKey: string;
  let workerKey: string;
  const workers: TestWorker[] = [];
  let schema: GraphQLSchema;
  const voter = (name: string): RequestOptions => ({ key, user: `local:${name}` });

  before(async () => {
    server = await startTestServer({
      LOCAL_WORKER: "false",
      CHORUS_MODELS_FILE: writeModelsFile(),
      CHAT_RATE_LIMIT_GENERATIONS: "0",
      CHAT_RATE_LIMIT_CHATS: "0/1",
      ARENA_RATE_LIMIT_BATTLES: "0/1",
      ARENA_BOOTSTRAP_SAMPLES: "300",
      ARENA_BOOTSTRAP_SEED: "16",
      RANDOM_SEED: "16",
      // The blindness walk selects every field reachable from a battle, four levels deep, in one document: far above
      // what a client asks for, so above the default complexity limit (lists are weighed by their size).
      MAX_QUERY_COMPLEXITY: "1000000",
    });
    key = (await server.createClient({ name: "arena app", trusted: true })).key;
    modKey = (await server.createClient({ name: "arena moderation", trusted: true, role: Role.MODERATOR })).key;
    workerKey = (await server.createClient({ name: "arena workers", kind: ApiClientKind.WORKER })).key;
    // Each worker's name carries its model, as real deployments' names do: a leaked worker name is a leaked model.
    for (const model of MODELS) {
      const w = new TestWorker(server.wsUrl, workerKey, { name: `worker-of-${model}`, models: [model], capacity: 4, answer: `quality ${TRUTH[model]}` });
      await w.start();
      workers.push(w);
    }
    schema = await getSchema();
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await server?.stop();
  });

  async function ok<T>(p: Promise<{ data?: T | null; errors?: unknown }>): Promise<T> {
    const r = await p;
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    return r.data!;
  }

  /** Waits until the answer has ended (COMPLETE, or any other end) and returns it as the voter reads it. */
  async function ended(id: string, as: RequestOptions) {
    for (;;) {
      const m = (await ok(gql(server.url, ChatMessageDocument, { id }, as))).chatMessage;
      if (!["PENDING", "IN_PROGRESS"].includes(m.state)) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const qualityOf = (text: string) => Number(/quality (-?[\d.]+)/.exec(text)![1]);

  /** What the counted votes were, as the test saw them, for the independent fit. */
  const counted: { a: string; b: string; scoreA: number }[] = [];
  const noisyIds: string[] = [];

  it("runs battles between five models, the crowd votes, and the leaderboard recovers the truth", async () => {
    const battle = async (n: number) => {
      const rng = createRng(1000 + n);
      const noisy = n % 8 === 7;
      const name = noisy ? `noisy-${((n - 7) / 8) % NOISY}` : `honest-${n % HONEST}`;
      const as = voter(name);
      const peek = !noisy && n % 40 === 3; // peeks at the models, then votes for the weakest: must not count
      const byDraft = !noisy && n % 25 === 5; // decides with chooseDraft between the two hidden answers
      const started = (await ok(gql(server.url, StartBattleDocument, { input: { text: `question ${n}`, category: n % 2 ? "code" : "chat", lang: "en" } }, as)))
        .startBattle;
      expect(started.battle.modelA).to.equal(null);
      expect(started.battle.modelB).to.equal(null);
      const [a, b] = [await ended(started.answerA, as), await ended(started.answerB, as)];
      expect([a.model, b.model, a.workerName, b.workerName]).to.deep.equal([null, null, null, null]);
      const qa = qualityOf(a.text);
      const qb = qualityOf(b.text);
      let winner: ArenaWinner;
      const r = rng();
      if (noisy) {
        winner = r < 1 / 3 ? "A" : r < 2 / 3 ? "B" : "TIE";
      } else {
        // E[score of A] = σ(qa − qb): ties (half wins) take τ, taken evenly from both sides' win probabilities.
        const p = sigmoid(qa - qb);
        const tau = Math.min(p, 1 - p);
        winner = r < tau / 2 ? "TIE" : r < tau ? "BOTH_BAD" : r < tau + p - tau / 2 ? "A" : "B";
      }
      if (peek) {
        const seen = (await ok(gql(server.url, RevealBattleDocument, { battleId: started.battle.id }, as))).revealBattle;
        expect(MODELS).to.include(seen.modelA);
        winner = TRUTH[seen.modelA!] < TRUTH[seen.modelB!] ? "A" : "B";
        const result = (await ok(gql(server.url, VoteBattleDocument, { input: { battleId: started.battle.id, winner } }, as))).voteBattle;
        expect(result).to.include({ counted: false, notCountedReason: "IDENTITIES_SEEN" });
        return;
      }
      if (byDraft && (winner === "A" || winner === "B")) {
        await ok(gql(server.url, ChooseDraftDocument, { input: { messageId: winner === "A" ? a.id : b.id } }, as));
        const again = await gql(server.url, VoteBattleDocument, { input: { battleId: started.battle.id, winner: "TIE" } }, as);
        expect(errorCode(again), "the draft choice was the battle's one vote").to.equal("CONFLICT");
        const seenA = qualityOf(a.text);
        const modelA = MODELS.find((m) => TRUTH[m] === seenA)!;
        const modelB = MODELS.find((m) => TRUTH[m] === qualityOf(b.text))!;
        counted.push({ a: modelA, b: modelB, scoreA: winner === "A" ? 1 : 0 });
        return;
      }
      const result = (await ok(gql(server.url, VoteBattleDocument, { input: { battleId: started.battle.id, winner } }, as))).voteBattle;
      expect(result.counted).to.equal(true);
      expect(TRUTH[result.modelA!]).to.equal(qa);
      expect(TRUTH[result.modelB!]).to.equal(qb);
      if (n % 50 === 0) {
        const twice = await gql(server.url, VoteBattleDocument, { input: { battleId: started.battle.id, winner: "A" } }, as);
        expect(errorCode(twice)).to.equal("CONFLICT");
      }
      if (!noisy) counted.push({ a: result.modelA!, b: result.modelB!, scoreA: winner === "A" ? 1 : winner === "B" ? 0 : 0.5 });
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BATTLES) await battle(next++);
      }),
    );

    // A moderator excludes the noisy voters: their votes leave every leaderboard.
    for (let i = 0; i < NOISY; i++) {
      const id = (await ok(gql(server.url, ViewerDocument, {}, voter(`noisy-${i}`)))).viewer.user!.id;
      noisyIds.push(id);
      const ex = (
        await ok(gql(server.url, SetArenaVoterExclusionDocument, { input: { userId: id, excluded: true, reason: "votes at random" } }, { key: modKey }))
      ).setArenaVoterExclusion;
      expect(ex).to.include({ excluded: true });
      expect(ex.votes).to.be.above(0);
    }

    // Subscribers hear about the recomputation.
    const ws: Client = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:watcher" });
    const heard = collect(ws, ModelLeaderboardUpdatedDocument, {}, 1, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    const board = (await ok(gql(server.url, RefreshModelLeaderboardDocument, {}, { key: server.adminKey }))).refreshModelLeaderboard;
    const event = await heard;
    await ws.dispose();
    expect(event.results[0]?.data?.modelLeaderboardUpdated.computedAt).to.equal(board.computedAt);

    // Everyone reads the same stored leaderboard.
    const read = (await ok(gql(server.url, ModelLeaderboardDocument, {}, voter("reader")))).modelLeaderboard;
    expect(read).to.deep.equal(board);

    expect(board.battles).to.equal(counted.length);
    expect(board.bootstrapSamples).to.equal(300);
    // The true order.
    expect(board.models.map((m) => m.model)).to.deep.equal([...MODELS].sort((x, y) => TRUTH[y] - TRUTH[x]));
    // The fit equals the independent one to 1e-6.
    const independent = independentFit(counted);
    for (const m of board.models) expect(Math.abs(m.strength - independent.get(m.model)!), m.model).to.be.below(1e-6);
    // The true strengths lie inside the 95% intervals: 4.75 of 5 expected; fewer than 3 would happen about once in
    // a thousand runs (test/unit/arena measures the rate itself over 200 simulated leaderboards).
    const inside = board.models.filter((m) => m.strengthLower! <= TRUTH[m.model] && TRUTH[m.model] <= m.strengthUpper!).length;
    expect(inside).to.be.at.least(3);
    // Rank ranges contain the true rank; records and matrices agree with the votes.
    board.models.forEach((m, i) => {
      expect(m.rankBest).to.be.at.most(i + 1);
      expect(m.rankWorst).to.be.at.least(i + 1);
      const mine = counted.filter((c) => c.a === m.model || c.b === m.model);
      expect(m.battles).to.equal(mine.length);
      const score = mine.reduce((s, c) => s + (c.a === m.model ? c.scoreA : 1 - c.scoreA), 0);
      expect(m.winRate).to.be.closeTo(score / mine.length, 1e-12);
      expect(m.rating).to.be.closeTo(1000 + (400 / Math.LN10) * m.strength, 1e-9);
    });
    const [top, second] = board.models;
    const duels = counted.filter((c) => [c.a, c.b].sort().join() === [top.model, second.model].sort().join());
    const topScore = duels.reduce((s, c) => s + (c.a === top.model ? c.scoreA : 1 - c.scoreA), 0);
    expect(board.battleMatrix[0][1]).to.equal(duels.length);
    expect(board.winRateMatrix[0][1]).to.be.closeTo(topScore / duels.length, 1e-12);
    expect(board.winRateMatrix[0][0]).to.equal(-1);

    // A category filter fits only that category's battles (computed on first ask).
    const code = (await ok(gql(server.url, ModelLeaderboardDocument, { category: "code" }, voter("reader")))).modelLeaderboard;
    expect(code.category).to.equal("code");
    expect(code.battles).to.be.above(0).and.below(board.battles);
  });

  it("continues both sides of a battle for another turn, each in its own conversation", async () => {
    const as = voter("multi-turn");
    const s = (await ok(gql(server.url, StartBattleDocument, { input: { text: "first turn" } }, as))).startBattle;
    await ended(s.answerA, as);
    await ended(s.answerB, as);
    const c = (await ok(gql(server.url, ContinueBattleDocument, { input: { battleId: s.battle.id, text: "second turn" } }, as))).continueBattle;
    expect(c.battle.turns).to.equal(2);
    const a2 = await ended(c.answerA, as);
    const b2 = await ended(c.answerB, as);
    const a1 = await ended(s.answerA, as);
    const promptA = (await ok(gql(server.url, ChatMessageDocument, { id: a2.parentId! }, as))).chatMessage;
    expect(promptA.parentId).to.equal(a1.id);
    expect(qualityOf(a2.text)).to.equal(qualityOf(a1.text));
    expect(b2.parentId).to.not.equal(a2.parentId);
    const v = (await ok(gql(server.url, VoteBattleDocument, { input: { battleId: s.battle.id, winner: "TIE" } }, as))).voteBattle;
    expect(v).to.include({ turns: 2, counted: true });
    const closed = await gql(server.url, ContinueBattleDocument, { input: { battleId: s.battle.id, text: "third" } }, as);
    expect(errorCode(closed)).to.equal("CONFLICT");
    const other = await gql(server.url, VoteBattleDocument, { input: { battleId: s.battle.id, winner: "A" } }, voter("someone-else"));
    expect(errorCode(other)).to.equal("NOT_FOUND");
  });

  it("is blind: before the vote no field reachable from the battle and its messages, no generation event and no export names a model", async () => {
    const as = voter("blind-voter");
    const leaks = (value: unknown, where: string) => {
      const hits = stringsIn(value).filter((s) => MODELS.some((m) => s.value.includes(m)));
      expect(hits, `${where} reveals a model: ${JSON.stringify(hits.slice(0, 3))}`).to.deep.equal([]);
    };
    const root = (kind: "Query" | "Mutation" | "Subscription", name: string) => {
      const type = kind === "Query" ? schema.getQueryType() : kind === "Mutation" ? schema.getMutationType() : schema.getSubscriptionType();
      return type!.getFields()[name] as GraphQLField<unknown, unknown>;
    };
    const walk = async (kind: "query" | "mutation", name: string, vars: Record<string, unknown>) => {
      const doc = walkDocument(schema, kind, root(kind === "query" ? "Query" : "Mutation", name), Object.keys(vars), 4, new Set());
      const r = await rawGql(server.url, doc, vars, as);
      expect(r.errors, `${name}: ${JSON.stringify(r.errors)}`).to.equal(undefined);
      return r.data;
    };

    const started = (await walk("mutation", "startBattle", { input: { text: "which is better?" } })) as {
      startBattle: { battle: { id: string; chatId: string }; answerA: string; answerB: string };
    };
    leaks(started, "startBattle's payload");
    const { battle, answerA, answerB } = started.startBattle;
    await ended(answerA, as);
    await ended(answerB, as);

    const reads: [string, Record<string, unknown>][] = [
      ["arenaBattle", { id: battle.id }],
      ["arenaBattles", {}],
      ["chat", { id: battle.chatId }],
      ["chats", {}],
      ["chatMessage", { id: answerA }],
      ["chatMessage", { id: answerB }],
    ];
    for (const [name, vars] of reads) leaks(await walk("query", name, vars), name);

    // Every event of both generations (replayed from the start), with every field.
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:blind-voter" });
    const genDoc = walkDocument(schema, "subscription", root("Subscription", "generation"), ["messageId"], 4, new Set());
    for (const messageId of [answerA, answerB]) {
      const events = await new Promise<unknown[]>((resolve, reject) => {
        const got: unknown[] = [];
        ws.subscribe({ query: genDoc, variables: { messageId } }, { next: (r) => got.push(r), error: reject, complete: () => resolve(got) });
      });
      expect(events.length).to.be.above(2);
      expect(JSON.stringify(events)).to.contain("GenerationStarted");
      leaks(events, `generation(${messageId})`);
    }

    // The user's own download and the data export of chats.
    const download = await fetch(`${server.origin}/chats/export.jsonl`, { headers: { authorization: `Bearer ${key}`, "x-chorus-user": "local:blind-voter" } });
    expect(download.status).to.equal(200);
    const downloaded = await download.text();
    expect(downloaded).to.contain("which is better?");
    leaks(downloaded, "GET /chats/export.jsonl");
    const cliChats = await runNode(CLI, ["export-chats", "--chat", battle.chatId], { DATABASE_URL: server.db.url });
    expect(cliChats.code, cliChats.stderr).to.equal(0);
    expect(cliChats.stdout).to.contain("which is better?");
    leaks(cliChats.stdout, "chorus export-chats");
    const cliBattles = await runNode(CLI, ["export-battles", "--all"], { DATABASE_URL: server.db.url });
    expect(cliBattles.code, cliBattles.stderr).to.equal(0);
    expect(cliBattles.stdout).to.not.contain(battle.id);

    // The same walks after the vote do show the models: the walk can see them when they are there.
    await ok(gql(server.url, VoteBattleDocument, { input: { battleId: battle.id, winner: "B" } }, as));
    const after = JSON.stringify(await walk("query", "arenaBattle", { id: battle.id }));
    expect(MODELS.some((m) => after.includes(m))).to.equal(true);
    const afterChat = JSON.stringify(await walk("query", "chatMessage", { id: answerA }));
    expect(afterChat).to.match(/worker-of-arena-/);
    await ws.dispose();
  });

  it("exports battles in FastChat's arena layout and imports them back unchanged", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-arena-export-"));
    const first = path.join(dir, "battles.jsonl");
    const seed = "arena-seed";
    const out = await runNode(CLI, ["export-battles", "--all", "--anonymizer-seed", seed, "--out", first], { DATABASE_URL: server.db.url });
    expect(out.code, out.stderr).to.equal(0);
    const lines = fs.readFileSync(first, "utf8").trim().split("\n");
    expect(lines.length).to.equal(BATTLES + 2); // the crowd's, the multi-turn one and the blind one
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const FIELDS = ["question_id", "model_a", "model_b", "winner", "judge", "conversation_a", "conversation_b", "turn", "anony", "language", "tstamp"];
    for (const row of rows) {
      expect(Object.keys(row).sort()).to.deep.equal([...FIELDS].sort());
      expect(row.question_id)
        .to.be.a("string")
        .and.match(/^[0-9a-f]{64}$/);
      expect(row.judge)
        .to.be.a("string")
        .and.match(/^[0-9a-f]{64}$/);
      expect(MODELS).to.include(row.model_a);
      expect(MODELS).to.include(row.model_b);
      expect(["model_a", "model_b", "tie", "tie (bothbad)"]).to.include(row.winner);
      expect(row.turn).to.be.a("number");
      expect(Number.isInteger(row.turn) && (row.turn as number) >= 1).to.equal(true);
      expect(row.anony).to.be.a("boolean");
      expect(row.language).to.be.a("string");
      expect(row.tstamp).to.be.a("number");
      for (const side of ["a", "b"] as const) {
        const conv = row[`conversation_${side}`] as { role: string; content: string }[];
        expect(conv.length).to.equal(2 * (row.turn as number));
        conv.forEach((t, i) => {
          expect(Object.keys(t).sort()).to.deep.equal(["content", "role"]);
          expect(t.role).to.equal(i % 2 === 0 ? "user" : "assistant");
          expect(t.content).to.be.a("string");
        });
        // The assistant turns are the side's model's answers.
        expect(qualityOfText(conv[1].content)).to.equal(TRUTH[row[`model_${side}`] as string]);
      }
    }
    expect(
      rows.some((r) => r.anony === false),
      "peeked battles are not anonymous",
    ).to.equal(true);
    expect(rows.some((r) => r.turn === 2)).to.equal(true);
    expect(rows.some((r) => r.language === "English")).to.equal(true);

    const fresh = await createTestDatabase();
    try {
      const imported = await runNode(CLI, ["import-battles", first], { DATABASE_URL: fresh.url });
      expect(imported.code, imported.stderr).to.equal(0);
      expect(imported.stdout).to.contain(`imported ${rows.length} battles; skipped: 0 already present, 0 bad lines`);
      const again = await runNode(CLI, ["import-battles", first], { DATABASE_URL: fresh.url });
      expect(again.stdout).to.contain(`imported 0 battles; skipped: ${rows.length} already present`);
      const second = path.join(dir, "again.jsonl");
      const reexport = await runNode(CLI, ["export-battles", "--all", "--anonymizer-seed", seed, "--out", second], { DATABASE_URL: fresh.url });
      expect(reexport.code, reexport.stderr).to.equal(0);
      expect(fs.readFileSync(second, "utf8")).to.equal(fs.readFileSync(first, "utf8"));

      const bad = path.join(dir, "bad.jsonl");
      fs.writeFileSync(
        bad,
        [
          JSON.stringify({ ...rows[0], question_id: "new-1", winner: "model_c" }),
          "{not json",
          JSON.stringify({ ...rows[0], question_id: "new-2", turn: 1 }),
        ].join("\n"),
      );
      const badRun = await runNode(CLI, ["import-battles", bad], { DATABASE_URL: fresh.url });
      expect(badRun.stdout).to.match(/line 1: winner must be one of/);
      expect(badRun.stdout).to.match(/line 2: not JSON/);
      expect(badRun.stdout).to.contain("imported 1 battles; skipped: 0 already present, 2 bad lines");
    } finally {
      await fresh.drop();
    }
  });

  it("refuses bad input with typed errors and changes nothing", async () => {
    const as = voter("bad-input");
    expect(errorCode(await gql(server.url, StartBattleDocument, { input: { text: "  " } }, as))).to.equal("BAD_USER_INPUT");
    expect(errorCode(await gql(server.url, StartBattleDocument, { input: { text: "x", category: "Not Valid!" } }, as))).to.equal("BAD_USER_INPUT");
    expect(errorCode(await gql(server.url, VoteBattleDocument, { input: { battleId: "nope", winner: "A" } }, as))).to.equal("NOT_FOUND");
    expect(errorCode(await gql(server.url, SetArenaVoterExclusionDocument, { input: { userId: noisyIds[0], excluded: true } }, { key: modKey }))).to.equal(
      "BAD_USER_INPUT",
    );
    const me = (await ok(gql(server.url, ViewerDocument, {}, as))).viewer.user!.id;
    const [{ n }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM arena_battle WHERE user_id = $1`, [me]);
    expect(n).to.equal(0);
  });
});

function qualityOfText(text: string): number {
  return Number(/quality (-?[\d.]+)/.exec(text)![1]);
}

describe("model arena: a failed answer's battle is blind about its failure and its vote does not count (issue 16)", function () {
  this.timeout(180_000);
  let server: TestServer;
  let key: string;
  const workers: TestWorker[] = [];

  before(async () => {
    server = await startTestServer({
      LOCAL_WORKER: "false",
      CHORUS_MODELS_FILE: writeModelsFile(),
      CHAT_RATE_LIMIT_CHATS: "0/1",
      ARENA_RATE_LIMIT_BATTLES: "0/1",
    });
    key = (await server.createClient({ name: "arena app", trusted: true })).key;
    const workerKey = (await server.createClient({ name: "arena workers", kind: ApiClientKind.WORKER })).key;
    // Only two models are connected: every battle is between them. The second one's worker fails every job (its
    // name carries the model; its failure reason, "test failure", must not show either).
    const good = new TestWorker(server.wsUrl, workerKey, { name: "worker-of-arena-alpha", models: ["arena-alpha"], answer: "fine" });
    const bad = new TestWorker(server.wsUrl, workerKey, {
      name: "worker-of-arena-bravo",
      models: ["arena-bravo"],
      failWith: { code: "WORKER_FAILED", retryable: false },
    });
    for (const w of [good, bad]) {
      await w.start();
      workers.push(w);
    }
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await server?.stop();
  });

  it("hides the failure's details until the vote, then keeps the vote uncounted (ANSWER_NOT_COMPLETE)", async () => {
    const as = { key, user: "local:unlucky" };
    const s = (await gql(server.url, StartBattleDocument, { input: { text: "will it fail?" } }, as)).data!.startBattle;
    const states = async () => {
      for (;;) {
        const r = await rawGql<{
          a: { state: string; error: string | null; model: string | null };
          b: { state: string; error: string | null; model: string | null };
        }>(
          server.url,
          `query($a: ID!, $b: ID!) { a: chatMessage(id: $a) { state error model } b: chatMessage(id: $b) { state error model } }`,
          { a: s.answerA, b: s.answerB },
          as,
        );
        const { a, b } = r.data!;
        if (![a.state, b.state].some((x) => ["PENDING", "IN_PROGRESS"].includes(x))) return [a, b];
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const [a, b] = await states();
    const failed = [a, b].find((m) => m.state === "FAILED")!;
    expect(failed, JSON.stringify([a, b])).to.not.equal(undefined);
    expect(failed.error).to.equal("hidden until the vote");
    expect(failed.model).to.equal(null);
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:unlucky" });
    const failedId = failed === a ? s.answerA : s.answerB;
    const events = await collect(ws, GenerationDocument, { messageId: failedId }, 100, 20_000);
    await ws.dispose();
    const text = JSON.stringify(events.results);
    expect(text).to.contain("GenerationFailed");
    expect(text).to.contain("hidden until the vote");
    expect(text).to.not.match(/arena-(alpha|bravo)|test failure/);
    const v = (await gql(server.url, VoteBattleDocument, { input: { battleId: s.battle.id, winner: "BOTH_BAD" } }, as)).data!.voteBattle;
    expect(v).to.include({ counted: false, notCountedReason: "ANSWER_NOT_COMPLETE", winner: "BOTH_BAD" });
    expect([v.modelA, v.modelB].sort()).to.deep.equal(["arena-alpha", "arena-bravo"]);
    const board = (await gql(server.url, RefreshModelLeaderboardDocument, {}, { key: server.adminKey })).data!.refreshModelLeaderboard;
    expect(board.battles).to.equal(0);
  });
});
