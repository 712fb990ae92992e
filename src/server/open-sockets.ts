/**
 * Revocation for connections that stay open: every authenticated websocket is registered with the identity it
 * authenticated as, and re-checked against PostgreSQL (never a cache) with `judgeIdentity`
 * - at once when an identity change is announced (server/identity-events.ts: this replica or any other), and
 * - every `IDENTITY_RECHECK_SECONDS` (default 2), the backstop for announcements that were lost (Redis down) or
 *   never made (a CLI without Redis, an expiry, a change made by hand in the database).
 * A socket that fails is closed with 4401 (its credentials no longer authenticate) or 4403 (they do, but its user
 * is disabled, deleted or banned, or its role dropped); its subscriptions end with it, and a worker's jobs go back
 * to the queue. Role rises and other changes only drop the socket's cached identity, so its next operation reads
 * the new one.
 */
import { runWithAnyStatementTimeout } from "../db/operation-budget.js";
import { In, type DataSource } from "typeorm";
import type { Logger } from "pino";
import { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { User } from "../modules/users/user.entity.js";
import type { IdentityChange, IdentityEvents } from "./identity-events.js";
import { judgeIdentity, type ClientState, type HeldIdentity, type UserState, type Verdict } from "./identity-verdict.js";
import type { Identity } from "./context.js";
import type { Role } from "../modules/users/role.js";

/** What a registered socket lets the registry do to it. */
export interface WatchedSocket {
  close(code: number, reason: string): void;
  /** The identity changed without ending the socket: forget whatever was cached about it. */
  refreshed(): void;
}

interface Entry {
  held: HeldIdentity;
  socket: WatchedSocket;
  closed: boolean;
}

/** The identity of a request or connection, as the registry keeps it; null for anonymous callers. */
export function heldIdentityOf(identity: Identity, role: Role): HeldIdentity | null {
  if (!identity.apiClient || identity.via === "anonymous") return null;
  return {
    via: identity.via,
    apiClientId: identity.apiClient.id,
    keyHash: identity.via === "api-key" ? identity.apiClient.keyHash : null,
    token: identity.token ?? null,
    userId: identity.user?.id ?? null,
    role,
  };
}

export class OpenSockets {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopEvents: (() => void) | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly events: IdentityEvents,
    private readonly log: Logger,
    private readonly recheckMs: number,
    private readonly ready: () => boolean,
  ) {}

  /** Starts the periodic re-check and listens for announced changes. */
  start(): void {
    if (this.timer) return;
    this.stopEvents = this.events.onChange((change) => {
      const affected = this.affected(change);
      if (affected.length === 0) return;
      // At once, before the database says more: the affected sockets' next operations resolve their identity again.
      for (const e of affected) e.socket.refreshed();
      void this.recheck();
    });
    this.timer = setInterval(() => void this.recheck(), this.recheckMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopEvents?.();
    this.stopEvents = null;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Registers an open socket; returns the function that forgets it (call it when the socket closes). */
  add(held: HeldIdentity, socket: WatchedSocket): () => void {
    const entry: Entry = { held: { ...held }, socket, closed: false };
    this.entries.add(entry);
    return () => {
      entry.closed = true;
      this.entries.delete(entry);
    };
  }

  /**
   * Re-checks every open socket now (concurrent calls share one run, and a call during a run makes one more run
   * after it, so a change announced mid-run is not missed). Resolves when the sockets that failed are closed.
   */
  recheck(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.recheckOnce();
        } catch (err) {
          this.log.warn({ err }, "re-checking open sockets' identities failed");
        }
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A fresh judgement of one identity, straight from the database (a worker's job hand-out asks this). */
  async verdict(held: HeldIdentity, now = new Date()): Promise<Verdict> {
    const { clients, users } = await this.load([held.apiClientId], held.userId ? [held.userId] : []);
    return judgeIdentity(held, clients.get(held.apiClientId) ?? null, held.userId ? (users.get(held.userId) ?? null) : null, now);
  }

  private affected(change: IdentityChange): Entry[] {
    return [...this.entries].filter(
      (e) => (change.apiClientId && e.held.apiClientId === change.apiClientId) || (change.userId && e.held.userId === change.userId),
    );
  }

  private async recheckOnce(): Promise<void> {
    if (this.entries.size === 0 || !this.ready()) return;
    const entries = [...this.entries];
    const clientIds = [...new Set(entries.map((e) => e.held.apiClientId))];
    const userIds = [...new Set(entries.flatMap((e) => (e.held.userId ? [e.held.userId] : [])))];
    const { clients, users } = await this.load(clientIds, userIds);
    const now = new Date();
    for (const entry of entries) {
      if (entry.closed) continue;
      const held = entry.held;
      const verdict = judgeIdentity(held, clients.get(held.apiClientId) ?? null, held.userId ? (users.get(held.userId) ?? null) : null, now);
      if (!verdict.ok) {
        entry.closed = true;
        this.entries.delete(entry);
        this.log.info(
          { apiClientId: held.apiClientId, userId: held.userId, via: held.via, code: verdict.closeCode, reason: verdict.reason },
          "closing a socket whose identity was revoked",
        );
        entry.socket.close(verdict.closeCode, verdict.reason.slice(0, 120));
      } else if (verdict.role !== held.role) {
        held.role = verdict.role;
        entry.socket.refreshed();
      }
    }
  }

  private async load(clientIds: string[], userIds: string[]): Promise<{ clients: Map<string, ClientState>; users: Map<string, UserState> }> {
    // Reads by id: any statement_timeout suits them (runWithAnyStatementTimeout).
    const [clientRows, userRows] = await runWithAnyStatementTimeout(() =>
      Promise.all([
        clientIds.length
          ? this.ds.getRepository(ApiClient).find({
              where: { id: In(clientIds) },
              select: { id: true, keyHash: true, enabled: true, revokedAt: true, expiresAt: true, tokenEpoch: true, trusted: true, role: true },
            })
          : [],
        userIds.length
          ? this.ds.getRepository(User).find({
              where: { id: In(userIds) },
              select: { id: true, apiClientId: true, enabled: true, deleted: true, tokenEpoch: true, role: true },
            })
          : [],
      ]),
    );
    return { clients: new Map(clientRows.map((c) => [c.id, c])), users: new Map(userRows.map((u) => [u.id, u])) };
  }
}
