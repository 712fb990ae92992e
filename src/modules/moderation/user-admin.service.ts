/**
 * Moderators' and admins' powers over users (spec §6.6, §7.2): update, anonymise, merge, and terms-of-service
 * acceptance. Each change and its journal row commit together; a missing user changes nothing.
 */
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { badInput, ChorusError, ErrorCode, forbidden, notFound } from "../../common/errors.js";
import { Role, roleAtLeast } from "../users/role.js";
import { User } from "../users/user.entity.js";
import type { Visibility } from "../../common/visibility.js";
import type { RequestContext } from "../../common/request-context.js";
import { ModerationAction, writeJournal, type Actor } from "./journal.js";
import type { Page } from "../../common/pagination.js";
import { UserSortKey } from "./moderation.types.js";
import { USER_SORT_COLUMN, containsPattern, decodeUserCursor, encodeUserCursor } from "./user-list.js";
import { ignoreIdentityChanges, type IdentityChangeSink } from "../../server/identity-events.js";

export interface UserListQuery {
  displayName?: string | null;
  username?: string | null;
  authMethod?: string | null;
  enabled?: boolean | null;
  deleted?: boolean | null;
  sortKey: UserSortKey;
  desc: boolean;
}

export interface UserChanges {
  displayName?: string | null;
  enabled?: boolean | null;
  notes?: string | null;
  showOnLeaderboard?: boolean | null;
  tosAcceptance?: boolean | null;
}

/** Tables whose `user_id` a merge hands to the destination (spec §7.2, plus chats, which would go with the user). */
const MERGED_TABLES = ["message", "message_revision", "message_reaction", "message_emoji", "text_labels", "task", "journal", "chat"] as const;

/** The name a deleted user is shown under (spec §6.6). */
export const DELETED_USER_NAME = "Deleted User";

export class UserAdminService {
  constructor(
    private readonly ds: DataSource,
    /** Told after a user is disabled, deleted or merged away (their open sockets close at once). */
    private readonly identityChanged: IdentityChangeSink = ignoreIdentityChanges,
  ) {}

  /** Reads and locks users the caller may see; NOT_FOUND names the first missing one. */
  private async lockUsers(em: EntityManager, ids: string[], vis: Visibility): Promise<User[]> {
    const valid = ids.filter(isUuid);
    const users = valid.length
      ? await em
          .getRepository(User)
          .createQueryBuilder("u")
          .setLock("pessimistic_write")
          .where("u.id = ANY(:ids)", { ids: valid })
          .andWhere(vis.apiClientId ? "u.api_client_id = :client" : "TRUE", { client: vis.apiClientId })
          .getMany()
      : [];
    const missing = ids.find((id) => !users.some((u) => u.id === id));
    if (missing !== undefined) throw notFound("User", missing); // "" is missing too
    return ids.map((id) => users.find((u) => u.id === id)!);
  }

  /**
   * §9.2 user list: keyset pages ordered by (display name | username, id), optionally filtered by substrings of
   * either name (ILIKE, served by the trigram indexes of migration UserListIndexes), auth method, enabled and
   * deleted. With `vis.apiClientId` (an untrusted client) only that client's users.
   */
  async list(rc: RequestContext, query: UserListQuery, first: number, after: string | null | undefined): Promise<Page<User>> {
    const vis = rc.visibility;
    const column = USER_SORT_COLUMN[query.sortKey];
    const qb = this.ds.getRepository(User).createQueryBuilder("u");
    if (vis.apiClientId) qb.andWhere("u.api_client_id = :client", { client: vis.apiClientId });
    if (query.displayName) qb.andWhere("u.display_name ILIKE :dn", { dn: containsPattern(query.displayName) });
    if (query.username) qb.andWhere("u.username ILIKE :un", { un: containsPattern(query.username) });
    if (query.authMethod) qb.andWhere("u.auth_method = :am", { am: query.authMethod });
    if (query.enabled !== null && query.enabled !== undefined) qb.andWhere("u.enabled = :enabled", { enabled: query.enabled });
    if (query.deleted !== null && query.deleted !== undefined) qb.andWhere("u.deleted = :deleted", { deleted: query.deleted });
    if (after) {
      const cursor = decodeUserCursor(after, query.sortKey);
      qb.andWhere(`(u.${column}, u.id) ${query.desc ? "<" : ">"} (:cname, CAST(:cid AS uuid))`, { cname: cursor.name, cid: cursor.id });
    }
    const dir = query.desc ? "DESC" : "ASC";
    const rows = await qb
      .orderBy(`u.${column}`, dir)
      .addOrderBy("u.id", dir)
      .limit(first + 1)
      .getMany();
    const field = query.sortKey === UserSortKey.DISPLAY_NAME ? "displayName" : "username";
    return {
      nodes: rows.slice(0, first),
      hasNextPage: rows.length > first,
      cursorOf: (u) => encodeUserCursor({ sortKey: query.sortKey, name: u[field], id: u.id }),
    };
  }

  /**
   * §6.6 `PUT /users/{id}`: sets the given fields; tosAcceptance true stamps now (every time), false does nothing.
   * Journaled with the fields that changed; a call that changes nothing writes no row.
   */
  async update(rc: RequestContext, userId: string, changes: UserChanges): Promise<User> {
    const { actor, visibility: vis } = rc;
    const { saved, identityChanged } = await inTransaction(this.ds, async (em) => {
      const [user] = await this.lockUsers(em, [userId], vis);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const set = <K extends "displayName" | "enabled" | "notes" | "showOnLeaderboard">(key: K, value: User[K] | null | undefined) => {
        if (value === undefined || value === null || value === user[key]) return;
        before[key] = user[key];
        after[key] = value;
        user[key] = value;
      };
      if (changes.displayName !== undefined && changes.displayName !== null && changes.displayName.trim() === "") {
        throw badInput("displayName must not be blank");
      }
      set("displayName", changes.displayName?.trim());
      set("enabled", changes.enabled);
      set("notes", changes.notes);
      set("showOnLeaderboard", changes.showOnLeaderboard);
      if (changes.tosAcceptance) {
        before.tosAcceptanceDate = user.tosAcceptanceDate;
        user.tosAcceptanceDate = new Date();
        after.tosAcceptanceDate = user.tosAcceptanceDate;
      }
      if (Object.keys(after).length === 0) return { saved: user, identityChanged: false };
      const saved = await em.getRepository(User).save(user);
      await writeJournal(em, actor, ModerationAction.USER_UPDATED, { targetId: user.id }, { before, after });
      return { saved, identityChanged: "enabled" in after };
    });
    if (identityChanged) this.identityChanged({ userId: saved.id, reason: saved.enabled ? "enabled" : "disabled" });
    return saved;
  }

  /**
   * §6.6 `DELETE /users/{id}`: the identity goes (username, display name, leaderboard place), the contributions
   * stay. The journal row does not copy the old identity, or the deletion would keep what it removes.
   */
  async delete(rc: RequestContext, userId: string): Promise<User> {
    const { actor, visibility: vis } = rc;
    const { user, changed } = await inTransaction(this.ds, async (em) => {
      const [user] = await this.lockUsers(em, [userId], vis);
      return this.anonymise(em, actor, user, ModerationAction.USER_DELETED);
    });
    if (changed) this.identityChanged({ userId: user.id, reason: "deleted" });
    return user;
  }

  /**
   * The reference's `DELETE /account`: the acting user deletes their own account, anonymised exactly as
   * `delete` does (contributions and chats stay, as in the reference). Journaled as `account_deleted`; every
   * token and open socket of the user ends. The acting user is `rc`'s, resolved by the caller.
   */
  async deleteOwnAccount(rc: RequestContext): Promise<User> {
    const acting = rc.identity.user;
    if (!acting) throw new ChorusError(ErrorCode.USER_NOT_SPECIFIED, "Deleting an account acts for a user");
    const { user, changed } = await inTransaction(this.ds, async (em) => {
      const [user] = await this.lockUsers(em, [acting.id], { apiClientId: null });
      return this.anonymise(em, rc.actor, user, ModerationAction.ACCOUNT_DELETED);
    });
    if (changed) this.identityChanged({ userId: user.id, reason: "deleted" });
    return user;
  }

  /** Deletes (anonymises) a locked user; a user deleted already is left as it is, with no journal row. */
  private async anonymise(em: EntityManager, actor: Actor, user: User, action: ModerationAction): Promise<{ user: User; changed: boolean }> {
    if (user.deleted) return { user, changed: false };
    const before = { deleted: user.deleted, showOnLeaderboard: user.showOnLeaderboard };
    user.deleted = true;
    user.username = `deleted_${user.id}`;
    user.displayName = DELETED_USER_NAME;
    user.showOnLeaderboard = false;
    const saved = await em.getRepository(User).save(user);
    await writeJournal(em, actor, action, { targetId: user.id }, { before, after: { deleted: true, showOnLeaderboard: false } });
    return { user: saved, changed: true };
  }

  /**
   * Shows or hides a user on the leaderboards (their own choice, or a moderator's), journaled
   * (`leaderboard_visibility_changed`); setting what is already set writes nothing. Ranks follow at the next recompute.
   */
  async setLeaderboardVisibility(rc: RequestContext, userId: string, show: boolean): Promise<User> {
    if (userId !== rc.identity.user?.id && !roleAtLeast(rc.role, Role.MODERATOR)) {
      throw forbidden("Only a MODERATOR may change another user's leaderboard visibility");
    }
    return inTransaction(this.ds, async (em) => {
      const [user] = await this.lockUsers(em, [userId], rc.visibility);
      if (user.showOnLeaderboard === show) return user;
      const before = { showOnLeaderboard: user.showOnLeaderboard };
      user.showOnLeaderboard = show;
      const saved = await em.getRepository(User).save(user);
      await writeJournal(em, rc.actor, ModerationAction.LEADERBOARD_VISIBILITY_CHANGED, { targetId: user.id }, { before, after: { showOnLeaderboard: show } });
      return saved;
    });
  }

  /** The acting user accepts the terms of service (spec §6.6 `tos_acceptance`): stamped now, every time. */
  async acceptTos(rc: RequestContext): Promise<User> {
    const { actor } = rc;
    const user = rc.identity.user;
    if (!user) throw new ChorusError(ErrorCode.USER_NOT_SPECIFIED, "Accepting the terms of service acts for a user");
    return inTransaction(this.ds, async (em) => {
      const before = user.tosAcceptanceDate;
      const rows = rowsOf<{ tos_acceptance_date: Date }>(
        await em.query(`UPDATE "user" SET tos_acceptance_date = now() WHERE id = $1 RETURNING tos_acceptance_date`, [user.id]),
      );
      if (!rows[0]) throw notFound("User", user.id);
      await writeJournal(
        em,
        actor,
        ModerationAction.TOS_ACCEPTED,
        { targetId: user.id },
        {
          before: { tosAcceptanceDate: before },
          after: { tosAcceptanceDate: rows[0].tos_acceptance_date },
        },
      );
      return em.getRepository(User).findOneByOrFail({ id: user.id });
    });
  }

  /**
   * §7.2 `merge_users`: every contribution of the sources goes to the destination, then the sources' stats and
   * the sources go. Where the destination already has the same row (the same emoji on the same message, a second
   * review or free label of the same message) the source's copy is dropped, and an emoji's count drops with it.
   */
  async merge(
    rc: RequestContext,
    destinationId: string,
    sourceIds: string[],
  ): Promise<{ destination: User; moved: { table: string; count: number }[]; dropped: { table: string; count: number }[] }> {
    const { actor, visibility: vis } = rc;
    const sources = [...new Set(sourceIds)];
    if (sources.includes(destinationId)) throw badInput("The destination cannot also be a source");
    return inTransaction(this.ds, async (em) => {
      const [destination] = await this.lockUsers(em, [destinationId, ...sources], vis);
      const all = [destinationId, ...sources];

      // Duplicates first: one row per (message, emoji) among the merged users, the destination's kept.
      const droppedEmojis = rowsOf<{ message_id: string; emoji: string }>(
        await em.query(
          `WITH ranked AS (
             SELECT message_id, user_id, emoji,
                    row_number() OVER (PARTITION BY message_id, emoji ORDER BY (user_id = $1) DESC, created_date, user_id) AS rn
             FROM message_emoji WHERE user_id = ANY($2::uuid[]))
           DELETE FROM message_emoji e USING ranked r
           WHERE e.message_id = r.message_id AND e.user_id = r.user_id AND e.emoji = r.emoji AND r.rn > 1
           RETURNING e.message_id, e.emoji`,
          [destinationId, all],
        ),
      );
      for (const d of droppedEmojis) {
        await em.query(
          `UPDATE message SET emojis = CASE WHEN coalesce((emojis->>$2)::int, 0) <= 1 THEN emojis - $2
                                            ELSE jsonb_set(emojis, ARRAY[$2::text], to_jsonb((emojis->>$2)::int - 1)) END
           WHERE id = $1`,
          [d.message_id, d.emoji],
        );
      }
      const droppedLabels = rowsOf<{ id: string }>(
        await em.query(
          `WITH ranked AS (
             SELECT id, row_number() OVER (PARTITION BY message_id, (task_id IS NULL) ORDER BY (user_id = $1) DESC, created_date, id) AS rn
             FROM text_labels WHERE user_id = ANY($2::uuid[]))
           DELETE FROM text_labels t USING ranked r WHERE t.id = r.id AND r.rn > 1 RETURNING t.id`,
          [destinationId, all],
        ),
      );

      const moved: { table: string; count: number }[] = [];
      for (const table of MERGED_TABLES) {
        const rows = rowsOf<unknown>(await em.query(`UPDATE ${table} SET user_id = $1 WHERE user_id = ANY($2::uuid[]) RETURNING 1`, [destinationId, sources]));
        moved.push({ table, count: rows.length });
      }
      await em.query(`DELETE FROM user_stats WHERE user_id = ANY($1::uuid[])`, [sources]);
      // The stats module may keep troll stats in their own table; they go with their user too.
      const troll: { exists: boolean }[] = await em.query(`SELECT to_regclass('troll_stats') IS NOT NULL AS exists`);
      if (troll[0].exists) await em.query(`DELETE FROM troll_stats WHERE user_id = ANY($1::uuid[])`, [sources]);
      await em.query(`DELETE FROM "user" WHERE id = ANY($1::uuid[])`, [sources]);

      const dropped = [
        { table: "message_emoji", count: droppedEmojis.length },
        { table: "text_labels", count: droppedLabels.length },
      ];
      await writeJournal(
        em,
        actor,
        ModerationAction.USERS_MERGED,
        { targetId: destinationId },
        {
          before: { source_user_ids: sources },
          after: { moved: Object.fromEntries(moved.map((m) => [m.table, m.count])), dropped: Object.fromEntries(dropped.map((d) => [d.table, d.count])) },
        },
      );
      const fresh = await em.getRepository(User).findOneByOrFail({ id: destination.id });
      return { destination: fresh, moved, dropped };
    }).then((result) => {
      // The sources are gone: their tokens and open sockets end.
      for (const id of sources) this.identityChanged({ userId: id, reason: "merged" });
      return result;
    });
  }
}
