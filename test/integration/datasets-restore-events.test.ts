/**
 * A restore writes its events' rows with COPY straight into their tables (no staging table): an emoji event
 * repeated by the same user for the same emoji is one row, its first, whatever case the user's id is written in;
 * every event's date is its message's date plus its position in microseconds, so the events keep their file order.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, runNode } from "../helpers/process.js";

describe("datasets: a restore's events, written with COPY", function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-restore-events-"));
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps one emoji row per user and emoji, and the events' file order in their dates", async () => {
    const [root, a1, a2, u1, u2] = Array.from({ length: 5 }, () => crypto.randomUUID());
    const reply = (id: string) => ({ message_id: id, text: `reply ${id}`, role: "assistant", review_result: true, deleted: false, replies: [] });
    const tree = {
      message_tree_id: root,
      tree_state: "ready_for_export",
      prompt: {
        message_id: root,
        text: "a prompt",
        role: "prompter",
        // No offset: read in the session's time zone, as the message's own date is.
        created_date: "2024-01-02 03:04:05.999999",
        events: {
          emoji: [
            { type: "emoji", user_id: u1, emoji: "+1" },
            { type: "emoji", user_id: u2, emoji: "+1" },
            { type: "emoji", user_id: u1.toUpperCase(), emoji: "+1" },
            { type: "emoji", user_id: u1, emoji: "red_flag" },
          ],
          rating: [{ type: "rating", user_id: u2, rating: 4 }],
          ranking: [
            { type: "ranking", user_id: u1, ranking: [0, 1], ranked_message_ids: [a1, a2], ranking_parent_id: root, message_tree_id: root },
            { type: "ranking", user_id: u2, ranking: [1, 0], ranked_message_ids: [a2, a1], ranking_parent_id: root, message_tree_id: root },
          ],
        },
        replies: [reply(a1), reply(a2)],
      },
    };
    const file = path.join(dir, "events.jsonl");
    fs.writeFileSync(file, `${JSON.stringify(tree)}\n`);
    const res = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url });
    expect(res.code, res.stderr).to.equal(0);

    const ds = server.chorus.app.ds;
    const emojis: { user_id: string; emoji: string; at: string }[] = await ds.query(
      `SELECT user_id, emoji, (created_date - (SELECT created_date FROM message WHERE id = $1))::text AS at FROM message_emoji WHERE message_id = $1 ORDER BY created_date`,
      [root],
    );
    expect(emojis).to.deep.equal([
      { user_id: u1, emoji: "+1", at: "00:00:00" },
      { user_id: u2, emoji: "+1", at: "00:00:00.000001" },
      { user_id: u1, emoji: "red_flag", at: "00:00:00.000003" },
    ]);
    const reactions: { payload_type: string; user_id: string; at: string; task_at: string | null }[] = await ds.query(
      `SELECT r.payload_type, r.user_id, (r.created_date - m.created_date)::text AS at, (t.created_date - m.created_date)::text AS task_at
       FROM message_reaction r JOIN message m ON m.id = r.message_id LEFT JOIN task t ON t.id = r.task_id
       WHERE r.message_id = $1 ORDER BY r.created_date`,
      [root],
    );
    expect(reactions).to.deep.equal([
      { payload_type: "RatingReactionPayload", user_id: u2, at: "00:00:00.000004", task_at: null },
      { payload_type: "RankingReactionPayload", user_id: u1, at: "00:00:00.000005", task_at: "00:00:00.000005" },
      { payload_type: "RankingReactionPayload", user_id: u2, at: "00:00:00.000006", task_at: "00:00:00.000006" },
    ]);
  });
});
