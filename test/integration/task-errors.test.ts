/** Every task error code of spec §9.6 that a client can meet, each with the state that causes it. */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World, type Task } from "../helpers/world.js";
import { errorCode, rawGql } from "../helpers/graphql.js";

describe("task error codes (spec §9.6)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ TREE_MANAGER__GOAL_TREE_SIZE: "4" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
  });
  after(async () => {
    await server.stop();
  });
  const sql = (q: string, params: unknown[] = []) => server.chorus.app.ds.query(q, params);
  const oa = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => [errorCode(res), res.errors?.[0]?.extensions?.oaErrorCode];

  it("4000 without a user, 4001 for a disabled user, 2000 for an empty frontend id", async () => {
    const w = new World(server, key, "e1");
    const noUser = await rawGql(server.url, `mutation { requestTask(input: { type: INITIAL_PROMPT, lang: "e1" }) { __typename } }`, {}, { key });
    expect(oa(noUser)).to.deep.equal(["USER_NOT_SPECIFIED", 4000]);
    const a = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT");
    const { frontendMessageId } = await a.ack(t.id);
    expect(oa(await a.reply(frontendMessageId, "text", "e1", ""))).to.deep.equal(["INVALID_FRONTEND_MESSAGE_ID", 2000]);
    await sql(`UPDATE "user" SET enabled = false WHERE username = $1`, [a.userId]);
    expect(oa(await a.request("INITIAL_PROMPT", "e1"))).to.deep.equal(["USER_DISABLED", 4001]);
  });

  it("2101 for an expired task (ack, nack and submit)", async () => {
    const w = new World(server, key, "e2");
    const a = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT");
    const { frontendMessageId } = await a.ack(t.id);
    await sql(`UPDATE task SET expiry_date = now() - interval '1 second' WHERE id = $1`, [t.id]);
    expect(oa(await a.reply(frontendMessageId, "late", "e2"))).to.deep.equal(["TASK_EXPIRED", 2101]);
    expect(oa(await a.nack(t.id))).to.deep.equal(["TASK_EXPIRED", 2101]);
    const t2 = await w.task(a, "INITIAL_PROMPT");
    await sql(`UPDATE task SET expiry_date = now() - interval '1 second' WHERE id = $1`, [t2.id]);
    expect(oa((await a.ack(t2.id)).res)).to.deep.equal(["TASK_EXPIRED", 2101]);
  });

  it("2102 for a submission of the wrong kind, 2010 for a reply to a halted tree, 1011 for a second reply to one parent", async () => {
    const w = new World(server, key, "e3");
    const root = await w.growingTree(w.annotator());
    const a = w.annotator();
    const t = await w.task(a, "ASSISTANT_REPLY");
    const { frontendMessageId } = await a.ack(t.id);
    expect(oa(await a.rank(frontendMessageId, [0]))).to.deep.equal(["TASK_PAYLOAD_TYPE_MISMATCH", 2102]);
    await sql(`UPDATE message_tree_state SET state = 'halted_by_moderator', active = false WHERE message_tree_id = $1`, [root]);
    expect(oa(await a.reply(frontendMessageId, "to a halted tree", "e3"))).to.deep.equal(["TREE_IN_ABORTED_STATE", 2010]);
    await sql(`UPDATE message_tree_state SET state = 'growing', active = true WHERE message_tree_id = $1`, [root]);
    // another reply of the same user under the same parent appears meanwhile (another tab, another task)
    const apiClient = (await sql(`SELECT api_client_id FROM message WHERE id = $1`, [root]))[0].api_client_id;
    const userId = (await sql(`SELECT id FROM "user" WHERE username = $1`, [a.userId]))[0].id;
    await sql(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, text, lang, depth)
       VALUES (gen_random_uuid(), $1, $1, $2, 'assistant', $3, 'e3-other-tab', 'first answer', 'e3', 1)`,
      [root, userId, apiClient],
    );
    expect(oa(await a.reply(frontendMessageId, "second answer", "e3"))).to.deep.equal(["TASK_MESSAGE_DUPLICATE_REPLY", 1011]);
  });

  it("2011 when a ranked reply moved away, 2053 for a second review of one message and for one's own message", async () => {
    const w = new World(server, key, "e4");
    const root = await w.growingTree(w.annotator());
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) replies.push((await w.replyTo(w.annotator(), "ASSISTANT_REPLY")).messageId);
    // two review tasks for the same message by one user (handed out before either was submitted)
    const r = w.annotator();
    const t1 = (await w.task(r, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
    let t2 = (await w.task(r, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
    for (let i = 0; i < 10 && t2.messageId !== t1.messageId; i++) {
      await r.nack(t2.id);
      await sql(`DELETE FROM message_emoji WHERE emoji = '_skip_labeling'`);
      t2 = (await w.task(r, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
    }
    expect(t2.messageId).to.equal(t1.messageId);
    await r.ack(t1.id);
    await r.ack(t2.id);
    expect((await r.label(t1.id, t1.messageId, { spam: 0 })).errors).to.equal(undefined);
    expect(oa(await r.label(t2.id, t2.messageId, { spam: 0 }))).to.deep.equal(["NO_SELF_LABELING", 2053]);
    // a review task whose message turns out to be the reviewer's own
    const own = w.annotator();
    const t3 = (await w.task(own, "LABEL_ASSISTANT_REPLY")) as Task<"LabelAssistantReplyTask">;
    await own.ack(t3.id);
    await sql(`UPDATE message SET user_id = (SELECT id FROM "user" WHERE username = $1) WHERE id = $2`, [own.userId, t3.messageId]);
    expect(oa(await own.label(t3.id, t3.messageId, { spam: 0 }))).to.deep.equal(["NO_SELF_LABELING", 2053]);

    // the replies are accepted (as if reviewed) and the tree moves on to ranking
    await sql(`UPDATE message SET review_result = true, review_count = 3 WHERE id = ANY($1::uuid[])`, [replies]);
    await sql(`UPDATE message_tree_state SET state = 'ranking' WHERE message_tree_id = $1`, [root]);
    const ranker = w.annotator();
    const rt = await w.task(ranker, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
    const { frontendMessageId } = await ranker.ack(rt.id);
    await sql(`UPDATE message SET parent_id = NULL WHERE id = $1`, [rt.replyMessages[0].id]);
    expect(oa(await ranker.rank(frontendMessageId, [0, 1, 2]))).to.deep.equal(["CORRUPT_RANKING_RESULT", 2011]);
  });
});

describe("terms of service enforced (ENFORCE_TOS)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ ENFORCE_TOS: "true" });
  });
  after(async () => {
    await server.stop();
  });

  it("refuses work from a user who has not accepted them with 4003", async () => {
    const { key } = await server.createClient({ trusted: true });
    const w = new World(server, key, "e5");
    const a = w.annotator();
    const res = await a.request("INITIAL_PROMPT", "e5");
    expect([errorCode(res), res.errors?.[0]?.extensions?.oaErrorCode]).to.deep.equal(["USER_HAS_NOT_ACCEPTED_TOS", 4003]);
    await server.chorus.app.ds.query(`UPDATE "user" SET tos_acceptance_date = now() WHERE username = $1`, [a.userId]);
    expect((await a.request("INITIAL_PROMPT", "e5")).errors).to.equal(undefined);
  });
});
