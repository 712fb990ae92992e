/**
 * Moderators: work through the queue of flagged messages and the open chat reports.
 *
 * The script acts for a user with the MODERATOR (or ADMIN) role through a trusted key; flagged messages whose text
 * matches --delete-matching are deleted (with their replies), every flagged message is then marked processed, and
 * every open chat report is resolved with --resolution.
 *
 *   CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... CHORUS_USER=local:mod \
 *     node dist/examples/moderator.js --delete-matching 'buy now|cheap pills' --resolution 'Reviewed: no action needed'
 */
import { parseArgs } from "node:util";
import { ChorusClient, apiUrlFromEnv, requireEnv } from "./lib/chorus.js";
import {
  ChatReportsDocument,
  DeleteMessageDocument,
  FlaggedMessagesDocument,
  MarkFlaggedProcessedDocument,
  ResolveChatReportDocument,
  ViewerDocument,
  type ChatReportsQuery,
  type FlaggedMessagesQuery,
} from "../client/generated/graphql.js";

type Flagged = FlaggedMessagesQuery["flaggedMessages"]["edges"][number]["node"];
type Report = ChatReportsQuery["chatReports"]["edges"][number]["node"];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "delete-matching": { type: "string" }, resolution: { type: "string", default: "Reviewed by a moderator" } },
  });
  const deletePattern = values["delete-matching"] ? new RegExp(values["delete-matching"], "i") : undefined;
  const user = requireEnv("CHORUS_USER");
  const client = new ChorusClient({ apiUrl: apiUrlFromEnv(), bearer: requireEnv("CHORUS_API_KEY"), user });

  const { viewer } = await client.request(ViewerDocument, {});
  console.log(`acting as ${user} (${viewer.role})`);
  if (viewer.role !== "MODERATOR" && viewer.role !== "ADMIN") {
    const [authMethod, id] = user.split(/:(.*)/s);
    console.error(
      `${user} is not a moderator. An operator gives the role with:\n` +
        `  npx chorus user set-role --auth-method ${authMethod} --id ${id} --role moderator --client ${viewer.apiClient?.id}`,
    );
    process.exit(3);
  }

  // Read the whole queue first (keyset pages), then act: marking processed takes messages out of this view.
  const flagged: Flagged[] = [];
  for (let after: string | null | undefined; ; ) {
    const { flaggedMessages } = await client.request(FlaggedMessagesDocument, { processed: false, first: 50, after });
    flagged.push(...flaggedMessages.edges.map((e) => e.node));
    if (!flaggedMessages.pageInfo.hasNextPage) break;
    after = flaggedMessages.pageInfo.endCursor;
  }
  let deleted = 0;
  for (const f of flagged) {
    const text = f.message?.text ?? "";
    let action = "kept";
    if (deletePattern?.test(text) && !f.message?.deleted) {
      const { deleteMessage } = await client.request(DeleteMessageDocument, { input: { messageId: f.messageId } });
      action = `deleted with its ${deleteMessage.changedIds.length - 1} replies`;
      deleted++;
    }
    await client.request(MarkFlaggedProcessedDocument, { input: { messageId: f.messageId } });
    console.log(`flagged ${f.messageId} ${JSON.stringify(text.slice(0, 60))}: ${action}, processed`);
  }

  const reports: Report[] = [];
  for (let after: string | null | undefined; ; ) {
    const { chatReports } = await client.request(ChatReportsDocument, { resolved: false, first: 50, after });
    reports.push(...chatReports.edges.map((e) => e.node));
    if (!chatReports.pageInfo.hasNextPage) break;
    after = chatReports.pageInfo.endCursor;
  }
  for (const r of reports) {
    await client.request(ResolveChatReportDocument, { input: { reportId: r.id, resolution: values.resolution! } });
    console.log(`chat report ${r.id} (${r.reportType}: ${JSON.stringify(r.reason)}) on answer ${r.messageId}: resolved`);
  }
  console.log(`done: ${flagged.length} flagged messages processed, ${deleted} deleted; ${reports.length} chat reports resolved`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
