/**
 * A volunteer asking for a random task when there is work for them gets work (issue 14): the REPLY kind may only
 * be drawn when this user has a parent to extend. The reference counts the missing replies (M of spec §2.4) over
 * the trees of the user's own extendible parents; counting every growing tree drew REPLY for a user whose only
 * parents were taken by another volunteer's open reply task, and answered TASK_REQUESTED_TYPE_NOT_AVAILABLE
 * although a review was waiting.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import { gql } from "../helpers/graphql.js";
import { AvailableTasksDocument } from "../../client/generated/graphql.js";

describe("requestTask(RANDOM) hands out a task whenever the user has work", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer();
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
  });
  after(async () => {
    await server.stop();
  });

  it("a tree still missing replies, whose only parent is held by another user's open reply task, draws no REPLY", async () => {
    const w = new World(server, key, "rnd1");
    const root = await w.growingTree(w.annotator());
    // One assistant answer (still in review): the root stays extendible (1 of 3 answers), the answer needs review.
    const { messageId: answer } = await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    // Another volunteer takes the root's next reply task and keeps it open: for 300 s nobody else may extend it.
    const holder = w.annotator();
    const held = await w.task(holder, "ASSISTANT_REPLY", "AssistantReplyTask");
    expect(held.conversation.map((m) => m.id)).to.deep.equal([root]);

    // Every other volunteer has a review to do and no parent to extend.
    for (let i = 0; i < 16; i++) {
      const a = w.annotator();
      const counts = (
        await gql(server.url, AvailableTasksDocument, { lang: "rnd1", user: { id: a.userId, authMethod: "local", displayName: a.userId } }, { key })
      ).data!.availableTasks;
      expect(counts).to.include({ assistantReply: 0, prompterReply: 0, labelAssistantReply: 1 });
      const res = await a.request("RANDOM", "rnd1");
      expect(res.errors, `request ${i}: ${JSON.stringify(res.errors)}`).to.equal(undefined);
      const t = res.data!.requestTask;
      expect(["LabelAssistantReplyTask", "InitialPromptTask"]).to.include(t.__typename);
      if (t.__typename === "LabelAssistantReplyTask") expect(t.messageId).to.equal(answer);
    }
  });
});
