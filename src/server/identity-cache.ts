/**
 * The API keys and users a server looked up for requests, kept in process so that a request under a known key
 * and user reads one tiny row instead of the key, the user and their join.
 *
 * Exact, not eventual: the database raises a counter (`identity_generation`, migration IdentityGeneration) in the
 * transaction of every change to an API client and of every change to a user other than their activity columns,
 * whoever makes it (this server, another replica, the CLI with or without Redis, an operator's SQL). Each request
 * reads the counter first (requests that arrive while a read is under way share the next one, which is sent after
 * they arrived); a value above the one the entries were read under drops them all. So a revoked or
 * rotated key, a disabled, deleted or demoted user, ended tokens and an accepted ToS count from the very next
 * request on every replica, as when every request read the rows. Identity announcements
 * (`IdentityEvents.onChange`) drop the entries early as well.
 *
 * User tokens (src/server/user-token.ts) name their client and user by id: a token's pair is kept the same way, under
 * the same counter, so a token request reads the counter instead of the client and the user; every check of the
 * token (epochs, the client's state, the user's) is still made on each request, against rows as current as the
 * counter says.
 *
 * Bounded: only keys and users that exist are kept (a request with an unknown key leaves nothing behind, so
 * spraying random keys cannot grow it), each map holds at most its limit, the least recently used going first.
 * Users are cached for who they are and what they may do; their activity columns (streak, last activity) are
 * not kept current here, so what shows them reads the row (the viewer's user goes through the user loader).
 */
import type { DataSource } from "typeorm";
import type { EntityTarget, ObjectLiteral } from "typeorm";
import { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { User } from "../modules/users/user.entity.js";
import type { UserRef } from "../modules/users/user-ref.js";
import { preparedQuery } from "../db/prepared.js";
import { runWithAnyStatementTimeout } from "../db/operation-budget.js";
import { hashApiKey, sameDigest } from "../common/keys.js";

/** What the lookup of a key (and the header's user) found, with the counter value it was read under. */
export interface IdentityLookup {
  generation: bigint;
  client: ApiClient | null;
  /** The header's user of that client, when asked for and it exists. */
  user: User | null;
}

/** A least-recently-used map with a size limit. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
  deleteWhere(pred: (v: V) => boolean): void {
    for (const [k, v] of this.map) if (pred(v)) this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

const userKey = (apiClientId: string, authMethod: string, username: string) => `${apiClientId}\u0000${authMethod}\u0000${username}`;

/** Copies so that nothing a request does to its objects reaches the cache or another request. */
function copy<T extends object>(o: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(o) as object) as T, o);
}

const GENERATION_SQL = `SELECT n FROM identity_generation WHERE id = 1`;
const LOOKUP_SQL = `SELECT g.n, row_to_json(c) AS c, row_to_json(u) AS u
  FROM identity_generation g
  LEFT JOIN api_client c ON c.key_hash = $1
  LEFT JOIN "user" u ON $2::text IS NOT NULL AND u.api_client_id = c.id AND u.username = $2 AND u.auth_method = $3
  WHERE g.id = 1`;
/** A user token's client and user by id, with the counter. */
const TOKEN_LOOKUP_SQL = `SELECT g.n, row_to_json(c) AS c, row_to_json(u) AS u
  FROM identity_generation g
  LEFT JOIN api_client c ON c.id = $1::uuid
  LEFT JOIN "user" u ON u.id = $2::uuid
  WHERE g.id = 1`;
/** The lookups are one-row reads by key: any statement_timeout suits them (runWithAnyStatementTimeout). */
function shortQuery<T>(ds: DataSource, text: string, values: unknown[]): Promise<T[]> {
  return runWithAnyStatementTimeout(() => preparedQuery<T>(ds, text, values));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class IdentityCache {
  /** The counter value the entries were read under (-1: none yet). */
  private generation = -1n;
  private readonly clients: Lru<ApiClient>;
  private readonly users: Lru<User>;
  /** User tokens' (client, user) pairs, by both ids. */
  private readonly tokens: Lru<{ client: ApiClient; user: User | null }>;

  constructor(
    private readonly ds: DataSource,
    limits: { clients: number; users: number } = { clients: 1_000, users: 10_000 },
    /** Told whether each lookup was served from the cache (metrics). */
    private readonly counted: (outcome: "hit" | "miss") => void = () => undefined,
  ) {
    this.clients = new Lru(limits.clients);
    this.users = new Lru(limits.users);
    this.tokens = new Lru(limits.users);
  }

  /** Entries held (tests: the bound). */
  get size(): { clients: number; users: number; tokens: number } {
    return { clients: this.clients.size, users: this.users.size, tokens: this.tokens.size };
  }

  /** Drops every entry of an API client (and its users), or of a user; everything when neither is named. */
  forget(change: { apiClientId?: string | null; userId?: string | null }): void {
    if (!change.apiClientId && !change.userId) {
      this.clear();
      return;
    }
    if (change.apiClientId) {
      this.clients.deleteWhere((c) => c.id === change.apiClientId);
      this.users.deleteWhere((u) => u.apiClientId === change.apiClientId);
      this.tokens.deleteWhere((t) => t.client.id === change.apiClientId);
    }
    if (change.userId) {
      this.users.deleteWhere((u) => u.id === change.userId);
      this.tokens.deleteWhere((t) => t.user?.id === change.userId);
    }
  }

  clear(): void {
    this.clients.clear();
    this.users.clear();
    this.tokens.clear();
  }

  /** A read of the counter not sent yet: the lookups that come meanwhile share it. */
  private nextRead: Promise<bigint> | null = null;
  /** The read sent last (settled or not): the next one is sent once it has answered. */
  private lastRead: Promise<unknown> = Promise.resolve();

  /**
   * The counter, read by a statement sent after this call: as exact as a read of its own (a change that committed
   * before the call is seen), but the lookups that arrive while a read is under way share the next one. Under a
   * burst (100 chats started in a second, each send and each subscription socket looking its key up) the reads
   * queued for the database one by one.
   */
  private readGeneration(): Promise<bigint> {
    if (this.nextRead) return this.nextRead;
    const read = this.lastRead.then(async () => {
      // Sent from here on: a lookup arriving now needs a read of its own, the next one.
      this.nextRead = null;
      const rows = await shortQuery<{ n: string }>(this.ds, GENERATION_SQL, []);
      return BigInt(rows[0].n);
    });
    this.nextRead = read;
    this.lastRead = read.catch(() => undefined);
    return read;
  }

  /** Takes the counter a request read: a higher value than the entries' drops them. */
  private observe(generation: bigint): void {
    if (generation > this.generation) {
      this.clear();
      this.generation = generation;
    }
  }

  /**
   * The client of a presented key and, with `ref`, that client's user, from the cache when both are there under
   * the current counter, else from the database in one statement (which reads the counter too).
   */
  async lookup(key: string, ref: UserRef | null): Promise<IdentityLookup> {
    const digest = hashApiKey(key);
    // Only a key held already is worth the counter's read: otherwise the lookup below reads it with the rows.
    if (this.clients.get(digest)) {
      const generation = await this.readGeneration();
      this.observe(generation);
      const client = this.clients.get(digest);
      if (client && sameDigest(client.keyHash, digest)) {
        if (!ref) {
          this.counted("hit");
          return { generation, client: copy(client), user: null };
        }
        const user = this.users.get(userKey(client.id, ref.authMethod, ref.id));
        if (user) {
          this.counted("hit");
          return { generation, client: copy(client), user: copy(user) };
        }
      }
    }
    const found = await shortQuery<{ n: string; c: Record<string, unknown> | null; u: Record<string, unknown> | null }>(this.ds, LOOKUP_SQL, [
      digest,
      ref?.id ?? null,
      ref?.authMethod ?? null,
    ]);
    this.counted("miss");
    const at = BigInt(found[0].n);
    this.observe(at);
    const foundClient = found[0].c ? entityOf(this.ds, ApiClient, found[0].c) : null;
    // The index lookup compares digests; the final comparison is constant-time all the same.
    if (!foundClient || !sameDigest(foundClient.keyHash, digest)) return { generation: at, client: null, user: null };
    const foundUser = found[0].u ? entityOf(this.ds, User, found[0].u) : null;
    if (at === this.generation) {
      this.clients.set(digest, foundClient);
      if (foundUser) this.users.set(userKey(foundClient.id, foundUser.authMethod, foundUser.username), foundUser);
    }
    return { generation: at, client: copy(foundClient), user: foundUser ? copy(foundUser) : null };
  }

  /**
   * A user token's client and user, by the ids its claims name: from the cache when held under the current counter
   * (one read of the counter), else in one statement with the counter. Either is null when its row does not exist;
   * the caller checks the token against them (client state, epochs, the user's client and state).
   */
  async lookupToken(apiClientId: string, userId: string): Promise<IdentityLookup> {
    if (!UUID.test(apiClientId)) return { generation: this.generation, client: null, user: null };
    const key = `${apiClientId}\u0000${userId}`;
    if (this.tokens.get(key)) {
      this.observe(await this.readGeneration());
      const held = this.tokens.get(key);
      if (held) {
        this.counted("hit");
        return { generation: this.generation, client: copy(held.client), user: held.user ? copy(held.user) : null };
      }
    }
    const found = await shortQuery<{ n: string; c: Record<string, unknown> | null; u: Record<string, unknown> | null }>(this.ds, TOKEN_LOOKUP_SQL, [
      apiClientId,
      UUID.test(userId) ? userId : null,
    ]);
    this.counted("miss");
    const at = BigInt(found[0].n);
    this.observe(at);
    const client = found[0].c ? entityOf(this.ds, ApiClient, found[0].c) : null;
    const user = found[0].u ? entityOf(this.ds, User, found[0].u) : null;
    if (!client) return { generation: at, client: null, user: null };
    if (at === this.generation) this.tokens.set(key, { client, user });
    return { generation: at, client: copy(client), user: user ? copy(user) : null };
  }

  /** A user of a client from the cache, if read under the counter value `generation` or a later one. */
  user(apiClientId: string, ref: UserRef, generation: bigint): User | null {
    if (generation > this.generation) return null;
    const u = this.users.get(userKey(apiClientId, ref.authMethod, ref.id));
    return u ? copy(u) : null;
  }

  /** Keeps a user read (or created) by a request that read the counter as `generation`, if still current. */
  rememberUser(user: User, generation: bigint): void {
    if (generation === this.generation) this.users.set(userKey(user.apiClientId, user.authMethod, user.username), copy(user));
  }
}

/** A row of `row_to_json` as the entity TypeORM would have built (column names to properties, dates as Dates). */
function entityOf<T extends ObjectLiteral>(ds: DataSource, target: EntityTarget<T>, json: Record<string, unknown>): T {
  const meta = ds.getMetadata(target);
  const entity = meta.create() as T;
  for (const col of meta.columns) {
    let v = json[col.databaseName];
    if (v === undefined) continue;
    if (v !== null && (col.type === "timestamptz" || col.type === "timestamp" || col.type === Date)) v = new Date(v as string);
    (entity as Record<string, unknown>)[col.propertyName] = v;
  }
  return entity;
}
