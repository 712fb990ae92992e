/**
 * Data teams: download a dataset export over HTTP (GET /export.jsonl, the Open-Assistant JSONL format, one tree per
 * line; it takes the CLI export's options as query parameters) and compare it with what the database holds.
 * The import goes through the CLI, which works on the database directly: see data-team.sh.
 *
 *   CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... \
 *     node dist/examples/data-export.js --out trees.jsonl --query 'state=all&include-deleted=true'
 */
import fs from "node:fs";
import readline from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { ChorusClient, apiUrlFromEnv, requireEnv } from "./lib/chorus.js";
import { SystemStatsDocument } from "../client/generated/graphql.js";

interface TreeNode {
  replies?: TreeNode[];
}

function countMessages(node: TreeNode | undefined): number {
  return node ? 1 + (node.replies ?? []).reduce((n, r) => n + countMessages(r), 0) : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string", default: "trees.jsonl" }, query: { type: "string", default: "" } } });
  const apiUrl = apiUrlFromEnv();
  // An ADMIN key of a trusted client: the export holds every client's data.
  const key = requireEnv("CHORUS_API_KEY");

  const url = new URL("/export.jsonl", apiUrl);
  url.search = values.query!;
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { errors?: { message: string; extensions?: { code?: string } }[] };
    throw new Error(`GET ${url.pathname}${url.search}: HTTP ${res.status} ${body.errors?.[0]?.extensions?.code ?? ""} ${body.errors?.[0]?.message ?? ""}`);
  }
  // Streamed to the file as it comes: an export can be larger than memory.
  await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), fs.createWriteStream(values.out!));

  let trees = 0;
  let messages = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(values.out!) })) {
    if (line.trim() === "") continue;
    trees++;
    messages += countMessages((JSON.parse(line) as { prompt?: TreeNode }).prompt);
  }
  console.log(`exported ${trees} trees (${messages} messages) to ${values.out}`);

  // The same numbers from the GraphQL side, with the typed client (systemStats needs a MODERATOR or ADMIN).
  const { systemStats } = await new ChorusClient({ apiUrl, bearer: key }).request(SystemStatsDocument, {});
  console.log(`the database holds ${systemStats.messageTrees} trees, ${systemStats.all} messages (${systemStats.deleted} deleted)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
