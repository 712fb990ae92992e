import type { DataSource, EntityManager } from "typeorm";
import { ApiClient, ApiClientKind } from "./api-client.entity.js";
import { Role } from "../users/role.js";
import { generateApiKey, hashApiKey, sameDigest } from "../../common/keys.js";
import { badInput, notFound } from "../../common/errors.js";
import { decodeCursor, encodeCursor, type Page } from "../../common/pagination.js";
import { isUuid } from "../../db/rows.js";
import { User } from "../users/user.entity.js";
import type { UserRef } from "../users/user-ref.js";
import { inTransaction } from "../../db/transaction.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import type { RequestContext } from "../../common/request-context.js";
import { ignoreIdentityChanges, type IdentityChangeSink } from "../../server/identity-events.js";

export interface CreateApiClientParams {
  name: string;
  trusted?: boolean;
  role?: Role;
  kind?: ApiClientKind;
  frontendType?: string | null;
  adminEmail?: string | null;
  expiresAt?: Date | null;
}

export interface CreatedKey {
  apiClient: ApiClient;
  /** The plaintext key: shown once, never stored. */
  key: string;
}

/** Why a presented key was refused; the message never says whether the key exists. */
export type KeyCheck = { ok: true; client: ApiClient } | { ok: false; reason: "unknown" | "revoked" | "disabled" | "expired" };

/** What the journal keeps of a client: never the key, its digest or its prefix. */
function journalView(c: ApiClient) {
  return { name: c.name, kind: c.kind, trusted: c.trusted, role: c.role, enabled: c.enabled, expiresAt: c.expiresAt, revokedAt: c.revokedAt };
}

export class ApiClientService {
  constructor(
    private readonly ds: DataSource,
    /** Told after a revocation or rotation commits (open sockets of the client re-check at once). */
    private readonly identityChanged: IdentityChangeSink = ignoreIdentityChanges,
  ) {}

  private get repo() {
    return this.ds.getRepository(ApiClient);
  }

  /** Creates a client and its key, journaled (`api_client_created`, without the key) in the same transaction. */
  async create(rc: RequestContext, params: CreateApiClientParams, now = new Date()): Promise<CreatedKey> {
    const name = params.name.trim();
    if (!name) throw badInput("name must not be empty");
    if (params.expiresAt && params.expiresAt.getTime() <= now.getTime()) throw badInput("expiresAt must be in the future");
    const key = generateApiKey();
    const client = this.repo.create({
      name,
      keyHash: hashApiKey(key),
      keyPrefix: key.slice(0, 12),
      trusted: params.trusted ?? false,
      role: params.role ?? Role.USER,
      kind: params.kind ?? ApiClientKind.CLIENT,
      frontendType: params.frontendType ?? null,
      adminEmail: params.adminEmail ?? null,
      expiresAt: params.expiresAt ?? null,
      enabled: true,
      revokedAt: null,
      rotatedAt: null,
    });
    await inTransaction(this.ds, async (em) => {
      await em.getRepository(ApiClient).save(client);
      await writeJournal(em, rc.actor, ModerationAction.API_CLIENT_CREATED, { targetId: client.id }, { before: null, after: journalView(client) });
    });
    return { apiClient: client, key };
  }

  /**
   * Looks a presented key up by its hash (indexed; the hash comparison itself happens in the database). With
   * `user`, the same query also fetches that user of the client, if it exists, as `actingUser`.
   */
  async checkKey(key: string, now = new Date(), user?: UserRef | null): Promise<KeyCheck & { actingUser?: User | null }> {
    const digest = hashApiKey(key);
    const qb = this.repo.createQueryBuilder("c").where("c.key_hash = :hash", { hash: digest });
    if (user) {
      qb.leftJoinAndMapOne("c.actingUser", User, "u", "u.api_client_id = c.id AND u.username = :username AND u.auth_method = :authMethod", {
        username: user.id,
        authMethod: user.authMethod,
      });
    }
    const client = (await qb.getOne()) as (ApiClient & { actingUser?: User }) | null;
    // The index lookup compares digests of the presented key, which tell an attacker nothing about a stored key;
    // the final comparison is constant-time all the same, so no collation or driver quirk can turn it loose.
    if (!client || !sameDigest(client.keyHash, digest)) return { ok: false, reason: "unknown" };
    const actingUser = client.actingUser ?? null;
    delete client.actingUser;
    const check = this.checkClient(client, now);
    return check.ok ? { ...check, actingUser } : check;
  }

  checkClient(client: ApiClient, now = new Date()): KeyCheck {
    if (client.revokedAt) return { ok: false, reason: "revoked" };
    if (!client.enabled) return { ok: false, reason: "disabled" };
    if (client.expiresAt && client.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
    return { ok: true, client };
  }

  async get(id: string): Promise<ApiClient> {
    const client = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!client) throw notFound("API client", id);
    return client;
  }

  async list(first: number, after?: string | null): Promise<Page<ApiClient>> {
    // Cursors carry JavaScript dates (milliseconds) while PostgreSQL keeps microseconds: order and compare on
    // the millisecond-truncated value, or a page boundary inside one millisecond would repeat rows.
    const at = "date_trunc('milliseconds', c.created_at)";
    const qb = this.repo
      .createQueryBuilder("c")
      .orderBy(at, "ASC")
      .addOrderBy("c.id", "ASC")
      .limit(first + 1);
    if (after) {
      const cursor = decodeCursor(after);
      qb.where(`(${at}, c.id) > (:at::timestamptz, :id::uuid)`, { at: cursor.at, id: cursor.id });
    }
    const rows = await qb.getMany();
    const hasNextPage = rows.length > first;
    const nodes = rows.slice(0, first);
    return {
      nodes,
      hasNextPage,
      cursorOf: (c) => encodeCursor({ at: c.createdAt.toISOString(), id: c.id }),
    };
  }

  /**
   * Replaces the key: the old one stops working at once, and so does every user token the client minted (its token
   * epoch rises), with their open sockets. Journaled (`api_client_key_rotated`).
   */
  async rotate(rc: RequestContext, id: string, expiresAt?: Date | null, now = new Date()): Promise<CreatedKey> {
    if (expiresAt && expiresAt.getTime() <= now.getTime()) throw badInput("expiresAt must be in the future");
    const key = generateApiKey();
    const client = await inTransaction(this.ds, async (em) => {
      const client = await this.lock(em, id);
      if (client.revokedAt) throw badInput("a revoked client cannot be rotated; create a new one");
      const before = { ...journalView(client), rotatedAt: client.rotatedAt, tokenEpoch: client.tokenEpoch };
      client.keyHash = hashApiKey(key);
      client.keyPrefix = key.slice(0, 12);
      client.rotatedAt = now;
      client.tokenEpoch += 1;
      if (expiresAt !== undefined) client.expiresAt = expiresAt;
      await em.getRepository(ApiClient).save(client);
      await writeJournal(
        em,
        rc.actor,
        ModerationAction.API_CLIENT_KEY_ROTATED,
        { targetId: client.id },
        {
          before,
          after: { ...journalView(client), rotatedAt: client.rotatedAt, tokenEpoch: client.tokenEpoch },
        },
      );
      return client;
    });
    this.identityChanged({ apiClientId: client.id, reason: "rotated" });
    return { apiClient: client, key };
  }

  /** Revokes for good, journaled (`api_client_revoked`); revoking a revoked client changes and writes nothing. */
  async revoke(rc: RequestContext, id: string, now = new Date()): Promise<ApiClient> {
    const { client, changed } = await inTransaction(this.ds, async (em) => {
      const client = await this.lock(em, id);
      if (client.revokedAt) return { client, changed: false };
      const before = journalView(client);
      client.revokedAt = now;
      client.enabled = false;
      await em.getRepository(ApiClient).save(client);
      await writeJournal(em, rc.actor, ModerationAction.API_CLIENT_REVOKED, { targetId: client.id }, { before, after: journalView(client) });
      return { client, changed: true };
    });
    if (changed) this.identityChanged({ apiClientId: client.id, reason: "revoked" });
    return client;
  }

  private async lock(em: EntityManager, id: string): Promise<ApiClient> {
    const client = isUuid(id) ? await em.getRepository(ApiClient).findOne({ where: { id }, lock: { mode: "pessimistic_write" } }) : null;
    if (!client) throw notFound("API client", id);
    return client;
  }

  async count(): Promise<number> {
    return this.repo.count();
  }
}
