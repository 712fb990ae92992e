/**
 * The statements of the incremental run of a board (stats-incremental.ts): which users changed. Each user's row
 * depends only on that user's data (and the window), so recomputing the changed users gives exactly the rows of a
 * full recompute (test/integration/stats-incremental-equivalence.test.ts); ranks are numbered at read time.
 */

/** The marks of one frame ($1), taken: the users whose data changed since the frame's last run. */
export const TAKE_DIRTY_SQL = `
WITH taken AS (DELETE FROM stats_dirty WHERE time_frame = $1 RETURNING user_id)
SELECT coalesce(array_agg(DISTINCT user_id), '{}') AS ids FROM taken`;

/**
 * The users with activity created in [$1, $2): what left DAY's window when its start moved from $1 to $2 (or
 * entered it, the bounds swapped, if the clock went back; WEEK and MONTH ask their buckets instead). Each source as the boards count it: messages by author (their
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
