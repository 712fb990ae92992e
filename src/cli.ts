import "reflect-metadata";
import pino from "pino";
import { Command, Option } from "commander";
import { ConfigError, loadConfig, type Config } from "./config/index.js";
import { createDataSource } from "./db/data-source.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { migrateWithLock } from "./db/migrate.js";
import type { Writable } from "node:stream";
import { DatasetExporter, DEFAULT_EXPORT_OPTIONS } from "./modules/datasets/export.service.js";
import type { ImportMode } from "./modules/datasets/import-types.js";
import { DatasetImporter } from "./modules/datasets/import.service.js";
import { TaskPools } from "./modules/tasks/task-pools.js";
import { DEFAULT_MAX_LINE_BYTES, LineWriter } from "./modules/datasets/jsonl-stream.js";
import { DEFAULT_PROGRESS_INTERVAL_SECONDS, Progress } from "./modules/datasets/progress.js";
import { buildPendingSearchVectors, pendingSearchVectors } from "./modules/trees/search-backfill.js";
import { withDatabase } from "./cli/database.js";
import { inclusion, parseNonNegativeInt, parsePositiveNumber, type CliEnv } from "./cli/options.js";
import { addAccessCommands } from "./cli/access-commands.js";
import { addChatDataCommands } from "./cli/chat-data-commands.js";

/**
 * The command line (`npx chorus ...`): the commands are built here and in src/cli/ (keys and users in
 * access-commands.ts, chat and arena data in chat-data-commands.ts; the database they open in database.ts); the
 * dataset import and export and the migrations are here.
 */

export function buildCli(
  config: () => Config,
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  stdout: Writable = process.stdout,
): Command {
  const program = new Command("chorus")
    .description("Chorus command line: migrations, API clients, users, dataset import and export, chat export.")
    .exitOverride();
  const env: CliEnv = { config, out, stdout };

  program
    .command("migrate")
    .description("Apply pending database migrations (under the advisory lock the servers use).")
    .action(async () => {
      const cfg = config();
      const log = pino({ level: "info" }, pino.destination(2));
      const embedded = cfg.databaseUrl ? null : await startEmbeddedPostgres(cfg.dataDir, cfg.embeddedPgPort, log);
      const url = cfg.databaseUrl ?? embedded!.url;
      const ds = createDataSource({ url, poolSize: 2, applicationName: "chorus-cli" });
      await ds.initialize();
      try {
        const applied = await migrateWithLock(ds, url, log);
        out(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      } finally {
        await ds.destroy();
        await embedded?.stop();
      }
    });

  addAccessCommands(program, env);

  program
    .command("export")
    .description("Export trees (or messages) as Open-Assistant JSONL (.jsonl, or .jsonl.gz by file name), streamed.")
    .option("--state <state>", "tree state to export, or all", DEFAULT_EXPORT_OPTIONS.state)
    .option("--lang <lang>", "only trees whose prompt has this language (messages of this language with --user)")
    .addOption(new Option("--include-deleted", "also deleted messages").conflicts("deletedOnly"))
    .option("--deleted-only", "only deleted messages (message list)")
    .addOption(new Option("--include-spam", "also messages not accepted by review").conflicts("spamOnly"))
    .option("--spam-only", "only rejected messages (message list)")
    .addOption(new Option("--include-synthetic", "also trees with machine-made messages").conflicts("syntheticOnly"))
    .option("--synthetic-only", "only machine-made messages (message list)")
    .option("--user <id>", "one user's messages (message list)")
    .option("--prompts-only", "only the initial prompts")
    .option("--export-labels", "add label averages and counts")
    .option("--export-events", "add emoji, rating and ranking events")
    .option("--limit <n>", "at most this many trees (messages with --user)", parseNonNegativeInt)
    .option("--anonymizer-seed <seed>", "replace ids with seeded SHA-256 pseudonyms")
    .option("--out <file>", "write here instead of stdout")
    .option(
      "--progress-interval <seconds>",
      "seconds between progress lines when stderr is not a terminal",
      parsePositiveNumber,
      DEFAULT_PROGRESS_INTERVAL_SECONDS,
    )
    .action(async (opts) => {
      await withDatabase(config(), async (ds, _identityChanged, rc) => {
        const exporter = new DatasetExporter(ds, {
          state: opts.state,
          lang: opts.lang ?? null,
          deleted: inclusion(opts.includeDeleted, opts.deletedOnly),
          spam: inclusion(opts.includeSpam, opts.spamOnly),
          synthetic: inclusion(opts.includeSynthetic, opts.syntheticOnly),
          userId: opts.user ?? null,
          promptsOnly: Boolean(opts.promptsOnly),
          exportLabels: Boolean(opts.exportLabels),
          exportEvents: Boolean(opts.exportEvents),
          limit: opts.limit ?? null,
          anonymizerSeed: opts.anonymizerSeed ?? null,
        });
        const writer = LineWriter.open(opts.out ?? null, stdout);
        const progress = new Progress(process.stderr, "exported", opts.progressInterval);
        const summary = await exporter.run(rc, writer, (s) => progress.update(s.messages)).finally(() => progress.finish());
        await writer.close();
        const secs = progress.elapsedSeconds();
        // The summary goes to stderr: stdout may be the dataset itself.
        process.stderr.write(
          `exported ${summary.mode === "trees" ? `${summary.trees} trees, ` : ""}${summary.messages} messages in ${secs.toFixed(2)} s (${Math.round(summary.messages / Math.max(secs, 0.001))} messages/s)\n`,
        );
      });
    });

  addChatDataCommands(program, env);

  program
    .command("import <file>")
    .description("Import Open-Assistant JSONL (.jsonl or .jsonl.gz); trees are written whole or not at all, bad lines are reported and skipped.")
    .addOption(
      new Option("--mode <mode>", "backlog: machine-made trees to rank; restore: lossless, keeps ids, every field, states and ranking progress")
        .choices(["backlog", "restore"])
        .default("backlog"),
    )
    .option("--origin <origin>", "origin recorded on the imported trees")
    .option("--model-name <name>", "model_name of messages that name none (backlog)")
    .option("--num-activate <n>", "backlog: put the first N imported trees into ranking", parseNonNegativeInt, 0)
    .option("--max-count <n>", "import at most N trees", parseNonNegativeInt)
    .option("--dry-run", "run the whole import in one transaction and roll it back: the real run's summary, nothing written")
    .option("--max-line-mb <n>", "report and skip lines longer than this many MiB", parsePositiveNumber, DEFAULT_MAX_LINE_BYTES / 1024 / 1024)
    .option(
      "--progress-interval <seconds>",
      "seconds between progress lines when stderr is not a terminal",
      parsePositiveNumber,
      DEFAULT_PROGRESS_INTERVAL_SECONDS,
    )
    .action(async (file: string, opts) => {
      const cfg = config();
      await withDatabase(cfg, async (ds) => {
        const importer = new DatasetImporter(ds, {
          mode: opts.mode as ImportMode,
          origin: opts.origin ?? null,
          modelName: opts.modelName ?? null,
          numActivate: opts.numActivate,
          maxCount: opts.maxCount ?? null,
          dryRun: Boolean(opts.dryRun),
          restoredTreeLimits: {
            goalTreeSize: cfg.treeManager.goalTreeSize,
            maxDepth: cfg.treeManager.maxTreeDepth,
            maxChildrenCount: cfg.treeManager.maxChildrenCount,
          },
          maxLineBytes: Math.floor(opts.maxLineMb * 1024 * 1024),
        });
        // The task pools the imported rows fill (the TaskPools triggers, as the rows land) depend on tree-manager
        // settings that the server writes at start. Written first, the pools come out as this configuration's server
        // builds them, and its first start after the import finds them current instead of rebuilding every pool
        // before "ready" (5.5–9 s at 10,000 trees on a 2-core machine). A server with other settings still rebuilds
        // them at its start.
        if (!opts.dryRun) await new TaskPools(cfg.treeManager, cfg.tasks).sync(ds);
        const progress = new Progress(process.stderr, "imported", opts.progressInterval);
        const s = await importer.run(file, (x) => progress.update(x.messagesImported)).finally(() => progress.finish());
        const secs = progress.elapsedSeconds();
        for (const p of s.problems) out(`line ${p.line}: ${p.reason}`);
        if (s.moreProblems > 0) out(`... and ${s.moreProblems} more bad lines`);
        for (const d of s.duplicates) out(`line ${d.line}: duplicate of line ${d.firstLine} (${d.id}), imported once`);
        const what = s.dryRun ? "would import" : "imported";
        out(
          `${what} ${s.treesImported} trees, ${s.messagesImported} messages` +
            (s.standaloneMessages ? ` (${s.standaloneMessages} message lines)` : "") +
            (s.mode === "backlog" ? `, ${s.activated} activated for ranking` : "") +
            ` in ${secs.toFixed(2)} s (${Math.round(s.messagesImported / Math.max(secs, 0.001))} messages/s), mode ${s.mode}`,
        );
        out(`skipped: ${s.alreadyPresent} already present, ${s.duplicates.length} duplicate lines, ${s.problems.length + s.moreProblems} bad lines`);
        const kept = Object.entries(s.keptFields);
        if (kept.length) out(`fields kept as extras (no column; exported back): ${kept.map(([k, n]) => `${k} x${n}`).join(", ")}`);
        // Said by a dry run too, whose summary is the real run's.
        if (s.messagesImported > 0) {
          out(`search vectors: built after the load by the server's search-vectors job (or now: chorus search-vectors); search reads the texts meanwhile`);
        }
      });
    });

  program
    .command("search-vectors")
    .description("Build the search vectors imported messages wait for now (the server's search-vectors job does it in the background).")
    .action(async () => {
      await withDatabase(config(), async (ds) => {
        const started = process.hrtime.bigint();
        const built = await buildPendingSearchVectors(ds);
        const secs = Number(process.hrtime.bigint() - started) / 1e9;
        out(`built ${built} search vectors in ${secs.toFixed(2)} s; ${await pendingSearchVectors(ds)} pending`);
      });
    });

  return program;
}

/**
 * Runs the CLI on `argv` and sets the exit status. Called by `bin/chorus.js`, whatever path the bin was reached by
 * (`npx chorus`, `npm exec chorus`, the `node_modules/.bin` link, `node bin/chorus.js`): deciding from
 * `process.argv[1]` made every call through npm's bin link a silent no-op.
 */
export function runCli(argv: string[] = process.argv): void {
  let config: Config | undefined;
  const getConfig = () => {
    config ??= loadConfig();
    return config;
  };
  buildCli(getConfig)
    .parseAsync(argv)
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code?.startsWith("commander.")) process.exit(e.exitCode ?? 1);
      process.stderr.write(`chorus: ${err instanceof ConfigError ? err.message : (e.message ?? String(err))}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    });
}

if (require.main === module) runCli();
