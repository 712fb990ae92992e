import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { Annotator } from "../helpers/annotator.js";
import { gql } from "../helpers/graphql.js";
import { MessageTreeDocument } from "../../client/generated/graphql.js";
import { World } from "../helpers/world.js";
import { assertCountsMatchRows, stuckGrowingTrees } from "../helpers/consistency.js";

describe("trees under concurrent annotators", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ RANDOM_SEED: "7" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
  });
  after(async () => {
    await server.stop();
  });

  it("hammering one tree: every vote counted once, retried submissions counted once, counters equal the rows", async () => {
    const w = new World(server, key, "c1");
    const root = await w.growingTree(w.annotator());
    // A parent takes one pending reply task at a time (spec §2.5), so replies come one after another; each is
    // sent three times at once, as a retrying client would, and is stored once.
    for (let i = 0; i < 3; i++) {
      const a = w.annotator();
      const t = await w.task(a, "ASSISTANT_REPLY");
      const { frontendMessageId } = await a.ack(t.id);
      const text = `concurrent reply ${i} ${crypto.randomUUID()}`;
      const userMessageId = a.freshId("reply");
      const sent = await Promise.all([0, 1, 2].map(() => a.reply(frontendMessageId, text, "c1", userMessageId)));
      for (const r of sent) expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      expect(sent.filter((r) => !r.data!.submitReply.replayed)).to.have.length(1);
      expect(new Set(sent.map((r) => r.data!.submitReply.messageId)).size).to.equal(1);
    }
    // each submission sent three times at once (client retries): one effect, three successes
    const reviewers = Array.from({ length: 9 }, () => w.annotator());
    const labelTasks: { id: string; messageId: string }[] = [];
    for (const a of reviewers) labelTasks.push((await w.task(a, "LABEL_ASSISTANT_REPLY")) as { id: string; messageId: string });
    await Promise.all(reviewers.map((a, i) => a.ack(labelTasks[i].id)));
    const results = await Promise.all(
      reviewers.flatMap((a, i) => {
        const t = labelTasks[i] as { id: string; messageId: string };
        return [0, 1, 2].map(() => a.label(t.id, t.messageId, { spam: 0, lang_mismatch: 0, quality: 0.5 }));
      }),
    );
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    expect(results.filter((r) => r.data!.submitLabels.replayed === false)).to.have.length(9);
    const tree = await gql(server.url, MessageTreeDocument, { id: root }, { key });
    const replyMessages = tree.data!.messageTree.messages.filter((m) => m.parentId === root);
    expect(replyMessages).to.have.length(3);
    // tasks were all handed out before any review, so reviews spread unevenly; together they are nine
    expect(replyMessages.reduce((sum, m) => sum + m.reviewCount, 0)).to.equal(9);
    for (const m of replyMessages) expect(m.reviewResult).to.equal(m.reviewCount >= 3 ? true : null);
    expect(tree.data!.messageTree.messages.find((m) => m.id === root)!.childrenCount).to.equal(3);
    await assertCountsMatchRows(server.chorus.app.ds);
  });

  it("many annotators on random tasks at once end in a consistent state, as a single client would", async () => {
    const lang = "c2";
    const w = new World(server, key, lang);
    await w.growingTree(w.annotator());
    await w.growingTree(w.annotator());
    const annotators = Array.from({ length: 16 }, (_, i) => new Annotator(server.url, key, `${lang}-crowd-${i}`));
    const errors: unknown[] = [];
    let cycles = 0;
    await Promise.all(
      annotators.map(async (a) => {
        for (let i = 0; i < 12; i++) {
          const res = await a.request("RANDOM", lang);
          if (res.errors) {
            if (res.errors[0].extensions?.code !== "TASK_REQUESTED_TYPE_NOT_AVAILABLE") errors.push(res.errors);
            continue;
          }
          const done = await a.complete(res.data!.requestTask, lang);
          if (done.errors) {
            const code = done.errors[0].extensions?.code;
            // a reply parent another annotator filled first is a legitimate refusal, never an internal error
            if (code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE") errors.push(done.errors);
            await a.nack(res.data!.requestTask.id);
          } else cycles++;
        }
      }),
    );
    expect(errors).to.deep.equal([]);
    expect(cycles).to.be.greaterThan(50);
    await assertCountsMatchRows(server.chorus.app.ds);
    // no tree is stuck where the state machine would have moved it
    expect(await stuckGrowingTrees(server.chorus.app.ds, lang)).to.deep.equal([]);
  });

  it("reads a whole tree of any size in a fixed number of SQL queries", async () => {
    const ds = server.chorus.app.ds;
    const client = (await ds.query(`SELECT id FROM api_client LIMIT 1`))[0].id as string;
    async function makeTree(size: number): Promise<string> {
      const ids = Array.from({ length: size }, () => crypto.randomUUID());
      const user = (
        await ds.query(`INSERT INTO "user" (api_client_id, username, auth_method, display_name) VALUES ($1, $2, 'local', 'Tree Maker') RETURNING id`, [
          client,
          `maker-${ids[0]}`,
        ])
      )[0].id;
      for (let i = 0; i < size; i++) {
        const parent = i === 0 ? null : ids[Math.floor((i - 1) / 3)];
        await ds.query(
          `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, text, lang, depth, review_result, emojis)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'q1', $9, true, '{"+1": 2}')`,
          [
            ids[i],
            parent,
            ids[0],
            user,
            i % 2 ? "assistant" : "prompter",
            client,
            `fid-${ids[i]}`,
            `message ${i}`,
            Math.floor(Math.log(2 * i + 1) / Math.log(3)),
          ],
        );
      }
      await ds.query(
        `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang) VALUES ($1, 12, 3, 3, 'ready_for_export', false, 'q1')`,
        [ids[0]],
      );
      return ids[0];
    }
    const counts: number[] = [];
    for (const size of [5, 200]) {
      const root = await makeTree(size);
      // the reader exists already (its first sight costs an insert), so both reads do the same work per request
      await gql(server.url, MessageTreeDocument, { id: root }, { key, user: "local:reader" });
      const before = server.chorus.queryCount();
      const res = await gql(server.url, MessageTreeDocument, { id: root }, { key, user: "local:reader" });
      expect(res.errors).to.equal(undefined);
      expect(res.data!.messageTree.messages).to.have.length(size);
      counts.push(server.chorus.queryCount() - before);
    }
    expect(counts[1]).to.equal(counts[0]);
    // key check, acting user, the message, the tree's messages, its state, the user's emojis, the authors
    expect(counts[1]).to.be.at.most(7);
  });
});
