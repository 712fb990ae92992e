/**
 * Annotator quality signals through the real endpoint (issue 16): three reviewers label the same prompt through
 * their tasks; each one's agreement with the other reviewers, counts and time per task are what a moderator reads,
 * directly and from the troll board; users may not read them.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import { World } from "../helpers/world.js";
import { Role } from "../../src/modules/users/role.js";
import { AnnotatorQualityDocument, ViewerDocument } from "../../client/generated/graphql.js";

describe("annotator quality: agreement with the other reviewers, counts and time per task (issue 16)", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  let modKey: string;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", RANDOM_SEED: "7" });
    key = (await server.createClient({ name: "web", trusted: true })).key;
    modKey = (await server.createClient({ name: "moderation", trusted: true, role: Role.MODERATOR })).key;
  });
  after(async () => {
    await server?.stop();
  });

  /** Who gets the deciding review: P1 has all but its last review, P2 none; a new annotator asks 8 times. */
  async function lastReviewOffers(target: TestServer, targetKey: string, lang: string): Promise<{ p1: string; p2: string; offered: string[] }> {
    const world = new World(target, targetKey, lang);
    const p1 = await world.prompt(world.annotator());
    for (let i = 0; i < 2; i++) expect(await world.review(world.annotator(), "LABEL_INITIAL_PROMPT")).to.equal(p1);
    const p2 = await world.prompt(world.annotator());
    const newcomer = world.annotator();
    const offered: string[] = [];
    for (let i = 0; i < 8; i++) {
      const t = (await world.task(newcomer, "LABEL_INITIAL_PROMPT")) as { messageId: string };
      offered.push(t.messageId);
    }
    return { p1, p2, offered };
  }

  it("ARENA_RELIABLE_LAST_REVIEW: an annotator not shown reliable is not offered a message's deciding review while others wait", async () => {
    const strict = await startTestServer({ LOCAL_WORKER: "false", ARENA_RELIABLE_LAST_REVIEW: "true", RANDOM_SEED: "7" });
    try {
      const strictKey = (await strict.createClient({ name: "web", trusted: true })).key;
      const on = await lastReviewOffers(strict, strictKey, "rl");
      expect(new Set(on.offered)).to.deep.equal(new Set([on.p2]));
    } finally {
      await strict.stop();
    }
    // Off (the default), the same newcomer is offered both: the reference's task mix. Not luck: the draw between
    // the two prompts is exactly uniform and, on a pool this small, decided by the seeded source alone
    // (RANDOM_SEED; src/modules/tasks/task-pools.ts), so the eight requests draw the same offsets every run.
    const off = await lastReviewOffers(server, key, "rm");
    expect(new Set(off.offered)).to.deep.equal(new Set([off.p1, off.p2]));
  });

  it("measures each reviewer against the others, and moderators read it (also from the troll board)", async () => {
    const world = new World(server, key, "aq");
    const author = world.annotator("aq-author");
    const prompt = await world.prompt(author);
    const reviewers = [world.annotator("aq-r1"), world.annotator("aq-r2"), world.annotator("aq-r3")];
    const spam = [0, 0, 1];
    for (let i = 0; i < 3; i++) expect(await world.review(reviewers[i], "LABEL_INITIAL_PROMPT", spam[i])).to.equal(prompt);
    const ids: string[] = [];
    for (const r of reviewers) ids.push((await gql(server.url, ViewerDocument, {}, { key, user: r.userHeader })).data!.viewer.user!.id);

    // Labels given: spam (0, 0, 1), lang_mismatch 0 and quality 0.75 from everyone.
    // r1, r2: spam against the others' mean 0.5 → 0.5; the two others agree fully → (0.5 + 1 + 1) / 3.
    // r3: spam against 0 → 0; → (0 + 1 + 1) / 3.
    const expected = [2.5 / 3, 2.5 / 3, 2 / 3];
    for (let i = 0; i < 3; i++) {
      const q = await gql(server.url, AnnotatorQualityDocument, { userId: ids[i] }, { key: modKey });
      expect(q.errors, JSON.stringify(q.errors)).to.equal(undefined);
      const a = q.data!.annotatorQuality;
      expect(a.labelAgreement).to.be.closeTo(expected[i], 1e-12);
      expect(a).to.include({
        userId: ids[i],
        labelsCompared: 3,
        tasksDone: 1,
        labelReviews: 1,
        rankings: 0,
        replies: 0,
        rankingAgreement: null,
        rankingsCompared: 0,
      });
      expect(a.medianSecondsPerTask).to.be.a("number").and.at.least(0);
    }
    const authorId = (await gql(server.url, ViewerDocument, {}, { key, user: author.userHeader })).data!.viewer.user!.id;
    const ofAuthor = (await gql(server.url, AnnotatorQualityDocument, { userId: authorId }, { key: modKey })).data!.annotatorQuality;
    expect(ofAuthor).to.include({ replies: 1, tasksDone: 1, labelAgreement: null });

    // The troll board links every row to the author's signals.
    const refreshed = await rawGql(server.url, `mutation { refreshLeaderboards(input: { windows: [TOTAL] }) { window } }`, {}, { key: server.adminKey });
    expect(refreshed.errors, JSON.stringify(refreshed.errors)).to.equal(undefined);
    const board = await rawGql<{ trollboard: { edges: { node: { userId: string; annotatorQuality: { userId: string; tasksDone: number } } }[] } }>(
      server.url,
      `{ trollboard(window: TOTAL, first: 100) { edges { node { userId annotatorQuality { userId tasksDone labelAgreement } } } } }`,
      {},
      { key: modKey },
    );
    expect(board.errors, JSON.stringify(board.errors)).to.equal(undefined);
    const rows = board.data!.trollboard.edges.map((e) => e.node);
    expect(rows.map((r) => r.userId)).to.include(authorId);
    for (const r of rows) expect(r.annotatorQuality.userId).to.equal(r.userId);
    expect(rows.find((r) => r.userId === authorId)!.annotatorQuality.tasksDone).to.equal(1);

    // Users may not read them; an unknown user is NOT_FOUND.
    expect(errorCode(await gql(server.url, AnnotatorQualityDocument, { userId: ids[0] }, { key, user: "local:aq-nosy" }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, AnnotatorQualityDocument, { userId: "00000000-0000-0000-0000-000000000000" }, { key: modKey }))).to.equal(
      "NOT_FOUND",
    );
  });
});
