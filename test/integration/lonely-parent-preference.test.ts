/**
 * §2.5's preference for lonely parents through the endpoint: a reply task extends, with probability
 * TREE_MANAGER__P_LONELY_CHILD_EXTENSION, a prompter message with some but fewer than LONELY_CHILDREN_COUNT counted
 * answers, when the user has one. The request decides the preference first and draws a lonely parent only when it
 * won (issue 14: the random draw no longer draws one for every request), so these cases pin what it must keep: at
 * probability 1 a random request's reply task always extends the lonely parent, and where the user has no lonely
 * parent of the asked role, the task extends another parent instead of being refused.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World, type Task } from "../helpers/world.js";

describe("reply tasks prefer lonely parents (§2.5)", function () {
  this.timeout(180_000);
  let server: TestServer;
  let w: World;
  let root: string;
  let answer: string;
  before(async () => {
    server = await startTestServer({ TREE_MANAGER__P_LONELY_CHILD_EXTENSION: "1" });
    const { key } = await server.createClient({ name: "frontend", trusted: true });
    w = new World(server, key, "lonely1");
    // A growing tree whose root has one accepted assistant answer: the root (a prompter message with one counted
    // answer of the two that make it not lonely) is lonely; the answer (an assistant message) is a parent too.
    root = await w.growingTree(w.annotator());
    ({ messageId: answer } = await w.replyTo(w.annotator(), "ASSISTANT_REPLY"));
    for (let i = 0; i < 3; i++) expect(await w.review(w.annotator(), "LABEL_ASSISTANT_REPLY")).to.equal(answer);
    expect((await w.message(answer)).reviewResult).to.equal(true);
  });
  after(async () => {
    await server.stop();
  });

  it("a random request's reply task extends the lonely parent every time at probability 1", async () => {
    let replies = 0;
    for (let i = 0; i < 12; i++) {
      const a = w.annotator();
      const res = await a.request("RANDOM", w.lang);
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      const t = res.data!.requestTask;
      // The lottery may also draw a new prompt (the language's lottery wants more trees); nothing else is open.
      expect(["AssistantReplyTask", "InitialPromptTask"]).to.include(t.__typename);
      if (t.__typename === "AssistantReplyTask") {
        replies++;
        expect((t as Task<"AssistantReplyTask">).conversation.map((m) => m.id)).to.deep.equal([root]);
      }
      // Skipped, so the parent is free again for the next volunteer (an open reply task holds it).
      expect((await a.nack(t.id)).errors).to.equal(undefined);
    }
    expect(replies, "no reply task among 12 random requests").to.be.greaterThan(0);
  });

  it("with no lonely parent of the asked role, the reply task extends another parent", async () => {
    // A prompter reply answers an assistant message: the lonely root is a prompter message, so the answer is the
    // only parent, and the preference (which always wins here) finds no lonely one.
    for (let i = 0; i < 3; i++) {
      const a = w.annotator();
      const t = await w.task(a, "PROMPTER_REPLY", "PrompterReplyTask");
      expect(t.conversation.map((m) => m.id)).to.deep.equal([root, answer]);
      expect((await a.nack(t.id)).errors).to.equal(undefined);
    }
  });
});
