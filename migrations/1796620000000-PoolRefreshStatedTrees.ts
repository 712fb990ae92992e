import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A message insert refreshes the pools of the trees that have a state row, not of every tree it touched (issue 14,
 * import). A tree without a state row has no pool rows to remove and none to add: every pool query of
 * `task_pool_refresh` joins `message_tree_state`, and deleting a state row refreshes that tree (TaskPools). Such
 * trees are exactly the import's: a batch COPYs its messages before its tree states, and the states' COPY computes
 * the pools once; the refresh the messages' COPY ran before found nothing, after reading every message of the
 * batch in four pool queries (3 % of the statement time of a 3,000-tree restore into 10,000 trees). A tree's first messages
 * and its state row are written by one transaction (the import's batch, a new initial prompt), so the check
 * cannot miss a state row that a refresh would have found.
 */
export class PoolRefreshStatedTrees1796620000000 implements MigrationInterface {
  name = "PoolRefreshStatedTrees1796620000000";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(
    SELECT DISTINCT n.message_tree_id FROM new_rows n
    WHERE EXISTS (SELECT 1 FROM message_tree_state t WHERE t.message_tree_id = n.message_tree_id)));
  RETURN NULL;
END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(SELECT DISTINCT message_tree_id FROM new_rows));
  RETURN NULL;
END $$`);
  }
}
