/**
 * Battles: a prompt answered by two hidden models through the ordinary chat path (so both answers stream through
 * the existing generation streams), one vote per battle that reveals the models, and the model leaderboard fitted
 * on the votes that count. See docs/arena.md for the method and its settings.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { actingUserOf, type RequestContext } from "../../common/request-context.js";
import type { ArenaConfig } from "../../config/index.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { enforceRate, type RateLimiter, type RateLimitRule } from "../../infra/rate-limit.js";
import { badInput, ChorusError, ErrorCode, notFound } from "../../common/errors.js";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { uuid7 } from "../../db/uuid7.js";
import { createRng, type Rng } from "../../db/random.js";
import { decodeCursor, encodeCursor, type Page } from "../../common/pagination.js";
import type { ChatService } from "../chat/chat.service.js";
import { isTerminal, type ChatMessageState } from "../chat/chat.entity.js";
import type { WorkerService } from "../workers/worker.service.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import { mayReadChatById } from "../chat/chat-readers.js";
import { ArenaBattle, ArenaLeaderboardSnapshot, type NotCountedReason } from "./arena.entity.js";
import {
  ArenaBattleSource,
  ArenaBattleState,
  ArenaWinner,
  type ArenaBattleView,
  type ArenaVoterExclusionView,
  type ModelLeaderboard,
  type ModelLeaderboardRefresh,
} from "./arena.types.js";
import { drawPair } from "./pair-sampling.js";
import { blindChats } from "./blindness.js";
import { computeLeaderboard, type BattleTally } from "./leaderboard.js";

export interface LeaderboardFilter {
  category: string | null;
  lang: string | null;
  since: Date | null;
}

const OVERALL: LeaderboardFilter = { category: null, lang: null, since: null };
const TOPIC = "arena:leaderboard";
/** Stored leaderboards beyond the overall one; the least recently computed go first. */
const MAX_SNAPSHOTS = 100;
const CONFIDENCE = 0.95;

export function filterKey(f: LeaderboardFilter): string {
  return `${f.category ?? ""}|${f.lang ?? ""}|${f.since?.toISOString() ?? ""}`;
}

/** What a client sees of a battle: the models only once voted or revealed. */
export function battleView(b: ArenaBattle): ArenaBattleView {
  const shown = b.winner !== null || b.identitiesSeenAt !== null;
  return {
    id: b.id,
    chatId: b.chatId,
    state: b.winner === null ? ArenaBattleState.OPEN : ArenaBattleState.VOTED,
    source: b.source as ArenaBattleSource,
    category: b.category,
    lang: b.lang,
    turns: Math.max(b.answersA.length, b.conversationA ? b.conversationA.filter((t) => t.role === "user").length : 0),
    answersA: b.answersA,
    answersB: b.answersB,
    modelA: shown ? b.modelA : null,
    modelB: shown ? b.modelB : null,
    winner: (b.winner as ArenaWinner | null) ?? null,
    votedAt: b.votedAt,
    counted: b.winner === null ? null : b.counted,
    notCountedReason: (b.notCountedReason as ArenaBattleView["notCountedReason"]) ?? null,
    createdAt: b.createdAt,
  };
}

function scoreOf(winner: string): number {
  return winner === "A" ? 1 : winner === "B" ? 0 : 0.5;
}

export class ArenaService {
  private readonly battleRule: RateLimitRule;
  private readonly leaderboardRule: RateLimitRule;

  constructor(
    private readonly ds: DataSource,
    private readonly config: ArenaConfig,
    private readonly chats: ChatService,
    private readonly workers: WorkerService,
    private readonly pubSub: PubSubHandle,
    private readonly limiter: RateLimiter,
    private readonly rng: Rng,
    private readonly log: Logger,
  ) {
    this.battleRule = { name: "battles", ...config.rateLimitBattles };
    this.leaderboardRule = { name: "arena-leaderboards", ...config.rateLimitLeaderboard };
  }

  // --- battles ---------------------------------------------------------------------------------

  /** Models that may fight now: declared, with at least one connected worker. */
  private async availableModels(): Promise<string[]> {
    const connected = await this.workers.connectedWorkersByModel();
    return this.chats.catalog.ids().filter((id) => (connected.get(id) ?? 0) > 0);
  }

  /** Battles per pair so far and each model's interval width on the overall leaderboard, for the pair draw. */
  private async pairStats() {
    const rows = rowsOf<{ x: string; y: string; n: number }>(
      await this.ds.query(
        `SELECT least(model_a, model_b) AS x, greatest(model_a, model_b) AS y, count(*)::int AS n FROM arena_battle WHERE counted GROUP BY 1, 2`,
      ),
    );
    const battles = new Map(rows.map((r) => [`${r.x}|${r.y}`, r.n]));
    const snapshot = await this.ds.getRepository(ArenaLeaderboardSnapshot).findOneBy({ key: filterKey(OVERALL) });
    const widths = new Map<string, number>();
    for (const m of (snapshot?.payload as { models?: { model: string; strengthLower: number | null; strengthUpper: number | null }[] })?.models ?? []) {
      if (m.strengthLower !== null && m.strengthUpper !== null) widths.set(m.model, m.strengthUpper - m.strengthLower);
    }
    return {
      battles: (a: string, b: string) => battles.get([a, b].sort().join("|")) ?? 0,
      width: (m: string) => widths.get(m) ?? null,
    };
  }

  /**
   * Starts a battle: draws two models, makes the battle's chat (blind from the first moment: the battle row exists
   * before either answer is queued), sends the prompt to A and queues B's answer as its sibling.
   */
  async start(
    rc: RequestContext,
    input: { text: string; category?: string | null; lang?: string | null },
  ): Promise<{ battle: ArenaBattle; answerA: string; answerB: string }> {
    const user = actingUserOf(rc);
    const text = input.text ?? "";
    if (text.trim().length === 0) throw badInput("The prompt must not be blank", { field: "text" });
    await enforceRate(this.limiter, this.battleRule, user.id, "battles");
    const pair = drawPair(await this.availableModels(), await this.pairStats(), this.rng);
    if (!pair) throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "A battle needs two models with a connected worker; fewer are connected now");
    const [modelA, modelB] = pair;
    const chat = await this.chats.create(rc, { title: null, systemPrompt: null, allowDataUse: true });
    const id = uuid7();
    await this.ds.getRepository(ArenaBattle).insert({
      id,
      chatId: chat.id,
      userId: user.id,
      modelA,
      modelB,
      category: input.category ?? null,
      lang: input.lang ?? null,
      source: "BATTLE",
      answersA: [],
      answersB: [],
    });
    try {
      const sent = await this.chats.send(rc, { chatId: chat.id, parentId: null, text, model: modelA, drafts: 1 });
      const b = await this.chats.regenerate(rc, { parentId: sent.prompterMessage.id, model: modelB });
      await this.ds.query(`UPDATE arena_battle SET answers_a = $2, answers_b = $3 WHERE id = $1`, [id, [sent.assistantMessage.id], [b.assistantMessage.id]]);
      return { battle: await this.ds.getRepository(ArenaBattle).findOneByOrFail({ id }), answerA: sent.assistantMessage.id, answerB: b.assistantMessage.id };
    } catch (err) {
      // Nothing half-made stays: the chat (and with it the battle and any queued answer) goes.
      await this.chats.delete(rc, chat.id).catch((e) => this.log.warn({ err: e }, "could not remove a battle that failed to start"));
      throw err;
    }
  }

  /** The acting user's battle (only its voter acts on it). */
  private async owned(rc: RequestContext, battleId: string): Promise<ArenaBattle> {
    const user = actingUserOf(rc);
    const b = isUuid(battleId) ? await this.ds.getRepository(ArenaBattle).findOneBy({ id: battleId }) : null;
    if (!b || b.userId !== user.id || b.chatId === null) throw notFound("Arena battle", battleId);
    return b;
  }

  /** Another turn: the same prompt continues each side's own conversation with its own model. */
  async continue(rc: RequestContext, input: { battleId: string; text: string }): Promise<{ battle: ArenaBattle; answerA: string; answerB: string }> {
    const battle = await this.owned(rc, input.battleId);
    if (battle.winner !== null) throw new ChorusError(ErrorCode.CONFLICT, "This battle was voted on; start a new one");
    if ((input.text ?? "").trim().length === 0) throw badInput("The prompt must not be blank", { field: "text" });
    await enforceRate(this.limiter, this.battleRule, battle.userId!, "battles");
    const lastA = battle.answersA[battle.answersA.length - 1];
    const lastB = battle.answersB[battle.answersB.length - 1];
    const a = await this.chats.send(rc, { chatId: battle.chatId!, parentId: lastA, text: input.text, model: battle.modelA, drafts: 1 });
    let b: Awaited<ReturnType<ChatService["send"]>>;
    try {
      b = await this.chats.send(rc, { chatId: battle.chatId!, parentId: lastB, text: input.text, model: battle.modelB, drafts: 1 });
    } catch (err) {
      await this.chats.cancel(rc, a.assistantMessage.id).catch(() => undefined);
      await this.ds.query(`DELETE FROM chat_message WHERE id = ANY($1::uuid[])`, [[a.assistantMessage.id, a.prompterMessage.id]]);
      throw err;
    }
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE arena_battle SET answers_a = array_append(answers_a, $2::uuid), answers_b = array_append(answers_b, $3::uuid) WHERE id = $1 AND winner IS NULL RETURNING id`,
        [battle.id, a.assistantMessage.id, b.assistantMessage.id],
      ),
    );
    if (rows.length === 0) throw new ChorusError(ErrorCode.CONFLICT, "The battle was voted on meanwhile");
    return {
      battle: await this.ds.getRepository(ArenaBattle).findOneByOrFail({ id: battle.id }),
      answerA: a.assistantMessage.id,
      answerB: b.assistantMessage.id,
    };
  }

  /**
   * The verdict, once per battle. It is kept whatever happens, but counts only when the voter had not seen the
   * models, every answer is COMPLETE and the voter is not excluded; answers still generating cannot be judged.
   */
  async vote(rc: RequestContext, battleId: string, winner: ArenaWinner, source: "BATTLE" | "DRAFT_CHOICE" = "BATTLE"): Promise<ArenaBattle> {
    const battle = await this.owned(rc, battleId);
    return inTransaction(this.ds, async (em) => {
      const b = await em.getRepository(ArenaBattle).findOne({ where: { id: battle.id }, lock: { mode: "pessimistic_write" } });
      if (!b) throw notFound("Arena battle", battleId);
      if (b.winner !== null) throw new ChorusError(ErrorCode.CONFLICT, "This battle was already voted on; a vote counts once", { winner: b.winner });
      const states = rowsOf<{ state: ChatMessageState }>(
        await em.query(`SELECT state FROM chat_message WHERE id = ANY($1::uuid[])`, [[...b.answersA, ...b.answersB]]),
      );
      if (states.length === 0 || states.some((s) => !isTerminal(s.state))) {
        throw badInput("The answers are still being generated; vote once both have ended", { field: "battleId" });
      }
      const [{ excluded }] = await em.query(`SELECT EXISTS (SELECT 1 FROM arena_voter_exclusion WHERE user_id = $1) AS excluded`, [b.userId]);
      const reason: NotCountedReason | null =
        b.identitiesSeenAt !== null
          ? "IDENTITIES_SEEN"
          : states.some((s) => s.state !== "COMPLETE")
            ? "ANSWER_NOT_COMPLETE"
            : excluded
              ? "VOTER_EXCLUDED"
              : null;
      await em.query(`UPDATE arena_battle SET winner = $2, voted_at = now(), counted = $3, not_counted_reason = $4, source = $5 WHERE id = $1`, [
        b.id,
        winner,
        reason === null,
        reason,
        source,
      ]);
      return em.getRepository(ArenaBattle).findOneByOrFail({ id: b.id });
    });
  }

  /** Shows the models of an open battle without voting; a later vote is kept but does not count. */
  async reveal(rc: RequestContext, battleId: string): Promise<ArenaBattle> {
    const battle = await this.owned(rc, battleId);
    await this.ds.query(`UPDATE arena_battle SET identities_seen_at = now() WHERE id = $1 AND identities_seen_at IS NULL AND winner IS NULL`, [battle.id]);
    return this.ds.getRepository(ArenaBattle).findOneByOrFail({ id: battle.id });
  }

  /**
   * chooseDraft between the two hidden answers of a one-turn battle is its verdict (source DRAFT_CHOICE), once both
   * answers have ended. Called after the draft choice is recorded; anything else chosen is not a battle and is left
   * alone.
   */
  async draftChosen(rc: RequestContext, messageId: string): Promise<void> {
    const rows = rowsOf<{ id: string; side: "A" | "B" }>(
      await this.ds.query(
        `SELECT id, CASE WHEN answers_a[1] = $1::uuid THEN 'A' ELSE 'B' END AS side FROM arena_battle
          WHERE (answers_a[1] = $1::uuid OR answers_b[1] = $1::uuid) AND cardinality(answers_a) = 1 AND winner IS NULL`,
        [messageId],
      ),
    );
    if (!rows[0]) return;
    // A choice made while the other answer was still being written compared nothing: it stays a draft choice only.
    const [{ open }] = await this.ds.query(
      `SELECT count(*)::int AS open FROM chat_message m JOIN arena_battle b ON m.id = ANY(b.answers_a || b.answers_b)
        WHERE b.id = $1 AND m.state IN ('PENDING', 'IN_PROGRESS')`,
      [rows[0].id],
    );
    if (open > 0) return;
    await this.vote(rc, rows[0].id, rows[0].side === "A" ? ArenaWinner.A : ArenaWinner.B, "DRAFT_CHOICE");
  }

  /** A battle the caller may read: through its chat (its voter, or moderators within their scope). */
  async get(rc: RequestContext, battleId: string): Promise<ArenaBattle> {
    const b = isUuid(battleId) ? await this.ds.getRepository(ArenaBattle).findOneBy({ id: battleId }) : null;
    if (!b || b.chatId === null || !(await mayReadChatById(this.ds, rc, b.chatId))) throw notFound("Arena battle", battleId);
    return b;
  }

  /** The acting user's battles, newest first. */
  async list(rc: RequestContext, first: number, after: string | null): Promise<Page<ArenaBattle>> {
    const user = actingUserOf(rc);
    const qb = this.ds
      .getRepository(ArenaBattle)
      .createQueryBuilder("b")
      .where("b.user_id = :u", { u: user.id })
      .orderBy("b.id", "DESC")
      .take(first + 1);
    if (after) qb.andWhere("b.id < :id::uuid", { id: decodeCursor(after).id });
    const rows = await qb.getMany();
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first, cursorOf: (b) => encodeCursor({ at: b.createdAt.toISOString(), id: b.id }) };
  }

  /** The chats (of `chatIds`) that hold a blind battle, for the blindness loader (blindness.ts). */
  blindChats(chatIds: readonly string[]): Promise<Set<string>> {
    return blindChats(this.ds, chatIds);
  }

  // --- voters ----------------------------------------------------------------------------------

  /** Excludes a voter's votes from every leaderboard, or counts them again; journaled when it changes anything. */
  async setVoterExclusion(rc: RequestContext, input: { userId: string; excluded: boolean; reason?: string | null }): Promise<ArenaVoterExclusionView> {
    const { actor, visibility: vis } = rc;
    const reason = input.reason?.trim() ?? "";
    if (input.excluded && reason.length === 0) throw badInput("Give a reason for excluding a voter", { field: "reason" });
    const users = isUuid(input.userId)
      ? rowsOf<{ id: string; api_client_id: string }>(await this.ds.query(`SELECT id, api_client_id FROM "user" WHERE id = $1`, [input.userId]))
      : [];
    if (!users[0] || (vis.apiClientId !== null && users[0].api_client_id !== vis.apiClientId)) throw notFound("User", input.userId);
    await inTransaction(this.ds, async (em) => {
      await em.query(`SELECT id FROM "user" WHERE id = $1 FOR UPDATE`, [input.userId]);
      const before = rowsOf<{ reason: string }>(await em.query(`SELECT reason FROM arena_voter_exclusion WHERE user_id = $1`, [input.userId]))[0] ?? null;
      if (input.excluded && before === null) {
        await em.query(`INSERT INTO arena_voter_exclusion (user_id, reason, excluded_by_user_id) VALUES ($1, $2, $3)`, [input.userId, reason, actor.userId]);
        await writeJournal(
          em,
          actor,
          ModerationAction.ARENA_VOTER_EXCLUDED,
          { targetId: input.userId },
          { before: { excluded: false }, after: { excluded: true, reason } },
        );
      } else if (!input.excluded && before !== null) {
        await em.query(`DELETE FROM arena_voter_exclusion WHERE user_id = $1`, [input.userId]);
        await writeJournal(
          em,
          actor,
          ModerationAction.ARENA_VOTER_READMITTED,
          { targetId: input.userId },
          {
            before: { excluded: true, reason: before.reason },
            after: { excluded: false },
          },
        );
      }
    });
    return this.voterExclusion(input.userId);
  }

  async voterExclusion(userId: string): Promise<ArenaVoterExclusionView> {
    const rows = rowsOf<{ reason: string | null; votes: number }>(
      await this.ds.query(
        `SELECT (SELECT reason FROM arena_voter_exclusion WHERE user_id = $1) AS reason,
                (SELECT count(*)::int FROM arena_battle WHERE user_id = $1 AND winner IS NOT NULL) AS votes`,
        [userId],
      ),
    );
    return { userId, excluded: rows[0].reason !== null, reason: rows[0].reason, votes: rows[0].votes };
  }

  // --- leaderboard -----------------------------------------------------------------------------

  /** Counted battles matching the filter, tallied by pair and outcome (excluded voters' left out). */
  async tallies(f: LeaderboardFilter): Promise<BattleTally[]> {
    const rows = rowsOf<{ model_a: string; model_b: string; winner: string; count: number }>(
      await this.ds.query(
        `SELECT b.model_a, b.model_b, b.winner, count(*)::int AS count FROM arena_battle b
          WHERE b.winner IS NOT NULL AND b.counted
            AND (b.user_id IS NULL OR NOT EXISTS (SELECT 1 FROM arena_voter_exclusion e WHERE e.user_id = b.user_id))
            AND ($1::text IS NULL OR b.category = $1) AND ($2::text IS NULL OR b.lang = $2) AND ($3::timestamptz IS NULL OR b.voted_at >= $3)
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        [f.category, f.lang, f.since],
      ),
    );
    return rows.map((r) => ({ modelA: r.model_a, modelB: r.model_b, scoreA: scoreOf(r.winner), count: r.count }));
  }

  /** Changes whenever a vote or an exclusion could change the filter's leaderboard. */
  private async dataVersion(f: LeaderboardFilter): Promise<string> {
    const [r] = await this.ds.query(
      `SELECT (SELECT count(*) FROM arena_battle b WHERE b.winner IS NOT NULL AND ($1::text IS NULL OR b.category = $1) AND ($2::text IS NULL OR b.lang = $2)
                 AND ($3::timestamptz IS NULL OR b.voted_at >= $3)) AS n,
              (SELECT max(voted_at) FROM arena_battle b WHERE b.winner IS NOT NULL) AS last_vote,
              (SELECT count(*) FROM arena_voter_exclusion) AS excluded, (SELECT max(created_at) FROM arena_voter_exclusion) AS last_exclusion`,
      [f.category, f.lang, f.since],
    );
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : "-");
    return `${r.n}:${iso(r.last_vote)}:${r.excluded}:${iso(r.last_exclusion)}`;
  }

  /** Fits and stores one leaderboard; tells subscribers. */
  private async compute(f: LeaderboardFilter): Promise<ArenaLeaderboardSnapshot> {
    const version = await this.dataVersion(f);
    const rng = this.config.bootstrapSeed === undefined ? Math.random : createRng(this.config.bootstrapSeed);
    const result = computeLeaderboard(
      await this.tallies(f),
      { bootstrapSamples: this.config.bootstrapSamples, confidenceLevel: CONFIDENCE, ridge: this.config.ridge },
      rng,
    );
    const snapshot: ArenaLeaderboardSnapshot = {
      key: filterKey(f),
      dataVersion: version,
      computedAt: new Date(),
      payload: { ...result, category: f.category, lang: f.lang, since: f.since?.toISOString() ?? null } as unknown as Record<string, unknown>,
    };
    await this.ds.getRepository(ArenaLeaderboardSnapshot).save(snapshot);
    this.pubSub.pubSub.publish(TOPIC, snapshot.key, { computedAt: snapshot.computedAt.toISOString(), battles: result.battles });
    return snapshot;
  }

  private static toView(s: ArenaLeaderboardSnapshot): ModelLeaderboard {
    const p = s.payload as unknown as Omit<ModelLeaderboard, "since" | "computedAt"> & { since: string | null };
    return { ...p, since: p.since ? new Date(p.since) : null, computedAt: new Date(s.computedAt) };
  }

  /**
   * The leaderboard of a filter as last computed (the periodic job recomputes changed ones); a filter never asked
   * for is computed now, which counts against ARENA_RATE_LIMIT_LEADERBOARD.
   */
  async leaderboard(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    const stored = await this.ds.getRepository(ArenaLeaderboardSnapshot).findOneBy({ key: filterKey(f) });
    if (stored) return ArenaService.toView(stored);
    // Counted per user, else per client; the server itself and the command line count as their door.
    const who = rc.identity.user?.id ?? rc.identity.apiClient?.id ?? rc.identity.via;
    await enforceRate(this.limiter, this.leaderboardRule, who, "new leaderboard computations");
    const snapshot = await this.compute(f);
    await this.ds.query(
      `DELETE FROM arena_leaderboard WHERE key <> $1 AND key NOT IN (SELECT key FROM arena_leaderboard WHERE key <> $1 ORDER BY computed_at DESC LIMIT $2)`,
      [filterKey(OVERALL), MAX_SNAPSHOTS],
    );
    return ArenaService.toView(snapshot);
  }

  /** The periodic job: recomputes every stored leaderboard whose battles changed (and the overall one at least once). */
  async refreshChanged(): Promise<number> {
    const stored = await this.ds.getRepository(ArenaLeaderboardSnapshot).find();
    const overallKey = filterKey(OVERALL);
    let n = 0;
    if (!stored.some((s) => s.key === overallKey)) {
      await this.compute(OVERALL);
      n++;
    }
    for (const s of stored) {
      const f = ArenaService.filterOf(s);
      if ((await this.dataVersion(f)) === s.dataVersion) continue;
      await this.compute(f);
      n++;
    }
    return n;
  }

  private static filterOf(s: ArenaLeaderboardSnapshot): LeaderboardFilter {
    const p = s.payload as { category?: string | null; lang?: string | null; since?: string | null };
    return { category: p.category ?? null, lang: p.lang ?? null, since: p.since ? new Date(p.since) : null };
  }

  /** The admin's refresh: recomputed now, journaled. */
  async refreshByAdmin(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    const snapshot = await this.compute(f);
    await inTransaction(this.ds, (em) =>
      writeJournal(
        em,
        rc.actor,
        ModerationAction.ARENA_LEADERBOARD_REFRESHED,
        { targetId: null },
        {
          filter: { category: f.category, lang: f.lang, since: f.since?.toISOString() ?? null },
          battles: (snapshot.payload as { battles: number }).battles,
        },
      ),
    );
    return ArenaService.toView(snapshot);
  }

  /** Every recomputation of the filter's leaderboard from now on, on any replica. */
  subscribe(f: LeaderboardFilter): AsyncIterable<ModelLeaderboardRefresh> {
    const source = (
      this.pubSub.pubSub as unknown as { subscribe(topic: string, id: string): AsyncIterable<{ computedAt: string; battles: number }> }
    ).subscribe(TOPIC, filterKey(f));
    return {
      [Symbol.asyncIterator]: () => {
        const it = source[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await it.next();
            if (r.done) return r;
            // Serialised on the way (with Redis the event crosses replicas as JSON): dates come back from strings.
            return { done: false, value: { ...f, battles: r.value.battles, computedAt: new Date(r.value.computedAt) } };
          },
          return: async () => {
            await it.return?.();
            return { done: true as const, value: undefined };
          },
        };
      },
    };
  }
}
