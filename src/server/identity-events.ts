/**
 * "Identity changed" announcements: an API client's key revoked or rotated, a user disabled, deleted, banned,
 * merged away, given another role, or logged out everywhere. Announced after the change commits, by the service
 * that made it, whichever door it came through:
 * - in the server process, delivered at once to this process's listeners and published on the shared pub/sub
 *   (Redis when configured), so every replica hears it;
 * - from the CLI, published on Redis when REDIS_URL is set (without Redis, servers notice within their periodic
 *   re-check, `IDENTITY_RECHECK_SECONDS`).
 *
 * Listeners: open websockets re-check their identity (server/open-sockets.ts). Any cache of API keys or users must
 * subscribe here (`IdentityEvents.onChange`) and drop the named client's or user's entries, or revocation would
 * wait for the cache to expire.
 */
import crypto from "node:crypto";
import type { Logger } from "pino";
import { newRedis } from "../infra/redis-modules.js";
import type { PubSubHandle } from "../infra/pubsub.js";

export interface IdentityChange {
  /** The API client whose key, tokens or state changed (every socket and cached entry of it is affected). */
  apiClientId?: string | null;
  /** The user who changed (every socket and cached entry acting for that user is affected). */
  userId?: string | null;
  /** Why, for logs: revoked, rotated, disabled, deleted, banned, merged, role, tokens_revoked, ... */
  reason: string;
}

/** Where services announce identity changes; the CLI and tests may pass `ignoreIdentityChanges`. */
export type IdentityChangeSink = (change: IdentityChange) => void;
export const ignoreIdentityChanges: IdentityChangeSink = () => undefined;

/** The pub/sub topic (a Redis channel), under the deployment's key prefix so separate deployments do not mix. */
export function identityTopic(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}identity:changed`;
}

interface Envelope {
  origin: string;
  change: IdentityChange;
}

export class IdentityEvents {
  private readonly listeners = new Set<(change: IdentityChange) => void>();
  /** Tells this process's own messages apart when pub/sub echoes them back: they were delivered already. */
  private readonly origin = crypto.randomUUID();
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly pubSub: PubSubHandle,
    private readonly topic: string,
    private readonly log: Logger,
  ) {}

  /** Starts hearing other processes' announcements. */
  start(): void {
    if (this.stopListening) return;
    const pubSub = this.pubSub.pubSub as unknown as { subscribe(topic: string): AsyncIterable<unknown> };
    const iterator = pubSub.subscribe(this.topic)[Symbol.asyncIterator]();
    let running = true;
    void (async () => {
      while (running) {
        const r = await iterator.next();
        if (r.done) return;
        const envelope = r.value as Envelope | null;
        if (!envelope || envelope.origin === this.origin || typeof envelope.change !== "object") continue;
        this.deliver(envelope.change);
      }
    })().catch((err) => this.log.warn({ err }, "identity change listener stopped"));
    this.stopListening = () => {
      running = false;
      void iterator.return?.();
    };
  }

  stop(): void {
    this.stopListening?.();
    this.stopListening = null;
  }

  /** Announces a committed change: to this process at once, and to every other through pub/sub. */
  readonly announce: IdentityChangeSink = (change) => {
    this.deliver(change);
    try {
      (this.pubSub.pubSub as unknown as { publish(topic: string, payload: Envelope): void }).publish(this.topic, { origin: this.origin, change });
    } catch (err) {
      // Redis down: other replicas notice within their periodic re-check.
      this.log.warn({ err }, "could not publish an identity change");
    }
  };

  /** Calls `listener` for every change, from this process or another; returns the function that stops it. */
  onChange(listener: (change: IdentityChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deliver(change: IdentityChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log.warn({ err }, "identity change listener failed");
      }
    }
  }
}

/**
 * For the CLI: collects the changes a command makes and publishes them on Redis when it is configured, so running
 * servers act at once rather than at their next periodic re-check.
 */
export class IdentityChangeOutbox {
  private readonly changes: IdentityChange[] = [];
  readonly announce: IdentityChangeSink = (change) => {
    this.changes.push(change);
  };

  /** Publishes what was collected; false when Redis could not be reached (servers then notice at their re-check). */
  async flush(redisUrl: string | undefined, redisKeyPrefix: string): Promise<boolean> {
    if (!redisUrl || this.changes.length === 0) return true;
    const redis = newRedis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      const origin = `cli-${crypto.randomUUID()}`;
      for (const change of this.changes.splice(0)) {
        await redis.publish(identityTopic(redisKeyPrefix), JSON.stringify({ origin, change } satisfies Envelope));
      }
      return true;
    } catch {
      // The change is committed; servers notice it within their periodic re-check.
      return false;
    } finally {
      redis.disconnect();
    }
  }
}
