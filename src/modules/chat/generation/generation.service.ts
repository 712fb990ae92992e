/**
 * One generation's life, in PostgreSQL (the record) and in its replayable event stream (what subscribers see).
 * Every transition updates the row first, conditionally on its state, and appends the event only when the update
 * took: so two replicas, a worker and the reconciler can race without a message ending twice.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { EventStreamStore, StoredEvent } from "../../../infra/streams/index.js";
import { StreamClosedError, StreamLostError, StreamMovedError, isPushable, type EventSink, type PushableEvents } from "../../../infra/streams/index.js";
import type { GenerationQueue } from "../../../infra/queue/index.js";
import { rowsOf } from "../../../db/rows.js";
import { ChatMessage, ChatMessageState, isTerminal } from "../chat.entity.js";
import { foldStreamedText, generationStreamKey, partialAnswer, streamedText, type StoredGenerationEvent, type StreamedText } from "./generation-events.js";
import { ChorusError, ErrorCode } from "../../../common/errors.js";
import { EVENT_SOURCE } from "./generation-fan-out.js";
import { TickBatcher } from "../../../infra/tick-batcher.js";
import { runWithAnyStatementTimeout } from "../../../db/operation-budget.js";
import { hotStatement } from "../../../db/pool-warm-up.js";

export type GenerationStreams = EventStreamStore<StoredGenerationEvent>;

/** A GraphQL GenerationEvent: the stored event with its number and message id. */
export type GenerationEventValue = { __typename: string; seq: number; messageId: string } & Record<string, unknown>;

const TYPENAMES: Record<StoredGenerationEvent["type"], string> = {
  queued: "GenerationQueued",
  started: "GenerationStarted",
  tokens: "GenerationTokens",
  restarted: "GenerationRestarted",
  continued: "GenerationContinued",
  finished: "GenerationFinished",
  failed: "GenerationFailed",
  cancelled: "GenerationCancelled",
};

/** `offset`: the seqs of the message's earlier streams (continuations number on after them). */
export function toEventValue(messageId: string, stored: StoredEvent<StoredGenerationEvent>, offset = 0): GenerationEventValue {
  const { type, ...fields } = stored.event;
  // The stored event is shared by the subscribers of its stream in this process: their serialisations meet there.
  return { __typename: TYPENAMES[type], seq: offset + stored.seq, messageId, ...fields, [EVENT_SOURCE]: stored.event };
}

interface ClaimInput {
  messageId: string;
  workerName: string;
  handOutId: string | null;
}

/** What claiming an answer returns: what the hand-out needs, so it reads the row no further. */
interface ClaimedRow {
  old_state: string;
  stream_segment: number;
  seq_offset: number;
  sampling: ChatMessage["sampling"];
  model: string | null;
  parent_id: string | null;
  chat_id: string;
  text: string;
}

/** Where a message's current stream is: its key and the seqs of the streams before it. */
interface StreamPlace {
  key: string;
  offset: number;
  at: number;
  /** The type of the last event this replica appended there (unknown after a read of the row). */
  lastAppended?: StoredGenerationEvent["type"];
  /**
   * The answer's text as the stream holds it up to `lastSeq` (streamedText), while this replica appended every event
   * of the stream from its first (a new answer's stream, see opened) with no gap in their seqs: an answer's end then
   * needs no read of the stream for its text (a 256-token answer's read was about 1.3 ms of CPU). Dropped at the first
   * seq that is not the next one (another replica, or the store, appended meanwhile); an event appended after the
   * last one here is caught by the end's conditional append (endRow).
   */
  text?: StreamedText & { lastSeq: number };
}

/** `place.text` after the event appended at `seq` (see StreamPlace.text). */
function track(place: StreamPlace, event: StoredGenerationEvent, seq: number): void {
  const t = place.text;
  if (!t) return;
  if (seq !== t.lastSeq + 1) {
    place.text = undefined;
    return;
  }
  t.lastSeq = seq;
  foldStreamedText(t, event);
}

/** An answer's hand-out: PENDING (or IN_PROGRESS, a job handed out again) → IN_PROGRESS for each answer of a batch. */
const CLAIM_SQL = hotStatement(`UPDATE chat_message m SET state = 'IN_PROGRESS', worker_name = o.worker_name, work_begin_at = now(), hand_out_id = o.hand_out_id
           FROM (SELECT c.id, c.state AS old_state, v.worker_name, v.hand_out_id
                   FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, worker_name, hand_out_id)
                   JOIN chat_message c ON c.id = v.id
                  ORDER BY c.id FOR UPDATE OF c) o
          WHERE m.id = o.id AND m.state IN ('PENDING', 'IN_PROGRESS') AND m.cancel_requested_at IS NULL
          RETURNING m.id, o.old_state, m.stream_segment, m.seq_offset, m.sampling, m.model, m.parent_id, m.chat_id, m.text`);

/**
 * An answer's end as COMPLETE or CANCELLED, with the streamed text and, when the stream was read for it, the seq its
 * terminal event is to get ($6; null keeps the column, 0 on a row that has not ended: see endRow).
 */
const END_SQL = hotStatement(`UPDATE chat_message SET state = $2, text = $3, token_count = $4, finish_reason = $5, work_end_at = now(),
                stream_last_seq = COALESCE($6::int, stream_last_seq)
          WHERE id = $1 AND state IN ('PENDING', 'IN_PROGRESS') RETURNING id`);

/** An answer's end as FAILED or TIMEOUT, with its partial text; $6 as in END_SQL. */
const FAILED_SQL = `UPDATE chat_message SET state = $2, text = $3, token_count = $4, error = $5, work_end_at = now(),
                stream_last_seq = COALESCE($6::int, stream_last_seq)
          WHERE id = $1 AND state IN ('PENDING', 'IN_PROGRESS') RETURNING id`;

/** The seq of an answer's terminal event, when END_SQL could not record it. */
const LAST_SEQ_SQL = `UPDATE chat_message SET stream_last_seq = $2 WHERE id = $1`;

/**
 * The text (null: unchanged) and terminal seq of an answer whose stream was appended to after it was read for END_SQL
 * (see endRow); only while the row is still that end ($5: the seq recorded last; a continuation resets it to 0).
 */
const MOVED_END_SQL = `UPDATE chat_message SET text = COALESCE($2, text), token_count = COALESCE($3::int, token_count), stream_last_seq = $4
          WHERE id = $1 AND stream_last_seq = $5`;

/** Back to no recorded seq, when the terminal event END_SQL recorded the seq of was not appended (see endRow). */
const UNRECORDED_SQL = `UPDATE chat_message SET stream_last_seq = 0 WHERE id = $1 AND stream_last_seq = $2`;

/**
 * How long a replica trusts what it knows about a message's current stream since it last confirmed it: read it from
 * the row, or appended to it. A continuation moves a message to a new stream only after the old one ended, and an
 * ended stream refuses appends (which makes a replica read again) for the store's finishedTtlSeconds (300 s by
 * default), far longer than this; so a stream that took an append is certainly current for that long after it. A
 * live answer's token batches (every 50 ms) thus never read the row; before, each stream read it every 10 s, a
 * statement on the token path that failed under a saturated pool (bench/RESULTS.md, issue 13).
 */
const STREAM_PLACE_TTL_MS = 10_000;

/** Waiting answers whose queue place one replica re-sends. */
const MAX_WATCHED_POSITIONS = 10_000;

/** The terminal event a finished message stands for, when its stream has expired. */
function terminalEventOf(m: ChatMessage): StoredGenerationEvent {
  switch (m.state) {
    case ChatMessageState.COMPLETE:
      return { type: "finished", finishReason: m.finishReason ?? "stop" };
    case ChatMessageState.CANCELLED:
      return { type: "cancelled" };
    case ChatMessageState.TIMEOUT:
      return { type: "failed", code: "TIMEOUT", reason: m.error ?? "No worker started the generation in time" };
    default:
      return { type: "failed", code: "WORKER_FAILED", reason: m.error ?? "The generation failed" };
  }
}

export type StartOutcome =
  | {
      started: true;
      message: ChatMessage;
      /**
       * The answer streamed by earlier hand-outs, when the new worker can continue it: it goes on after this text
       * and subscribers keep what they have. Null when the answer starts from nothing.
       */
      continueFrom: { text: string; tokenCount: number } | null;
    }
  | { started: false; reason: "cancelled" | "gone" };

export class GenerationService {
  constructor(
    private readonly ds: DataSource,
    readonly streams: GenerationStreams,
    readonly queue: GenerationQueue,
    private readonly log: Logger,
  ) {}

  private readonly places = new Map<string, StreamPlace>();
  /** Claims asked for within one turn of the event loop (a session's wave of hand-outs) go in one statement. */
  private readonly claims = new TickBatcher<ClaimInput, ClaimedRow | null>((inputs) => this.claimMany(inputs));
  /** Answers this replica queued that wait for a worker: what it last told their subscribers. */
  private readonly waiting = new Map<string, { model: string; seq: number; position: number }>();
  private positionTimer: NodeJS.Timeout | null = null;
  private refreshingPositions: Promise<void> | null = null;

  /** The message's current stream; read from its row, and kept a few seconds because every token batch asks. */
  private async placeOf(messageId: string, fresh = false): Promise<StreamPlace> {
    const known = fresh ? undefined : this.knownPlace(messageId);
    if (known) return known;
    const [row] = rowsOf<{ stream_segment: number; seq_offset: number }>(
      await this.ds.query(`SELECT stream_segment, seq_offset FROM chat_message WHERE id = $1`, [messageId]),
    );
    return this.remember(messageId, { key: generationStreamKey(messageId, row?.stream_segment ?? 0), offset: row?.seq_offset ?? 0, at: Date.now() });
  }

  /** The message's current stream while what this replica knows of it is fresh (see STREAM_PLACE_TTL_MS). */
  private knownPlace(messageId: string): StreamPlace | undefined {
    const known = this.places.get(messageId);
    return known && Date.now() - known.at < STREAM_PLACE_TTL_MS ? known : undefined;
  }

  private remember(messageId: string, place: StreamPlace): StreamPlace {
    if (this.places.size > 10_000) this.places.clear();
    this.places.set(messageId, place);
    return place;
  }

  /**
   * Appends to the message's current stream and returns the event's seq there (null when not appended), ignoring a
   * stream that already ended (a late duplicate) and logging a store that is down.
   */
  async emit(messageId: string, event: StoredGenerationEvent, terminal = false, ifLastSeq?: number, onMoved?: () => void): Promise<number | null> {
    // Known (every batch of a live answer after its first): no wait for it.
    let place = this.knownPlace(messageId) ?? (await this.placeOf(messageId));
    for (let attempt = 0; ; attempt++) {
      try {
        const askedAt = Date.now();
        // What the user waits for reaches this replica's subscribers without the stream readers' gathering wait
        // (READ_GATHER_MS): an answer's first tokens (after its start, a restart or a continuation) and its end.
        // Later batches may wait for it: one read then brings many answers' batches.
        const readAtOnce = terminal || (event.type === "tokens" && place.lastAppended !== "tokens");
        place.lastAppended = event.type;
        const seq = await this.streams.append(place.key, event, { terminal, ifLastSeq, readAtOnce });
        // Appended: the stream was open at some moment after askedAt, so it is current until askedAt + the TTL.
        place.at = askedAt;
        if (place.text) track(place, event, seq);
        return seq;
      } catch (err) {
        if (err instanceof StreamMovedError) {
          onMoved?.();
          return null;
        }
        if (err instanceof StreamClosedError) {
          // Perhaps a continuation opened the next stream since this replica looked.
          const now = await this.placeOf(messageId, true);
          if (attempt === 0 && now.key !== place.key) {
            place = now;
            continue;
          }
          return null;
        }
        // The row is the record; a subscriber that misses this event falls back to it.
        this.log.warn({ err, messageId, event: event.type }, "could not append a generation event");
        return null;
      }
    }
  }

  /**
   * Ends the row (`update`, a conditional UPDATE such as END_SQL, given the seq to record as stream_last_seq) and then,
   * when it took, appends the terminal event; the row keeps that event's seq, so a continuation numbers on and a
   * subscriber of an expired stream gets the same terminal event even after the stream expired. `read`: the stream as
   * the row's text was made from it (its last seq; read, or known from this replica's appends: StreamPlace.text), or
   * null when it could not be read.
   *
   * With the stream read, the terminal event's seq is known before the append (the next one), so the row records it
   * in the same UPDATE and the event is appended only while the stream is still at that seq: one statement per end
   * instead of two (chat-start bench, finish). When something was appended after the read (a worker reports nothing
   * after its finish, so hardly ever), the row first gets the text and the seq the stream then holds, and the event
   * goes after it (a stream the store lost meanwhile holds no text: the row keeps its own); when the event could not
   * be appended at all (the stream ended already, or the store is down), the row gets back the 0 it had, as when the
   * seq was written only after the append.
   */
  private async endRow(
    messageId: string,
    read: { lastSeq: number } | null,
    update: (terminalSeq: number | null) => Promise<boolean>,
    event: StoredGenerationEvent,
  ): Promise<boolean> {
    if (!read) {
      if (!(await update(null))) return false;
      const seq = await this.emit(messageId, event, true);
      this.places.delete(messageId);
      if (seq !== null) await this.ds.query(LAST_SEQ_SQL, [messageId, seq]);
      return true;
    }
    let recorded = read.lastSeq + 1;
    if (!(await update(recorded))) return false;
    let seq: number | null = null;
    for (let attempt = 0; ; attempt++) {
      let moved = false;
      seq = await this.emit(messageId, event, true, recorded - 1, () => (moved = true));
      if (seq !== null || !moved) break;
      // Appended to after the text was taken. Before the terminal event (whose subscribers read the row), the row gets
      // the text the stream holds now and the seq after it; then the event goes there, again only while the stream is.
      const now = await this.streamed(messageId);
      if (!now || now.lastSeq < recorded || attempt === 2) {
        // The store lost the stream (it starts again, or is gone), or it keeps moving: the event goes after whatever is
        // there, and the row keeps its text (a lost stream holds none) and gets the event's seq.
        seq = await this.emit(messageId, event, true);
        if (seq !== null) await this.ds.query(MOVED_END_SQL, [messageId, null, null, seq, recorded]);
        break;
      }
      await this.ds.query(MOVED_END_SQL, [messageId, now.text, now.tokenCount, now.lastSeq + 1, recorded]);
      recorded = now.lastSeq + 1;
    }
    this.places.delete(messageId);
    if (seq === null) await this.ds.query(UNRECORDED_SQL, [messageId, recorded]);
    return true;
  }

  /**
   * Opens the next stream of a COMPLETE message that continueGeneration just put back to PENDING (the caller did
   * that, conditionally, with `segment` and `offset` = the seqs of every earlier stream). Its first event carries
   * the text so far, so a subscriber that saw none of the earlier streams still has the whole answer.
   */
  async continued(messageId: string, text: string, tokenCount: number): Promise<number | null> {
    this.places.delete(messageId);
    return this.emit(messageId, { type: "continued", text, tokenCount });
  }

  /** The seq the message's events have reached (across its streams), for a continuation to number on from. */
  async lastSeq(message: ChatMessage): Promise<number> {
    const inStore = await this.streams.lastSeq(generationStreamKey(message.id, message.streamSegment)).catch(() => 0);
    return message.seqOffset + Math.max(inStore, message.streamLastSeq);
  }

  /**
   * Announces the answer's place in its queue, and keeps announcing it (refreshPositions) while it waits.
   * `queueSize`: the model's queue size, as the enqueue returned it (a send reads it no second time), or read here.
   * `ifLastSeq`: the stream's seq when the answer was (re)queued; when anything was appended since (a worker took
   * the job and started), the notice is out of date and is not appended, so no queue notice lands mid-answer.
   */
  async queued(messageId: string, model: string, position: number, ifLastSeq?: number, queueSize?: number): Promise<void> {
    queueSize ??= await this.queue.size(model);
    const seq = await this.emit(messageId, { type: "queued", position, queueSize: Math.max(queueSize, position) }, false, ifLastSeq);
    if (seq === null) {
      this.waiting.delete(messageId);
      return;
    }
    // Bounded: past the bound, answers simply keep the position they were told last.
    if (this.waiting.has(messageId) || this.waiting.size < MAX_WATCHED_POSITIONS) this.waiting.set(messageId, { model, seq, position });
  }

  /** A message just stored: its stream is the first one (so the first event needs no read of the row). */
  opened(messageId: string): void {
    this.remember(messageId, {
      key: generationStreamKey(messageId, 0),
      offset: 0,
      at: Date.now(),
      text: { base: "", baseTokens: 0, text: "", tokenCount: 0, lastSeq: 0 },
    });
  }

  /** The seq a message's current stream is at (0 before its first event), for a conditional append later. */
  async streamSeq(messageId: string): Promise<number> {
    return this.streams.lastSeq((await this.placeOf(messageId)).key);
  }

  /**
   * Re-sends the queue place of every answer this replica queued while it waits, when it moved (the reference
   * re-sent it every second). Each notice is appended only while nothing else was (the worker's start ends it).
   */
  async refreshPositions(): Promise<void> {
    for (const [messageId, w] of [...this.waiting]) {
      let position: number | null;
      try {
        position = await this.queue.position(w.model, messageId);
      } catch (err) {
        this.log.warn({ err }, "could not read queue positions");
        return;
      }
      if (position === null) {
        this.waiting.delete(messageId);
        continue;
      }
      if (position !== w.position) await this.queued(messageId, w.model, position, w.seq);
    }
  }

  /** Starts re-sending queue positions every `intervalMs`. */
  startPositionUpdates(intervalMs: number): void {
    if (this.positionTimer) return;
    this.positionTimer = setInterval(() => {
      this.refreshingPositions ??= this.refreshPositions().finally(() => (this.refreshingPositions = null));
    }, intervalMs);
    this.positionTimer.unref();
  }

  /**
   * PENDING → IN_PROGRESS for the worker that took the job; refused when the message was cancelled or is gone.
   * A job handed out again (its worker failed, disconnected or went silent) may already have streamed part of the
   * answer: a worker that can continue goes on after that text (`continueFrom`) and the stream simply goes on;
   * otherwise subscribers are told to drop the partial text (GenerationRestarted). `neverHandedOut`: the first
   * hand-out of a send's job, so no worker streamed anything before and the stream is not read for it.
   */
  async start(
    messageId: string,
    workerName: string,
    opts: { canContinue?: boolean; handOutId?: string; neverHandedOut?: boolean } = {},
  ): Promise<StartOutcome> {
    this.waiting.delete(messageId);
    // The stream is read together with the claim when this replica knows where it is (it queued the answer).
    const known = this.places.get(messageId);
    const early = known && !opts.neverHandedOut ? this.events(messageId, false) : null;
    const row = await this.claims.call({ messageId, workerName, handOutId: opts.handOutId ?? null });
    if (!row) {
      const m = await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId });
      if (m && !isTerminal(m.state) && m.cancelRequestedAt) {
        await this.end(messageId, "cancelled", null);
        return { started: false, reason: "cancelled" };
      }
      return { started: false, reason: "gone" };
    }
    // The row just claimed names the current stream and carries what the hand-out needs: no further read of it.
    const key = generationStreamKey(messageId, row.stream_segment);
    // What this replica knows of the stream's text stays while it is the same stream (a send's answer it queued).
    this.remember(messageId, { key, offset: row.seq_offset, at: Date.now(), text: known?.key === key ? known.text : undefined });
    const events = opts.neverHandedOut ? null : early && known!.key === key ? await early : await this.events(messageId, false);
    const message = this.ds.getRepository(ChatMessage).create({
      id: messageId,
      chatId: row.chat_id,
      parentId: row.parent_id,
      model: row.model,
      sampling: row.sampling,
      text: row.text,
      state: ChatMessageState.IN_PROGRESS,
      workerName,
    });
    const partial = events ? partialAnswer(events) : null;
    const hasPartial = partial !== null && (partial.text.length > 0 || partial.tokenCount > 0);
    const continueFrom = hasPartial && opts.canContinue ? partial : null;
    if (!continueFrom && (hasPartial || row.old_state === ChatMessageState.IN_PROGRESS)) {
      await this.emit(messageId, { type: "restarted", reason: "The worker stopped answering" });
    }
    await this.emit(messageId, { type: "started", workerName });
    return { started: true, message, continueFrom };
  }

  /**
   * PENDING (or IN_PROGRESS, for a job handed out again) → IN_PROGRESS for each answer not cancelled, in one
   * statement; the rows are locked in id order, so waves that overlap cannot deadlock. Null for an answer not claimed.
   */
  private async claimMany(inputs: ClaimInput[]): Promise<(ClaimedRow | null)[]> {
    // The same answer twice in one statement would be claimed once for both: one by one instead (TickBatcher).
    if (new Set(inputs.map((i) => i.messageId)).size !== inputs.length) throw new Error("an answer claimed twice in one batch");
    // A short statement of the hand-out: any statement_timeout suits it (runWithAnyStatementTimeout).
    const rows = rowsOf<ClaimedRow & { id: string }>(
      await runWithAnyStatementTimeout(() =>
        this.ds.query(CLAIM_SQL, [inputs.map((i) => i.messageId), inputs.map((i) => i.workerName), inputs.map((i) => i.handOutId)]),
      ),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return inputs.map((i) => byId.get(i.messageId) ?? null);
  }

  tokens(messageId: string, text: string, tokenCount: number): Promise<number | null> {
    return this.emit(messageId, { type: "tokens", text, tokenCount });
  }

  /**
   * Ends the generation as COMPLETE (finishReason stop/length) or CANCELLED. The stored text is the streamed
   * text, so what subscribers assembled is what is kept; the worker's own text is used only when the stream was
   * lost. Returns false when the message had already ended.
   */
  async end(messageId: string, finishReason: string, workerText: { text: string; tokenCount: number } | null): Promise<boolean> {
    const cancelled = finishReason === "cancelled";
    // Without the stream: the stored text (empty, or what a continuation extends) plus what the worker reports.
    const streamed = this.trackedText(messageId) ?? (await this.streamed(messageId));
    const { text, tokenCount } = streamed ?? (await this.storedPlus(messageId, workerText));
    const state = cancelled ? ChatMessageState.CANCELLED : ChatMessageState.COMPLETE;
    return this.endRow(
      messageId,
      streamed,
      async (terminalSeq) => rowsOf(await this.ds.query(END_SQL, [messageId, state, text, tokenCount, finishReason, terminalSeq])).length > 0,
      cancelled ? { type: "cancelled" } : { type: "finished", finishReason },
    );
  }

  /** Ends the generation as FAILED or TIMEOUT, keeping any partial text (the state says it is not an answer). */
  async failed(messageId: string, state: ChatMessageState.FAILED | ChatMessageState.TIMEOUT, code: string, reason: string): Promise<boolean> {
    const streamed = this.trackedText(messageId) ?? (await this.streamed(messageId));
    const partial = streamed ?? (await this.storedPlus(messageId, null));
    return this.endRow(
      messageId,
      streamed,
      async (terminalSeq) => rowsOf(await this.ds.query(FAILED_SQL, [messageId, state, partial.text, partial.tokenCount, reason, terminalSeq])).length > 0,
      { type: "failed", code, reason },
    );
  }

  /**
   * IN_PROGRESS → PENDING when a worker's attempt ended without an answer, only while the row still names that
   * hand-out (`handOutId`; null: whichever, for a job that is lost altogether). Called BEFORE the job goes back to
   * the queue: the worker that takes it next finds the row PENDING, and nothing of this attempt writes after its
   * claim. Returns the stream's seq at that moment (for `queued`'s ifLastSeq), or null when the row was not reset.
   * The partial text stays in the stream: the next worker continues it or restarts (see start).
   */
  async unclaim(messageId: string, handOutId: string | null): Promise<number | null> {
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE chat_message SET state = 'PENDING', worker_name = NULL, work_begin_at = NULL, hand_out_id = NULL
          WHERE id = $1 AND state = 'IN_PROGRESS' AND ($2::text IS NULL OR hand_out_id = $2) RETURNING id`,
        [messageId, handOutId],
      ),
    );
    if (rows.length === 0) return null;
    return this.streamSeq(messageId).catch(() => null);
  }

  /** Tells subscribers that a job put back in the queue waits again (see unclaim for `seqAtReset`). */
  async requeued(messageId: string, model: string, seqAtReset: number): Promise<void> {
    const position = await this.queue.position(model, messageId);
    if (position !== null) await this.queued(messageId, model, position, seqAtReset);
  }

  private async storedPlus(messageId: string, extra: { text: string; tokenCount: number } | null): Promise<{ text: string; tokenCount: number }> {
    const [row] = rowsOf<{ text: string; token_count: number | null }>(
      await this.ds.query(`SELECT text, token_count FROM chat_message WHERE id = $1`, [messageId]),
    );
    return { text: (row?.text ?? "") + (extra?.text ?? ""), tokenCount: (row?.token_count ?? 0) + (extra?.tokenCount ?? 0) };
  }

  /**
   * The text the message's stream holds, known without reading it (StreamPlace.text), and the seq it is known up to;
   * undefined when not known, or when nothing was appended yet (an empty stream is read, as a lost one would be).
   */
  private trackedText(messageId: string): { text: string; tokenCount: number; lastSeq: number } | undefined {
    const t = this.knownPlace(messageId)?.text;
    return t && t.lastSeq > 0 ? { text: t.text, tokenCount: t.tokenCount, lastSeq: t.lastSeq } : undefined;
  }

  /** The events of the message's stream, or null when the stream is gone or unreadable. */
  private async events(messageId: string, fresh = true): Promise<StoredGenerationEvent[] | null> {
    try {
      const events = await this.streams.read((await this.placeOf(messageId, fresh)).key);
      return events.length === 0 ? null : events.map((e) => e.event);
    } catch (err) {
      this.log.warn({ err, messageId }, "could not read a generation stream");
      return null;
    }
  }

  /**
   * The text streamed so far and the seq the stream was read up to, or null when the stream is gone. Its stream is the one this replica appended to or
   * claimed within STREAM_PLACE_TTL_MS (the answer's last batch, as a rule, so a finish reads no row), else the row's.
   */
  private async streamed(messageId: string): Promise<{ text: string; tokenCount: number; lastSeq: number } | null> {
    try {
      const events = await this.streams.read((await this.placeOf(messageId)).key);
      if (events.length === 0) return null;
      return { ...streamedText(events.map((e) => e.event)), lastSeq: events[events.length - 1].seq };
    } catch (err) {
      this.log.warn({ err, messageId }, "could not read a generation stream");
      return null;
    }
  }

  /**
   * The events of a generation after `after`, then its live tail; a message that already ended replays its
   * stream (or, when the stream expired, one terminal event made from the row) and completes.
   */
  subscribe(message: ChatMessage, after: number): PushableEvents<GenerationEventValue> {
    const key = generationStreamKey(message.id, message.streamSegment);
    const offset = message.seqOffset;
    // Seqs of earlier streams are not replayed: the current stream starts with the text they made (continued).
    const storeAfter = Math.max(0, after - offset);
    const messageId = message.id;
    const ds = this.ds;
    const streams = this.streams;
    let source: AsyncIterableIterator<StoredEvent<StoredGenerationEvent>> | null = null;
    let fallbackDone = false;
    let closed = false;

    const fallback = async (): Promise<IteratorResult<GenerationEventValue>> => {
      if (fallbackDone) return { done: true, value: undefined };
      fallbackDone = true;
      const m = await ds.getRepository(ChatMessage).findOneBy({ id: messageId });
      if (!m || !isTerminal(m.state)) {
        throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "The generation's stream was lost; read the message and subscribe again");
      }
      // The stream's own terminal event, rebuilt from the row with the seq it had (stream_last_seq): a subscriber
      // that saw it already gets nothing more, never a second terminal event. Only a stream whose terminal event
      // was never appended (the store was down as it ended) has no seq to keep: then it is the next one.
      const recorded = m.streamLastSeq > 0 ? m.seqOffset + m.streamLastSeq : null;
      if (recorded !== null && recorded <= after) return { done: true, value: undefined };
      const seq = recorded ?? after + 1;
      return { done: false, value: toEventValue(messageId, { seq: seq - m.seqOffset, event: terminalEventOf(m), terminal: true }, m.seqOffset) };
    };

    /** The stream's subscription, opened at the first pull (or push); null when only the row's fallback is left. */
    const open = async (): Promise<AsyncIterableIterator<StoredEvent<StoredGenerationEvent>> | null> => {
      if (!source) {
        if (isTerminal(message.state) && (await streams.lastSeq(key)) === 0) return null;
        source = streams.subscribe(key, storeAfter);
      }
      return source;
    };

    const iterator: PushableEvents<GenerationEventValue> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next() {
        if (closed) return { done: true, value: undefined };
        if (fallbackDone) return { done: true, value: undefined };
        const events = await open();
        if (!events) return fallback();
        try {
          const r = await events.next();
          if (r.done) return { done: true, value: undefined };
          return { done: false, value: toEventValue(messageId, r.value, offset) };
        } catch (err) {
          if (err instanceof StreamLostError) return fallback();
          throw err;
        }
      },
      async return() {
        closed = true;
        await source?.return?.();
        return { done: true, value: undefined };
      },
      // The same events as next() gives, pushed as the store accepts them (the fan-out's live path).
      deliverTo(sink: EventSink<GenerationEventValue>): void {
        const endWithFallback = () =>
          fallback().then(
            (r) => {
              if (!r.done && !closed) sink.event(r.value);
              sink.end();
            },
            (err) => sink.end(err),
          );
        void (async () => {
          if (closed || fallbackDone) return sink.end();
          const events = await open();
          if (!events) return endWithFallback();
          if (!isPushable(events)) {
            // A store whose subscriptions only pull: the events are pulled here and pushed on.
            for (;;) {
              const r = await iterator.next();
              if (r.done) return sink.end();
              sink.event(r.value);
            }
          }
          events.deliverTo({
            event: (stored) => sink.event(toEventValue(messageId, stored, offset)),
            end: (err) => {
              if (err instanceof StreamLostError && !closed) void endWithFallback();
              else sink.end(err);
            },
          });
        })().catch((err) => sink.end(err));
      },
    };
    return iterator;
  }

  async close(): Promise<void> {
    if (this.positionTimer) clearInterval(this.positionTimer);
    await this.refreshingPositions;
    await this.streams.close();
    await this.queue.close();
  }
}
