import "reflect-metadata";
import pino from "pino";
import { Command, Option } from "commander";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createDataSource } from "./db/data-source.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { migrateWithLock } from "./db/migrate.js";
import { ApiClientService } from "./modules/api-clients/api-client.service.js";
import { ApiClientKind } from "./modules/api-clients/api-client.entity.js";
import { UserService } from "./modules/users/user.service.js";
import { parseRole, Role } from "./modules/users/role.js";
import type { DataSource } from "typeorm";

/** Opens the configured database (starting the embedded one when DATABASE_URL is unset), migrated. */
async function withDatabase<T>(config: Config, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel === "info" ? "warn" : config.logLevel }, pino.destination(2));
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const url = config.databaseUrl ?? embedded!.url;
  const ds = createDataSource({ url, poolSize: 2, applicationName: "chorus-cli" });
  await ds.initialize();
  try {
    await migrateWithLock(ds, url, log);
    return await fn(ds);
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${value}`);
  return d;
}

export function buildCli(config: () => Config, out: (line: string) => void = (l) => process.stdout.write(l + "\n")): Command {
  const program = new Command("chorus").description("Chorus command line: migrations, API clients, users.").exitOverride();

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
        const { apiClient: c, key } = await new ApiClientService(ds).create({
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
    .description("Revoke a client's key for good.")
    .action(async (id: string) => {
      await withDatabase(config(), async (ds) => {
        const c = await new ApiClientService(ds).revoke(id);
        out(`revoked API client ${c.id} "${c.name}"`);
      });
    });
  apiClient
    .command("rotate <id>")
    .description("Replace a client's key; the new key is printed alone on the last line.")
    .action(async (id: string) => {
      await withDatabase(config(), async (ds) => {
        const { apiClient: c, key } = await new ApiClientService(ds).rotate(id);
        out(`rotated the key of API client ${c.id} "${c.name}"; the old key no longer works. New key:`);
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
      await withDatabase(config(), async (ds) => {
        const users = new UserService(ds);
        const found = await users.findEverywhere(opts.authMethod, opts.id, opts.client);
        if (found.length === 0) throw new Error(`no user ${opts.authMethod}:${opts.id}${opts.client ? ` in client ${opts.client}` : ""}`);
        if (found.length > 1) {
          throw new Error(`${found.length} API clients have a user ${opts.authMethod}:${opts.id}; pick one with --client (${found.map((u) => u.apiClientId).join(", ")})`);
        }
        const updated = await users.setRole(found[0].id, role);
        out(`user ${updated.id} (${updated.authMethod}:${updated.username}) is now ${updated.role}`);
      });
    });

  return program;
}

if (require.main === module || process.argv[1]?.endsWith("bin/chorus.js")) {
  let config: Config | undefined;
  const getConfig = () => {
    config ??= loadConfig();
    return config;
  };
  buildCli(getConfig)
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code?.startsWith("commander.")) process.exit(e.exitCode ?? 1);
      process.stderr.write(`chorus: ${err instanceof ConfigError ? err.message : e.message ?? String(err)}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    });
}
