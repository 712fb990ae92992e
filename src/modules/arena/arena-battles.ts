/**
 * Battles (docs/arena.md): a prompt answered by two hidden models through the ordinary chat path (so both answers
 * stream through the existing generation streams), further turns, one vote per battle that reveals the models, and
 * the reads of a voter's battles. Part of ArenaService.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { actingUserOf, type RequestContext } from "../../common/request-context.js";
import { enforceRate, type RateLimiter, type RateLimitRule } from "../../infra/rate-limit.js";
import { badInput, ChorusError, ErrorCode, notFound } from "../../common/errors.js";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { uuid7 } from "../../db/uuid7.js";
import type { Rng } from "../../db/random.js";
import { decodeCursor, encodeCursor, type Page } from "../../common/pagination.js";
import type { ChatService } from "../chat/chat.service.js";
import { isTerminal, type ChatMessageState } from "../chat/chat.entity.js";
import type { WorkerService } from "../workers/worker.service.js";
import { mayReadChatById } from "../chat/chat-readers.js";
import { ArenaBattle, ArenaLeaderboardSnapshot, type NotCountedReason } from "./arena.entity.js";
import { ArenaWinner } from "./arena.types.js";
import { drawPair } from "./pair-sampling.js";
import { blindChats } from "./blindness.js";
import { filterKey, OVERALL } from "./arena-leaderboards.js";

export class ArenaBattles {
  constructor(
    private readonly ds: DataSource,
    private readonly chats: ChatService,
    private readonly workers: WorkerService,
    private readonly limiter: RateLimiter,
    private readonly battleRule: RateLimitRule,
    private readonly rng: Rng,
    private readonly log: Logger,
  ) {}

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
}
