/** Transitions the task-flow scenarios do not reach: backlog activation (T10, T3c), T4b, and the fixed T3 quirk. */
import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World, type Task } from "../helpers/world.js";
import { rawGql } from "../helpers/graphql.js";
import { Role } from "../../src/modules/users/role.js";

describe("tree transitions beyond the scenarios", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  let modKey: string;
  before(async () => {
    // every terminal entry activates a backlog tree, so the test does not depend on a 10 % draw
    server = await startTestServer({ TREE_MANAGER__P_ACTIVATE_BACKLOG_TREE: "1", TREE_MANAGER__GOAL_TREE_SIZE: "4" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
    modKey = (await server.createClient({ name: "moderation", trusted: true, role: Role.MODERATOR })).key;
  });
  after(async () => {
    await server.stop();
  });
  const sql = (q: string, params: unknown[] = []) => server.chorus.app.ds.query(q, params);
  const stateOf = async (id: string) => (await sql(`SELECT state, active FROM message_tree_state WHERE message_tree_id = $1`, [id]))[0];

  /** An imported-style tree waiting in the backlog: a root and `answers` accepted assistant replies. */
  async function backlogTree(lang: string, answers: number): Promise<string> {
    const client = (await sql(`SELECT id FROM api_client LIMIT 1`))[0].id;
    const root = crypto.randomUUID();
    await sql(
      `INSERT INTO message (id, message_tree_id, role, api_client_id, frontend_message_id, text, lang, review_result, review_count)
       VALUES ($1, $1, 'prompter', $2, $3, 'imported prompt', $4, true, 3)`,
      [root, client, `bk-${root}`, lang],
    );
    for (let i = 0; i < answers; i++) {
      const id = crypto.randomUUID();
      await sql(
        `INSERT INTO message (id, parent_id, message_tree_id, role, api_client_id, frontend_message_id, text, lang, depth, review_result, review_count)
         VALUES ($1, $2, $2, 'assistant', $3, $4, $5, $6, 1, true, 3)`,
        [id, root, client, `bk-${id}`, `imported answer ${i}`, lang],
      );
    }
    await sql(
      `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang, origin)
       VALUES ($1, 12, 3, 3, 'backlog_ranking', false, $2, 'import')`,
      [root, lang],
    );
    return root;
  }

  it("an active tree's end brings a rankable backlog tree into ranking (T10) and aborts backlog trees with nothing to rank (T3c)", async () => {
    const w = new World(server, key, "t1");
    const unrankable = await backlogTree("t1", 1);
    const rankable = await backlogTree("t1", 2);
    // an active tree ends: its prompt is rejected
    const root = await w.prompt(w.annotator());
    for (let i = 0; i < 3; i++) await w.review(w.annotator(), "LABEL_INITIAL_PROMPT", 1);
    expect(await stateOf(root)).to.include({ state: "aborted_low_grade", active: false });
    const b = await stateOf(rankable);
    const u = await stateOf(unrankable);
    // the loop takes backlog trees one by one: unrankable ones are aborted until a rankable one is activated
    expect(b).to.include({ state: "ranking", active: true });
    expect(["aborted_low_grade", "backlog_ranking"]).to.include(u.state);
    // and the activated tree hands out ranking work at once
    expect((await w.annotator().request("RANK_ASSISTANT_REPLIES", "t1")).errors).to.equal(undefined);
  });

  it("a growing tree whose messages are all deleted is halted when checked (T4b)", async () => {
    const w = new World(server, key, "t2");
    const root = await w.growingTree(w.annotator());
    await rawGql(server.url, `mutation($m: ID!) { setTreeHalted(input: { messageId: $m, halt: true }) { state } }`, { m: root }, { key: modKey });
    await sql(`UPDATE message SET deleted = true WHERE message_tree_id = $1`, [root]);
    const res = await rawGql<{ setTreeHalted: { state: string } }>(
      server.url,
      `mutation($m: ID!) { setTreeHalted(input: { messageId: $m, halt: false }) { state } }`,
      { m: root },
      { key: modKey },
    );
    expect(res.data!.setTreeHalted.state).to.equal("HALTED_BY_MODERATOR");
  });

  it("a late review no longer moves a tree a moderator halted to aborted_low_grade (reference quirk T3, fixed)", async () => {
    const w = new World(server, key, "t3");
    const root = await w.prompt(w.annotator());
    const reviewers = [w.annotator(), w.annotator(), w.annotator()];
    const tasks: Task<"LabelInitialPromptTask">[] = [];
    for (const r of reviewers) {
      const t = (await w.task(r, "LABEL_INITIAL_PROMPT")) as Task<"LabelInitialPromptTask">;
      await r.ack(t.id);
      tasks.push(t);
    }
    await reviewers[0].label(tasks[0].id, root, { spam: 1 });
    await reviewers[1].label(tasks[1].id, root, { spam: 1 });
    await rawGql(server.url, `mutation($m: ID!) { setTreeHalted(input: { messageId: $m, halt: true }) { state } }`, { m: root }, { key: modKey });
    expect((await reviewers[2].label(tasks[2].id, root, { spam: 1 })).errors).to.equal(undefined);
    expect((await sql(`SELECT review_result FROM message WHERE id = $1`, [root]))[0].review_result).to.equal(false);
    expect(await stateOf(root)).to.include({ state: "halted_by_moderator", active: false });
  });

  it("a ranking that breaks the consensus (a reply ranked twice) sends the tree to scoring_failed (T6b); nothing else changes", async () => {
    const w = new World(server, key, "t4");
    const root = await w.growingTree(w.annotator());
    for (let i = 0; i < 3; i++) await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    for (let i = 0; i < 9; i++) await w.review(w.annotator(), "LABEL_ASSISTANT_REPLY");
    expect((await stateOf(root)).state).to.equal("ranking");
    for (let i = 0; i < 2; i++) {
      const a = w.annotator();
      const t = await w.task(a, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
      const { frontendMessageId } = await a.ack(t.id);
      expect((await a.rank(frontendMessageId, [0, 1, 2])).errors).to.equal(undefined);
    }
    // a stored ballot got corrupted (the same reply twice): the consensus cannot be computed
    await sql(
      `UPDATE message_reaction SET payload = jsonb_set(payload, '{ranked_message_ids,1}', payload->'ranked_message_ids'->0)
       WHERE message_id = $1 AND task_id = (SELECT task_id FROM message_reaction WHERE message_id = $1 ORDER BY created_date LIMIT 1)`,
      [root],
    );
    const a = w.annotator();
    const t = await w.task(a, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
    const { frontendMessageId } = await a.ack(t.id);
    const res = await a.rank(frontendMessageId, [0, 1, 2]);
    expect(res.errors, "the ranking itself is accepted").to.equal(undefined);
    expect(await stateOf(root)).to.include({ state: "scoring_failed", active: false });
    const ranks: { rank: number | null }[] = await sql(`SELECT rank FROM message WHERE parent_id = $1`, [root]);
    expect(ranks.every((r) => r.rank === null)).to.equal(true);
  });

  it("hands out no prompter-reply rankings unless rank_prompter_replies is on", async () => {
    const w = new World(server, key, "t5");
    const res = await w.annotator().request("RANK_PROMPTER_REPLIES", "t5");
    expect(res.errors?.[0]?.extensions?.code).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
  });
});
