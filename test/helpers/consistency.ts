import { expect } from "chai";
import type { DataSource } from "typeorm";

/** Every stored counter must equal what the rows say. */
export async function assertCountsMatchRows(ds: DataSource): Promise<void> {
  const children: unknown[] = await ds.query(`SELECT m.id FROM message m WHERE m.children_count <> (SELECT count(*) FROM message c WHERE c.parent_id = m.id)`);
  expect(children, "children_count").to.deep.equal([]);
  const reviews: unknown[] = await ds.query(
    `SELECT m.id FROM message m WHERE m.review_count <> (SELECT count(*) FROM text_labels l JOIN task t ON t.id = l.task_id WHERE l.message_id = m.id AND t.done)`,
  );
  expect(reviews, "review_count").to.deep.equal([]);
  const rankings: unknown[] = await ds.query(
    `SELECT m.id FROM message m WHERE m.ranking_count <> (SELECT count(*) FROM message_reaction r WHERE r.payload->'ranked_message_ids' ? m.id::text)`,
  );
  expect(rankings, "ranking_count").to.deep.equal([]);
  const doneWithoutResult: unknown[] = await ds.query(
    `SELECT t.id FROM task t WHERE t.done AND NOT EXISTS (SELECT 1 FROM message m WHERE m.task_id = t.id)
       AND NOT EXISTS (SELECT 1 FROM text_labels l WHERE l.id = t.id) AND NOT EXISTS (SELECT 1 FROM message_reaction r WHERE r.task_id = t.id)`,
  );
  expect(doneWithoutResult, "done tasks without their result").to.deep.equal([]);
  const resultWithoutDone: unknown[] = await ds.query(
    `SELECT l.id FROM text_labels l JOIN task t ON t.id = l.task_id WHERE NOT t.done
     UNION ALL SELECT r.task_id FROM message_reaction r JOIN task t ON t.id = r.task_id WHERE NOT t.done`,
  );
  expect(resultWithoutDone, "results of tasks not done").to.deep.equal([]);
}

/** Growing trees of `lang` the state machine should already have moved on (enough accepted messages, none in review). */
export async function stuckGrowingTrees(ds: DataSource, lang: string): Promise<unknown[]> {
  return ds.query(
    `SELECT t.message_tree_id FROM message_tree_state t WHERE t.state = 'growing' AND t.lang = $1
       AND (SELECT count(*) FROM message m WHERE m.message_tree_id = t.message_tree_id AND NOT m.deleted AND m.review_result) >= t.goal_tree_size
       AND NOT EXISTS (SELECT 1 FROM message m WHERE m.message_tree_id = t.message_tree_id AND NOT m.deleted AND m.review_result IS NOT TRUE AND m.review_count < 3)`,
    [lang],
  );
}
