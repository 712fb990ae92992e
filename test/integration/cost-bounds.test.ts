/**
 * Class test: no operation that passes the limits costs more than a documented multiple of a simple query, in CPU,
 * response size (memory) or database connections. The costliest documents the default limits let through are sent
 * to the real server, over real data (the 40-tree oasst2 sample): the IDE's introspection query, the most aliases
 * that fit, the largest page, the deepest nesting, full trees; and the largest documents the gate refuses. The server
 * runs in this process, so process.cpuUsage() around a request is the CPU of both ends of it (the client's share is
 * the same small overhead for every request, which only lowers the ratios).
 *
 * The bounds are limits, not benchmarks: generous multiples that the old server broke by far (introspection alone
 * cost 560 times a simple query and 35.8 MB), documented in docs/security.md.
 */
import path from "node:path";
import { expect } from "chai";
import { getIntrospectionQuery } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DatasetImporter } from "../../src/modules/datasets/import.service.js";

/** The documented bounds (docs/security.md, "Cost of an operation"). */
const MAX_CPU_MULTIPLE = 250;
const MAX_CONNECTIONS = 5; // DATABASE_CONNECTIONS_PER_OPERATION's default: half the default pool of 10
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

interface Cost {
  cpuMs: number;
  bytes: number;
  connections: number;
  codes: string[];
}

describe("class test: the costliest operations under the limits stay within a multiple of a simple query", function () {
  this.timeout(300_000);
  let server: TestServer;
  let messageId: string;
  let treeIds: string[];
  let deepestId: string;

  before(async () => {
    server = await startTestServer({ DATABASE_POOL_SIZE: "10" });
    const fixture = path.resolve("test/fixtures/oasst2-sample.trees.jsonl");
    const summary = await new DatasetImporter(server.chorus.app.ds, {
      mode: "restore",
      origin: null,
      modelName: null,
      numActivate: 0,
      maxCount: null,
      dryRun: false,
      restoredTreeLimits: { goalTreeSize: 12, maxDepth: 5, maxChildrenCount: 5 },
    }).run(fixture);
    expect(summary.treesImported).to.equal(40);
    const rows: { id: string; message_tree_id: string }[] = await server.chorus.app.ds.query(
      `SELECT id, message_tree_id FROM message WHERE parent_id IS NULL ORDER BY (SELECT count(*) FROM message c WHERE c.message_tree_id = message.message_tree_id) DESC`,
    );
    treeIds = rows.map((r) => r.message_tree_id);
    messageId = rows[0].id;
    const [deepest]: { id: string }[] = await server.chorus.app.ds.query(`SELECT id FROM message ORDER BY depth DESC LIMIT 1`);
    deepestId = deepest.id;
  });
  after(async () => {
    await server.stop();
  });

  /** The median of `runs` runs, each of `batch` requests in a row (CPU per request). */
  async function cost(query: string, runs: number, batch = 1): Promise<Cost> {
    const samples: Cost[] = [];
    for (let i = 0; i < runs; i++) {
      server.chorus.app.metrics.operationConnections.reset();
      const start = process.cpuUsage();
      for (let j = 1; j < batch; j++)
        await (
          await fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
            body: JSON.stringify({ query }),
          })
        ).text();
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
        body: JSON.stringify({ query }),
      });
      const text = await res.text();
      const used = process.cpuUsage(start);
      const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
      samples.push({
        cpuMs: (used.user + used.system) / 1000 / batch,
        bytes: Buffer.byteLength(text),
        connections: await mostConnections(),
        codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
      });
    }
    samples.sort((a, b) => a.cpuMs - b.cpuMs);
    return samples[Math.floor(samples.length / 2)]; // the median run
  }

  /** The most connections any operation since the last reset held, from the server's own histogram. */
  async function mostConnections(): Promise<number> {
    const { values } = await server.chorus.app.metrics.operationConnections.get();
    const total = values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
    if (total === 0) return 0;
    const buckets = values.filter((v) => v.metricName?.endsWith("_bucket") && v.labels.le !== "+Inf");
    const first = buckets.find((b) => b.value === total);
    return first ? Number(first.labels.le) : Infinity;
  }

  it("introspection, aliases, page sizes, nesting and trees cost at most the documented multiples", async () => {
    const uuid = messageId;
    const ide = getIntrospectionQuery();
    const documents: [string, string][] = [
      ["the IDE's introspection query", ide],
      ["3,500 aliased __typename", `{ ${Array.from({ length: 3500 }, (_, i) => `a${i}:__typename`).join(" ")} }`],
      [
        "330 aliased message(id) with text and author",
        `{ ${Array.from({ length: 330 }, (_, i) => `m${i}:message(id:"${uuid}"){id text user{id}}`).join(" ")} }`,
      ],
      ["messages(first: 999), text of each", "{ messages(first: 999) { edges { node { id text } } } }"],
      [
        "the 40 largest trees whole (messageTree, aliased)",
        `{ ${treeIds
          .slice(0, 40)
          .map((t, i) => `t${i}: messageTree(id: "${t}") { messages { id text } }`)
          .join(" ")} }`,
      ],
      ["deepest nesting: 11 levels of parent", `{ message(id: "${deepestId}") { ${"parent { ".repeat(10)}id${" }".repeat(10)} } }`],
      [
        "a 64 KB document refused for complexity",
        `{ ${Array.from({ length: 1200 }, (_, i) => `r${i}: apiClients(first: 100) { edges { node { id } } }`).join(" ")} }`
          .slice(0, 65_000)
          .replace(/ r\d+: apiClients[^}]*$/, "") + " }",
      ],
    ];
    const simple = await cost(`{ message(id: "${uuid}") { id text } }`, 5, 20);
    expect(simple.codes).to.deep.equal([]);
    console.log(`      simple query: ${simple.cpuMs.toFixed(2)} ms CPU, ${simple.bytes} bytes, ${simple.connections} connection(s)`);
    const worst = { cpu: 0, bytes: 0, connections: 0 };
    for (const [name, doc] of documents) {
      const c = await cost(doc, 3);
      const ratio = c.cpuMs / simple.cpuMs;
      console.log(
        `      ${name}: ${c.cpuMs.toFixed(1)} ms CPU (${ratio.toFixed(0)}x), ${c.bytes} bytes, ${c.connections} connection(s)${c.codes.length ? `, ${[...new Set(c.codes)].join(",")}` : ""}`,
      );
      if (name.includes("refused")) expect(c.codes).to.deep.equal(["QUERY_TOO_COMPLEX"]);
      else expect(c.codes, name).to.deep.equal([]);
      expect(ratio, `${name}: CPU multiple`).to.be.at.most(MAX_CPU_MULTIPLE);
      expect(c.bytes, `${name}: response bytes`).to.be.at.most(MAX_RESPONSE_BYTES);
      expect(c.connections, `${name}: connections held at once`).to.be.at.most(MAX_CONNECTIONS);
      worst.cpu = Math.max(worst.cpu, ratio);
      worst.bytes = Math.max(worst.bytes, c.bytes);
      worst.connections = Math.max(worst.connections, c.connections);
    }
    console.log(`      worst: ${worst.cpu.toFixed(0)}x CPU, ${worst.bytes} bytes, ${worst.connections} connections`);
  });
});
