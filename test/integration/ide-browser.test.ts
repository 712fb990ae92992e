/**
 * The IDE as a first-time user meets it: a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * opens GET /graphql, the Docs pane loads the schema (introspection, without a key), and the example query on the
 * page runs and shows its result. On CI (CI=true) a missing Chromium fails the suite rather than skipping it.
 */
import fs from "node:fs";
import { expect } from "chai";
import { chromium, type Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { describeNeeding } from "../helpers/prerequisites.js";

const CHROMIUM = "/usr/bin/chromium";

describeNeeding(fs.existsSync(CHROMIUM) ? [] : [`chromium (${CHROMIUM})`], "the IDE in a real browser, first load", function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    // As `npm start` in local mode (no DATABASE_URL) serves it: there INTROSPECTION defaults to true. The test server
    // has a DATABASE_URL, where the default is `authenticated`.
    server = await startTestServer({ LOCAL_WORKER: "false", INTROSPECTION: "true" });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the schema in the Docs pane and runs the example query at once, with no key", async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on("pageerror", (err) => failures.push(`page error: ${err.message}`));
    page.on("response", (res) => {
      if (res.url().startsWith(server.url) && res.status() >= 400) failures.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
    });
    await page.goto(server.url, { waitUntil: "load" });

    // the Docs pane: open it and wait for the root types that introspection fills in
    await page.getByRole("button", { name: /Show Documentation Explorer/i }).click();
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("Root Types").waitFor({ timeout: 30_000 });
    expect(await docs.innerText())
      .to.match(/query:\s*Query/)
      .and.to.match(/mutation:\s*Mutation/);
    expect(await page.locator("body").innerText()).not.to.include("Error fetching schema");

    // the example query, as the page shows it, runs as it is
    const editor = await page.locator(".graphiql-query-editor").innerText();
    expect(editor).to.include("publicSettings");
    await page.getByRole("button", { name: /Execute query/i }).click();
    const response = page.locator(".graphiql-response");
    await response.getByText('"projectName"').waitFor({ timeout: 30_000 });
    const text = await response.innerText();
    expect(text).to.include('"version"');
    expect(text).not.to.include('"errors"');
    expect(failures, "no request of the page failed").to.deep.equal([]);
    await page.close();
  });
});
