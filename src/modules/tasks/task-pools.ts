/**
 * The candidate sets of spec §2.5 for one language and one requesting user, read from the candidate pools the
 * database keeps (migration TaskPools: the user-independent part of each set, recomputed per tree by triggers
 * whenever a tree or one of its messages changes). Here the user-dependent rules are applied: own messages,
 * skip markers, earlier reviews and rankings, other volunteers' open reply tasks.
 *
 * A draw is exactly uniform among the user's candidates of a kind, whatever the rows' placement, at a bounded
 * cost in the common case:
 * - A small partition (at most SMALL_POOL rows of the language, and root or not for reviews) is counted and the
 *   candidate at a random offset in key order taken: exact, and independent of the database's randomness, so a
 *   seeded test server draws the same way every run.
 * - A larger one is drawn by rejection: each row holds a slot, unique within its partition (placed by the
 *   refresh, migration TaskPoolSlots); up to TRIALS slots are picked uniformly below the partition's highest
 *   slot + 1 and the first that holds a candidate of this user wins. Every try hits each row with the same
 *   probability, so the first success is uniform among the candidates; when every try misses (a user with few
 *   candidates in a large pool), the exact count-and-offset over the partition decides, which keeps the
 *   whole draw exact (its probability of each candidate is P(some try succeeds)/n + P(all miss)/n = 1/n).
 *
 * Why not the random key and range scan this replaced (the first row at or after a random point, wrapping):
 * a row is then drawn with the probability of the gap before its key, so between two candidates one may be
 * taken nineteen times in twenty. Drawing the keys anew for the drawn row only (or when its tree changes) makes
 * each candidate equally likely averaged over key placements, but not at any one draw: the next draws see the
 * same gaps for every other row, so a volunteer asking several times in a row keeps meeting the same few
 * candidates, and the small pools of a new language or a test are the most skewed.
 *
 * The lottery (§2.4) only needs to know which kinds have a candidate, which is exactly whether the draw found
 * one. Availability (§2.7) counts the same sets.
 */
import type { DataSource, EntityManager } from "typeorm";
import { preparedQuery } from "../../db/prepared.js";
import { float8Array } from "../../db/float8-array.js";
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

/**
 * One candidate of each kind the random lottery weighs (null: none for this user). The lonely parents are not
 * drawn here: a request needs one only when the lottery chose a reply and the preference for lonely parents won
 * (TaskRequests draws it then), and drawing it with every request cost the most of the draw at scale: the lonely
 * rows are a few percent of the reply pool's slots, so at 100,000 trees about one request in sixteen missed with
 * every try and took the exact draw over every lonely row (25 ms; issue 14).
 */
export interface RandomDraw {
  ranking: RankingCandidate | null;
  replyReview: ReviewCandidate | null;
  promptReview: ReviewCandidate | null;
  reply: ReplyParentCandidate | null;
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
    // The reply kinds' open-task check ends in OFFSET 0, which keeps PostgreSQL from turning it into an anti join:
    // over a whole partition (the exact draw) it then sorted or hashed every open and finished task of the
    // database (a parallel scan of the task table, 350-450 ms at 100,000 trees; issue 14) where a probe of
    // ix_task_parent_created per remaining row costs microseconds. Same rows either way.
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
        const lonely = kind === "lonelyReply" ? ` AND x.role = 'prompter' AND x.k > 0 AND x.k < ${p(this.cfg.lonelyChildrenCount)}` : "";
        return {
          sql: `x.lang = $1${roleSql}${lonely}
            AND ($2::uuid IS NULL OR NOT EXISTS (
                  SELECT 1 FROM message_emoji e WHERE e.message_id = x.parent_id AND e.user_id = $2 AND e.emoji = '_skip_reply'))
            AND NOT EXISTS (
                  SELECT 1 FROM task tk WHERE tk.parent_message_id = x.parent_id
                    AND tk.payload_type IN ('PrompterReplyPayload', 'AssistantReplyPayload')
                    AND tk.created_date > now() - make_interval(secs => ${p(this.cfg.recentTasksSpanSec)}) AND NOT tk.done AND NOT tk.skipped
                  OFFSET 0)
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

  /** The key order of the exact draw (stable: a seeded server draws the same candidate from the same rows). */
  private static readonly KEY: Record<PoolKind, string> = {
    ranking: "x.parent_id, x.role",
    replyReview: "x.message_id",
    promptReview: "x.message_id",
    reply: "x.parent_id",
    lonelyReply: "x.parent_id",
  };

  /** The partition a kind draws from (its slots are unique within it), on the pool row alias `a`. */
  private static partition(kind: PoolKind, a: string): string {
    if (kind === "replyReview") return `${a}.lang = $1 AND NOT ${a}.is_root`;
    if (kind === "promptReview") return `${a}.lang = $1 AND ${a}.is_root`;
    return `${a}.lang = $1`;
  }

  /** A partition of at most this many rows is drawn exactly by count and offset (reads at most that many). */
  static readonly SMALL_POOL = 64;
  /**
   * Slots tried in a larger partition before the exact count-and-offset decides (see the file's comment). The tries
   * stop at the first hit, so a dense partition costs one probe whatever this is; what it bounds is how often a
   * sparse one falls through to the exact draw, which reads the whole partition. The lonely parents are about a
   * tenth of the reply pool: with 16 tries 0.9^16 = 18.5 % of random requests scanned the whole pool (60-450 ms at
   * 100,000 trees; issue 14), with 64 tries 0.9^64 = 0.1 %. Where they are sparser (464 lonely parents on 41,181
   * slots at 100,000 restored trees: about half the draws miss), the exact draw reads the lonely rows only, through
   * the index on the prompter rows by reply count (migration ScaleReads).
   */
  static readonly TRIALS = 64;
  /** Random numbers one kind's draw takes from the injected source: the tries', then the offset's. */
  static readonly RANDOMS_PER_DRAW = TaskPools.TRIALS + 1;

  /** A scalar subquery: one candidate drawn uniformly (see the file's comment), as JSON, or null when none. */
  private drawSql(kind: PoolKind, role: Role, rng: () => number, params: unknown[]): string {
    const cond = this.condition(kind, role, params.length + 1);
    params.push(...cond.params);
    const tries = Array.from({ length: TaskPools.TRIALS }, () => rng());
    params.push(float8Array(tries));
    const tp = `$${params.length}`;
    params.push(rng());
    const rp = `$${params.length}`;
    const table = TaskPools.TABLE[kind];
    const cols = TaskPools.COLUMNS[kind];
    const exact = `(SELECT row_to_json(d) FROM (
        SELECT ${cols} FROM (SELECT x.*, count(*) OVER () AS n_, row_number() OVER (ORDER BY ${TaskPools.KEY[kind]}) - 1 AS i_
                              FROM ${table} x WHERE ${cond.sql}) x
        WHERE x.i_ = floor(${rp}::float8 * x.n_)) d)`;
    // LIMIT 1 in the lateral subquery keeps it a per-try index probe (the planner does not flatten it).
    const trials = `(SELECT row_to_json(d) FROM (
        SELECT ${cols} FROM unnest(${tp}::float8[]) WITH ORDINALITY t(u, o)
        CROSS JOIN LATERAL (SELECT y.* FROM ${table} y WHERE ${TaskPools.partition(kind, "y")}
          AND y.slot = floor(t.u * (SELECT coalesce(max(z.slot), -1) + 1 FROM ${table} z WHERE ${TaskPools.partition(kind, "z")}))::int LIMIT 1) x
        WHERE ${cond.sql} ORDER BY t.o LIMIT 1) d)`;
    const small = `(SELECT count(*) FROM (SELECT 1 FROM ${table} s WHERE ${TaskPools.partition(kind, "s")} LIMIT ${TaskPools.SMALL_POOL + 1}) s) <= ${TaskPools.SMALL_POOL}`;
    // The exact draw written once: with it twice (CASE WHEN small THEN exact ELSE coalesce(tries, exact)), PostgreSQL
    // 15 took 80-200 ms to run the statement at 10,000 trees where each part alone took 2-20 ms.
    return `coalesce(CASE WHEN ${small} THEN NULL ELSE ${trials} END, ${exact})`;
  }

  /** Candidates of several kinds (each with its role filter), drawn in one statement; null where none. */
  async draw(em: EntityManager, lang: string, userId: string | null, wanted: readonly [PoolKind, Role][], rng: () => number): Promise<unknown[]> {
    // The ranking draw goes alone: in one statement with any other kind's, PostgreSQL 15 ran it 200-500 ms at
    // 10,000 trees where each statement alone took under 3 ms. The random numbers are taken in `wanted` order
    // all the same (a seeded server draws the same way).
    const groups = new Map<boolean, { sql: string[]; params: unknown[]; at: number[] }>();
    wanted.forEach(([kind, role], i) => {
      const alone = kind === "ranking";
      let g = groups.get(alone);
      if (!g) groups.set(alone, (g = { sql: [], params: [lang, userId], at: [] }));
      g.sql.push(`${this.drawSql(kind, role, rng, g.params)} AS c${g.at.length}`);
      g.at.push(i);
    });
    const out: unknown[] = wanted.map(() => null);
    for (const g of groups.values()) {
      // Prepared: the statements are long (each kind's conditions, twice) and planning them cost more than running them.
      const rows = await preparedQuery<Record<string, unknown>>(em, `SELECT ${g.sql.join(", ")}`, g.params);
      g.at.forEach((i, j) => (out[i] = rows[0][`c${j}`] ?? null));
    }
    return out;
  }

  /** A candidate of each kind the random lottery weighs. */
  async drawAll(em: EntityManager, lang: string, userId: string | null, rng: () => number): Promise<RandomDraw> {
    const [ranking, replyReview, promptReview, reply] = await this.draw(
      em,
      lang,
      userId,
      [
        ["ranking", null],
        ["replyReview", null],
        ["promptReview", null],
        ["reply", null],
      ],
      rng,
    );
    return {
      ranking: ranking as RankingCandidate | null,
      replyReview: replyReview as ReviewCandidate | null,
      promptReview: promptReview as ReviewCandidate | null,
      reply: reply as ReplyParentCandidate | null,
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
