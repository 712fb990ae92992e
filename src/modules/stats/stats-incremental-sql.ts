/**
 * The statements of the incremental run of a board (stats-incremental.ts): which users changed, and the ranks
 * re-derived from the stored rows. Each user's row depends only on that user's data (and the window), so
 * recomputing the changed users with the statements of stats-sql.ts ("users" shape) and ranking the frame again
 * gives exactly the rows of a full recompute (test/integration/stats-incremental-equivalence.test.ts).
 */

/** The marks of one frame ($1), taken: the users whose data changed since the frame's last run. */
export const TAKE_DIRTY_SQL = `
WITH taken AS (DELETE FROM stats_dirty WHERE time_frame = $1 RETURNING user_id)
SELECT coalesce(array_agg(DISTINCT user_id), '{}') AS ids FROM taken`;

/**
 * The users with activity created in [$1, $2): what left a window whose start moved from $1 to $2 (or entered
 * it, the bounds swapped, if the clock went back). Each source as the boards count it: messages by author (their
 * counters, troll signals, spam prompts and labels are all dated by the message), done tasks by user, ballots by
 * voter and by the authors of their first three replies.
 */
export const ROLLED_USERS_SQL = `
SELECT coalesce(array_agg(DISTINCT u), '{}') AS ids FROM (
  SELECT m.user_id AS u FROM message m WHERE m.created_date >= $1 AND m.created_date < $2
  UNION ALL
  SELECT t.user_id FROM task t WHERE t.done AND t.created_date >= $1 AND t.created_date < $2
  UNION ALL
  SELECT r.user_id FROM message_reaction r
  WHERE r.payload_type = 'RankingReactionPayload' AND r.created_date >= $1 AND r.created_date < $2
  UNION ALL
  SELECT m.user_id FROM message_reaction r CROSS JOIN generate_series(0, 2) AS p(pos)
  JOIN message m ON m.id = stats_try_uuid(r.payload->'ranked_message_ids'->>p.pos)
  WHERE r.payload_type = 'RankingReactionPayload' AND r.created_date >= $1 AND r.created_date < $2
) AS rolled WHERE u IS NOT NULL`;

/**
 * The leaderboard ranks of frame $1 from its stored rows, as the full recompute numbers them (visible users by
 * score, then id; hidden ones unranked); only rows whose rank moved are written. Returns the frame's counts.
 */
export const RERANK_USER_STATS_SQL = `
WITH ranked AS (
  SELECT s.user_id, s.rank AS old_rank,
         CASE WHEN v.visible THEN row_number() OVER (PARTITION BY v.visible ORDER BY s.leader_score DESC, s.user_id) END AS rank
  FROM user_stats s JOIN "user" u ON u.id = s.user_id
  CROSS JOIN LATERAL (SELECT u.show_on_leaderboard AND u.enabled AND NOT u.deleted AS visible) AS v
  WHERE s.time_frame = $1
),
moved AS (
  UPDATE user_stats s SET rank = r.rank FROM ranked r
  WHERE s.time_frame = $1 AND s.user_id = r.user_id AND r.old_rank IS DISTINCT FROM r.rank
  RETURNING 1
)
SELECT (SELECT count(*) FROM ranked)::int AS users, (SELECT count(rank) FROM ranked)::int AS ranked, (SELECT count(*) FROM moved)::int AS moved`;

/** The troll board's ranks of frame $1 from its stored rows (score, then id), as the full recompute numbers them. */
export const RERANK_TROLL_STATS_SQL = `
WITH ranked AS (
  SELECT user_id, rank AS old_rank, row_number() OVER (ORDER BY troll_score DESC, user_id) AS rank
  FROM troll_stats WHERE time_frame = $1
),
moved AS (
  UPDATE troll_stats s SET rank = r.rank FROM ranked r
  WHERE s.time_frame = $1 AND s.user_id = r.user_id AND r.old_rank IS DISTINCT FROM r.rank
  RETURNING 1
)
SELECT (SELECT count(*) FROM ranked)::int AS users, (SELECT count(*) FROM moved)::int AS moved`;
