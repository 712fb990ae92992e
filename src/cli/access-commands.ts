/** The command line's key and user commands: \`api-client\`, \`worker-key\` and \`user\` (src/cli.ts). */
import { Option, type Command } from "commander";
import { ApiClientService } from "../modules/api-clients/api-client.service.js";
import { ApiClientKind } from "../modules/api-clients/api-client.entity.js";
import { UserService } from "../modules/users/user.service.js";
import { parseRole, Role } from "../modules/users/role.js";
import { withDatabase } from "./database.js";
import { parseDate, type CliEnv } from "./options.js";

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

export function addAccessCommands(program: Command, { config, out }: CliEnv): void {
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
      await withDatabase(config(), async (ds, _identityChanged, rc) => {
        const { apiClient: c, key } = await new ApiClientService(ds).create(rc, {
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
      await withDatabase(config(), async (ds, identityChanged, rc) => {
        const c = await new ApiClientService(ds, identityChanged).revoke(rc, id);
        out(`revoked API client ${c.id} "${c.name}"`);
      });
    });
  apiClient
    .command("rotate <id>")
    .description("Replace a client's key (its user tokens end too); the new key is printed alone on the last line.")
    .action(async (id: string) => {
      await withDatabase(config(), async (ds, identityChanged, rc) => {
        const { apiClient: c, key } = await new ApiClientService(ds, identityChanged).rotate(rc, id);
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
      await withDatabase(config(), async (ds, _identityChanged, rc) => {
        const { apiClient: c, key } = await new ApiClientService(ds).create(rc, {
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
      await withDatabase(config(), async (ds, identityChanged, rc) => {
        const users = new UserService(ds, identityChanged);
        const found = await oneUser(users, opts);
        const updated = await users.setRole(rc, found.id, role);
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
      await withDatabase(config(), async (ds, identityChanged, rc) => {
        const users = new UserService(ds, identityChanged);
        const found = await oneUser(users, opts);
        const { user: u, revokedAt } = await users.revokeTokens(rc, found.id);
        out(`user ${u.id} (${u.authMethod}:${u.username}): every user token minted before ${revokedAt.toISOString()} is revoked`);
      });
    });
}
