/**
 * Database invariants that no request, however malformed, and no fault may break. Each is one SQL query that
 * returns the offending rows; `checkInvariants` returns a line per violation (empty when all hold).
 */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export const INVARIANTS: Record<string, string> = {
  // a message's children_count counts every reply stored under it
  "children_count matches the replies": `
    SELECT m.id, m.children_count, count(c.id)::int AS actual FROM message m LEFT JOIN message c ON c.parent_id = m.id
    GROUP BY m.id HAVING m.children_count <> count(c.id)`,
  // review_count counts the task reviews (text_labels with a task) of the message, one per reviewer
  "review_count matches the task reviews": `
    SELECT m.id, m.review_count, count(l.id)::int AS actual FROM message m
    LEFT JOIN text_labels l ON l.message_id = m.id AND l.task_id IS NOT NULL
    GROUP BY m.id HAVING m.review_count <> count(l.id)`,
  // ranking_count counts the rankings that ranked the message
  "ranking_count matches the rankings": `
    SELECT m.id, m.ranking_count, count(r.task_id)::int AS actual FROM message m
    LEFT JOIN message_reaction r ON r.payload_type = 'RankingReactionPayload' AND r.payload->'ranked_message_ids' ? m.id::text
    GROUP BY m.id HAVING m.ranking_count <> count(r.task_id)`,
  // every tree has its root, every root its state row, and a reply sits in its parent's tree one level deeper
  "each root has exactly one tree state": `
    SELECT m.id FROM message m LEFT JOIN message_tree_state s ON s.message_tree_id = m.id
    WHERE m.parent_id IS NULL GROUP BY m.id HAVING count(s.message_tree_id) <> 1`,
  "each tree state names a root": `
    SELECT s.message_tree_id FROM message_tree_state s LEFT JOIN message m ON m.id = s.message_tree_id
    WHERE m.id IS NULL OR m.parent_id IS NOT NULL OR m.message_tree_id <> m.id`,
  "replies sit in their parent's tree, one level deeper": `
    SELECT c.id FROM message c JOIN message p ON p.id = c.parent_id
    WHERE c.message_tree_id <> p.message_tree_id OR c.depth <> p.depth + 1`,
  "tree states are known states": `
    SELECT message_tree_id, state FROM message_tree_state WHERE state NOT IN ('initial_prompt_review', 'growing', 'ranking',
      'ready_for_scoring', 'ready_for_export', 'scoring_failed', 'aborted_low_grade', 'halted_by_moderator', 'backlog_ranking',
      'prompt_lottery_waiting')`,
  // one review per user and message
  "at most one task review per user and message": `
    SELECT user_id, message_id FROM text_labels WHERE task_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1`,
  // a done task produced at most one message
  "a task produced at most one message": `
    SELECT task_id FROM message WHERE task_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
};

export async function checkInvariants(db: Queryable): Promise<string[]> {
  const out: string[] = [];
  for (const [name, sql] of Object.entries(INVARIANTS)) {
    const rows = (await db.query(sql)) as unknown[];
    if (rows.length) out.push(`${name}: ${JSON.stringify(rows.slice(0, 3))}${rows.length > 3 ? ` (+${rows.length - 3})` : ""}`);
  }
  return out;
}
