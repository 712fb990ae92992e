/**
 * One generation's life, in PostgreSQL (the record) and in its replayable event stream (what subscribers see).
 * Every transition updates the row first, conditionally on its state, and appends the event only when the update
 * took: so two replicas, a worker and the reconciler can race without a message ending twice.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { EventStreamStore, StoredEvent } from "../../infra/streams/index.js";
import { StreamClosedError, StreamLostError } from "../../infra/streams/index.js";
import type { GenerationQueue } from "../../infra/queue/index.js";
import { rowsOf } from "../../db/rows.js";
import { ChatMessage, ChatMessageState, isTerminal } from "./chat.entity.js";
import { generationStreamKey, partialAnswer, streamedText, type StoredGenerationEvent } from "./generation-events.js";
import { ChorusError, ErrorCode } from "../../server/errors.js";

export type GenerationStreams = EventStreamStore<StoredGenerationEvent>;

/** A GraphQL GenerationEvent: the stored event with its number and message id. */
export type GenerationEventValue = { __typename: string; seq: number; messageId: string } & Record<string, unknown>;

const TYPENAMES: Record<StoredGenerationEvent["type"], string> = {
  queued: "GenerationQueued",
  started: "GenerationStarted",
  tokens: "GenerationTokens",
  restarted: "GenerationRestarted",
  finished: "GenerationFinished",
  failed: "GenerationFailed",
  cancelled: "GenerationCancelled",
};

export function toEventValue(messageId: string, stored: StoredEvent<StoredGenerationEvent>): GenerationEventValue {
  const { type, ...fields } = stored.event;
  return { __typename: TYPENAMES[type], seq: stored.seq, messageId, ...fields };
}

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

  /** Appends, ignoring a stream that already ended (a late duplicate) and logging a store that is down. */
  async emit(messageId: string, event: StoredGenerationEvent, terminal = false): Promise<void> {
    try {
      await this.streams.append(generationStreamKey(messageId), event, { terminal });
    } catch (err) {
      if (err instanceof StreamClosedError) return;
      // The row is the record; a subscriber that misses this event falls back to it.
      this.log.warn({ err, messageId, event: event.type }, "could not append a generation event");
    }
  }

  async queued(messageId: string, model: string, position: number): Promise<void> {
    const queueSize = await this.queue.size(model);
    await this.emit(messageId, { type: "queued", position, queueSize: Math.max(queueSize, position) });
  }

  /**
   * PENDING → IN_PROGRESS for the worker that took the job; refused when the message was cancelled or is gone.
   * A job handed out again (its worker failed, disconnected or went silent) may already have streamed part of the
   * answer: a worker that can continue goes on after that text (`continueFrom`) and the stream simply goes on;
   * otherwise subscribers are told to drop the partial text (GenerationRestarted).
   */
  async start(messageId: string, workerName: string, opts: { canContinue?: boolean } = {}): Promise<StartOutcome> {
    const rows = rowsOf<{ old_state: string }>(
      await this.ds.query(
        `UPDATE chat_message m SET state = 'IN_PROGRESS', worker_name = $2, work_begin_at = now()
           FROM (SELECT id, state AS old_state FROM chat_message WHERE id = $1 FOR UPDATE) o
          WHERE m.id = o.id AND m.state IN ('PENDING', 'IN_PROGRESS') AND m.cancel_requested_at IS NULL
          RETURNING o.old_state`,
        [messageId, workerName],
      ),
    );
    if (rows.length === 0) {
      const m = await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId });
      if (m && !isTerminal(m.state) && m.cancelRequestedAt) {
        await this.end(messageId, "cancelled", null);
        return { started: false, reason: "cancelled" };
      }
      return { started: false, reason: "gone" };
    }
    const events = await this.events(messageId);
    const partial = events ? partialAnswer(events) : null;
    const hasPartial = partial !== null && (partial.text.length > 0 || partial.tokenCount > 0);
    const continueFrom = hasPartial && opts.canContinue ? partial : null;
    if (!continueFrom && (hasPartial || rows[0].old_state === ChatMessageState.IN_PROGRESS)) {
      await this.emit(messageId, { type: "restarted", reason: "The worker stopped answering" });
    }
    await this.emit(messageId, { type: "started", workerName });
    return { started: true, message: await this.ds.getRepository(ChatMessage).findOneByOrFail({ id: messageId }), continueFrom };
  }

  async tokens(messageId: string, text: string, tokenCount: number): Promise<void> {
    await this.emit(messageId, { type: "tokens", text, tokenCount });
  }

  /**
   * Ends the generation as COMPLETE (finishReason stop/length) or CANCELLED. The stored text is the streamed
   * text, so what subscribers assembled is what is kept; the worker's own text is used only when the stream was
   * lost. Returns false when the message had already ended.
   */
  async end(messageId: string, finishReason: string, workerText: { text: string; tokenCount: number } | null): Promise<boolean> {
    const cancelled = finishReason === "cancelled";
    const { text, tokenCount } = (await this.streamed(messageId)) ?? workerText ?? { text: "", tokenCount: 0 };
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE chat_message SET state = $2, text = $3, token_count = $4, finish_reason = $5, work_end_at = now()
          WHERE id = $1 AND state IN ('PENDING', 'IN_PROGRESS') RETURNING id`,
        [messageId, cancelled ? ChatMessageState.CANCELLED : ChatMessageState.COMPLETE, text, tokenCount, finishReason],
      ),
    );
    if (rows.length === 0) return false;
    await this.emit(messageId, cancelled ? { type: "cancelled" } : { type: "finished", finishReason }, true);
    return true;
  }

  /** Ends the generation as FAILED or TIMEOUT, keeping any partial text (the state says it is not an answer). */
  async failed(messageId: string, state: ChatMessageState.FAILED | ChatMessageState.TIMEOUT, code: string, reason: string): Promise<boolean> {
    const partial = (await this.streamed(messageId)) ?? { text: "", tokenCount: 0 };
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE chat_message SET state = $2, text = $3, token_count = $4, error = $5, work_end_at = now()
          WHERE id = $1 AND state IN ('PENDING', 'IN_PROGRESS') RETURNING id`,
        [messageId, state, partial.text, partial.tokenCount, reason],
      ),
    );
    if (rows.length === 0) return false;
    await this.emit(messageId, { type: "failed", code, reason }, true);
    return true;
  }

  /**
   * IN_PROGRESS → PENDING after the worker's attempt ended without an answer. The partial text stays in the
   * stream: the next worker either continues it or restarts (see start), so subscribers keep it until then.
   */
  async requeued(messageId: string, model: string, _reason: string): Promise<void> {
    await this.ds.query(
      `UPDATE chat_message SET state = 'PENDING', worker_name = NULL, work_begin_at = NULL WHERE id = $1 AND state = 'IN_PROGRESS'`,
      [messageId],
    );
    const position = (await this.queue.position(model, messageId)) ?? 0;
    await this.queued(messageId, model, position);
  }

  /** The events of the message's stream, or null when the stream is gone or unreadable. */
  private async events(messageId: string): Promise<StoredGenerationEvent[] | null> {
    try {
      const events = await this.streams.read(generationStreamKey(messageId));
      return events.length === 0 ? null : events.map((e) => e.event);
    } catch (err) {
      this.log.warn({ err, messageId }, "could not read a generation stream");
      return null;
    }
  }

  /** The text streamed so far, or null when the stream is gone. */
  private async streamed(messageId: string): Promise<{ text: string; tokenCount: number } | null> {
    try {
      const events = await this.streams.read(generationStreamKey(messageId));
      if (events.length === 0) return null;
      return streamedText(events.map((e) => e.event));
    } catch (err) {
      this.log.warn({ err, messageId }, "could not read a generation stream");
      return null;
    }
  }

  /**
   * The events of a generation after `after`, then its live tail; a message that already ended replays its
   * stream (or, when the stream expired, one terminal event made from the row) and completes.
   */
  subscribe(message: ChatMessage, after: number): AsyncIterableIterator<GenerationEventValue> {
    const key = generationStreamKey(message.id);
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
      return { done: false, value: toEventValue(messageId, { seq: after + 1, event: terminalEventOf(m), terminal: true }) };
    };

    const iterator: AsyncIterableIterator<GenerationEventValue> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next() {
        if (closed) return { done: true, value: undefined };
        if (fallbackDone) return { done: true, value: undefined };
        if (!source) {
          if (isTerminal(message.state) && (await streams.lastSeq(key)) === 0) return fallback();
          source = streams.subscribe(key, after);
        }
        try {
          const r = await source.next();
          if (r.done) return { done: true, value: undefined };
          return { done: false, value: toEventValue(messageId, r.value) };
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
    };
    return iterator;
  }

  async close(): Promise<void> {
    await this.streams.close();
    await this.queue.close();
  }
}
