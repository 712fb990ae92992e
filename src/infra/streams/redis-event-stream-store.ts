import crypto from "node:crypto";
import type { Redis } from "ioredis";
import {
  defaultFinishedTtlSeconds,
  defaultIdleTtlSeconds,
  type AppendOptions,
  type EventStreamStore,
  type EventStreamStoreTtlOptions,
  type StoredEvent,
  type SubscribeOptions,
} from "./event-stream-store.js";
import { StreamClosedError, StreamLostError, StreamMovedError } from "./errors.js";
import { StreamSubscription } from "./stream-subscription.js";
import { createRedisConnection, LuaScript, preloadScripts, RedisUnavailableError, redactRedisUrl, translateRedisError } from "./redis-connection.js";
import { newEncodedRedisCommand } from "../redis-modules.js";

export interface RedisEventStreamStoreOptions extends EventStreamStoreTtlOptions {
  redisUrl: string;
  /** Prepended to every key, so several deployments (or tests) can share one Redis. Default "chorus:". */
  keyPrefix?: string;
  /**
   * How often a reader checks that the streams it follows still exist, which is also the longest a blocking read
   * waits. A subscriber whose stream vanished without a trace learns it within about this time. Default 5000.
   */
  livenessCheckIntervalMs?: number;
  /** How long subscribers wait through a Redis outage before they get StreamLostError("unavailable"). Default 15000. */
  outageToleranceMs?: number;
  /** Streams that one reader connection follows with a single XREAD. Default 256. */
  streamsPerReader?: number;
  /**
   * How long a reader waits, after a read that brought events, before its next read, so that read brings what all its
   * streams appended meanwhile. Default 10 (READ_GATHER_MS).
   */
  readGatherMs?: number;
  /** Entries fetched per XRANGE while a subscriber replays. Default 500. */
  replayPageSize?: number;
  /** Names the connections in CLIENT LIST; readers get "-reader" appended. Default "chorus-streams". */
  connectionName?: string;
  reconnectMaxDelayMs?: number;
  /** Makes the id that tells one incarnation of a stream from the next one under the same key. Default: random. */
  newStreamEpoch?: () => string;
}

/**
 * One replay page: the stream's meta {epoch, seq, ended} and its entries after a cursor, read atomically (as the
 * MULTI/EXEC it replaces did). A script goes out with the connection's auto-pipelined commands, one command where the
 * transaction was four written on their own: every `generation` subscription starts with one.
 */
const readPageScript = new LuaScript(`
-- KEYS[1] meta hash, KEYS[2] events (a Redis stream); ARGV[1] the first id to read, ARGV[2] the page size
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'ended')
local entries = redis.call('XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2])
return {meta, entries}
`);

/**
 * Atomic appends, any number in one call: for each, the seq comes from a counter in the stream's meta hash and
 * becomes the entry id (`<seq>-0`), so concurrent appends from any number of replicas get 1, 2, 3... without gaps,
 * and XREAD/XRANGE can resume from a seq directly. Every entry carries the stream's epoch (`p`), chosen by the first
 * append, so a reader can tell a continuation from a new stream that reuses the key after the old one was lost.
 *
 * The appends of one turn of the event loop go in one call (append), in the order they were asked for: a token batch
 * of every running answer every 50 ms made an EVALSHA each, and each command costs its own encoding, promise and
 * reply handling here and its own script call in Redis. Each append's outcome is its own (its seq, or why not), so
 * one closed stream does not fail the others. The keys of one call may be in several streams, which a Redis Cluster
 * would refuse; Chorus connects to one Redis server (createRedisConnection).
 */
const appendScript = new LuaScript(`
-- For append i (from 0): KEYS[2i+1] events (a Redis stream), KEYS[2i+2] meta hash {seq, epoch, ended};
-- ARGV[5i+1] event JSON, ARGV[5i+2] "1" when terminal, ARGV[5i+3] epoch for a new stream, ARGV[5i+4] time to live
-- in ms, ARGV[5i+5] the seq the stream must be at for the append to happen, or "" for any.
-- Returns per append its seq, or "STREAM_CLOSED", or "STREAM_MOVED <seq>".
local out = {}
for i = 0, #KEYS / 2 - 1 do
  local events, meta = KEYS[2 * i + 1], KEYS[2 * i + 2]
  local json, terminal, new_epoch, ttl, if_seq = ARGV[5 * i + 1], ARGV[5 * i + 2], ARGV[5 * i + 3], ARGV[5 * i + 4], ARGV[5 * i + 5]
  local at = nil
  if if_seq ~= '' then at = tonumber(redis.call('HGET', meta, 'seq') or '0') end
  if redis.call('HGET', meta, 'ended') == '1' then
    out[i + 1] = 'STREAM_CLOSED'
  elseif at ~= nil and at ~= tonumber(if_seq) then
    out[i + 1] = 'STREAM_MOVED ' .. at
  else
    local seq = redis.call('HINCRBY', meta, 'seq', 1)
    local epoch
    if seq == 1 then
      -- Entries without their meta hash are the remains of a broken stream; the new one starts clean.
      redis.call('DEL', events)
      epoch = new_epoch
      redis.call('HSET', meta, 'epoch', epoch)
    else
      epoch = redis.call('HGET', meta, 'epoch')
    end
    redis.call('XADD', events, seq .. '-0', 'e', json, 't', terminal, 'p', epoch)
    if terminal == '1' then
      redis.call('HSET', meta, 'ended', '1')
    end
    redis.call('PEXPIRE', events, ttl)
    redis.call('PEXPIRE', meta, ttl)
    out[i + 1] = seq
  end
end
return out
`);

/** One append waiting for its turn's call. */
interface PendingAppend {
  streamKey: string;
  keys: [string, string];
  args: (string | number)[];
  /** AppendOptions.readAtOnce */
  readAtOnce: boolean;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Epochs unique across processes (a random prefix drawn once) and within one (a counter). Every append passes one, in
 * case it creates the stream: drawn from the system's random source for each append, they were a system call per
 * token batch (`randomFillSync` in the stream benchmark's profile).
 */
function uniqueEpochs(): () => string {
  const prefix = crypto.randomBytes(9).toString("base64url");
  let next = 0;
  return () => `${prefix}.${(next++).toString(36)}`;
}

/**
 * Each XREAD names every stream its reader follows (up to 256 keys and as many ids), which Chorus encodes and Redis
 * parses in full, however few entries it brings back. Read again at once, a reader following many live answers
 * (each appending every 50 ms or so) brings one or two entries per read: in the stream benchmark the reads' writes
 * to Redis were about a tenth of the server's busy time while streaming. After a read that brought events, a reader
 * waits this long, so its next read brings everything its streams appended meanwhile; an event waits at most this
 * much more for its read, against the 50 ms a worker's batch waits for its tokens.
 */
const READ_GATHER_MS = 10;

type StreamEntry = [id: string, fields: string[]];
type XReadReply = [key: string, entries: StreamEntry[]][];

interface DecodedEntry {
  seq: number;
  json: string;
  terminal: boolean;
  epoch: string;
}

/** One stream followed live by this process, shared by all its subscribers here. */
interface Tail {
  readonly streamKey: string;
  readonly eventsKey: string;
  /** eventsKey as a RESP bulk string, for the reader's XREAD (xreadRequest). */
  readonly encodedEventsKey: string;
  readonly metaKey: string;
  /** The reader asks for entries after this seq. */
  cursor: number;
  /** The incarnation being followed; unknown while waiting for a stream that does not exist yet. */
  epoch?: string;
  readonly subscriptions: Set<StreamSubscription<unknown>>;
  readonly reader: Reader;
  active: boolean;
}

/**
 * One connection that follows many streams with one blocking XREAD. Besides the streams it reads its own wake-up
 * stream: when a stream is added (or the last one removed), an entry there ends the blocking read at once, so the
 * next XREAD covers the new set.
 */
interface Reader {
  readonly connection: Redis;
  readonly wakeKey: string;
  /** wakeKey as a RESP bulk string (xreadRequest). */
  readonly encodedWakeKey: string;
  readonly tails: Set<Tail>;
  lastWakeId: string;
  running: boolean;
  /**
   * An XREAD is out (issued with the snapshot of the tails it names, its reply not yet in): only then does a change
   * of the tails need a wake-up. Otherwise the reader is between reads (dispatching, gathering, checking liveness)
   * and takes its next snapshot before it reads again.
   */
  reading: boolean;
  /** A wake-up was sent since the last XREAD was issued; that one wake-up covers every change until then. */
  wakePending: boolean;
  livenessCheckDueAt: number;
  outageSince?: number;
  /** Set while the reader waits out READ_GATHER_MS after a read: ends that wait (an append with readAtOnce). */
  endGather?: () => void;
}

/**
 * The Redis driver. Each stream is a Redis stream plus a small meta hash. Subscribers replay through the command
 * connection, then join a shared tail; tails are spread over a few reader connections, so 1,000 subscribers in
 * one process cost a handful of connections (streams/256), not 1,000 parked blocking reads.
 *
 * Redis restarts: commands fail with RedisUnavailableError while Redis is away and work again once it is back.
 * Readers ride out an outage; afterwards they check every followed stream's epoch, and subscribers of a stream
 * that vanished or was replaced get StreamLostError. An outage longer than `outageToleranceMs` ends subscriptions
 * with StreamLostError("unavailable") rather than leaving them waiting silently.
 */
export class RedisEventStreamStore<E extends object = Record<string, unknown>> implements EventStreamStore<E> {
  private readonly command: Redis;
  private readonly readers: Reader[] = [];
  private readonly tails = new Map<string, Tail>();
  private readonly redisUrlForMessages: string;
  private readonly keyPrefix: string;
  private readonly idleTtlMs: number;
  private readonly finishedTtlMs: number;
  private readonly livenessCheckIntervalMs: number;
  private readonly outageToleranceMs: number;
  private readonly streamsPerReader: number;
  private readonly replayPageSize: number;
  private readonly readGatherMs: number;
  private readonly connectionName: string;
  private readonly newStreamEpoch: () => string;
  /** Appends asked for in this turn of the event loop, sent together (appendScript). */
  private pendingAppends: PendingAppend[] = [];
  /** Subscriptions still replaying through the command connection, not yet on a tail. */
  private readonly replaying = new Set<StreamSubscription<unknown>>();
  private closed = false;

  constructor(private readonly options: RedisEventStreamStoreOptions) {
    this.redisUrlForMessages = redactRedisUrl(options.redisUrl);
    this.keyPrefix = options.keyPrefix ?? "chorus:";
    this.idleTtlMs = secondsToMs(options.idleTtlSeconds ?? defaultIdleTtlSeconds);
    this.finishedTtlMs = secondsToMs(options.finishedTtlSeconds ?? defaultFinishedTtlSeconds);
    this.livenessCheckIntervalMs = Math.max(10, Math.round(options.livenessCheckIntervalMs ?? 5_000));
    this.outageToleranceMs = options.outageToleranceMs ?? 15_000;
    this.streamsPerReader = Math.max(1, options.streamsPerReader ?? 256);
    this.replayPageSize = Math.max(1, options.replayPageSize ?? 500);
    this.readGatherMs = Math.max(0, options.readGatherMs ?? READ_GATHER_MS);
    this.connectionName = options.connectionName ?? "chorus-streams";
    this.newStreamEpoch = options.newStreamEpoch ?? uniqueEpochs();
    this.command = createRedisConnection(options.redisUrl, {
      connectionName: this.connectionName,
      autoPipelining: true,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs,
    });
    preloadScripts(this.command, [readPageScript, appendScript]);
    // The first reader's connection opens now, not under a fresh replica's first burst of subscriptions, whose first
    // events would wait for its connect and ready check (issue 13). It reads nothing until a stream is followed.
    this.pickReader();
  }

  async append(streamKey: string, event: E, options: AppendOptions = {}): Promise<number> {
    this.assertOpen();
    const terminal = options.terminal === true;
    const ttlMs = options.ttlSeconds !== undefined ? secondsToMs(options.ttlSeconds) : terminal ? this.finishedTtlMs : this.idleTtlMs;
    return new Promise((resolve, reject) => {
      if (this.pendingAppends.length === 0) setImmediate(() => void this.flushAppends());
      this.pendingAppends.push({
        streamKey,
        keys: [this.eventsKey(streamKey), this.metaKey(streamKey)],
        args: [JSON.stringify(event), terminal ? "1" : "0", this.newStreamEpoch(), ttlMs, options.ifLastSeq ?? ""],
        readAtOnce: options.readAtOnce === true,
        resolve,
        reject,
      });
    });
  }

  /** Sends this turn's appends in one call and settles each with its own outcome. */
  private async flushAppends(): Promise<void> {
    const batch = this.pendingAppends;
    this.pendingAppends = [];
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const a of batch) {
      keys.push(a.keys[0], a.keys[1]);
      for (const arg of a.args) args.push(arg);
    }
    let outcomes: (number | string)[];
    try {
      // One call per turn already: ioredis' auto-pipelining would only wrap it in a pipeline of its own.
      outcomes = (await appendScript.runDirect(this.command, keys, args)) as (number | string)[];
    } catch (error) {
      for (const a of batch) {
        try {
          translateRedisError(this.redisUrlForMessages, error);
        } catch (translated) {
          a.reject(translated);
        }
      }
      return;
    }
    batch.forEach((a, i) => {
      const outcome = outcomes[i];
      if (typeof outcome === "number") {
        // The reader of this process that follows the stream reads now rather than after its gathering wait.
        if (a.readAtOnce) this.tails.get(a.streamKey)?.reader.endGather?.();
        return a.resolve(outcome);
      }
      if (outcome === "STREAM_CLOSED") return a.reject(new StreamClosedError(a.streamKey));
      const moved = /^STREAM_MOVED (\d+)$/.exec(String(outcome));
      if (moved) return a.reject(new StreamMovedError(a.streamKey, Number(moved[1])));
      a.reject(new Error(`Unexpected append outcome: ${String(outcome)}`));
    });
  }

  async read(streamKey: string, afterSeq = 0, limit?: number): Promise<StoredEvent<E>[]> {
    this.assertOpen();
    try {
      const start = `${afterSeq + 1}-0`;
      const entries =
        limit === undefined
          ? await this.command.xrange(this.eventsKey(streamKey), start, "+")
          : await this.command.xrange(this.eventsKey(streamKey), start, "+", "COUNT", limit);
      return entries.map((entry) => this.toStoredEvent(decodeEntry(entry)));
    } catch (error) {
      return translateRedisError(this.redisUrlForMessages, error);
    }
  }

  subscribe(streamKey: string, afterSeq = 0, options: SubscribeOptions = {}): AsyncIterableIterator<StoredEvent<E>> {
    this.assertOpen();
    const subscription = new StreamSubscription<E>(streamKey, afterSeq, options.signal);
    if (subscription.isOpen) void this.replayThenFollow(subscription);
    return subscription;
  }

  async lastSeq(streamKey: string): Promise<number> {
    this.assertOpen();
    try {
      return Number((await this.command.hget(this.metaKey(streamKey), "seq")) ?? 0);
    } catch (error) {
      return translateRedisError(this.redisUrlForMessages, error);
    }
  }

  async expire(streamKey: string, seconds: number): Promise<void> {
    this.assertOpen();
    const ms = secondsToMs(seconds);
    try {
      await this.command.multi().pexpire(this.eventsKey(streamKey), ms).pexpire(this.metaKey(streamKey), ms).exec();
    } catch (error) {
      translateRedisError(this.redisUrlForMessages, error);
    }
  }

  async delete(streamKey: string): Promise<void> {
    this.assertOpen();
    try {
      await this.command.del(this.eventsKey(streamKey), this.metaKey(streamKey));
    } catch (error) {
      translateRedisError(this.redisUrlForMessages, error);
    }
    // Subscribers in this process learn it at once; those of other replicas at their next liveness check.
    const tail = this.tails.get(streamKey);
    if (tail && tail.epoch !== undefined) this.failTail(tail, new StreamLostError(streamKey, "vanished"));
  }

  activeSubscriptions(): number {
    let count = 0;
    for (const tail of this.tails.values()) count += tail.subscriptions.size;
    for (const subscription of this.replaying) if (subscription.isOpen) count += 1;
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const tail of [...this.tails.values()]) {
      this.removeTail(tail);
      for (const subscription of [...tail.subscriptions]) void subscription.return();
    }
    for (const subscription of [...this.replaying]) void subscription.return();
    if (this.readers.length > 0) {
      await this.command.del(...this.readers.map((r) => r.wakeKey)).catch(() => undefined);
    }
    for (const reader of this.readers) reader.connection.disconnect();
    this.command.disconnect();
  }

  // --- subscriptions --------------------------------------------------------------------------------------------

  /**
   * Replays from the subscriber's cursor page by page, then joins the stream's tail. Joining happens in the same
   * synchronous step as the check that the tail has not read past the cursor, so no event falls between replay
   * and live reads, and the seq check in `accept` drops the ones both deliver.
   */
  private async replayThenFollow(subscription: StreamSubscription<E>): Promise<void> {
    const streamKey = subscription.streamKey;
    let epoch: string | undefined;
    let emptyPagesBehindTail = 0;
    const untyped = subscription as StreamSubscription<unknown>;
    this.replaying.add(untyped);
    try {
      while (subscription.isOpen && !this.closed) {
        const page = await this.readPage(streamKey, subscription.cursor);
        if (!subscription.isOpen || this.closed) return;
        if (page.epoch === undefined) {
          if (subscription.cursor > 0 || epoch !== undefined) {
            subscription.fail(new StreamLostError(streamKey, "vanished"));
            return;
          }
        } else if ((epoch !== undefined && page.epoch !== epoch) || page.lastSeq < subscription.cursor) {
          subscription.fail(new StreamLostError(streamKey, "replaced"));
          return;
        } else {
          epoch = page.epoch;
        }
        for (const entry of page.entries) {
          if (entry.epoch !== epoch) {
            subscription.fail(new StreamLostError(streamKey, "replaced"));
            return;
          }
          subscription.accept(this.toStoredEvent(entry));
          if (!subscription.isOpen) return;
        }
        if (page.entries.length === this.replayPageSize) continue;
        if (page.ended && subscription.cursor === page.lastSeq) {
          // The subscriber resumed after the terminal event: nothing is left to send, and a tail would wait on a
          // stream that never grows until it expired.
          void subscription.return();
          return;
        }
        if (this.follow(subscription, epoch)) return;
        // The tail has read past this page. Usually the page merely answered before a later XREAD (replies on
        // two connections arrive in any order) and the next page has the events. When it comes back empty
        // again, the tail follows a stream that vanished; its liveness check will fail it, so pause rather than
        // spin until then.
        emptyPagesBehindTail = page.entries.length === 0 ? emptyPagesBehindTail + 1 : 0;
        if (emptyPagesBehindTail > 1) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } catch (error) {
      try {
        translateRedisError(this.redisUrlForMessages, error);
      } catch (translated) {
        subscription.fail(translated as Error);
      }
    } finally {
      this.replaying.delete(untyped);
    }
  }

  private async readPage(streamKey: string, afterSeq: number): Promise<{ epoch?: string; lastSeq: number; ended: boolean; entries: DecodedEntry[] }> {
    const [meta, page] = (await readPageScript.run(
      this.command,
      [this.metaKey(streamKey), this.eventsKey(streamKey)],
      [`${afterSeq + 1}-0`, this.replayPageSize],
    )) as [[string | null, string | null, string | null], StreamEntry[]];
    const [epoch, lastSeq, ended] = meta;
    const entries = page.map(decodeEntry);
    return { epoch: epoch ?? undefined, lastSeq: Number(lastSeq ?? 0), ended: ended === "1", entries };
  }

  /** Attaches a caught-up subscription to its stream's tail; false when the tail has read past its cursor. */
  private follow(subscription: StreamSubscription<E>, epoch: string | undefined): boolean {
    const streamKey = subscription.streamKey;
    let tail = this.tails.get(streamKey);
    if (tail && tail.epoch !== undefined && epoch !== undefined && tail.epoch !== epoch) {
      // The replay just read the stream as it is now, so the tail follows a stream that was replaced.
      this.failTail(tail, new StreamLostError(streamKey, "replaced"));
      tail = undefined;
    }
    if (!tail) {
      tail = this.addTail(streamKey, subscription.cursor, epoch);
    } else if (tail.cursor > subscription.cursor) {
      return false;
    }
    const joinedTail = tail;
    const untyped = subscription as StreamSubscription<unknown>;
    joinedTail.subscriptions.add(untyped);
    subscription.onDetach(() => {
      joinedTail.subscriptions.delete(untyped);
      if (joinedTail.subscriptions.size === 0) this.removeTail(joinedTail);
    });
    return true;
  }

  private addTail(streamKey: string, cursor: number, epoch: string | undefined): Tail {
    const reader = this.pickReader();
    const tail: Tail = {
      streamKey,
      eventsKey: this.eventsKey(streamKey),
      encodedEventsKey: bulkString(this.eventsKey(streamKey)),
      metaKey: this.metaKey(streamKey),
      cursor,
      epoch,
      subscriptions: new Set(),
      reader,
      active: true,
    };
    this.tails.set(streamKey, tail);
    reader.tails.add(tail);
    if (reader.running) this.wake(reader);
    else void this.runReader(reader);
    return tail;
  }

  private removeTail(tail: Tail): void {
    if (!tail.active) return;
    tail.active = false;
    if (this.tails.get(tail.streamKey) === tail) this.tails.delete(tail.streamKey);
    tail.reader.tails.delete(tail);
    // Ends the parked XREAD now instead of at its timeout, so an idle reader holds no blocking read.
    if (tail.reader.tails.size === 0 && tail.reader.running) this.wake(tail.reader);
  }

  private failTail(tail: Tail, error: StreamLostError | RedisUnavailableError): void {
    this.removeTail(tail);
    for (const subscription of [...tail.subscriptions]) subscription.fail(error);
  }

  // --- readers --------------------------------------------------------------------------------------------------

  private pickReader(): Reader {
    let best: Reader | undefined;
    for (const reader of this.readers) {
      if (reader.tails.size < this.streamsPerReader && (!best || reader.tails.size < best.tails.size)) best = reader;
    }
    if (best) return best;
    const wakeKey = `${this.keyPrefix}stream-reader-wake:${crypto.randomUUID()}`;
    const reader: Reader = {
      connection: createRedisConnection(this.options.redisUrl, {
        connectionName: `${this.connectionName}-reader`,
        reconnectMaxDelayMs: this.options.reconnectMaxDelayMs,
      }),
      wakeKey,
      encodedWakeKey: bulkString(wakeKey),
      tails: new Set(),
      lastWakeId: "0-0",
      running: false,
      reading: false,
      wakePending: false,
      livenessCheckDueAt: Date.now() + this.livenessCheckIntervalMs,
    };
    this.readers.push(reader);
    return reader;
  }

  /**
   * Ends the reader's parked XREAD, so that its next one covers the changed set of tails. Between reads nothing needs
   * ending: a wake-up then cost a MULTI/EXEC and made the next XREAD (naming every followed stream) return at once
   * with nothing but the wake-up, to be issued again; while answers stream, a reader spends most of its time
   * between reads (gathering, READ_GATHER_MS), so most new subscribers' streams needed none.
   */
  private wake(reader: Reader): void {
    if (!reader.reading || reader.wakePending) return;
    reader.wakePending = true;
    this.command
      .multi()
      .xadd(reader.wakeKey, "MAXLEN", "1", "*", "w", "1")
      // The wake-up stream of a process that died must not stay behind.
      .pexpire(reader.wakeKey, 60_000)
      .exec()
      // During an outage the reader's own read fails too and it rebuilds its key set when it retries.
      .catch(() => undefined);
  }

  private async runReader(reader: Reader): Promise<void> {
    reader.running = true;
    try {
      while (!this.closed && reader.tails.size > 0) {
        try {
          if (Date.now() >= reader.livenessCheckDueAt) await this.checkLiveness(reader);
          const snapshot = [...reader.tails];
          reader.wakePending = false;
          reader.reading = true;
          const request = xreadRequest(this.livenessCheckIntervalMs, reader, snapshot);
          const reply = (await (reader.connection.sendCommand(newEncodedRedisCommand("xread", request)) as Promise<XReadReply | null>).finally(
            () => (reader.reading = false),
          )) as XReadReply | null;
          reader.outageSince = undefined;
          if (reply) {
            this.dispatch(reader, snapshot, reply);
            if (this.readGatherMs > 0 && reply.some(([key]) => key !== reader.wakeKey)) await this.gather(reader);
          }
        } catch (error) {
          if (this.closed) return;
          await this.recoverReader(reader, error);
        }
      }
    } finally {
      reader.running = false;
    }
  }

  /** Waits READ_GATHER_MS before the reader's next read, unless an append with readAtOnce ends the wait sooner. */
  private gather(reader: Reader): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => reader.endGather?.(), this.readGatherMs);
      reader.endGather = () => {
        clearTimeout(timer);
        reader.endGather = undefined;
        resolve();
      };
    });
  }

  private dispatch(reader: Reader, snapshot: Tail[], reply: XReadReply): void {
    // XREAD answers the streams that have entries in the order they were named (the wake-up stream first), so
    // each key is found by walking the snapshot on, without a map of every followed key per read.
    let next = 0;
    for (const [key, entries] of reply) {
      if (key === reader.wakeKey) {
        if (entries.length > 0) reader.lastWakeId = entries[entries.length - 1][0];
        continue;
      }
      const at = indexOfTail(snapshot, key, next);
      if (at < 0) continue;
      const tail = snapshot[at];
      next = at + 1;
      for (const raw of entries) {
        // A tail removed meanwhile (all its subscribers left, or it failed) takes nothing more.
        if (!tail.active) break;
        const entry = decodeEntry(raw);
        if (entry.seq <= tail.cursor) continue;
        if (entry.seq !== tail.cursor + 1 || (tail.epoch !== undefined && entry.epoch !== tail.epoch)) {
          this.failTail(tail, new StreamLostError(tail.streamKey, "replaced"));
          break;
        }
        tail.epoch = entry.epoch;
        tail.cursor = entry.seq;
        // Decoded once for all the stream's subscribers here: they share the event (and what is made from it).
        const stored = this.toStoredEvent(entry);
        for (const subscription of [...tail.subscriptions]) subscription.accept(stored);
        if (entry.terminal) this.removeTail(tail);
      }
    }
  }

  /**
   * Finds streams that vanished or were replaced while nothing was appended to them (expired, deleted, or lost
   * with a Redis restart): XREAD alone would wait on them for ever.
   */
  private async checkLiveness(reader: Reader): Promise<void> {
    const checked = [...reader.tails].filter((tail) => tail.epoch !== undefined).map((tail) => ({ tail, epoch: tail.epoch }));
    if (checked.length > 0) {
      const pipeline = reader.connection.pipeline();
      for (const { tail } of checked) pipeline.hget(tail.metaKey, "epoch");
      const results = (await pipeline.exec()) ?? [];
      for (const [index, [error, currentEpoch]] of results.entries()) {
        if (error) throw error;
        const { tail, epoch } = checked[index];
        if (!tail.active || tail.epoch !== epoch || currentEpoch === epoch) continue;
        this.failTail(tail, new StreamLostError(tail.streamKey, currentEpoch === null ? "vanished" : "replaced"));
      }
    }
    reader.outageSince = undefined;
    reader.livenessCheckDueAt = Date.now() + this.livenessCheckIntervalMs;
  }

  private async recoverReader(reader: Reader, error: unknown): Promise<void> {
    const now = Date.now();
    reader.outageSince ??= now;
    // After any failure Redis may have restarted: re-read the wake-up stream from its start and check every
    // stream before the next XREAD.
    reader.lastWakeId = "0-0";
    reader.livenessCheckDueAt = 0;
    if (now - reader.outageSince >= this.outageToleranceMs) {
      let cause: unknown = error;
      try {
        translateRedisError(this.redisUrlForMessages, error);
      } catch (translated) {
        cause = translated;
      }
      for (const tail of [...reader.tails]) {
        this.failTail(tail, new StreamLostError(tail.streamKey, "unavailable", { cause }));
      }
      reader.outageSince = undefined;
      return;
    }
    // The connection fails pending commands at each failed reconnection attempt; this pause only keeps a
    // failure that comes back at once (a command error) from spinning.
    await new Promise((resolve) => setTimeout(resolve, 100).unref());
  }

  // --- keys and decoding ----------------------------------------------------------------------------------------

  /** The braces make both keys of a stream hash to one cluster slot, which the append script needs. */
  private eventsKey(streamKey: string): string {
    return `${this.keyPrefix}stream:{${streamKey}}`;
  }

  private metaKey(streamKey: string): string {
    return `${this.keyPrefix}stream:{${streamKey}}:meta`;
  }

  private toStoredEvent(entry: DecodedEntry): StoredEvent<E> {
    return { seq: entry.seq, event: JSON.parse(entry.json) as E, terminal: entry.terminal };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The event stream store is closed");
  }
}

/** `value` as a RESP bulk string: its length in bytes, then itself. */
function bulkString(value: string): string {
  return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

/**
 * The RESP request of a reader's XREAD: `XREAD COUNT 1000 BLOCK <ms> STREAMS <wake key> <keys...> <last wake id>
 * <cursors...>`. It names every followed stream (up to 256 keys and as many ids) and is sent every READ_GATHER_MS
 * or so while answers stream; through ioredis' `call`, each read copied that argument list twice and measured and
 * framed every key again (about 2-3 % of the server's CPU while streaming, bench/RESULTS.md, branch cpu5). Here each
 * key's framing is made once, when its tail is, and only the cursors are framed per read.
 */
function xreadRequest(blockMs: number, reader: Reader, snapshot: Tail[]): string {
  const block = String(blockMs);
  let keys = reader.encodedWakeKey;
  let ids = bulkString(reader.lastWakeId);
  for (const tail of snapshot) {
    keys += tail.encodedEventsKey;
    // A cursor is ASCII digits: its length in bytes is its length.
    const id = `${tail.cursor}-0`;
    ids += `$${id.length}\r\n${id}\r\n`;
  }
  return `*${6 + 2 * (snapshot.length + 1)}\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$4\r\n1000\r\n$5\r\nBLOCK\r\n$${block.length}\r\n${block}\r\n$7\r\nSTREAMS\r\n${keys}${ids}`;
}

function decodeEntry([id, fields]: StreamEntry): DecodedEntry {
  // Compared, not used as property keys: a reply's strings are new each time, and keying an object by them hashes
  // and internalises each one (every event of every followed stream passes here).
  let json = "null";
  let terminal = false;
  let epoch = "";
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if (name === "e") json = fields[i + 1];
    else if (name === "t") terminal = fields[i + 1] === "1";
    else if (name === "p") epoch = fields[i + 1];
  }
  return { seq: Number(id.slice(0, id.indexOf("-"))), json, terminal, epoch };
}

/** Where the tail with `eventsKey` is in `snapshot` (looked for from `from` on, then from the start), or -1. */
function indexOfTail(snapshot: Tail[], eventsKey: string, from: number): number {
  for (let i = from; i < snapshot.length; i++) if (snapshot[i].eventsKey === eventsKey) return i;
  for (let i = 0; i < from && i < snapshot.length; i++) if (snapshot[i].eventsKey === eventsKey) return i;
  return -1;
}

function secondsToMs(seconds: number): number {
  return Math.max(1, Math.ceil(seconds * 1000));
}
