import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import { errorCode, rawGql } from "../helpers/graphql.js";
import { Role } from "../../src/modules/users/role.js";

describe("tree moderation and start-up repair (T1b, T7, T8, T9)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  let modKey: string;
  before(async () => {
    server = await startTestServer({ TREE_MANAGER__GOAL_TREE_SIZE: "4" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
    // a trusted client acting with no user has its own role: here a moderators' console
    modKey = (await server.createClient({ name: "moderation console", trusted: true, role: Role.MODERATOR })).key;
  });
  after(async () => {
    await server.stop();
  });

  const halt = (k: string, messageId: string, h: boolean) =>
    rawGql<{ setTreeHalted: { state: string; active: boolean } }>(
      server.url,
      `mutation($m: ID!, $h: Boolean!) { setTreeHalted(input: { messageId: $m, halt: $h }) { state active } }`,
      { m: messageId, h },
      { key: k },
    );

  it("halts a growing tree (no more tasks from it) and resumes it to growing; a tree in review resumes to review; journaled", async () => {
    const w = new World(server, key, "h1");
    const root = await w.growingTree(w.annotator());
    const { messageId: reply } = await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    expect(errorCode(await halt(key, reply, true))).to.equal("FORBIDDEN"); // a trusted client acting as nobody has USER powers
    const halted = await halt(modKey, reply, true);
    expect(halted.data!.setTreeHalted).to.deep.equal({ state: "HALTED_BY_MODERATOR", active: false });
    expect(errorCode(await w.annotator().request("LABEL_ASSISTANT_REPLY", "h1"))).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
    const resumed = await halt(modKey, root, false);
    expect(resumed.data!.setTreeHalted).to.deep.equal({ state: "GROWING", active: true });
    expect((await w.annotator().request("LABEL_ASSISTANT_REPLY", "h1")).errors).to.equal(undefined);

    const review = await w.prompt(w.annotator());
    await halt(modKey, review, true);
    expect((await halt(modKey, review, false)).data!.setTreeHalted.state).to.equal("INITIAL_PROMPT_REVIEW");
    const journal: { event_type: string; event_payload: { before: { state: string }; after: { state: string } } }[] = await server.chorus.app.ds.query(
      `SELECT event_type, event_payload FROM journal WHERE message_id = $1 AND event_type LIKE 'tree_%' ORDER BY id`,
      [root],
    );
    expect(journal.map((j) => [j.event_type, j.event_payload.before.state, j.event_payload.after.state])).to.deep.equal([
      ["tree_halted", "growing", "halted_by_moderator"],
      ["tree_resumed", "halted_by_moderator", "growing"],
    ]);
  });

  it("retries the scoring of failed trees (T7): with every ranking in, the tree is exported with ranks", async () => {
    const w = new World(server, key, "h2");
    const root = await w.growingTree(w.annotator());
    for (let i = 0; i < 3; i++) await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    for (let i = 0; i < 9; i++) await w.review(w.annotator(), "LABEL_ASSISTANT_REPLY");
    for (let i = 0; i < 3; i++) {
      const a = w.annotator();
      const t = await w.task(a, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
      const { frontendMessageId } = await a.ack(t.id);
      expect((await a.rank(frontendMessageId, [0, 1, 2])).errors).to.equal(undefined);
    }
    expect((await w.state(root)).state).to.equal("READY_FOR_EXPORT");
    // as if scoring had crashed: ranks lost, tree failed
    await server.chorus.app.ds.query(`UPDATE message SET rank = NULL WHERE message_tree_id = $1`, [root]);
    await server.chorus.app.ds.query(`UPDATE message_tree_state SET state = 'scoring_failed', active = false WHERE message_tree_id = $1`, [root]);
    const admin = await server.createClient({ role: Role.ADMIN, trusted: true });
    const q = `mutation { retryScoring { treeId state } }`;
    expect(errorCode(await rawGql(server.url, q, {}, { key: modKey }))).to.equal("FORBIDDEN");
    // scoring runs over every client's trees: never for an untrusted client, whatever its role
    const untrustedAdmin = await server.createClient({ role: Role.ADMIN, trusted: false });
    expect(errorCode(await rawGql(server.url, q, {}, { key: untrustedAdmin.key }))).to.equal("FORBIDDEN");
    const res = await rawGql<{ retryScoring: { treeId: string; state: string }[] }>(server.url, q, {}, { key: admin.key });
    expect(res.data!.retryScoring).to.deep.include({ treeId: root, state: "READY_FOR_EXPORT" });
    const ranks: { rank: number | null }[] = await server.chorus.app.ds.query(`SELECT rank FROM message WHERE parent_id = $1 ORDER BY rank`, [root]);
    expect(ranks.map((r) => r.rank)).to.deep.equal([0, 1, 2]);
  });

  it("repairs trees without a state row at start-up (T1b): a lone root goes to review, a root with replies to growing", async () => {
    const ds = server.chorus.app.ds;
    const client = (await ds.query(`SELECT id FROM api_client LIMIT 1`))[0].id as string;
    const lone = crypto.randomUUID();
    const withReply = crypto.randomUUID();
    const reply = crypto.randomUUID();
    for (const [id, parent, tree] of [
      [lone, null, lone],
      [withReply, null, withReply],
      [reply, withReply, withReply],
    ] as const) {
      await ds.query(
        // a tree that grew has an accepted root (with none, the re-check would halt it: T4b)
        `INSERT INTO message (id, parent_id, message_tree_id, role, api_client_id, frontend_message_id, text, lang, review_result)
         VALUES ($1, $2, $3, 'prompter', $4, $5, 'x', 'h3', $6)`,
        [id, parent, tree, client, `t1b-${id}`, parent === null && id === withReply ? true : null],
      );
    }
    await server.chorus.app.trees.ensureTreeStates();
    const states: { message_tree_id: string; state: string; active: boolean }[] = await ds.query(
      `SELECT message_tree_id, state, active FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`,
      [[lone, withReply]],
    );
    expect(states.find((s) => s.message_tree_id === lone)).to.include({ state: "initial_prompt_review", active: true });
    expect(states.find((s) => s.message_tree_id === withReply)).to.include({ state: "growing", active: true });
  });
});
