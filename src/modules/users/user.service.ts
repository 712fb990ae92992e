import type { DataSource, EntityManager } from "typeorm";
import { User } from "./user.entity.js";
import { Role, roleAtLeast } from "./role.js";
import type { UserRef } from "./user-ref.js";
import { badInput, ChorusError, ErrorCode, forbidden, notFound } from "../../common/errors.js";
import type { RequestContext } from "../../common/request-context.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { inTransaction } from "../../db/transaction.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import { ignoreIdentityChanges, type IdentityChangeSink } from "../../server/identity-events.js";

export class UserService {
  constructor(
    private readonly ds: DataSource,
    /** Told after a change to who a user is or what they may do commits (open sockets re-check at once). */
    private readonly identityChanged: IdentityChangeSink = ignoreIdentityChanges,
  ) {}

  /**
   * The user (auth method, id) of one API client, created on first sight. A non-empty display name that differs
   * from the stored one replaces it (as the reference does). Safe under concurrency: the unique index decides.
   */
  async findOrCreate(apiClientId: string, ref: UserRef, manager: EntityManager = this.ds.manager): Promise<User> {
    const repo = manager.getRepository(User);
    const wantedName = ref.displayName?.trim() || null;
    const existing = await repo.findOneBy({ apiClientId, username: ref.id, authMethod: ref.authMethod });
    // A disabled or deleted user is returned as it is (the caller refuses it): a request never renames them.
    if (existing && (!wantedName || wantedName === existing.displayName || existing.deleted || !existing.enabled)) return existing;
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO "user" (api_client_id, username, auth_method, display_name)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (api_client_id, username, auth_method) DO UPDATE
         SET display_name = CASE WHEN $5::text IS NULL OR "user".deleted OR NOT "user".enabled THEN "user".display_name ELSE EXCLUDED.display_name END
       RETURNING id`,
      [apiClientId, ref.id, ref.authMethod, wantedName ?? ref.id, wantedName],
    );
    return repo.findOneByOrFail({ id: rows[0].id as string });
  }

  /** The user as the caller may see it; NOT_FOUND when missing or of a client the caller does not read (spec §9.2). */
  async get(rc: RequestContext, id: string): Promise<User> {
    return this.byId(id, rc.visibility.apiClientId);
  }

  /** The user, for the server's own lookups (a user token's user) that have no caller; NOT_FOUND when missing or (with `apiClientId`) of another client. */
  async byId(id: string, apiClientId: string | null = null): Promise<User> {
    const user = isUuid(id) ? await this.ds.getRepository(User).findOneBy(apiClientId ? { id, apiClientId } : { id }) : null;
    if (!user) throw notFound("User", id);
    return user;
  }

  /**
   * The user of one client by (auth method, frontend id), exactly; USER_NOT_FOUND when missing. Creates nothing.
   * The calling client's namespace, or with `apiClientId` another client's, which only a trusted client may read.
   */
  async getByUsername(rc: RequestContext, authMethod: string, username: string, apiClientId: string | null): Promise<User> {
    const client = rc.identity.apiClient;
    if (apiClientId && apiClientId !== client?.id && !client?.trusted) throw forbidden("Only a trusted client may look up another client's users");
    return this.findByUsername(apiClientId ?? client!.id, authMethod, username);
  }

  private async findByUsername(apiClientId: string, authMethod: string, username: string): Promise<User> {
    if (authMethod.length < 1 || authMethod.length > 128) throw badInput("authMethod must be 1-128 characters", { field: "authMethod" });
    if (username.length < 1 || username.length > 128) throw badInput("username must be 1-128 characters", { field: "username" });
    const user = isUuid(apiClientId) ? await this.ds.getRepository(User).findOneBy({ apiClientId, authMethod, username }) : null;
    if (!user) throw new ChorusError(ErrorCode.USER_NOT_FOUND, `No user ${authMethod}:${username} in that client`);
    return user;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return this.ds.getRepository(User).createQueryBuilder("u").where("u.id = ANY(:ids)", { ids }).getMany();
  }

  /**
   * Gives a user a role, journaled (`user_role_changed`) in the same transaction; setting the role the user has
   * changes nothing and writes nothing. An untrusted caller reaches only its own client's users.
   */
  async setRole(rc: RequestContext, id: string, role: Role): Promise<User> {
    const { user, changed } = await inTransaction(this.ds, async (em) => {
      const user = await this.lock(em, id, rc.visibility.apiClientId);
      const before = user.role;
      if (before === role) return { user, changed: false };
      user.role = role;
      await em.query(`UPDATE "user" SET role = $2 WHERE id = $1`, [user.id, role]);
      await writeJournal(em, rc.actor, ModerationAction.USER_ROLE_CHANGED, { targetId: user.id }, { before: { role: before }, after: { role } });
      return { user, changed: true };
    });
    if (changed) this.identityChanged({ userId: user.id, reason: "role" });
    return user;
  }

  /**
   * "Logout everywhere": raises the user's token epoch, so every user token minted for them so far is refused
   * from now on and their open sockets close. Journaled (`user_tokens_revoked`) in the same transaction. The acting
   * user's own tokens, or (for a MODERATOR) any user's the caller reaches.
   */
  async revokeTokens(rc: RequestContext, id: string): Promise<{ user: User; revokedAt: Date }> {
    if (id !== rc.identity.user?.id && !roleAtLeast(rc.role, Role.MODERATOR)) throw forbidden("Only a MODERATOR may revoke another user's tokens");
    const result = await inTransaction(this.ds, async (em) => {
      const user = await this.lock(em, id, rc.visibility.apiClientId);
      const rows = rowsOf<{ token_epoch: number; now: Date }>(
        await em.query(`UPDATE "user" SET token_epoch = token_epoch + 1 WHERE id = $1 RETURNING token_epoch, now() AS now`, [user.id]),
      );
      await writeJournal(
        em,
        rc.actor,
        ModerationAction.USER_TOKENS_REVOKED,
        { targetId: user.id },
        {
          before: { tokenEpoch: user.tokenEpoch },
          after: { tokenEpoch: rows[0].token_epoch },
        },
      );
      user.tokenEpoch = rows[0].token_epoch;
      return { user, revokedAt: new Date(rows[0].now) };
    });
    this.identityChanged({ userId: result.user.id, reason: "tokens_revoked" });
    return result;
  }

  /** Reads and locks one user (of `apiClientId` when given); NOT_FOUND otherwise. */
  private async lock(em: EntityManager, id: string, apiClientId: string | null): Promise<User> {
    const user = isUuid(id)
      ? await em.getRepository(User).findOne({ where: apiClientId ? { id, apiClientId } : { id }, lock: { mode: "pessimistic_write" } })
      : null;
    if (!user) throw notFound("User", id);
    return user;
  }

  /** Users matching (auth method, id) across every API client: for the CLI, which has no client of its own. */
  async findEverywhere(authMethod: string, username: string, apiClientId?: string): Promise<User[]> {
    const where: Record<string, string> = { authMethod, username };
    if (apiClientId) where.apiClientId = apiClientId;
    return this.ds.getRepository(User).findBy(where);
  }
}
