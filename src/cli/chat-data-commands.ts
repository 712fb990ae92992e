/** The command line's chat and arena data commands: \`export-chats\`, \`export-battles\`, \`import-battles\` (src/cli.ts). */
import type { Command } from "commander";
import { isUuid } from "../db/rows.js";
import { LineWriter } from "../modules/datasets/jsonl-stream.js";
import { Progress } from "../modules/datasets/progress.js";
import { ChatExporter, chatExportFilters } from "../modules/chat/export/chat-export.service.js";
import { exportBattles, importBattles } from "../modules/arena/battle-export.js";
import { withDatabase } from "./database.js";
import { parseNonNegativeInt, type CliEnv } from "./options.js";

export function addChatDataCommands(program: Command, { config, out, stdout }: CliEnv): void {
  program
    .command("export-chats")
    .description("Export the chats whose owners allow data use as JSONL trees, one chat per line (.jsonl, or .jsonl.gz by file name), streamed.")
    .option("--user <id>", "only this user's chats")
    .option("--chat <id>", "only this chat")
    .option("--from-date <date>", "only chats created on or after this date (YYYY-MM-DD, UTC) or date-time (ISO 8601 with offset)")
    .option("--to-date <date>", "only chats created on or before this date (the whole day, UTC) or date-time")
    .option("--scored", "only chats with at least one answer voted +1 or -1")
    .option("--reported", "only chats with at least one reported answer")
    .option("--flat", "one message per line (with chat_id and user_id) instead of one tree per chat")
    .option("--anonymizer-seed <seed>", "replace chat, message and user ids by seeded SHA-256 pseudonyms")
    .option("--limit <n>", "at most this many chats", parseNonNegativeInt)
    .option("--out <file>", "write here instead of stdout")
    .action(async (opts) => {
      if (opts.user && !isUuid(opts.user)) throw new Error(`--user must be a user id (a UUID), got ${opts.user}`);
      const filters = chatExportFilters(
        {
          chat: opts.chat,
          fromDate: opts.fromDate,
          toDate: opts.toDate,
          scored: opts.scored,
          reported: opts.reported,
          flat: opts.flat,
          anonymizerSeed: opts.anonymizerSeed,
        },
        { chat: "--chat", fromDate: "--from-date", toDate: "--to-date", anonymizerSeed: "--anonymizer-seed" },
      );
      await withDatabase(config(), async (ds) => {
        const exporter = new ChatExporter(ds, { ...filters, userId: opts.user ?? null, dataUseOnly: true, limit: opts.limit ?? null });
        const writer = LineWriter.open(opts.out ?? null, stdout);
        const progress = new Progress(process.stderr, "exported");
        const summary = await exporter.run(writer, (s) => progress.update(s.messages));
        await writer.close();
        progress.finish();
        process.stderr.write(`exported ${summary.chats} chats, ${summary.messages} messages in ${progress.elapsedSeconds().toFixed(2)} s\n`);
      });
    });

  program
    .command("export-battles")
    .description(
      "Export voted arena battles as JSONL in FastChat's arena layout (question_id, model_a, model_b, winner, judge, conversation_a/b, turn, anony, language, tstamp).",
    )
    .option("--all", "also battles whose vote does not count (anony false when the voter saw the models first)")
    .option("--anonymizer-seed <seed>", "replace battle and voter ids by seeded SHA-256 pseudonyms (the tree export's anonymiser)")
    .option("--out <file>", "write here instead of stdout (.jsonl, or .jsonl.gz by file name)")
    .action(async (opts) => {
      await withDatabase(config(), async (ds) => {
        const writer = LineWriter.open(opts.out ?? null, stdout);
        const n = await exportBattles(ds, writer, { anonymizerSeed: opts.anonymizerSeed ?? null, all: Boolean(opts.all) });
        await writer.close();
        process.stderr.write(`exported ${n} battles\n`);
      });
    });

  program
    .command("import-battles <file>")
    .description("Import arena battles from JSONL in FastChat's arena layout; lines already imported are skipped, bad lines are reported and skipped.")
    .action(async (file: string) => {
      await withDatabase(config(), async (ds) => {
        const s = await importBattles(ds, file);
        for (const p of s.problems) out(`line ${p.line}: ${p.reason}`);
        out(`imported ${s.imported} battles; skipped: ${s.alreadyPresent} already present, ${s.problems.length} bad lines`);
      });
    });
}
