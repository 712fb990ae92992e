import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import { ConversationDocument, MessageDescendantsDocument, MessagesDocument, MessageTreeDocument } from "../../client/generated/graphql.js";
import { Role } from "../../src/modules/users/role.js";

describe("message reads, search, visibility, agreement and jobs", function () {
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

  it("pages messages by keyset without gaps or repeats, and searches text with the language's configuration", async () => {
    const w = new World(server, key, "en");
    const texts = ["The quick brown foxes are jumping", "Lazy dogs sleep all day", "A fox jumped over the fence", "Nothing to see here", "Foxes hunt at night"];
    const ids: string[] = [];
    for (const t of texts) ids.push(await w.prompt(w.annotator(), t));
    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (let i = 0; i < 20; i++) {
      const page: Awaited<ReturnType<typeof gql<import("../../client/generated/graphql.js").MessagesQuery, unknown>>> = await gql(
        server.url,
        MessagesDocument,
        { filter: { lang: "en", onlyRoots: true }, first: 2, after },
        { key },
      );
      seen.push(...page.data!.messages.edges.map((e) => e.node.id));
      if (!page.data!.messages.pageInfo.hasNextPage) break;
      after = page.data!.messages.pageInfo.endCursor;
    }
    for (const id of ids) expect(seen).to.include(id);
    expect(new Set(seen).size).to.equal(seen.length);
    // english stemming: "fox" finds foxes, jumped and jumping
    const found = await gql(server.url, MessagesDocument, { filter: { lang: "en", search: "fox" }, first: 10 }, { key });
    const foundTexts = found.data!.messages.edges.map((e) => e.node.text).sort();
    expect(foundTexts).to.deep.equal(["A fox jumped over the fence", "Foxes hunt at night", "The quick brown foxes are jumping"]);
    const desc = await gql(server.url, MessagesDocument, { filter: { lang: "en", onlyRoots: true, desc: true }, first: 1 }, { key });
    expect(desc.data!.messages.edges[0].node.id).to.equal(ids[ids.length - 1]);
  });

  it("reads trees nested and flat, conversations and descendants, honouring spam and deleted filters", async () => {
    const w = new World(server, key, "r2");
    const root = await w.growingTree(w.annotator());
    const { messageId: reply } = await w.replyTo(w.annotator(), "ASSISTANT_REPLY");
    await server.chorus.app.ds.query(`UPDATE message SET review_result = true, review_count = 3 WHERE id = $1`, [reply]);
    const tree = await gql(server.url, MessageTreeDocument, { id: reply }, { key });
    expect(tree.data!.messageTree.id).to.equal(root);
    expect(tree.data!.messageTree.root!.replies.map((r) => r.message.id)).to.deep.equal([reply]);
    const conv = await gql(server.url, ConversationDocument, { messageId: reply }, { key });
    expect(conv.data!.conversation.map((m) => m.id)).to.deep.equal([root, reply]);
    await server.chorus.app.ds.query(`UPDATE message SET deleted = true WHERE id = $1`, [reply]);
    const withoutDeleted = await gql(server.url, MessageTreeDocument, { id: root }, { key });
    expect(withoutDeleted.data!.messageTree.messages.map((m) => m.id)).to.deep.equal([root]);
    const withDeleted = await gql(server.url, MessageTreeDocument, { id: root, includeDeleted: true }, { key });
    expect(withDeleted.data!.messageTree.messages).to.have.length(2);
    const desc = await gql(server.url, MessageDescendantsDocument, { id: root }, { key });
    expect(desc.data!.messageDescendants).to.deep.equal([{ id: reply, deleted: true, depth: 1 }]);
    expect(errorCode(await rawGql(server.url, `{ message(id: "00000000-0000-0000-0000-000000000000") { id } }`, {}, { key }))).to.equal("MESSAGE_NOT_FOUND");
  });

  it("lets an untrusted client read only its own client's messages", async () => {
    const w = new World(server, key, "r3");
    const root = await w.prompt(w.annotator());
    const other = await server.createClient({ name: "untrusted", trusted: false });
    const res = await rawGql(server.url, `{ message(id: "${root}") { id } }`, {}, { key: other.key });
    expect(errorCode(res)).to.equal("MESSAGE_NOT_FOUND");
    const list = await gql(server.url, MessagesDocument, { filter: { lang: "r3" }, first: 10 }, { key: other.key });
    expect(list.data!.messages.edges).to.deep.equal([]);
  });

  it("reports label and ranking agreement to moderators only", async () => {
    const w = new World(server, key, "r4");
    const root = await w.prompt(w.annotator());
    for (let i = 0; i < 3; i++) await w.review(w.annotator(), "LABEL_INITIAL_PROMPT", 0);
    const q = `{ labelAgreement(label: "spam", lang: "r4") { alpha metric items raters pairableValues } rankingAgreement(lang: "r4") { meanW parents rankings } }`;
    const user = await server.createClient({ role: Role.USER });
    expect(errorCode(await rawGql(server.url, q, {}, { key: user.key }))).to.equal("FORBIDDEN");
    // a trusted moderators' console: an untrusted one would see its own client's reviews only
    const mod = await server.createClient({ role: Role.MODERATOR, trusted: true });
    const res = await rawGql<{ labelAgreement: Record<string, unknown>; rankingAgreement: Record<string, unknown> }>(server.url, q, {}, { key: mod.key });
    expect(res.errors).to.equal(undefined);
    // three reviewers all said "not spam": one item, three raters, a single value ⇒ alpha undefined (null)
    expect(res.data!.labelAgreement).to.deep.equal({ alpha: null, metric: "nominal", items: 1, raters: 3, pairableValues: 3 });
    expect(res.data!.rankingAgreement).to.deep.equal({ meanW: null, parents: 0, rankings: 0 });
    void root;
  });

  it("the hourly job deletes expired tasks nobody finished and halts waiting prompts of disabled users", async () => {
    const w = new World(server, key, "r5");
    const a = w.annotator();
    const t = await w.task(a, "INITIAL_PROMPT");
    await server.chorus.app.ds.query(`UPDATE task SET expiry_date = now() - interval '1 minute' WHERE id = $1`, [t.id]);
    const author = w.annotator();
    const root = await w.acceptedPrompt(author);
    await server.chorus.app.ds.query(`UPDATE "user" SET enabled = false WHERE username = $1`, [author.userId]);
    await server.chorus.runJob("expired-tasks");
    expect(await server.chorus.app.ds.query(`SELECT id FROM task WHERE id = $1`, [t.id])).to.deep.equal([]);
    expect(await w.state(root)).to.include({ state: "HALTED_BY_MODERATOR", active: false });
  });
});
