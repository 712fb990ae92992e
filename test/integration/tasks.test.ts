/**
 * The task-flow acceptance scenarios of spec §10.5, end to end through GraphQL. Each test works in its own
 * language code, so the tests share a server yet never see each other's trees.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { Annotator } from "../helpers/annotator.js";
import { World, type Task } from "../helpers/world.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import { AvailableTasksDocument, MessageDocument, SetEmojiDocument } from "../../client/generated/graphql.js";

describe("tasks and trees: spec §10.5 scenarios", function () {
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

  it("1: a new user's initial prompt becomes the root of a tree in review (goal 12)", async () => {
    const w = new World(server, key, "s1");
    const a = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT", "InitialPromptTask");
    expect(t.hint).to.equal(null);
    const { res } = await a.ack(t.id, "f1-s1");
    expect(res.data!.ackTask).to.include({ ack: true, frontendMessageId: "f1-s1" });
    const done = await a.reply("f1-s1", "  Hi  ", "s1", "m1-s1");
    expect(done.errors).to.equal(undefined);
    const m = await w.message(done.data!.submitReply.messageId!);
    expect(m).to.include({ role: "PROMPTER", depth: 0, text: "Hi", parentId: null, frontendMessageId: "m1-s1", reviewResult: null });
    expect(m.messageTreeId).to.equal(m.id);
    expect(m.treeState).to.deep.equal({ state: "INITIAL_PROMPT_REVIEW", active: true, goalTreeSize: 12 });
  });

  it("2: submission errors: done (2105), not found (2100), not acked (2104), other user (2106), empty, too long (1008), duplicate (1009); a retry is counted once", async () => {
    const w = new World(server, key, "s2");
    const a = w.annotator();
    const b = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT");
    const { frontendMessageId } = await a.ack(t.id);
    const first = await a.reply(frontendMessageId, "first prompt of s2", "s2", "s2-m1");
    expect(first.data!.submitReply.replayed).to.equal(false);
    // the same submission again (a client retry) is answered with the original success and stored once
    const retry = await a.reply(frontendMessageId, "first prompt of s2", "s2", "s2-m1");
    expect(retry.data!.submitReply).to.deep.include({ replayed: true, messageId: first.data!.submitReply.messageId });
    const other = await a.reply(frontendMessageId, "something else", "s2", "s2-m2");
    expect(errorCode(other)).to.equal("TASK_ALREADY_DONE");
    expect(other.errors![0].extensions!.oaErrorCode).to.equal(2105);

    const unacked = await w.task(a, "INITIAL_PROMPT");
    expect(errorCode(await a.reply("never-acked-frontend-id", "text", "s2"))).to.equal("TASK_NOT_FOUND");
    void unacked;

    const t2 = await w.task(b, "INITIAL_PROMPT");
    const ack2 = await b.ack(t2.id);
    expect(errorCode(await a.reply(ack2.frontendMessageId, "not mine", "s2"))).to.equal("TASK_NOT_ASSIGNED_TO_USER");
    const blank = await b.reply(ack2.frontendMessageId, "   \n\t ", "s2");
    expect(errorCode(blank)).to.equal("BAD_USER_INPUT");
    const long = await b.reply(ack2.frontendMessageId, "é".repeat(2001), "s2");
    expect(errorCode(long)).to.equal("TASK_MESSAGE_TOO_LONG");
    expect(long.errors![0].extensions!.oaErrorCode).to.equal(1008);
    // exactly 2000 code points (4-byte emoji count once each) is fine
    const ok = await b.reply(ack2.frontendMessageId, "😀".repeat(2000), "s2");
    expect(ok.errors, JSON.stringify(ok.errors)).to.equal(undefined);

    const t3 = await w.task(a, "INITIAL_PROMPT");
    const ack3 = await a.ack(t3.id);
    const dup = await a.reply(ack3.frontendMessageId, "first prompt of s2", "s2");
    expect(errorCode(dup)).to.equal("TASK_MESSAGE_DUPLICATED");

    // a label task is found by id: not acknowledged ⇒ 2104
    const c = w.annotator();
    const lt = (await w.task(c, "LABEL_INITIAL_PROMPT")) as Task<"LabelInitialPromptTask">;
    const notAcked = await c.label(lt.id, lt.messageId, { spam: 0 });
    expect(errorCode(notAcked)).to.equal("TASK_NOT_ACK");
    expect(notAcked.errors![0].extensions!.oaErrorCode).to.equal(2104);
  });

  it("3: nobody reviews their own prompt; three reviews accept it, it waits in the lottery, and a task request grows it", async () => {
    const w = new World(server, key, "s3");
    const author = w.annotator();
    const root = await w.prompt(author);
    const own = await author.request("LABEL_INITIAL_PROMPT", "s3");
    expect(errorCode(own)).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
    expect(own.errors![0].extensions!.oaErrorCode).to.equal(1006);
    for (let i = 0; i < 2; i++) await w.review(w.annotator(), "LABEL_INITIAL_PROMPT");
    expect((await w.message(root)).reviewResult).to.equal(null);
    await w.review(w.annotator(), "LABEL_INITIAL_PROMPT");
    expect((await w.message(root)).reviewResult).to.equal(true);
    expect(await w.state(root)).to.include({ state: "PROMPT_LOTTERY_WAITING", active: false });
    const next = await w.annotator().request("RANDOM", "s3");
    expect(next.errors).to.equal(undefined);
    const s = await w.state(root);
    expect(s).to.include({ state: "GROWING", active: true });
    expect(s.wonPromptLotteryDate).to.be.a("string");
  });

  it("3b: a prompt with two spam votes out of three is rejected and its tree aborted", async () => {
    const w = new World(server, key, "s3b");
    const root = await w.prompt(w.annotator());
    await w.review(w.annotator(), "LABEL_INITIAL_PROMPT", 1);
    await w.review(w.annotator(), "LABEL_INITIAL_PROMPT", 1);
    await w.review(w.annotator(), "LABEL_INITIAL_PROMPT", 0);
    expect((await w.message(root)).reviewResult).to.equal(false);
    expect(await w.state(root)).to.include({ state: "ABORTED_LOW_GRADE", active: false });
  });

  it("4: labels: missing spam (2052), a label not valid for the task (2051), a value out of range", async () => {
    const w = new World(server, key, "s4");
    await w.prompt(w.annotator());
    const r = w.annotator();
    const t = (await w.task(r, "LABEL_INITIAL_PROMPT")) as Task<"LabelInitialPromptTask">;
    expect(t.validLabels).to.include("spam").and.not.include("fails_task");
    expect(t.mandatoryLabels).to.deep.equal(["spam"]);
    expect(t.mode).to.equal("FULL");
    await r.ack(t.id);
    const missing = await r.label(t.id, t.messageId, { quality: 0.5 });
    expect(errorCode(missing)).to.equal("MANDATORY_LABEL_MISSING");
    expect(missing.errors![0].extensions!).to.deep.include({ oaErrorCode: 2052, missingLabels: ["spam"] });
    const invalid = await r.label(t.id, t.messageId, { spam: 0, fails_task: 1 });
    expect(errorCode(invalid)).to.equal("INVALID_LABEL");
    expect(invalid.errors![0].extensions!.oaErrorCode).to.equal(2051);
    const range = await r.label(t.id, t.messageId, { spam: 1.5 });
    expect(errorCode(range)).to.equal("BAD_USER_INPUT");
    const wrongMessage = await r.label(t.id, "00000000-0000-0000-0000-000000000000", { spam: 0 });
    expect(errorCode(wrongMessage)).to.equal("TEXT_LABELS_WRONG_MESSAGE_ID");
    // nothing was written by the failures: the review still counts once
    const ok = await r.label(t.id, t.messageId, { spam: 0 });
    expect(ok.errors).to.equal(undefined);
    expect((await w.message(t.messageId)).reviewCount).to.equal(1);
  });

  it("5: the ninth task request within five minutes without finishing any fails with 1012", async () => {
    const w = new World(server, key, "s5");
    const a = w.annotator();
    for (let i = 0; i < 8; i++) expect((await a.request("INITIAL_PROMPT", "s5")).errors).to.equal(undefined);
    const ninth = await a.request("INITIAL_PROMPT", "s5");
    expect(errorCode(ninth)).to.equal("TASK_TOO_MANY_PENDING");
    expect(ninth.errors![0].extensions!.oaErrorCode).to.equal(1012);
  });

  it("6: a skipped reply task marks the parent for that user, who is not offered it again; 25 skips halt the tree", async () => {
    const w = new World(server, key, "s6");
    const root = await w.growingTree(w.annotator());
    const a = w.annotator();
    const t = await w.task(a, "ASSISTANT_REPLY", "AssistantReplyTask");
    const nack = await a.nack(t.id, "not my field");
    expect(nack.data!.nackTask).to.include({ skipped: true, done: false });
    const m = await gql(server.url, MessageDocument, { id: root }, { key, user: a.userHeader });
    expect(m.data!.message.userEmojis).to.deep.equal(["_skip_reply"]);
    expect(errorCode(await a.request("ASSISTANT_REPLY", "s6"))).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
    for (let i = 1; i < 25; i++) {
      const u = w.annotator();
      const tt = await w.task(u, "ASSISTANT_REPLY");
      expect((await u.nack(tt.id)).errors).to.equal(undefined);
    }
    expect((await w.message(root)).emojis).to.deep.include({ emoji: "_skip_reply", count: 25 });
    await w.annotator().request("RANDOM", "s6");
    expect(await w.state(root)).to.include({ state: "HALTED_BY_MODERATOR", active: false });
  });

  it("9: ack twice with the same frontend id is a no-op; with a different one 2103", async () => {
    const w = new World(server, key, "s9");
    const a = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT");
    expect((await a.ack(t.id, "s9-post")).res.errors).to.equal(undefined);
    expect((await a.ack(t.id, "s9-post")).res.errors).to.equal(undefined);
    const other = (await a.ack(t.id, "s9-other")).res;
    expect(errorCode(other)).to.equal("TASK_ALREADY_UPDATED");
    expect(other.errors![0].extensions!.oaErrorCode).to.equal(2103);
    expect(errorCode((await a.ack("00000000-0000-0000-0000-000000000000", "x")).res)).to.equal("TASK_NOT_FOUND");
    const empty = await rawGql(server.url, `mutation { ackTask(input: { taskId: "${t.id}", frontendMessageId: "" }) { id } }`, {}, { key, user: a.userHeader });
    expect(errorCode(empty)).to.equal("INVALID_FRONTEND_MESSAGE_ID");
  });

  it("10: emoji rules: +1 then -1 leaves -1; votes on one's own message are ignored; toggle twice removes", async () => {
    const w = new World(server, key, "s10");
    const author = w.annotator();
    const root = await w.prompt(author);
    const voter = w.annotator();
    const set = (who: Annotator, emoji: string, op: "ADD" | "REMOVE" | "TOGGLE") =>
      gql(server.url, SetEmojiDocument, { input: { messageId: root, emoji, op } }, { key, user: who.userHeader });
    await set(voter, "+1", "ADD");
    const after = await set(voter, "-1", "ADD");
    expect(after.data!.setEmoji.emojis).to.deep.equal([{ emoji: "-1", count: 1 }]);
    expect(after.data!.setEmoji.userEmojis).to.deep.equal(["-1"]);
    const own = await set(author, "+1", "ADD");
    expect(own.data!.setEmoji.emojis).to.deep.equal([{ emoji: "-1", count: 1 }]);
    await set(voter, "heart_eyes", "TOGGLE");
    const twice = await set(voter, "heart_eyes", "TOGGLE");
    expect(twice.data!.setEmoji.emojis).to.deep.equal([{ emoji: "-1", count: 1 }]);
    expect(errorCode(await set(voter, "not-an-emoji", "ADD"))).to.equal("BAD_USER_INPUT");
  });
});

describe("tasks and trees: growth, ranking and moderation (goal size 4)", function () {
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

  async function treeInRanking(w: World) {
    const root = await w.growingTree(w.annotator());
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) replies.push((await w.replyTo(w.annotator(), "ASSISTANT_REPLY")).messageId);
    for (let i = 0; i < 9; i++) await w.review(w.annotator(), "LABEL_ASSISTANT_REPLY");
    for (const r of replies) expect((await w.message(r)).reviewResult).to.equal(true);
    expect(await w.state(root)).to.include({ state: "RANKING", active: true });
    return { root, replies };
  }

  it("7: rankings must be permutations (2003); each ranking counts once per reply; three rankings finish the tree with ranks", async () => {
    const w = new World(server, key, "g7");
    const { root, replies } = await treeInRanking(w);
    const rankers = [w.annotator(), w.annotator(), w.annotator()];
    const t = await w.task(rankers[0], "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
    expect(t.rankingParentId).to.equal(root);
    expect(t.replyMessages.map((m) => m.id).sort()).to.deep.equal([...replies].sort());
    expect(t.replyMessages.every((m) => m.synthetic === null)).to.equal(true);
    const { frontendMessageId } = await rankers[0].ack(t.id);
    for (const bad of [
      [0, 0, 1],
      [0, 1],
      [0, 1, 3],
    ]) {
      const res = await rankers[0].rank(frontendMessageId, bad);
      expect(errorCode(res), JSON.stringify(bad)).to.equal("INVALID_RANKING_VALUE");
      expect(res.errors![0].extensions!.oaErrorCode).to.equal(2003);
    }
    // everyone puts the same reply first: ids in task order [best, ...]
    const best = t.replyMessages[2].id;
    expect((await rankers[0].rank(frontendMessageId, [2, 0, 1])).errors).to.equal(undefined);
    for (const r of replies) expect((await w.message(r)).rankingCount).to.equal(1);
    for (const ranker of rankers.slice(1)) {
      const tt = await w.task(ranker, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
      const ack = await ranker.ack(tt.id);
      const order = [
        best,
        ...tt.replyMessages
          .map((m) => m.id)
          .filter((id) => id !== best)
          .sort(),
      ].map((id) => tt.replyMessages.findIndex((m) => m.id === id));
      expect((await ranker.rank(ack.frontendMessageId, order)).errors).to.equal(undefined);
      // the scoring check counts each ranking once: two of the three leave the tree in ranking
      if (ranker !== rankers[2]) expect(await w.state(root)).to.include({ state: "RANKING", active: true });
    }
    expect(await w.state(root)).to.include({ state: "READY_FOR_EXPORT", active: false });
    expect((await w.message(best)).rank).to.equal(0);
    const ranks = await Promise.all(replies.map(async (r) => (await w.message(r)).rank));
    expect([...ranks].sort()).to.deep.equal([0, 1, 2]);
    // a ranker who already ranked this parent is not offered it again
    expect(errorCode(await rankers[0].request("RANK_ASSISTANT_REPLIES", "g7"))).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
  });

  it("8: four red flags delete a growing reply with its subtree on the next request; four on a prompt in review abort the tree", async () => {
    const w = new World(server, key, "g8");
    const root = await w.growingTree(w.annotator());
    const { messageId: reply } = await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    for (let i = 0; i < 4; i++) {
      const res = await gql(
        server.url,
        SetEmojiDocument,
        { input: { messageId: reply, emoji: "red_flag", op: "ADD" } },
        { key, user: w.annotator().userHeader },
      );
      expect(res.errors).to.equal(undefined);
    }
    expect((await w.message(reply)).deleted).to.equal(false);
    await gql(server.url, AvailableTasksDocument, { lang: "g8" }, { key });
    expect((await w.message(reply)).deleted).to.equal(true);
    expect((await w.message(root)).deleted).to.equal(false);

    const w2 = new World(server, key, "g8b");
    const prompt = await w2.prompt(w2.annotator());
    for (let i = 0; i < 4; i++) {
      await gql(server.url, SetEmojiDocument, { input: { messageId: prompt, emoji: "red_flag", op: "ADD" } }, { key, user: w2.annotator().userHeader });
    }
    await w2.annotator().request("RANDOM", "g8b");
    expect(await w2.state(prompt)).to.include({ state: "ABORTED_LOW_GRADE", active: false });
  });

  it("availability counts match what can be handed out", async () => {
    const w = new World(server, key, "g9");
    const a = w.annotator();
    await w.growingTree(a);
    const res = await gql(server.url, AvailableTasksDocument, { lang: "g9", user: { authMethod: "local", id: "g9-newcomer" } }, { key });
    expect(res.data!.availableTasks).to.include({ assistantReply: 1, prompterReply: 0, labelInitialPrompt: 0, rankAssistantReplies: 0 });
    expect(res.data!.availableTasks.random).to.equal(
      Object.entries(res.data!.availableTasks)
        .filter(([k]) => k !== "random")
        .reduce((s, [, v]) => s + (v as number), 0),
    );
  });
});
