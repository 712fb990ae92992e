/**
 * Hard deletion of a user's work (spec §7.3), in one transaction. A preview runs the very same statements and
 * rolls them back, so what it reports is exactly what a real purge would do, and it changes nothing.
 *
 * Two deliberate choices beyond the reference: moderation rows of the journal (those with a target) survive a
 * purge, so the audit trail of who did what cannot be erased by purging; and a purge re-activates the trees it
 * touched (T9) except those a moderator halted or that were aborted, which stay stopped.
 */
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { notFound } from "../../common/errors.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import type { TreeManager } from "../trees/tree-manager.js";
import type { Visibility } from "../../common/visibility.js";
import type { RequestContext } from "../../common/request-context.js";
import { ModerationAction, writeJournal } from "./journal.js";
import { systemStats } from "./system-stats.js";
import { PurgeResult } from "./moderation.types.js";
import { ignoreIdentityChanges, type IdentityChangeSink } from "../../server/identity-events.js";

/** Carries a preview's result out of the transaction it rolls back. */
class PreviewRollback extends Error {
  constructor(readonly result: PurgeResult) {
    super("preview");
  }
}

interface Counts {
  purgedMessages: number;
  purgedTrees: number;
}

export class PurgeService {
  constructor(
    private readonly ds: DataSource,
    private readonly trees: TreeManager,
    /** Told after a ban commits (the user's open sockets close at once). */
    private readonly identityChanged: IdentityChangeSink = ignoreIdentityChanges,
  ) {}

  /** `purge_user`: every message of the user with whole trees of their prompts, then their other traces; ban optional. */
  async purgeUser(rc: RequestContext, userId: string, ban: boolean, preview: boolean): Promise<PurgeResult> {
    const { actor, visibility: vis } = rc;
    const result = await this.run(preview, async (em) => {
      await this.lockUser(em, userId, vis);
      const counts = await this.purgeMessages(em, userId, true, null, null);
      await this.purgeTraces(em, userId);
      if (ban) await em.query(`UPDATE "user" SET deleted = true, enabled = false WHERE id = $1`, [userId]);
      await writeJournal(em, actor, ModerationAction.USER_PURGED, { targetId: userId }, { before: {}, after: { ...counts, banned: ban } });
      return counts;
    });
    if (ban && !preview) this.identityChanged({ userId, reason: "banned" });
    return result;
  }

  /** `purge_user_messages`: the user's messages created in [since, until), with their subtrees. */
  async purgeUserMessages(
    rc: RequestContext,
    userId: string,
    opts: { purgeInitialPrompts: boolean; since: Date | null; until: Date | null; preview: boolean },
  ): Promise<PurgeResult> {
    const { actor, visibility: vis } = rc;
    return this.run(opts.preview, async (em) => {
      await this.lockUser(em, userId, vis);
      const counts = await this.purgeMessages(em, userId, opts.purgeInitialPrompts, opts.since, opts.until);
      await writeJournal(
        em,
        actor,
        ModerationAction.USER_MESSAGES_PURGED,
        { targetId: userId },
        {
          before: {},
          after: counts,
          purge_initial_prompts: opts.purgeInitialPrompts,
          since: opts.since,
          until: opts.until,
        },
      );
      return counts;
    });
  }

  private async run(preview: boolean, body: (em: EntityManager) => Promise<Counts>): Promise<PurgeResult> {
    const started = Date.now();
    try {
      return await inTransaction(this.ds, async (em) => {
        const before = await systemStats(em);
        const counts = await body(em);
        const after = await systemStats(em);
        const result = Object.assign(new PurgeResult(), { preview, before, after, ...counts, durationMs: Date.now() - started });
        if (preview) throw new PreviewRollback(result);
        return result;
      });
    } catch (err) {
      if (err instanceof PreviewRollback) return Object.assign(err.result, { durationMs: Date.now() - started });
      throw err;
    }
  }

  private async lockUser(em: EntityManager, userId: string, vis: Visibility): Promise<void> {
    const rows: unknown[] = isUuid(userId)
      ? await em.query(`SELECT id FROM "user" WHERE id = $1 AND ($2::uuid IS NULL OR api_client_id = $2) FOR UPDATE`, [userId, vis.apiClientId])
      : [];
    if (!rows[0]) throw notFound("User", userId);
  }

  private async purgeMessages(em: EntityManager, userId: string, withPrompts: boolean, since: Date | null, until: Date | null): Promise<Counts> {
    const mine: { id: string; parent_id: string | null; message_tree_id: string }[] = await em.query(
      `SELECT id, parent_id, message_tree_id FROM message
       WHERE user_id = $1 AND ($2::timestamptz IS NULL OR created_date >= $2) AND ($3::timestamptz IS NULL OR created_date < $3)`,
      [userId, since, until],
    );
    let purgedMessages = 0;
    const purgedTreeIds = new Set<string>();
    if (withPrompts) {
      for (const root of mine.filter((m) => m.parent_id === null)) {
        purgedMessages += await this.purgeTree(em, root.message_tree_id);
        purgedTreeIds.add(root.message_tree_id);
      }
    }
    const repliesByTree = new Map<string, string[]>();
    for (const m of mine) {
      if (m.parent_id === null || purgedTreeIds.has(m.message_tree_id)) continue;
      repliesByTree.set(m.message_tree_id, [...(repliesByTree.get(m.message_tree_id) ?? []), m.id]);
    }
    for (const [treeId, replies] of repliesByTree) purgedMessages += await this.purgeReplies(em, treeId, replies);
    return { purgedMessages, purgedTrees: purgedTreeIds.size };
  }

  /** A whole tree: its messages and everything attached to them, its tasks and its state. */
  private async purgeTree(em: EntityManager, treeId: string): Promise<number> {
    const ids = ((await em.query(`SELECT id FROM message WHERE message_tree_id = $1`, [treeId])) as { id: string }[]).map((r) => r.id);
    await em.query(`DELETE FROM message_reaction WHERE message_id = ANY($1::uuid[]) OR task_id IN (SELECT id FROM task WHERE message_tree_id = $2)`, [
      ids,
      treeId,
    ]);
    await em.query(`DELETE FROM task WHERE message_tree_id = $1 OR id IN (SELECT task_id FROM message WHERE id = ANY($2::uuid[]))`, [treeId, ids]);
    await this.deleteMessageRows(em, ids);
    await em.query(`DELETE FROM message_tree_state WHERE message_tree_id = $1`, [treeId]);
    return ids.length;
  }

  /**
   * The user's replies in one tree with their subtrees; rankings that included a purged message go, the
   * remaining siblings' ranking counts and the tree's children counts are recomputed, and the tree re-activated.
   */
  private async purgeReplies(em: EntityManager, treeId: string, replyIds: string[]): Promise<number> {
    const tree = await this.trees.lockTree(em, treeId);
    const rows: { id: string; parent_id: string }[] = await em.query(
      `WITH RECURSIVE sub AS (SELECT id, parent_id FROM message WHERE id = ANY($1::uuid[])
                              UNION SELECT c.id, c.parent_id FROM message c JOIN sub ON c.parent_id = sub.id)
       SELECT id, parent_id FROM sub`,
      [replyIds],
    );
    const ids = rows.map((r) => r.id);
    const parents = [...new Set(rows.map((r) => r.parent_id))].filter((p) => !ids.includes(p));
    // rankings of a parent that ranked a purged child, and the rankings of purged parents
    await em.query(
      `DELETE FROM message_reaction r
       WHERE r.message_id = ANY($1::uuid[])
          OR (r.message_id = ANY($2::uuid[]) AND r.payload_type = 'RankingReactionPayload'
              AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.payload->'ranked_message_ids') x WHERE x = ANY($1::text[])))`,
      [ids, parents],
    );
    await em.query(`DELETE FROM task WHERE parent_message_id = ANY($1::uuid[]) OR id IN (SELECT task_id FROM message WHERE id = ANY($1::uuid[]))`, [ids]);
    await this.deleteMessageRows(em, ids);
    await recomputeRankingCounts(em, parents);
    await em.query(
      `UPDATE message p SET children_count = (SELECT count(*) FROM message c WHERE c.parent_id = p.id AND NOT c.deleted)
       WHERE p.message_tree_id = $1`,
      [treeId],
    );
    if (tree && tree.state !== TreeState.HALTED_BY_MODERATOR && tree.state !== TreeState.ABORTED_LOW_GRADE) {
      await this.trees.reactivate(em, tree);
    }
    return ids.length;
  }

  /** Rows attached to messages, then the messages. Moderation rows of the journal stay (see the file comment). */
  private async deleteMessageRows(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(`DELETE FROM journal WHERE message_id = ANY($1::uuid[]) AND target_id IS NULL`, [ids]);
    await em.query(`DELETE FROM text_labels WHERE message_id = ANY($1::uuid[])`, [ids]);
    await em.query(`DELETE FROM message_emoji WHERE message_id = ANY($1::uuid[])`, [ids]);
    await em.query(`DELETE FROM flagged_message WHERE message_id = ANY($1::uuid[])`, [ids]);
    await em.query(`DELETE FROM message_revision WHERE message_id = ANY($1::uuid[])`, [ids]);
    await em.query(`DELETE FROM message WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** `purge_user`'s second step: the user's remaining journal rows, rankings, emojis, tasks and stats. */
  private async purgeTraces(em: EntityManager, userId: string): Promise<void> {
    await em.query(`DELETE FROM journal WHERE user_id = $1 AND target_id IS NULL`, [userId]);
    const reactions = rowsOf<{ message_id: string }>(await em.query(`DELETE FROM message_reaction WHERE user_id = $1 RETURNING message_id`, [userId]));
    await recomputeRankingCounts(em, [...new Set(reactions.map((r) => r.message_id))]);
    const emojis = rowsOf<{ message_id: string; emoji: string }>(
      await em.query(`DELETE FROM message_emoji WHERE user_id = $1 RETURNING message_id, emoji`, [userId]),
    );
    for (const e of emojis) {
      await em.query(
        `UPDATE message SET emojis = CASE WHEN coalesce((emojis->>$2)::int, 0) <= 1 THEN emojis - $2
                                          ELSE jsonb_set(emojis, ARRAY[$2::text], to_jsonb((emojis->>$2)::int - 1)) END
         WHERE id = $1`,
        [e.message_id, e.emoji],
      );
    }
    await em.query(`DELETE FROM task WHERE user_id = $1`, [userId]);
    await em.query(`DELETE FROM user_stats WHERE user_id = $1`, [userId]);
    // The boards' next incremental run recomputes this user (what is left of them) like a full recompute would.
    await em.query(`SELECT stats_mark_dirty(ARRAY[$1]::uuid[])`, [userId]);
  }
}

/** A child's ranking_count = the rankings of its parent that list it (spec §7.3). */
async function recomputeRankingCounts(em: EntityManager, parentIds: string[]): Promise<void> {
  if (parentIds.length === 0) return;
  await em.query(
    `UPDATE message c SET ranking_count = (
       SELECT count(*) FROM message_reaction r
       WHERE r.message_id = c.parent_id AND r.payload_type = 'RankingReactionPayload' AND r.payload->'ranked_message_ids' ? c.id::text)
     WHERE c.parent_id = ANY($1::uuid[])`,
    [parentIds],
  );
}
