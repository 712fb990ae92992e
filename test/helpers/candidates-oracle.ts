/**
 * The test oracle for the candidate pools: the candidate sets of spec §2.5 computed per request, one SQL statement
 * each, for one language and one requesting user, as Chorus computed them before the database kept the pools
 * (src/modules/tasks/task-pools.ts). test/integration/task-pools-oracle.test.ts compares the two.
 */
import type { EntityManager } from "typeorm";
import type { TreeManagerConfig } from "../../src/config/tree-manager.js";
import type { MessageRole } from "../../src/modules/trees/message.entity.js";

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
  /** Reviews so far (the last one is the one that decides the message). */
  review_count: number;
}
export interface ReplyParentCandidate {
  id: string;
  role: MessageRole;
  message_tree_id: string;
  /** Counted children: live and (accepted or still in review). */
  k: number;
}

interface Query {
  sql: string;
  params: unknown[];
}

export interface CandidateFlags {
  allowSelfLabeling: boolean;
  allowSelfRanking: boolean;
  allowDuplicateTasks: boolean;
}

export class Candidates {
  constructor(
    private readonly cfg: TreeManagerConfig,
    private readonly flags: CandidateFlags,
  ) {}

  /** RANKING: parents in ranking trees whose ≥2 accepted live children of one role still need rankings. */
  async incompleteRankings(em: EntityManager, lang: string, userId: string | null): Promise<RankingCandidate[]> {
    const q = this.incompleteRankingsQuery(lang, userId);
    return em.query(q.sql, q.params);
  }

  private incompleteRankingsQuery(lang: string, userId: string | null): Query {
    return {
      sql: `SELECT c.parent_id, c.role, c.message_tree_id FROM message c
       JOIN message p ON p.id = c.parent_id
       JOIN message_tree_state t ON t.message_tree_id = c.message_tree_id
       WHERE t.active AND t.state = 'ranking' AND p.lang = $1 AND c.review_result AND NOT c.deleted
         AND ($5::boolean OR c.role = 'assistant')
         AND ($2::uuid IS NULL OR NOT EXISTS (
               SELECT 1 FROM message_emoji e WHERE e.message_id = p.id AND e.user_id = $2 AND e.emoji = '_skip_ranking'))
         AND ($2::uuid IS NULL OR $4::boolean OR NOT EXISTS (
               SELECT 1 FROM message_reaction r WHERE r.message_id = p.id AND r.user_id = $2 AND r.payload_type = 'RankingReactionPayload'))
       GROUP BY c.parent_id, c.role, c.message_tree_id
       HAVING count(*) > 1 AND min(c.ranking_count) < $3
         AND ($2::uuid IS NULL OR $6::boolean OR bool_and(c.user_id IS DISTINCT FROM $2))
       ORDER BY c.parent_id`,
      params: [lang, userId, this.cfg.numRequiredRankings, this.flags.allowDuplicateTasks, this.cfg.rankPrompterReplies, this.flags.allowSelfRanking],
    };
  }

  /** LABEL_PROMPT / LABEL_REPLY: messages still collecting reviews that this user may review. */
  async needReview(em: EntityManager, lang: string, userId: string | null, roots: boolean): Promise<ReviewCandidate[]> {
    const q = this.needReviewQuery(lang, userId, roots);
    return em.query(q.sql, q.params);
  }

  private needReviewQuery(lang: string, userId: string | null, roots: boolean): Query {
    return {
      sql: `SELECT m.id, m.role, (m.parent_id IS NULL) AS is_root, m.message_tree_id, m.review_count FROM message m
       JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
       WHERE t.active AND m.lang = $1 AND NOT m.deleted AND m.review_result IS NOT TRUE
         AND ${roots ? "m.parent_id IS NULL AND t.state = 'initial_prompt_review'" : "m.parent_id IS NOT NULL AND t.state = 'growing'"}
         AND m.review_count < $3
         AND ($2::uuid IS NULL OR $4::boolean OR m.user_id IS DISTINCT FROM $2)
         AND ($2::uuid IS NULL OR NOT EXISTS (
               SELECT 1 FROM message_emoji e WHERE e.message_id = m.id AND e.user_id = $2 AND e.emoji = '_skip_labeling'))
         AND ($2::uuid IS NULL OR $5::boolean OR NOT EXISTS (
               SELECT 1 FROM text_labels l WHERE l.message_id = m.id AND l.user_id = $2 AND l.task_id IS NOT NULL))
       ORDER BY m.id`,
      params: [lang, userId, roots ? this.cfg.numReviewsInitialPrompt : this.cfg.numReviewsReply, this.flags.allowSelfLabeling, this.flags.allowDuplicateTasks],
    };
  }

  /** REPLY: parents in growing, not yet full trees that may take another reply from this user. */
  async extendibleParents(em: EntityManager, lang: string, userId: string | null): Promise<ReplyParentCandidate[]> {
    const q = this.extendibleParentsQuery(lang, userId);
    const rows: (ReplyParentCandidate & { missing: number })[] = await em.query(q.sql, q.params);
    return rows.map((r) => ({ id: r.id, role: r.role, message_tree_id: r.message_tree_id, k: Number(r.k) }));
  }

  private extendibleParentsQuery(lang: string, userId: string | null): Query {
    return {
      sql: `WITH trees AS (
         SELECT t.message_tree_id, t.goal_tree_size, t.max_depth, t.max_children_count FROM message_tree_state t
         WHERE t.active AND t.state = 'growing' AND t.lang = $1
       ), sizes AS (
         SELECT m.message_tree_id, count(*) AS n FROM message m JOIN trees USING (message_tree_id)
         WHERE NOT m.deleted AND ((m.parent_id IS NOT NULL AND (m.review_result OR m.review_count < $3)) OR (m.parent_id IS NULL AND m.review_result))
         GROUP BY m.message_tree_id
       ), kids AS (
         SELECT c.parent_id, count(*) FILTER (WHERE NOT c.deleted AND (c.review_result OR c.review_count < $3)) AS k,
                bool_or(NOT c.deleted AND (c.review_result OR c.review_count < $3) AND c.user_id = $2) AS by_user,
                count(*) AS any_children
         FROM message c JOIN trees USING (message_tree_id) GROUP BY c.parent_id
       )
       SELECT m.id, m.role, message_tree_id, coalesce(k.k, 0)::int AS k, (t.goal_tree_size - s.n)::int AS missing
       FROM message m
       JOIN trees t USING (message_tree_id)
       JOIN sizes s USING (message_tree_id)
       LEFT JOIN kids k ON k.parent_id = m.id
       WHERE s.n < t.goal_tree_size AND NOT m.deleted AND m.depth < t.max_depth AND m.review_result AND m.lang = $1
         AND coalesce(k.k, 0) < t.max_children_count
         AND (coalesce(k.k, 0) < $4 OR m.role = 'prompter')
         AND NOT coalesce(k.by_user, false)
         AND NOT ($5::boolean AND coalesce(k.any_children, 0) > 0 AND coalesce(k.k, 0) = 0)
         AND ($2::uuid IS NULL OR NOT EXISTS (
               SELECT 1 FROM message_emoji e WHERE e.message_id = m.id AND e.user_id = $2 AND e.emoji = '_skip_reply'))
         AND NOT EXISTS (
               SELECT 1 FROM task tk WHERE tk.parent_message_id = m.id
                 AND tk.payload_type IN ('PrompterReplyPayload', 'AssistantReplyPayload')
                 AND tk.created_date > now() - make_interval(secs => $6) AND NOT tk.done AND NOT tk.skipped)
       ORDER BY m.id`,
      params: [
        lang,
        userId,
        this.cfg.numReviewsReply,
        this.cfg.numPrompterReplies,
        this.cfg.quirkSkipParentsWithOnlyDiscardedChildren,
        this.cfg.recentTasksSpanSec,
      ],
    };
  }

  /**
   * M of §2.4: replies still missing over the trees where this user has a parent to extend (the reference's
   * "extendible trees" are those of the user's extendible parents). Counting every growing tree instead drew
   * REPLY for users with no parent to extend, who then got "no task available" although other work existed.
   */
  async missingReplies(em: EntityManager, lang: string, userId: string | null): Promise<number> {
    const q = this.missingRepliesQuery(lang, userId);
    const rows: { m: string | null }[] = await em.query(q.sql, q.params);
    return Number(rows[0]?.m ?? 0);
  }

  private missingRepliesQuery(lang: string, userId: string | null): Query {
    const parents = this.extendibleParentsQuery(lang, userId);
    return {
      sql: `SELECT sum(x.missing) AS m FROM (SELECT DISTINCT e.message_tree_id, e.missing FROM (${parents.sql}) e) x`,
      params: parents.params,
    };
  }

  /**
   * Everything the random draw of §2.4 needs, in one statement (each round trip costs a system call on both
   * sides): the ranking and review candidates, which the drawn task then reuses, and the missing replies.
   */
  async randomDraw(
    em: EntityManager,
    lang: string,
    userId: string | null,
  ): Promise<{ rankings: RankingCandidate[]; replyReviews: ReviewCandidate[]; promptReviews: ReviewCandidate[]; missingReplies: number }> {
    const parts = [
      this.incompleteRankingsQuery(lang, userId),
      this.needReviewQuery(lang, userId, false),
      this.needReviewQuery(lang, userId, true),
      this.missingRepliesQuery(lang, userId),
    ];
    const params: unknown[] = [];
    const sqls = parts.map((part) => {
      const offset = params.length;
      params.push(...part.params);
      return part.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    });
    const rows: { r: RankingCandidate[]; lr: ReviewCandidate[]; lp: ReviewCandidate[]; m: string | null }[] = await em.query(
      `SELECT (SELECT coalesce(json_agg(x), '[]'::json) FROM (${sqls[0]}) x) AS r,
              (SELECT coalesce(json_agg(x), '[]'::json) FROM (${sqls[1]}) x) AS lr,
              (SELECT coalesce(json_agg(x), '[]'::json) FROM (${sqls[2]}) x) AS lp,
              (${sqls[3]}) AS m`,
      params,
    );
    const row = rows[0];
    return { rankings: row.r, replyReviews: row.lr, promptReviews: row.lp, missingReplies: Number(row.m ?? 0) };
  }
}
