/**
 * Moderators' powers over messages (spec §4.5, §7.2, §9.3): soft delete with the subtree, undelete with the
 * ancestors, edits that keep every revision, and the flagged-message queue. Each change and its journal row
 * commit together; a missing target changes nothing.
 */
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { uuid7 } from "../../db/uuid7.js";
import { badInput, forbidden, notFound } from "../../common/errors.js";
import { decodeCursor, encodeCursor, type Page } from "../../common/pagination.js";
import { messageNotFound } from "../trees/message.service.js";
import type { Visibility } from "../../common/visibility.js";
import type { RequestContext } from "../../common/request-context.js";
import { ModerationAction, writeJournal } from "./journal.js";
import { FlaggedMessageNode, MessageRevisionNode } from "./moderation.types.js";

interface LockedMessage {
  id: string;
  user_id: string | null;
  text: string;
  lang: string;
  edited: boolean;
  deleted: boolean;
  created_date: Date;
  api_client_id: string;
}

export class MessageModerationService {
  constructor(
    private readonly ds: DataSource,
    private readonly searchConfig: (em: EntityManager, lang: string) => Promise<string>,
  ) {}

  /** Reads and locks one message the caller may see; MESSAGE_NOT_FOUND otherwise. */
  private async lockMessage(em: EntityManager, messageId: string, vis: Visibility): Promise<LockedMessage> {
    const rows: LockedMessage[] = isUuid(messageId)
      ? await em.query(
          `SELECT id, user_id, text, lang, edited, deleted, created_date, api_client_id FROM message
           WHERE id = $1 AND ($2::uuid IS NULL OR api_client_id = $2) FOR UPDATE`,
          [messageId, vis.apiClientId],
        )
      : [];
    if (!rows[0]) throw messageNotFound(messageId);
    return rows[0];
  }

  /**
   * An untrusted client's moderator acts on its own client's messages only: a change that would also reach
   * another client's message (a reply in the subtree, an ancestor) is refused whole. `touched` selects the
   * `api_client_id` of every message the change would alter.
   */
  private async assertOnlyOwn(em: EntityManager, vis: Visibility, touched: string, params: unknown[]): Promise<void> {
    if (!vis.apiClientId) return;
    const [{ foreign }]: { foreign: boolean }[] = await em.query(
      `SELECT EXISTS (SELECT 1 FROM (${touched}) t WHERE t.api_client_id <> $${params.length + 1}::uuid) AS foreign`,
      [...params, vis.apiClientId],
    );
    if (foreign) throw forbidden("This would change messages of other API clients; an untrusted client acts on its own client's messages only");
  }

  /** §4.5: the message and every descendant become deleted. Tree state and children counts stay as they are. */
  async deleteMessage(rc: RequestContext, messageId: string): Promise<string[]> {
    const { actor, visibility: vis } = rc;
    return inTransaction(this.ds, async (em) => {
      const m = await this.lockMessage(em, messageId, vis);
      await this.assertOnlyOwn(
        em,
        vis,
        `WITH RECURSIVE sub AS (SELECT id, deleted, api_client_id FROM message WHERE id = $1
           UNION ALL SELECT c.id, c.deleted, c.api_client_id FROM message c JOIN sub ON c.parent_id = sub.id)
         SELECT api_client_id FROM sub WHERE NOT deleted`,
        [m.id],
      );
      const changed = rowsOf<{ id: string }>(
        await em.query(
          `WITH RECURSIVE sub AS (SELECT id FROM message WHERE id = $1 UNION ALL SELECT c.id FROM message c JOIN sub ON c.parent_id = sub.id)
           UPDATE message SET deleted = true WHERE id IN (SELECT id FROM sub) AND NOT deleted RETURNING id`,
          [m.id],
        ),
      ).map((r) => r.id);
      // Deleting what is deleted already changes nothing, and the journal says nothing about it.
      if (changed.length === 0) return changed;
      await writeJournal(
        em,
        actor,
        ModerationAction.MESSAGE_DELETED,
        { targetId: m.id, messageId: m.id },
        {
          before: { deleted: m.deleted },
          after: { deleted: true },
          changed_ids: changed,
        },
      );
      return changed;
    });
  }

  /** §4.5: the message and every ancestor become live again (descendants stay as they are). */
  async undeleteMessage(rc: RequestContext, messageId: string): Promise<string[]> {
    const { actor, visibility: vis } = rc;
    return inTransaction(this.ds, async (em) => {
      const m = await this.lockMessage(em, messageId, vis);
      await this.assertOnlyOwn(
        em,
        vis,
        `WITH RECURSIVE up AS (SELECT id, parent_id, deleted, api_client_id FROM message WHERE id = $1
           UNION ALL SELECT p.id, p.parent_id, p.deleted, p.api_client_id FROM message p JOIN up ON p.id = up.parent_id)
         SELECT api_client_id FROM up WHERE deleted`,
        [m.id],
      );
      const changed = rowsOf<{ id: string }>(
        await em.query(
          `WITH RECURSIVE up AS (SELECT id, parent_id FROM message WHERE id = $1 UNION ALL SELECT p.id, p.parent_id FROM message p JOIN up ON p.id = up.parent_id)
           UPDATE message SET deleted = false WHERE id IN (SELECT id FROM up) AND deleted RETURNING id`,
          [m.id],
        ),
      ).map((r) => r.id);
      if (changed.length === 0) return changed;
      await writeJournal(
        em,
        actor,
        ModerationAction.MESSAGE_UNDELETED,
        { targetId: m.id, messageId: m.id },
        {
          before: { deleted: m.deleted },
          after: { deleted: false },
          changed_ids: changed,
        },
      );
      return changed;
    });
  }

  /** §4.5 (`DELETE /users/{id}/messages`): every message of the user, with its subtree, becomes deleted. */
  async deleteUserMessages(rc: RequestContext, userId: string): Promise<number> {
    const { actor, visibility: vis } = rc;
    return inTransaction(this.ds, async (em) => {
      const users: { id: string }[] = isUuid(userId)
        ? await em.query(`SELECT id FROM "user" WHERE id = $1 AND ($2::uuid IS NULL OR api_client_id = $2) FOR UPDATE`, [userId, vis.apiClientId])
        : [];
      if (!users[0]) throw notFound("User", userId);
      await this.assertOnlyOwn(
        em,
        vis,
        `WITH RECURSIVE sub AS (SELECT id, deleted, api_client_id FROM message WHERE user_id = $1
           UNION SELECT c.id, c.deleted, c.api_client_id FROM message c JOIN sub ON c.parent_id = sub.id)
         SELECT api_client_id FROM sub WHERE NOT deleted`,
        [userId],
      );
      const changed = rowsOf<{ id: string }>(
        await em.query(
          `WITH RECURSIVE sub AS (SELECT id FROM message WHERE user_id = $1 UNION SELECT c.id FROM message c JOIN sub ON c.parent_id = sub.id)
           UPDATE message SET deleted = true WHERE id IN (SELECT id FROM sub) AND NOT deleted RETURNING id`,
          [userId],
        ),
      );
      if (changed.length === 0) return 0;
      await writeJournal(
        em,
        actor,
        ModerationAction.USER_MESSAGES_DELETED,
        { targetId: userId },
        {
          before: {},
          after: { deleted_count: changed.length },
          changed_ids: changed.map((r) => r.id),
        },
      );
      return changed.length;
    });
  }

  /**
   * §9.3: the first edit stores the original text as a revision (its author, its date), then every edit stores
   * the new text as a revision (the editor, now) and replaces the message's text and search vector.
   */
  async editMessage(rc: RequestContext, messageId: string, text: string): Promise<void> {
    const { actor, visibility: vis } = rc;
    if (text.trim() === "") throw badInput("The new text must not be empty");
    await inTransaction(this.ds, async (em) => {
      const m = await this.lockMessage(em, messageId, vis);
      if (m.text === text) return; // the same text: nothing to keep, nothing to journal
      if (!m.edited) {
        await em.query(`INSERT INTO message_revision (id, text, message_id, user_id, created_date) VALUES ($1, $2, $3, $4, $5)`, [
          uuid7(),
          m.text,
          m.id,
          m.user_id,
          m.created_date,
        ]);
      }
      const revisionId = uuid7();
      await em.query(`INSERT INTO message_revision (id, text, message_id, user_id, created_date) VALUES ($1, $2, $3, $4, now())`, [
        revisionId,
        text,
        m.id,
        actor.userId,
      ]);
      await em.query(`UPDATE message SET text = $2, edited = true, search_vector = to_tsvector($3::regconfig, $2) WHERE id = $1`, [
        m.id,
        text,
        await this.searchConfig(em, m.lang),
      ]);
      await writeJournal(
        em,
        actor,
        ModerationAction.MESSAGE_EDITED,
        { targetId: m.id, messageId: m.id },
        {
          before: { text: m.text, edited: m.edited },
          after: { text, edited: true },
          revision_id: revisionId,
        },
      );
    });
  }

  /** Every revision of a message, oldest first (empty when it was never edited). */
  async history(rc: RequestContext, messageId: string): Promise<MessageRevisionNode[]> {
    const vis = rc.visibility;
    const msg: { user_id: string | null }[] = isUuid(messageId)
      ? await this.ds.query(`SELECT user_id FROM message WHERE id = $1 AND ($2::uuid IS NULL OR api_client_id = $2)`, [messageId, vis.apiClientId])
      : [];
    if (!msg[0]) throw messageNotFound(messageId);
    const rows: { id: string; text: string; message_id: string; user_id: string | null; created_date: Date }[] = await this.ds.query(
      `SELECT id, text, message_id, user_id, created_date FROM message_revision WHERE message_id = $1 ORDER BY id`,
      [messageId],
    );
    return rows.map((r) =>
      Object.assign(new MessageRevisionNode(), {
        id: r.id,
        messageId: r.message_id,
        text: r.text,
        userId: r.user_id,
        userIsAuthor: r.user_id !== null && r.user_id === msg[0].user_id,
        createdDate: r.created_date,
      }),
    );
  }

  /** The flagged-message queue: a keyset page on (created_date, message_id). `processed` null lists both kinds. */
  async flagged(
    rc: RequestContext,
    opts: { processed: boolean | null; desc: boolean },
    first: number,
    after: string | null | undefined,
  ): Promise<Page<FlaggedMessageNode>> {
    const vis = rc.visibility;
    const params: unknown[] = [opts.processed, vis.apiClientId];
    const where = [`($1::boolean IS NULL OR f.processed = $1)`, `($2::uuid IS NULL OR m.api_client_id = $2)`];
    const op = opts.desc ? "<" : ">";
    if (after) {
      const c = decodeCursor(after);
      params.push(c.at, c.id);
      where.push(`(f.created_date, f.message_id) ${op} ($3::timestamptz, $4::uuid)`);
    }
    const dir = opts.desc ? "DESC" : "ASC";
    params.push(first + 1);
    const rows: { message_id: string; processed: boolean; created_date: Date; cursor_at: string }[] = await this.ds.query(
      `SELECT f.message_id, f.processed, f.created_date,
              to_char(f.created_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM flagged_message f JOIN message m ON m.id = f.message_id
       WHERE ${where.join(" AND ")}
       ORDER BY f.created_date ${dir}, f.message_id ${dir} LIMIT $${params.length}`,
      params,
    );
    const cursors = new Map<string, string>();
    const nodes = rows.slice(0, first).map((r) => {
      cursors.set(r.message_id, encodeCursor({ at: r.cursor_at, id: r.message_id }));
      return Object.assign(new FlaggedMessageNode(), { messageId: r.message_id, processed: r.processed, createdDate: r.created_date });
    });
    return { nodes, hasNextPage: rows.length > first, cursorOf: (n) => cursors.get(n.messageId)! };
  }

  /** Marks a flagged message as dealt with; NOT_FOUND when the message is not in the queue. */
  async markProcessed(rc: RequestContext, messageId: string): Promise<FlaggedMessageNode> {
    const { actor, visibility: vis } = rc;
    return inTransaction(this.ds, async (em) => {
      const rows: { message_id: string; processed: boolean; created_date: Date }[] = isUuid(messageId)
        ? await em.query(
            `SELECT f.message_id, f.processed, f.created_date FROM flagged_message f JOIN message m ON m.id = f.message_id
             WHERE f.message_id = $1 AND ($2::uuid IS NULL OR m.api_client_id = $2) FOR UPDATE OF f`,
            [messageId, vis.apiClientId],
          )
        : [];
      if (!rows[0]) throw notFound("Flagged message", messageId);
      if (!rows[0].processed) {
        await em.query(`UPDATE flagged_message SET processed = true WHERE message_id = $1`, [messageId]);
        await writeJournal(
          em,
          actor,
          ModerationAction.FLAG_PROCESSED,
          { targetId: messageId, messageId },
          {
            before: { processed: rows[0].processed },
            after: { processed: true },
          },
        );
      }
      return Object.assign(new FlaggedMessageNode(), { messageId, processed: true, createdDate: rows[0].created_date });
    });
  }
}
