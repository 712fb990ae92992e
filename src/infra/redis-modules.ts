/**
 * ioredis, BullMQ and the Redis event target, loaded on first use. A process without REDIS_URL (the default: one
 * process, periodic jobs on timers) never uses them, and start-up is mostly module loading: together they are about
 * 300 of the API's 2,070 modules and 0.2 s of CPU before "listening" (issue 14). Types come from `import type`,
 * which TypeScript erases, so importing this file loads none of them.
 */
import type { Command, Redis, RedisOptions } from "ioredis";

/**
 * ioredis, loaded by the first call and kept: commands are made on the token path (newRedisCommand), where even a
 * cached `require` resolves its path each time.
 */
let ioredisModule: typeof import("ioredis") | undefined;
function ioredis(): typeof import("ioredis") {
  ioredisModule ??= require("ioredis") as typeof import("ioredis");
  return ioredisModule;
}

/** A new ioredis client (the package is loaded by the first call). */
export function newRedis(url: string, options: RedisOptions): Redis {
  const { Redis: RedisClient } = ioredis();
  return new RedisClient(url, options);
}

/** A command for `Redis.sendCommand`, its reply decoded as UTF-8 strings (as `call` decodes it). */
export function newRedisCommand(name: string, args: (string | number)[]): Command {
  return new (ioredis().Command)(name, args, { replyEncoding: "utf8" });
}

/**
 * A command whose RESP encoding the caller made (`resp`, the whole request): ioredis writes it as it is, instead of
 * encoding each argument of the command again.
 */
export function newEncodedRedisCommand(name: string, resp: string): Command {
  const command = new (ioredis().Command)(name, [], { replyEncoding: "utf8" });
  command.toWritable = () => resp;
  return command;
}

/** BullMQ (loaded by the first call). */
export function bullmq(): typeof import("bullmq") {
  return require("bullmq") as typeof import("bullmq");
}

/** @graphql-yoga/redis-event-target (loaded by the first call). */
export function redisEventTarget(): typeof import("@graphql-yoga/redis-event-target") {
  return require("@graphql-yoga/redis-event-target") as typeof import("@graphql-yoga/redis-event-target");
}
