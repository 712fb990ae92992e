import crypto from "node:crypto";
import type { Redis } from "ioredis";
import {
  defaultLeaseMs,
  defaultMaxAttempts,
  type ActiveJob,
  type CancelOutcome,
  type DeadLetter,
  type EnqueueOptions,
  type EnqueueResult,
  type FailOutcome,
  type GenerationJobInput,
  type GenerationQueue,
  type GenerationQueueOptions,
  type JobPayload,
  type TakenJob,
} from "./generation-queue.js";
import { JobLeaseLostError, QueueFullError } from "./errors.js";
import { createRedisConnection, LuaScript, preloadScripts, redactRedisUrl, translateRedisError } from "../streams/redis-connection.js";

export interface RedisGenerationQueueOptions extends GenerationQueueOptions {
  redisUrl: string;
  /** Prepended to every key, so several deployments (or tests) can share one Redis. Default "chorus:". */
  keyPrefix?: string;
  /** Names the connection in CLIENT LIST. Default "chorus-queue". */
  connectionName?: string;
  reconnectMaxDelayMs?: number;
}

/**
 * Why not BullMQ: its queues are FIFO or priority ordered, and fair turns between users ("groups") exist only in
 * BullMQ Pro. Per-user lines would need a BullMQ queue per user and a scheduler across them, which brings back
 * every race this design removes. So the queue is a few Redis structures changed only by the Lua scripts below,
 * each one atomic, which keeps any number of replicas consistent.
 *
 * Keys, all under `<prefix>queue:{generation}` (one hash tag, so every key of a script is in one cluster slot):
 *   :job:<messageId>           hash: model, messageId, userId, payload, attempts, maxAttempts, enqueuedAt, and
 *                              while leased jobId, workerId, leaseExpiresAt, leaseMs
 *   :ring:<model>              list: users with waiting jobs, in serving order
 *   :line:<len>:<model>:<user> list: the user's waiting message ids, oldest first
 *   :size:<model>              counter: waiting jobs of the model
 *   :leases                    sorted set: jobId by lease expiry (ms); :lease-jobs hash: jobId → messageId
 *   :dead                      list: dead letters as JSON, the newest 10,000
 * Lease times use the Redis server's clock (TIME), so replicas with skewed clocks agree on expiry.
 */
const prelude = `
local base = KEYS[1]
-- Redis 6 needs this before a script that reads TIME may write; from Redis 7 on it is the default and a no-op.
if redis.replicate_commands then redis.replicate_commands() end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function job_key(message_id) return base .. ':job:' .. message_id end
local function ring_key(model) return base .. ':ring:' .. model end
local function size_key(model) return base .. ':size:' .. model end
-- The model's length goes first, so no (model, user) pair can spell another pair's key.
local function line_key(model, user) return base .. ':line:' .. #model .. ':' .. model .. ':' .. user end
local leases_key = base .. ':leases'
local lease_jobs_key = base .. ':lease-jobs'
local dead_key = base .. ':dead'

-- A job coming back from a worker (at_front) already waited its turn: it goes first in its user's line, and a
-- user with nothing else waiting rejoins the ring at its head.
local function put_in_line(model, user, message_id, at_front)
  local line = line_key(model, user)
  if redis.call('LLEN', line) == 0 then
    if at_front then redis.call('LPUSH', ring_key(model), user) else redis.call('RPUSH', ring_key(model), user) end
  end
  if at_front then redis.call('LPUSH', line, message_id) else redis.call('RPUSH', line, message_id) end
  redis.call('INCR', size_key(model))
end

local function end_lease(job_id)
  redis.call('ZREM', leases_key, job_id)
  redis.call('HDEL', lease_jobs_key, job_id)
end

-- Jobs whose worker stopped renewing go back to the queue, or to the dead letters when out of attempts.
local function reclaim_lapsed(now)
  for _, job_id in ipairs(redis.call('ZRANGEBYSCORE', leases_key, '-inf', now)) do
    local message_id = redis.call('HGET', lease_jobs_key, job_id)
    end_lease(job_id)
    if message_id then
      local key = job_key(message_id)
      local job = redis.call('HMGET', key, 'model', 'userId', 'attempts', 'maxAttempts', 'jobId')
      if job[5] == job_id then
        redis.call('HDEL', key, 'jobId', 'workerId', 'leaseExpiresAt', 'leaseMs')
        if tonumber(job[3]) < tonumber(job[4]) then
          put_in_line(job[1], job[2], message_id, true)
        else
          redis.call('DEL', key)
          redis.call('RPUSH', dead_key, cjson.encode({ model = job[1], messageId = message_id, userId = job[2],
            attempts = tonumber(job[3]), reason = 'lease_expired', diedAt = now }))
          -- A caller that never drains them must not grow Redis without bound.
          redis.call('LTRIM', dead_key, -10000, -1)
        end
      end
    end
  end
end

-- Same rule as roundRobinPosition in round-robin.ts.
local function position_of(model, user, message_id)
  local index = redis.call('LPOS', line_key(model, user), message_id)
  if not index then return 0 end
  local ahead = 0
  local before_user = true
  for _, other in ipairs(redis.call('LRANGE', ring_key(model), 0, -1)) do
    if other == user then
      before_user = false
      ahead = ahead + index
    else
      local limit = index
      if before_user then limit = index + 1 end
      ahead = ahead + math.min(redis.call('LLEN', line_key(model, other)), limit)
    end
  end
  return ahead + 1
end

-- The job key of a live hand-out, or nil when that hand-out lost its job.
local function leased_job_key(job_id)
  local message_id = redis.call('HGET', lease_jobs_key, job_id)
  if not message_id then return nil end
  local key = job_key(message_id)
  if redis.call('HGET', key, 'jobId') ~= job_id then return nil end
  return key
end

local now = now_ms()
reclaim_lapsed(now)
`;

function script(body: string): LuaScript {
  return new LuaScript(prelude + body);
}

const scripts = {
  /** ARGV: model, messageId, userId, payload JSON, max size (-1: none), maxAttempts. Returns {created, position, size}. */
  enqueue: script(`
local model, message_id, user = ARGV[1], ARGV[2], ARGV[3]
local key = job_key(message_id)
local function size_of(m) return tonumber(redis.call('GET', size_key(m)) or '0') end
local existing = redis.call('HMGET', key, 'model', 'userId', 'jobId')
if existing[1] then
  if existing[3] then return {0, 0, size_of(existing[1])} end
  return {0, position_of(existing[1], existing[2], message_id), size_of(existing[1])}
end
local max_size = tonumber(ARGV[5])
if max_size >= 0 and size_of(model) >= max_size then return {-1, 0, 0} end
redis.call('HSET', key, 'model', model, 'messageId', message_id, 'userId', user, 'payload', ARGV[4],
  'attempts', 0, 'maxAttempts', ARGV[6], 'enqueuedAt', now)
put_in_line(model, user, message_id, false)
return {1, position_of(model, user, message_id), size_of(model)}
`),
  /** ARGV: model, messageId. Returns the position or nil. */
  position: script(`
local job = redis.call('HMGET', job_key(ARGV[2]), 'model', 'userId', 'jobId')
if job[1] ~= ARGV[1] or job[3] then return false end
return position_of(job[1], job[2], ARGV[2])
`),
  /** ARGV: model. */
  size: script(`
return tonumber(redis.call('GET', size_key(ARGV[1])) or '0')
`),
  /**
   * ARGV: model, workerId, lease ms, then one new jobId per job wanted. Returns the taken jobs' hashes, each as a
   * flat array, in the order of taking (as many takes of one job each would).
   */
  take: script(`
local model, worker_id, lease_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local taken = {}
for i = 4, #ARGV do
  local message_id
  while not message_id do
    local user = redis.call('LPOP', ring_key(model))
    if not user then return taken end
    local line = line_key(model, user)
    message_id = redis.call('LPOP', line)
    if redis.call('LLEN', line) > 0 then redis.call('RPUSH', ring_key(model), user) end
  end
  redis.call('DECR', size_key(model))
  local key = job_key(message_id)
  local expires = now + lease_ms
  redis.call('HINCRBY', key, 'attempts', 1)
  redis.call('HSET', key, 'jobId', ARGV[i], 'workerId', worker_id, 'leaseExpiresAt', expires, 'leaseMs', lease_ms)
  redis.call('ZADD', leases_key, expires, ARGV[i])
  redis.call('HSET', lease_jobs_key, ARGV[i], message_id)
  table.insert(taken, redis.call('HGETALL', key))
end
return taken
`),
  /** ARGV: jobId. Returns the new expiry, or nil when the lease is lost. */
  heartbeat: script(`
local key = leased_job_key(ARGV[1])
if not key then return false end
local expires = now + tonumber(redis.call('HGET', key, 'leaseMs'))
redis.call('HSET', key, 'leaseExpiresAt', expires)
redis.call('ZADD', leases_key, 'XX', expires, ARGV[1])
return expires
`),
  /** ARGV: jobId. Returns 1, or nil when the lease is lost. */
  complete: script(`
local key = leased_job_key(ARGV[1])
if not key then return false end
end_lease(ARGV[1])
redis.call('DEL', key)
return 1
`),
  /** ARGV: jobId, "1" when retryable. Returns "requeued" or "dead", or nil when the lease is lost. */
  fail: script(`
local key = leased_job_key(ARGV[1])
if not key then return false end
end_lease(ARGV[1])
local job = redis.call('HMGET', key, 'model', 'userId', 'attempts', 'maxAttempts', 'messageId')
redis.call('HDEL', key, 'jobId', 'workerId', 'leaseExpiresAt', 'leaseMs')
if ARGV[2] == '1' and tonumber(job[3]) < tonumber(job[4]) then
  put_in_line(job[1], job[2], job[5], true)
  return 'requeued'
end
redis.call('DEL', key)
return 'dead'
`),
  /** ARGV: messageId. Returns "cancelled", "active" or "not_found". */
  cancel: script(`
local key = job_key(ARGV[1])
local job = redis.call('HMGET', key, 'model', 'userId', 'jobId')
if not job[1] then return 'not_found' end
if job[3] then return 'active' end
local line = line_key(job[1], job[2])
redis.call('LREM', line, 1, ARGV[1])
redis.call('DECR', size_key(job[1]))
if redis.call('LLEN', line) == 0 then redis.call('LREM', ring_key(job[1]), 1, job[2]) end
redis.call('DEL', key)
return 'cancelled'
`),
  /** Returns every leased job's hash as a flat array. */
  activeJobs: script(`
local jobs = {}
for _, job_id in ipairs(redis.call('ZRANGE', leases_key, 0, -1)) do
  local message_id = redis.call('HGET', lease_jobs_key, job_id)
  if message_id then table.insert(jobs, redis.call('HGETALL', job_key(message_id))) end
end
return jobs
`),
};

/** The Redis driver: any number of replicas share the queues; every operation is one atomic script. */
export class RedisGenerationQueue<P extends JobPayload = JobPayload> implements GenerationQueue<P> {
  private readonly connection: Redis;
  private readonly base: string;
  private readonly redisUrlForMessages: string;
  private readonly maxQueueSize: number | undefined;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly newJobId: () => string;

  constructor(options: RedisGenerationQueueOptions) {
    this.redisUrlForMessages = redactRedisUrl(options.redisUrl);
    this.base = `${options.keyPrefix ?? "chorus:"}queue:{generation}`;
    this.maxQueueSize = options.maxQueueSize;
    this.maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
    this.newJobId = options.newJobId ?? (() => crypto.randomUUID());
    this.connection = createRedisConnection(options.redisUrl, {
      connectionName: options.connectionName ?? "chorus-queue",
      autoPipelining: true,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs,
    });
    preloadScripts(this.connection, Object.values(scripts));
  }

  async enqueue(model: string, job: GenerationJobInput<P>, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const maxSize = options.bypassSizeLimit || this.maxQueueSize === undefined ? -1 : this.maxQueueSize;
    const [outcome, position, queueSize] = (await this.run(scripts.enqueue, [
      model,
      job.messageId,
      job.userId,
      JSON.stringify(job.payload),
      maxSize,
      options.maxAttempts ?? this.maxAttempts,
    ])) as [number, number, number];
    if (outcome === -1) throw new QueueFullError(model, maxSize);
    return { created: outcome === 1, position, queueSize };
  }

  async position(model: string, messageId: string): Promise<number | null> {
    const position = (await this.run(scripts.position, [model, messageId])) as number | null;
    return position ?? null;
  }

  async size(model: string): Promise<number> {
    return (await this.run(scripts.size, [model])) as number;
  }

  async take(model: string, workerId: string, options: { leaseMs?: number } = {}): Promise<TakenJob<P> | null> {
    return (await this.takeMany(model, workerId, 1, options))[0] ?? null;
  }

  async takeMany(model: string, workerId: string, max: number, options: { leaseMs?: number } = {}): Promise<TakenJob<P>[]> {
    const jobIds = Array.from({ length: Math.max(0, max) }, () => this.newJobId());
    if (jobIds.length === 0) return [];
    const leaseMs = Math.max(1, Math.round(options.leaseMs ?? this.leaseMs));
    const jobs = (await this.run(scripts.take, [model, workerId, leaseMs, ...jobIds])) as string[][];
    return jobs.map((fields) => {
      const hash = toHash(fields);
      return { ...toActiveJob(hash), payload: JSON.parse(hash.payload) as P };
    });
  }

  async heartbeat(jobId: string): Promise<number> {
    const expires = (await this.run(scripts.heartbeat, [jobId])) as number | null;
    if (expires === null) throw new JobLeaseLostError(jobId);
    return expires;
  }

  async complete(jobId: string): Promise<void> {
    const done = await this.run(scripts.complete, [jobId]);
    if (done === null) throw new JobLeaseLostError(jobId);
  }

  async fail(jobId: string, retryable: boolean): Promise<FailOutcome> {
    const outcome = (await this.run(scripts.fail, [jobId, retryable ? "1" : "0"])) as FailOutcome | null;
    if (outcome === null) throw new JobLeaseLostError(jobId);
    return outcome;
  }

  async cancel(messageId: string): Promise<CancelOutcome> {
    return (await this.run(scripts.cancel, [messageId])) as CancelOutcome;
  }

  async activeJobs(): Promise<ActiveJob[]> {
    const jobs = (await this.run(scripts.activeJobs, [])) as string[][];
    return jobs.map((fields) => toActiveJob(toHash(fields)));
  }

  async drainDeadLetters(limit = 100): Promise<DeadLetter[]> {
    try {
      const entries = await this.connection.lpop(`${this.base}:dead`, limit);
      return (entries ?? []).map((json) => JSON.parse(json) as DeadLetter);
    } catch (error) {
      return translateRedisError(this.redisUrlForMessages, error);
    }
  }

  async close(): Promise<void> {
    this.connection.disconnect();
  }

  private async run(luaScript: LuaScript, args: (string | number)[]): Promise<unknown> {
    try {
      return await luaScript.run(this.connection, [this.base], args);
    } catch (error) {
      return translateRedisError(this.redisUrlForMessages, error);
    }
  }
}

function toHash(fields: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) hash[fields[i]] = fields[i + 1];
  return hash;
}

function toActiveJob(hash: Record<string, string>): ActiveJob {
  return {
    jobId: hash.jobId,
    model: hash.model,
    messageId: hash.messageId,
    userId: hash.userId,
    attempt: Number(hash.attempts),
    maxAttempts: Number(hash.maxAttempts),
    workerId: hash.workerId,
    enqueuedAt: Number(hash.enqueuedAt),
    leaseExpiresAt: Number(hash.leaseExpiresAt),
  };
}
