/**
 * Full-text search in each message's own language (issue 11 item 16): a message's search vector is made with its
 * language's text-search configuration, and a query without `lang` is read the same way per message, so "jumping"
 * finds an English message about jumps the way "jump" does. Real words in several languages; and the migration that
 * rebuilds vectors made with another configuration, run through the real `chorus migrate`.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import { gql } from "../helpers/graphql.js";
import { CLI, runNode } from "../helpers/process.js";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MessagesDocument } from "../../client/generated/graphql.js";
import { availableSearchConfigs, searchConfigFor, searchConfigSql } from "../../src/modules/trees/search.js";

describe("search in each message's own language", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  const ids: Record<string, string> = {};

  const TEXTS: [lang: string, text: string][] = [
    ["en", "The old dog was jumping over the garden fence"],
    ["de", "Die alten Häuser stehen am Fluss"],
    ["es", "Los niños estaban corriendo en el parque"],
    ["fr", "Les oiseaux chantaient doucement le matin"],
    ["ru", "Вечером я читаю интересные книги"],
    ["pt-BR", "As crianças gostam de brincadeiras"],
    ["xx", "Zorblat frimbles quietly"],
  ];

  before(async () => {
    // The search-vectors job runs only when a test asks (it would race the check of imported messages without vectors).
    server = await startTestServer({ TREE_MANAGER__GOAL_TREE_SIZE: "4", SEARCH_VECTORS_INTERVAL_SECONDS: "86400" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
    for (const [lang, text] of TEXTS) {
      const w = new World(server, key, lang);
      ids[lang] = await w.prompt(w.annotator(), text);
    }
  });
  after(async () => {
    await server?.stop();
  });

  async function search(search: string, lang?: string): Promise<string[]> {
    const res = await gql(server.url, MessagesDocument, { filter: { search, ...(lang ? { lang } : {}) }, first: 50 }, { key });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.messages.edges.map((e) => e.node.id).filter((id) => Object.values(ids).includes(id));
  }

  it("finds a message by another form of its words, without lang, in every language the server stems", async () => {
    expect(await search("jumping"), "en: jumping").to.deep.equal([ids.en]);
    expect(await search("jump"), "en: jump").to.deep.equal([ids.en]);
    expect(await search("jumps"), "en: jumps").to.deep.equal([ids.en]);
    expect(await search("Haus"), "de: Haus → Häuser").to.deep.equal([ids.de]);
    expect(await search("correr"), "es: correr → corriendo").to.deep.equal([ids.es]);
    expect(await search("chanter"), "fr: chanter → chantaient").to.deep.equal([ids.fr]);
    expect(await search("книга"), "ru: книга → книги").to.deep.equal([ids.ru]);
    expect(await search("brincadeira"), "pt-BR uses portuguese").to.deep.equal([ids["pt-BR"]]);
  });

  it("reads a query the message's way only: stop words and other languages' stems do not match", async () => {
    // English drops "the"; the stemmed English query must not match the German, Spanish or French messages.
    expect(await search("the")).to.deep.equal([]);
    expect(await search("garden fence")).to.deep.equal([ids.en]);
    expect(await search("jumping -fence")).to.deep.equal([]);
    // An unknown language is indexed with `simple`: exact words only.
    expect(await search("frimbles")).to.deep.equal([ids.xx]);
    expect(await search("frimble")).to.deep.equal([]);
  });

  it("with lang, searches that language's messages with its configuration only", async () => {
    expect(await search("jumping", "en")).to.deep.equal([ids.en]);
    expect(await search("jumping", "de")).to.deep.equal([]);
    expect(await search("Haus", "de")).to.deep.equal([ids.de]);
    expect(await search("Haus", "en")).to.deep.equal([]);
  });

  it("maps ISO codes and tags to configurations, simple for unknown ones, in TypeScript and SQL alike", async () => {
    const configs = await availableSearchConfigs(server.chorus.app.ds);
    const langs = ["en", "EN-gb", "de_AT", "pt-BR", "ru", "zh", "", "xx-yy", "no"];
    const rows: { lang: string; config: string }[] = await server.chorus.app.ds.query(
      `SELECT l AS lang, (${searchConfigSql("l", configs)})::text AS config FROM unnest($1::text[]) l`,
      [langs],
    );
    expect(rows.map((r) => r.config)).to.deep.equal(langs.map((l) => searchConfigFor(l, configs)));
    expect(rows.map((r) => r.config)).to.deep.equal(["english", "english", "german", "portuguese", "russian", "simple", "simple", "simple", "norwegian"]);
    // a configuration the server lacks falls back to simple on both sides
    const without = new Set([...configs].filter((c) => c !== "german"));
    expect(searchConfigFor("de", without)).to.equal("simple");
    expect(searchConfigSql("'de'", without)).to.not.include("german");
  });

  it("finds imported messages before their vectors are built (read from the text) and after, the same way", async () => {
    const ds = server.chorus.app.ds;
    // Trees restored through the real CLI: their vectors are left to the search-vectors job.
    const imported: Record<string, string> = {};
    const lines = TEXTS.map(([lang, text]) => {
      const id = crypto.randomUUID();
      imported[lang] = id;
      return JSON.stringify({
        message_tree_id: id,
        tree_state: "ready_for_export",
        prompt: { message_id: id, text: `${text} (imported)`, role: "prompter", lang, review_result: true, review_count: 3 },
      });
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-search-"));
    try {
      fs.writeFileSync(path.join(dir, "t.jsonl"), lines.join("\n") + "\n");
      const run = await runNode(CLI, ["import", "--mode", "restore", path.join(dir, "t.jsonl")], { DATABASE_URL: server.db.url, LOG_LEVEL: "warn" });
      expect(run.code, run.stderr).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const pending = async () =>
      (await ds.query(`SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[]) AND search_vector IS NULL`, [Object.values(imported)]))[0].n;
    expect(await pending()).to.equal(TEXTS.length);
    const searchBoth = async (q: string, lang?: string) => {
      const res = await gql(server.url, MessagesDocument, { filter: { search: q, ...(lang ? { lang } : {}) }, first: 50 }, { key });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      const found = res.data!.messages.edges.map((e) => e.node.id);
      return { live: Object.keys(ids).filter((l) => found.includes(ids[l])), imported: Object.keys(imported).filter((l) => found.includes(imported[l])) };
    };
    const queries: [string, string?][] = [
      ["jumping"],
      ["Haus"],
      ["correr"],
      ["книга"],
      ["brincadeira"],
      ["frimbles"],
      ["frimble"],
      ["the"],
      ["jumping", "en"],
      ["jumping", "de"],
      ["Haus", "de"],
    ];
    const before = [];
    for (const [q, lang] of queries) {
      const r = await searchBoth(q, lang);
      // An imported message is found exactly when its live twin (vector made at submission) is.
      expect(r.imported, `${q} ${lang ?? ""}`).to.deep.equal(r.live);
      before.push(r);
    }
    await server.chorus.runJob("search-vectors");
    expect(await pending()).to.equal(0);
    const [{ wrong }] = await ds.query(
      `SELECT count(*)::int AS wrong FROM message m WHERE id = ANY($1::uuid[]) AND search_vector IS DISTINCT FROM to_tsvector(${searchConfigSql("m.lang", await availableSearchConfigs(ds))}, text)`,
      [Object.values(imported)],
    );
    expect(wrong).to.equal(0);
    const after = [];
    for (const [q, lang] of queries) after.push(await searchBoth(q, lang));
    expect(after).to.deep.equal(before);
  });

  it("`chorus migrate` rebuilds vectors made with another configuration, so old messages are found like new ones", async () => {
    const ds = server.chorus.app.ds;
    // As an earlier release could have left them: every vector made with `simple`.
    await ds.query(`UPDATE message SET search_vector = to_tsvector('simple', text) WHERE id = ANY($1::uuid[])`, [Object.values(ids)]);
    expect(await search("jumping")).to.deep.equal([]);
    expect(await search("Haus")).to.deep.equal([]);
    await ds.query(`DELETE FROM migrations WHERE name = 'SearchVectorLanguage1795631000000'`);
    const run = await runNode(CLI, ["migrate"], { DATABASE_URL: server.db.url, LOG_LEVEL: "warn" });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include("SearchVectorLanguage1795631000000");
    expect(await search("jumping")).to.deep.equal([ids.en]);
    expect(await search("Haus")).to.deep.equal([ids.de]);
    expect(await search("книга")).to.deep.equal([ids.ru]);
    const [{ simple }] = await ds.query(
      `SELECT count(*)::int AS simple FROM message WHERE id = ANY($1::uuid[]) AND search_vector = to_tsvector('simple', text) AND lang NOT IN ('xx')`,
      [Object.values(ids)],
    );
    expect(simple).to.equal(0);
  });
});
