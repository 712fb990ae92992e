import "reflect-metadata";
import pino from "pino";
import { Command, Option } from "commander";
import { ConfigError, loadConfig, type Config } from "./config/index.js";
import { createDataSource } from "./db/data-source.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { migrateWithLock } from "./db/migrate.js";
import { ApiClientService } from "./modules/api-clients/api-client.service.js";
import { ApiClientKind } from "./modules/api-clients/api-client.entity.js";
import { UserService } from "./modules/users/user.service.js";
import { parseRole, Role } from "./modules/users/role.js";
import type { DataSource } from "typeorm";
import type { Writable } from "node:stream";
import { DatasetExporter, DEFAULT_EXPORT_OPTIONS, type Inclusion } from "./modules/datasets/export.service.js";
import { DatasetImporter, type ImportMode } from "./modules/datasets/import.service.js";
import { TaskPools } from "./modules/tasks/task-pools.js";
import { DEFAULT_MAX_LINE_BYTES, LineWriter } from "./modules/datasets/jsonl-stream.js";
import { DEFAULT_PROGRESS_INTERVAL_SECONDS, Progress } from "./modules/datasets/progress.js";
import { ChatExporter, chatExportFilters } from "./modules/chat/chat-export.service.js";
import { isUuid } from "./db/rows.js";
import { exportBattles, importBattles } from "./modules/arena/battle-export.js";
import { buildPendingSearchVectors, pendingSearchVectors } from "./modules/trees/search-backfill.js";
import { CLI_ACTOR } from "./modules/moderation/journal.js";
import { IdentityChangeOutbox, type IdentityChangeSink } from "./server/identity-events.js";

/**
 * Opens the configured database (starting the embedded one when DATABASE_URL is unset), migrated. Identity changes
 * the command announces (a revoked key, a changed role) are published on Redis afterwards when REDIS_URL is set,
 * so running servers close the affected sockets at once; without it they do at their next periodic re-check.
 */
async function withDatabase<T>(config: Config, fn: (ds: DataSource, identityChanged: IdentityChangeSink) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel === "info" ? "warn" : config.logLevel }, pino.destination(2));
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const url = config.databaseUrl ?? embedded!.url;
  const ds = createDataSource({ url, poolSize: 2, applicationName: "chorus-cli" });
  await ds.initialize();
  const outbox = new IdentityChangeOutbox();
  try {
    await migrateWithLock(ds, url, log);
    const result = await fn(ds, outbox.announce);
    if (!(await outbox.flush(config.redisUrl, config.redisKeyPrefix))) {
      process.stderr.write("chorus: Redis could not be reached to announce the change; running servers apply it within IDENTITY_RECHECK_SECONDS\n");
    }
    return result;
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
  return n;
}

/** `--include-x` / `--x-only` as one three-way filter (commander rejects the two together). */
function inclusion(include: boolean | undefined, only: boolean | undefined): Inclusion {
  return only ? "only" : include ? "include" : "exclude";
}

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${value}`);
  return d;
}

/** The one user (auth method, id), optionally of one client, that a `user` command names. */
async function oneUser(users: UserService, opts: { authMethod: string; id: string; client?: string }) {
  const found = await users.findEverywhere(opts.authMethod, opts.id, opts.client);
  if (found.length === 0) throw new Error(`no user ${opts.authMethod}:${opts.id}${opts.client ? ` in client ${opts.client}` : ""}`);
  if (found.length > 1) {
    throw new Error(
      `${found.length} API clients have a user ${opts.authMethod}:${opts.id}; pick one with --client (${found.map((u) => u.apiClientId).join(", ")})`,
    );
  }
  return found[0];
}

export function buildCli(
  config: () => Config,
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  stdout: Writable = process.stdout,
): Command {
  const program = new Command("chorus")
    .description("Chorus command line: migrations, API clients, users, dataset import and export, chat export.")
    .exitOverride();

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

  const apiClient = program.command("api-client").description("Create, list, rotate and revoke API clients.");
  apiClient
    .command("create")
    .description("Create an API client; its key is printed alone on the last line.")
    .requiredOption("--name <name>", "human name of the client")
    .option("--trusted", "trusted: acts with its users' roles, reads across clients", false)
    .addOption(new Option("--role <role>", "role when acting without a user").choices(["user", "moderator", "admin"]).default("user"))
    .addOption(new Option("--kind <kind>", "what the key is for").choices(["client", "worker"]).default("client"))
    .option("--frontend-type <type>", "web, discord, import, ...")
    .option("--admin-email <email>", "who to contact")
    .option("--expires-at <iso-date>", "when the key stops working", parseDate)
    .action(async (opts) => {
      await withDatabase(config(), async (ds) => {
        const { apiClient: c, key } = await new ApiClientService(ds).create(CLI_ACTOR, {
          name: opts.name,
          trusted: opts.trusted,
          role: parseRole(opts.role),
          kind: opts.kind === "worker" ? ApiClientKind.WORKER : ApiClientKind.CLIENT,
          frontendType: opts.frontendType ?? null,
          adminEmail: opts.adminEmail ?? null,
          expiresAt: opts.expiresAt ?? null,
        });
        out(`created API client ${c.id} "${c.name}" (kind ${c.kind}, trusted ${c.trusted}, role ${c.role}); the key is shown once:`);
        out(key);
      });
    });
  apiClient
    .command("list")
    .description("List API clients (never their keys).")
    .action(async () => {
      await withDatabase(config(), async (ds) => {
        const svc = new ApiClientService(ds);
        let after: string | null = null;
        out(["id", "name", "kind", "trusted", "role", "key prefix", "state", "created"].join("\t"));
        for (;;) {
          const page = await svc.list(100, after);
          for (const c of page.nodes) {
            const state = c.revokedAt ? "revoked" : !c.enabled ? "disabled" : c.expiresAt && c.expiresAt < new Date() ? "expired" : "active";
            out([c.id, c.name, c.kind, c.trusted, c.role, c.keyPrefix + "…", state, c.createdAt.toISOString()].join("\t"));
          }
          if (!page.hasNextPage || page.nodes.length === 0) break;
          after = page.cursorOf(page.nodes[page.nodes.length - 1]);
        }
      });
    });
  apiClient
    .command("revoke <id>")
    .description("Revoke a client's key for good; its open sockets and those of its user tokens close within 5 s.")
    .action(async (id: string) => {
      await withDatabase(config(), async (ds, identityChanged) => {
        const c = await new ApiClientService(ds, identityChanged).revoke(CLI_ACTOR, id);
        out(`revoked API client ${c.id} "${c.name}"`);
      });
    });
  apiClient
    .command("rotate <id>")
    .description("Replace a client's key (its user tokens end too); the new key is printed alone on the last line.")
    .action(async (id: string) => {
      await withDatabase(config(), async (ds, identityChanged) => {
        const { apiClient: c, key } = await new ApiClientService(ds, identityChanged).rotate(CLI_ACTOR, id);
        out(`rotated the key of API client ${c.id} "${c.name}"; the old key and the user tokens it minted no longer work. New key:`);
        out(key);
      });
    });

  const workerKey = program.command("worker-key").description("Keys for GPU workers (API clients of kind worker: they may use only the worker protocol).");
  workerKey
    .command("create")
    .description("Create a worker key for CHORUS_WORKER_KEY; it is printed alone on the last line.")
    .requiredOption("--name <name>", "human name of the worker or pool")
    .option("--admin-email <email>", "who to contact")
    .option("--expires-at <iso-date>", "when the key stops working", parseDate)
    .action(async (opts) => {
      await withDatabase(config(), async (ds) => {
        const { apiClient: c, key } = await new ApiClientService(ds).create(CLI_ACTOR, {
          name: opts.name,
          trusted: false,
          role: Role.USER,
          kind: ApiClientKind.WORKER,
          frontendType: "worker",
          adminEmail: opts.adminEmail ?? null,
          expiresAt: opts.expiresAt ?? null,
        });
        out(`created worker key ${c.id} "${c.name}"; rotate or revoke it with \`chorus api-client rotate|revoke ${c.id}\`; the key is shown once:`);
        out(key);
      });
    });

  const user = program.command("user").description("Manage users.");
  user
    .command("set-role")
    .description("Give a user a role (USER, MODERATOR, ADMIN).")
    .requiredOption("--auth-method <method>", "the user's auth method (local, discord, ...)")
    .requiredOption("--id <id>", "the frontend's id for the user")
    .requiredOption("--role <role>", "user, moderator or admin")
    .option("--client <apiClientId>", "the API client the user belongs to (needed when several have such a user)")
    .action(async (opts) => {
      const role: Role = parseRole(opts.role);
      await withDatabase(config(), async (ds, identityChanged) => {
        const users = new UserService(ds, identityChanged);
        const found = await oneUser(users, opts);
        const updated = await users.setRole(CLI_ACTOR, found.id, role);
        out(`user ${updated.id} (${updated.authMethod}:${updated.username}) is now ${updated.role}`);
      });
    });
  user
    .command("revoke-tokens")
    .description("Logout everywhere: every user token of the user stops working and their open sockets close within 5 s.")
    .requiredOption("--auth-method <method>", "the user's auth method (local, discord, ...)")
    .requiredOption("--id <id>", "the frontend's id for the user")
    .option("--client <apiClientId>", "the API client the user belongs to (needed when several have such a user)")
    .action(async (opts) => {
      await withDatabase(config(), async (ds, identityChanged) => {
        const users = new UserService(ds, identityChanged);
        const found = await oneUser(users, opts);
        const { user: u, revokedAt } = await users.revokeTokens(CLI_ACTOR, found.id);
        out(`user ${u.id} (${u.authMethod}:${u.username}): every user token minted before ${revokedAt.toISOString()} is revoked`);
      });
    });

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
      await withDatabase(config(), async (ds) => {
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
        const summary = await exporter.run(writer, (s) => progress.update(s.messages)).finally(() => progress.finish());
        await writer.close();
        const secs = progress.elapsedSeconds();
        // The summary goes to stderr: stdout may be the dataset itself.
        process.stderr.write(
          `exported ${summary.mode === "trees" ? `${summary.trees} trees, ` : ""}${summary.messages} messages in ${secs.toFixed(2)} s (${Math.round(summary.messages / Math.max(secs, 0.001))} messages/s)\n`,
        );
      });
    });

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
