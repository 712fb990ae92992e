/**
 * The candidate sets of spec §2.5 for one language and one requesting user, read from the candidate pools the
 * database keeps (migration TaskPools: the user-independent part of each set, recomputed per tree by triggers
 * whenever a tree or one of its messages changes). Here the user-dependent rules are applied: own messages,
 * skip markers, earlier reviews and rankings, other volunteers' open reply tasks.
 *
 * A draw reads a few index entries whatever the data size: from a random point of a pool's random-key index, the
 * first row this user may take (wrapping around). The keys are drawn anew whenever the row's tree changes, so
 * over draws each candidate is equally likely; the lottery (§2.4) only needs to know which kinds have a
 * candidate, which is exactly whether the draw found one. Availability (§2.7) counts the same sets.
 */
import type { DataSource, EntityManager } from "typeorm";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import type { MessageRole } from "../trees/message.entity.js";

export interface RankingCandidate {
  parent_id: string;
  role: MessageRole;
  message_tree_id: string;
}
export interface ReviewCandidate {
  id: string;
  role: MessageRole;
  is_root: boolean;
  message_tree_id: string;
}
export interface ReplyParentCandidate {
  id: string;
  role: MessageRole;
  message_tree_id: string;
  /** Counted children: live and (accepted or still in review). */
  k: number;
}

export interface CandidateFlags {
  allowSelfLabeling: boolean;
  allowSelfRanking: boolean;
  allowDuplicateTasks: boolean;
}

export type PoolKind = "ranking" | "replyReview" | "promptReview" | "reply" | "lonelyReply";
type Role = "prompter" | "assistant" | null;

/** One candidate of each kind drawn for a random request (null: none for this user). */
export interface RandomDraw {
  ranking: RankingCandidate | null;
  replyReview: ReviewCandidate | null;
  promptReview: ReviewCandidate | null;
  reply: ReplyParentCandidate | null;
  lonelyReply: ReplyParentCandidate | null;
}

export interface CandidateSets {
  rankings: RankingCandidate[];
  replyReviews: ReviewCandidate[];
  promptReviews: ReviewCandidate[];
  replyParents: ReplyParentCandidate[];
}

export class TaskPools {
  constructor(
    private readonly cfg: TreeManagerConfig,
    private readonly flags: CandidateFlags,
  ) {}

  /**
   * Writes the settings the reply pool depends on; when they differ from the stored ones (or on a fresh
   * database) rebuilds every pool once, so a configuration change takes effect at start.
   */
  async sync(ds: DataSource): Promise<boolean> {
    const want = [
      this.cfg.numReviewsReply,
      this.cfg.numPrompterReplies,
      this.cfg.quirkSkipParentsWithOnlyDiscardedChildren,
      this.cfg.autoModRedFlags,
      this.cfg.autoModMaxSkipReply,
    ];
    return ds.transaction(async (em) => {
      await em.query(`LOCK TABLE task_pool_settings IN EXCLUSIVE MODE`);
      const rows: Record<string, unknown>[] = await em.query(
        `SELECT num_reviews_reply, num_prompter_replies, skip_parents_with_only_discarded_children, auto_mod_red_flags, auto_mod_max_skip_reply
         FROM task_pool_settings WHERE id = 1`,
      );
      if (rows[0] && Object.values(rows[0]).every((v, i) => v === want[i])) return false;
      await em.query(
        `INSERT INTO task_pool_settings (id, num_reviews_reply, num_prompter_replies, skip_parents_with_only_discarded_children, auto_mod_red_flags, auto_mod_max_skip_reply)
         VALUES (1, $1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET num_reviews_reply = $1, num_prompter_replies = $2, skip_parents_with_only_discarded_children = $3,
           auto_mod_red_flags = $4, auto_mod_max_skip_reply = $5`,
        want,
      );
      await em.query(`SELECT task_pool_refresh(ARRAY(SELECT message_tree_id FROM message_tree_state ORDER BY message_tree_id))`);
      return true;
    });
  }

  /**
   * The SQL condition (on pool row `x`) that makes a row of `kind` a candidate for the user ($1 language, $2 user
   * or null), with its own parameters numbered from `next`.
   */
  private condition(kind: PoolKind, role: Role, next: number): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${next + params.length - 1}`;
    };
    const roleSql = role ? ` AND x.role = ${p(role)}` : "";
    switch (kind) {
      case "ranking":
        return {
          sql: `x.lang = $1 AND x.min_ranking_count < ${p(this.cfg.numRequiredRankings)} AND (${p(this.cfg.rankPrompterReplies)}::boolean OR x.role = 'assistant')${roleSql}
            AND ($2::uuid IS NULL OR NOT EXISTS (
                  SELECT 1 FROM message_emoji e WHERE e.message_id = x.parent_id AND e.user_id = $2 AND e.emoji = '_skip_ranking'))
            AND ($2::uuid IS NULL OR ${p(this.flags.allowDuplicateTasks)}::boolean OR NOT EXISTS (
                  SELECT 1 FROM message_reaction r WHERE r.message_id = x.parent_id AND r.user_id = $2 AND r.payload_type = 'RankingReactionPayload'))
            AND ($2::uuid IS NULL OR ${p(this.flags.allowSelfRanking)}::boolean OR NOT EXISTS (
                  SELECT 1 FROM message c WHERE c.parent_id = x.parent_id AND c.role = x.role AND c.review_result AND NOT c.deleted AND c.user_id = $2))`,
          params,
        };
      case "replyReview":
      case "promptReview": {
        const root = kind === "promptReview";
        const required = root ? this.cfg.numReviewsInitialPrompt : this.cfg.numReviewsReply;
        return {
          sql: `x.lang = $1 AND x.is_root = ${root} AND x.review_count < ${p(required)}${roleSql}
            AND ($2::uuid IS NULL OR ${p(this.flags.allowSelfLabeling)}::boolean OR x.user_id IS DISTINCT FROM $2)
            AND ($2::uuid IS NULL OR NOT EXISTS (
                  SELECT 1 FROM message_emoji e WHERE e.message_id = x.message_id AND e.user_id = $2 AND e.emoji = '_skip_labeling'))
            AND ($2::uuid IS NULL OR ${p(this.flags.allowDuplicateTasks)}::boolean OR NOT EXISTS (
                  SELECT 1 FROM text_labels l WHERE l.message_id = x.message_id AND l.user_id = $2 AND l.task_id IS NOT NULL))`,
          params,
        };
      }
      case "reply":
      case "lonelyReply": {
        const lonely =
          kind === "lonelyReply" ? ` AND x.role = 'prompter' AND x.k > 0 AND x.k < ${p(this.cfg.lonelyChildrenCount)}` : "";
        return {
          sql: `x.lang = $1${roleSql}${lonely}
            AND ($2::uuid IS NULL OR NOT EXISTS (
                  SELECT 1 FROM message_emoji e WHERE e.message_id = x.parent_id AND e.user_id = $2 AND e.emoji = '_skip_reply'))
            AND NOT EXISTS (
                  SELECT 1 FROM task tk WHERE tk.parent_message_id = x.parent_id
                    AND tk.payload_type IN ('PrompterReplyPayload', 'AssistantReplyPayload')
                    AND tk.created_date > now() - make_interval(secs => ${p(this.cfg.recentTasksSpanSec)}) AND NOT tk.done AND NOT tk.skipped)
            AND NOT EXISTS (
                  SELECT 1 FROM message c WHERE c.parent_id = x.parent_id AND c.user_id = $2 AND NOT c.deleted
                    AND (c.review_result OR c.review_count < ${p(this.cfg.numReviewsReply)}))`,
          params,
        };
      }
    }
  }

  private static readonly TABLE: Record<PoolKind, string> = {
    ranking: "task_pool_ranking",
    replyReview: "task_pool_review",
    promptReview: "task_pool_review",
    reply: "task_pool_reply",
    lonelyReply: "task_pool_reply",
  };

  /** The columns a task is built from, as the candidate interfaces name them. */
  private static readonly COLUMNS: Record<PoolKind, string> = {
    ranking: "x.parent_id, x.role, x.message_tree_id",
    replyReview: "x.message_id AS id, x.role, x.is_root, x.message_tree_id",
    promptReview: "x.message_id AS id, x.role, x.is_root, x.message_tree_id",
    reply: "x.parent_id AS id, x.role, x.message_tree_id, x.k",
    lonelyReply: "x.parent_id AS id, x.role, x.message_tree_id, x.k",
  };

  /** A scalar subquery: the first candidate at or after `r` in random-key order, wrapping around; JSON or null. */
  private drawSql(kind: PoolKind, role: Role, r: number, params: unknown[]): string {
    const cond = this.condition(kind, role, params.length + 1);
    params.push(...cond.params);
    params.push(r);
    const rp = `$${params.length}`;
    const table = TaskPools.TABLE[kind];
    const cols = TaskPools.COLUMNS[kind];
    return `(SELECT row_to_json(d) FROM (
        (SELECT ${cols} FROM ${table} x WHERE ${cond.sql} AND x.rnd >= ${rp}::float8 ORDER BY x.rnd LIMIT 1)
        UNION ALL
        (SELECT ${cols} FROM ${table} x WHERE ${cond.sql} AND x.rnd < ${rp}::float8 ORDER BY x.rnd LIMIT 1)
        LIMIT 1) d)`;
  }

  /** Candidates of several kinds (each with its role filter), drawn in one statement; null where none. */
  async draw(em: EntityManager, lang: string, userId: string | null, wanted: readonly [PoolKind, Role][], rng: () => number): Promise<unknown[]> {
    const params: unknown[] = [lang, userId];
    const parts = wanted.map(([kind, role], i) => `${this.drawSql(kind, role, rng(), params)} AS c${i}`);
    const rows: Record<string, unknown>[] = await em.query(`SELECT ${parts.join(", ")}`, params);
    return wanted.map((_, i) => rows[0][`c${i}`] ?? null);
  }

  /** A candidate of each kind the random lottery weighs (and of the lonely parents it may prefer). */
  async drawAll(em: EntityManager, lang: string, userId: string | null, rng: () => number): Promise<RandomDraw> {
    const [ranking, replyReview, promptReview, reply, lonelyReply] = await this.draw(
      em,
      lang,
      userId,
      [["ranking", null], ["replyReview", null], ["promptReview", null], ["reply", null], ["lonelyReply", null]],
      rng,
    );
    return {
      ranking: ranking as RankingCandidate | null,
      replyReview: replyReview as ReviewCandidate | null,
      promptReview: promptReview as ReviewCandidate | null,
      reply: reply as ReplyParentCandidate | null,
      lonelyReply: lonelyReply as ReplyParentCandidate | null,
    };
  }

  /** One candidate of one kind (an explicit request type, with its role filter). */
  async drawOne<T>(em: EntityManager, kind: PoolKind, lang: string, userId: string | null, role: Role, rng: () => number): Promise<T | null> {
    return (await this.draw(em, lang, userId, [[kind, role]], rng))[0] as T | null;
  }

  /** Every candidate of every kind, ordered by id: availability counts them, the oracle test compares them. */
  async sets(em: EntityManager, lang: string, userId: string | null): Promise<CandidateSets> {
    const params: unknown[] = [lang, userId];
    const list = (kind: PoolKind, order: string) => {
      const cond = this.condition(kind, null, params.length + 1);
      params.push(...cond.params);
      return `(SELECT coalesce(json_agg(d ORDER BY ${order}), '[]'::json) FROM (SELECT ${TaskPools.COLUMNS[kind]} FROM ${TaskPools.TABLE[kind]} x WHERE ${cond.sql}) d)`;
    };
    const sql = `SELECT ${list("ranking", "d.parent_id, d.role")} AS r, ${list("replyReview", "d.id")} AS lr,
      ${list("promptReview", "d.id")} AS lp, ${list("reply", "d.id")} AS p`;
    const rows: { r: RankingCandidate[]; lr: ReviewCandidate[]; lp: ReviewCandidate[]; p: ReplyParentCandidate[] }[] = await em.query(sql, params);
    return { rankings: rows[0].r, replyReviews: rows[0].lr, promptReviews: rows[0].lp, replyParents: rows[0].p };
  }
}
