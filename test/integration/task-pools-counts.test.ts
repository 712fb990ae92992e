/**
 * A message change of review or ranking counts alone (most submissions) sets the counts the pool rows keep instead
 * of recomputing the tree's pools (migration PoolCountsInPlace): the rows stay where they are (their slots), and
 * they equal what a recompute gives.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";

describe("task pools: counts set in place", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer();
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
  });
  after(async () => {
    await server.stop();
  });
  const sql = (q: string, params: unknown[] = []) => server.chorus.app.ds.query(q, params);
  const reviewRows = (tree: string) =>
    sql(`SELECT message_id, role, is_root, user_id, review_count, slot FROM task_pool_review WHERE message_tree_id = $1 ORDER BY message_id`, [tree]);
  const rankingRows = (tree: string) =>
    sql(`SELECT parent_id, role, lang, min_ranking_count, slot FROM task_pool_ranking WHERE message_tree_id = $1 ORDER BY parent_id, role`, [tree]);
  const withoutSlots = (rows: { slot: number }[]) => rows.map(({ slot: _slot, ...rest }) => rest);
  /** The rows a full recompute of the tree gives (its slots drawn anew). */
  async function recomputed<T extends { slot: number }>(tree: string, read: (tree: string) => Promise<T[]>) {
    await sql(`SELECT task_pool_refresh(ARRAY[$1::uuid])`, [tree]);
    return withoutSlots(await read(tree));
  }

  it("a review before the decision: the reviewed reply's count, every row on its slot, as a recompute has them", async () => {
    const w = new World(server, key, "pc1");
    const root = await w.growingTree(w.annotator());
    for (let i = 0; i < 3; i++) await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    const before = await reviewRows(root);
    expect(before).to.have.length(3);
    const reviewed = await w.review(w.annotator(), "LABEL_ASSISTANT_REPLY");
    const after = await reviewRows(root);
    expect(after).to.deep.equal(before.map((r: { message_id: string; review_count: number }) => (r.message_id === reviewed ? { ...r, review_count: 1 } : r)));
    expect(withoutSlots(after)).to.deep.equal(await recomputed(root, reviewRows));
  });

  it("a ranking: the parent's least ranking count, its row on its slot, as a recompute has it", async () => {
    const w = new World(server, key, "pc2");
    const root = await w.growingTree(w.annotator());
    for (let i = 0; i < 3; i++) await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    await sql(`UPDATE message SET review_result = true, review_count = 3 WHERE message_tree_id = $1 AND parent_id IS NOT NULL`, [root]);
    await sql(`UPDATE message_tree_state SET state = 'ranking' WHERE message_tree_id = $1`, [root]);
    const before = await rankingRows(root);
    expect(before).to.have.length(1);
    expect(before[0].min_ranking_count).to.equal(0);
    const ranker = w.annotator();
    const t = await w.task(ranker, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
    const { frontendMessageId } = await ranker.ack(t.id);
    expect((await ranker.rank(frontendMessageId, [1, 2, 0])).errors).to.equal(undefined);
    const after = await rankingRows(root);
    expect(after).to.deep.equal([{ ...before[0], min_ranking_count: 1 }]);
    expect(withoutSlots(after)).to.deep.equal(await recomputed(root, rankingRows));
  });
});
