/**
 * Where every replica lists the worker sessions it holds, so admins see all workers whichever replica they ask,
 * and where drain requests wait for the replica that holds the session. With Redis: one key per session with a
 * time to live (a replica that dies takes its entries with it after the TTL) and an index sorted by expiry.
 * Without Redis there is exactly one replica (the queue itself is in-process), so a map is the whole truth.
 */
import type { Redis } from "ioredis";

export interface WorkerRecord {
  id: string;
  name: string;
  models: string[];
  capacity: number;
  device: string;
  hardwareDescription: string | null;
  protocolVersion: number;
  canContinue: boolean;
  inFlightJobs: number;
  draining: boolean;
  /** Over all its models. */
  tokensPerSecond: number;
  tokensPerSecondByModel: Record<string, number>;
  /** Epoch milliseconds. */
  connectedAt: number;
  lastSeenAt: number;
}

export interface WorkerRegistry {
  /** Writes (or refreshes) a session's entry; it disappears after ttlMs unless refreshed. */
  put(record: WorkerRecord, ttlMs: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Every live entry, oldest connection first. */
  list(): Promise<WorkerRecord[]>;
  /** Marks a session to drain; the replica that holds it finds the mark on its next refresh. */
  requestDrain(id: string): Promise<void>;
  drainRequested(id: string): Promise<boolean>;
}

export class LocalWorkerRegistry implements WorkerRegistry {
  private readonly records = new Map<string, { record: WorkerRecord; expiresAt: number }>();
  private readonly drains = new Set<string>();

  async put(record: WorkerRecord, ttlMs: number): Promise<void> {
    this.records.set(record.id, { record: { ...record }, expiresAt: Date.now() + ttlMs });
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    this.drains.delete(id);
  }

  async list(): Promise<WorkerRecord[]> {
    const now = Date.now();
    const live: WorkerRecord[] = [];
    for (const [id, r] of this.records) {
      if (r.expiresAt < now) this.records.delete(id);
      else live.push(r.record);
    }
    return live.sort((a, b) => a.connectedAt - b.connectedAt || a.id.localeCompare(b.id));
  }

  async requestDrain(id: string): Promise<void> {
    this.drains.add(id);
  }

  async drainRequested(id: string): Promise<boolean> {
    return this.drains.has(id);
  }
}

/** A drain mark outlives any session that could still hold its id. */
const DRAIN_MARK_SECONDS = 24 * 3600;

export class RedisWorkerRegistry implements WorkerRegistry {
  private readonly index: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.index = `${prefix}workers`;
  }

  private key(id: string): string {
    return `${this.prefix}worker:${id}`;
  }

  async put(record: WorkerRecord, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(record.id), JSON.stringify(record), "PX", ttlMs)
      .zadd(this.index, Date.now() + ttlMs, record.id)
      .exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.key(id), `${this.key(id)}:drain`)
      .zrem(this.index, id)
      .exec();
  }

  async list(): Promise<WorkerRecord[]> {
    await this.redis.zremrangebyscore(this.index, "-inf", Date.now());
    const ids = await this.redis.zrange(this.index, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as WorkerRecord)
      .sort((a, b) => a.connectedAt - b.connectedAt || a.id.localeCompare(b.id));
  }

  async requestDrain(id: string): Promise<void> {
    await this.redis.set(`${this.key(id)}:drain`, "1", "EX", DRAIN_MARK_SECONDS);
  }

  async drainRequested(id: string): Promise<boolean> {
    return (await this.redis.exists(`${this.key(id)}:drain`)) === 1;
  }
}

/**
 * Tokens per second over a sliding window of whole-second buckets; the clock is injected so the rule is tested
 * without waiting.
 */
export class RateWindow {
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
    private readonly since = now(),
  ) {}

  add(count: number): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    this.prune(second);
  }

  /** Count per second over the window, or over the time since creation when that is shorter (at least 1 s). */
  perSecond(): number {
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    this.prune(second);
    let total = 0;
    for (const n of this.buckets.values()) total += n;
    const span = Math.max(1, Math.min(this.windowSeconds, (nowMs - this.since) / 1000));
    return total / span;
  }

  private prune(second: number): void {
    for (const s of this.buckets.keys()) if (s <= second - this.windowSeconds) this.buckets.delete(s);
  }
}
