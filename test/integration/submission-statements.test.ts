/**
 * The SQL statements of each task submission (a W1 cycle's cost is mostly its statements): the task and its tree
 * locked in one statement, a reply's checks and writes in one, a ranking's in one, the scoring check in one.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World, type Task } from "../helpers/world.js";

describe("statements per task submission", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  before(async () => {
    // A tree's end draws whether to activate a backlog tree (P = TREE_MANAGER__P_ACTIVATE_BACKLOG_TREE, 0.1 by
    // default), and the draw's yes costs a lookup: off here, so every count is exact; the last test turns it on.
    server = await startTestServer({ TREE_MANAGER__P_ACTIVATE_BACKLOG_TREE: "0" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
  });
  after(async () => {
    await server.stop();
  });
  const sql = (q: string, params: unknown[] = []) => server.chorus.app.ds.query(q, params);
  /** Statements `fn` made (the server's counter: every statement of the process). */
  async function statementsOf(fn: () => Promise<{ errors?: unknown }>): Promise<number> {
    const before = server.chorus.queryCount();
    const res = await fn();
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return server.chorus.queryCount() - before;
  }

  it("a reply, a review and a ranking: the identity counter, the transaction, the locks and one statement per step", async () => {
    const w = new World(server, key, "s1");
    const root = await w.growingTree(w.annotator());

    // the key check's counter, START, the task and tree locked, the reply's checks and writes, the task's end, COMMIT
    const replier = w.annotator();
    const t = await w.task(replier, "ASSISTANT_REPLY");
    const { frontendMessageId } = await replier.ack(t.id);
    expect(await statementsOf(() => replier.reply(frontendMessageId, "an answer worth reviewing", "s1"))).to.equal(5);

    // a first review (no decision yet): the counter, START, the locks, the review, COMMIT
    const reviewer = w.annotator();
    const review = (await w.task(reviewer, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
    await reviewer.ack(review.id);
    expect(await statementsOf(() => reviewer.label(review.id, review.messageId, { spam: 0, lang_mismatch: 0, quality: 0.5 }))).to.equal(5);

    // Every write of a message row, in order (a row trigger of this test's own database).
    await sql(`CREATE TABLE test_message_writes (n serial, id uuid, review_count int, review_result boolean)`);
    await sql(`CREATE FUNCTION test_message_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_message_writes (id, review_count, review_result) VALUES (NEW.id, NEW.review_count, NEW.review_result); RETURN NULL; END $$`);
    await sql(`CREATE TRIGGER test_message_write AFTER UPDATE ON message FOR EACH ROW EXECUTE FUNCTION test_message_write()`);

    // the review that reaches the quorum and decides: the same, with the earlier reviews read in the review's
    // statement, and the message's count and result in one statement (the pool trigger recomputes the tree once)
    const reviewers = [w.annotator(), w.annotator()];
    for (const [i, r] of reviewers.entries()) {
      const rt = (await w.task(r, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
      expect(rt.messageId).to.equal(review.messageId);
      await r.ack(rt.id);
      const n = await statementsOf(() => r.label(rt.id, rt.messageId, { spam: 0, lang_mismatch: 0, quality: 0.5 }));
      expect(n).to.equal(i === 0 ? 5 : 6);
    }
    expect((await w.message(review.messageId)).reviewResult).to.equal(true);
    const writes = await sql(`SELECT review_count, review_result FROM test_message_writes WHERE id = $1 ORDER BY n`, [review.messageId]);
    expect(writes).to.deep.equal([
      { review_count: 2, review_result: null },
      { review_count: 3, review_result: true },
    ]);
    await sql(`DROP TRIGGER test_message_write ON message`);

    // a first ranking of three replies (the tree needs more): the counter, START, the locks, the ranking's checks
    // and writes with the task's end and the scoring check's counts, COMMIT
    for (let i = 0; i < 2; i++) await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    await sql(`UPDATE message SET review_result = true, review_count = 3 WHERE message_tree_id = $1 AND parent_id IS NOT NULL`, [root]);
    await sql(`UPDATE message_tree_state SET state = 'ranking' WHERE message_tree_id = $1`, [root]);
    const ranker = w.annotator();
    // the ranking task's request (of a known user: a first request also looks the user up and creates it): the
    // counter, the pending tasks with auto-moderation's and the lottery's reads, the ranking draw, the conversation
    // with the replies to rank (one statement), the task's insert
    await w.task(ranker, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
    let rt = undefined as unknown as Task<"RankAssistantRepliesTask">;
    expect(
      await statementsOf(async () => {
        const res = await ranker.request("RANK_ASSISTANT_REPLIES", "s1");
        rt = res.data?.requestTask as Task<"RankAssistantRepliesTask">;
        return res;
      }),
    ).to.equal(5);
    expect(rt.__typename).to.equal("RankAssistantRepliesTask");
    // the conversation root first up to the ranked parent (the root here), the parent's accepted assistant replies
    const replies = await sql(`SELECT id, text FROM message WHERE parent_id = $1 AND role = 'assistant' ORDER BY id`, [root]);
    expect(rt.conversation.map((m) => m.id)).to.deep.equal([root]);
    expect(rt.replyMessages.map((m) => m.id).sort()).to.deep.equal(replies.map((r: { id: string }) => r.id));
    expect(rt.replyMessages.map((m) => m.text).sort()).to.deep.equal(replies.map((r: { text: string }) => r.text).sort());
    const ack = await ranker.ack(rt.id);
    expect(await statementsOf(() => ranker.rank(ack.frontendMessageId, [2, 0, 1]))).to.equal(5);
    expect((await w.state(root)).state).to.equal("RANKING");
  });

  it("a prompt's reviews: the tree's step (T2) from the result the review decided, without reading it back", async () => {
    const w = new World(server, key, "s2");
    const root = await w.prompt(w.annotator());
    // the counter, START, the locks, the review, COMMIT; the deciding one also writes the prompt's count and result
    // in one statement and the tree's state (T2)
    for (let i = 0; i < 3; i++) {
      const r = w.annotator();
      const t = (await w.task(r, "LABEL_INITIAL_PROMPT")) as Task<"LabelInitialPromptTask">;
      expect(t.messageId).to.equal(root);
      await r.ack(t.id);
      const n = await statementsOf(() => r.label(t.id, t.messageId, { spam: 0, lang_mismatch: 0, quality: 0.75 }));
      expect(n).to.equal(i < 2 ? 5 : 7);
    }
    expect((await w.message(root)).reviewResult).to.equal(true);
    expect((await w.state(root)).state).to.equal("PROMPT_LOTTERY_WAITING");
  });

  it("a prompt's deciding review with the backlog draw's yes: one statement more, the backlog lookup", async () => {
    const always = await startTestServer({ TREE_MANAGER__P_ACTIVATE_BACKLOG_TREE: "1" });
    try {
      const w = new World(always, (await always.createClient({ name: "frontend", trusted: true })).key, "s3");
      const root = await w.prompt(w.annotator());
      for (let i = 0; i < 3; i++) {
        const r = w.annotator();
        const t = (await w.task(r, "LABEL_INITIAL_PROMPT")) as Task<"LabelInitialPromptTask">;
        await r.ack(t.id);
        const before = always.chorus.queryCount();
        const res = await r.label(t.id, t.messageId, { spam: 0, lang_mismatch: 0, quality: 0.75 });
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        expect(always.chorus.queryCount() - before).to.equal(i < 2 ? 5 : 8);
      }
      expect((await w.state(root)).state).to.equal("PROMPT_LOTTERY_WAITING");
    } finally {
      await always.stop();
    }
  });
});
