/**
 * Every configuration variable of the API, declared once: name, default, parser, description, whether it is secret,
 * and its section of docs/configuration.md. The nesting of `DECLARATIONS` is the nesting of the config object, so
 * `Config` is derived from it (src/config/index.ts), and so are docs/configuration.md (src/scripts/config-doc.ts)
 * and the admin `settings` rows with their masking (src/config/settings.ts). A new variable is one entry here.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_MODELS, ModelsFileError, parseModelsFile, type ModelDeclaration } from "../modules/chat/models.js";
import { ConfigError, type Env } from "./errors.js";
import { bool, int, number, optionalInt, rate, readBool, readInt, readRate, text, url, type Parser, type RateLimitSetting } from "./parsers.js";
import { maskUrl } from "./mask.js";
import { TREE_MANAGER_COMPOUND } from "./tree-manager.js";
import { compound, variable, type Compound } from "./variable.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type IntrospectionPolicy = "true" | "authenticated" | "false";

export interface TaskRateLimits {
  user: RateLimitSetting;
  apiClient: RateLimitSetting;
  assistantReply: RateLimitSetting;
  prompterReply: RateLimitSetting;
}

/** `{limit: 30, windowSeconds: 240}` → `30/240`, as the variable is written. */
const showRate = (r: RateLimitSetting | undefined) => (r ? `${r.limit}/${r.windowSeconds}` : null);

// ---- Parsers that belong to one variable ----

const logLevel: Parser<LogLevel> = (env, name, def) => {
  const level = (env[name]?.trim() || def) as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(", ")}, got "${env[name]}"`);
  return level;
};

const keyPrefix: Parser<string> = (env, name, def) => {
  const raw = env[name]?.trim() || def;
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) throw new ConfigError(name, `must be 1-64 letters, digits or :_.-, got "${raw}"`);
  return raw;
};

/** Relative to the working directory the process starts in. */
const dataDir: Parser<string> = (env, name, def) => path.resolve(env[name]?.trim() || def);

const corsOrigins: Parser<string[]> = (env, name) => {
  const raw = env[name]?.trim() ?? "";
  const origins =
    raw === ""
      ? []
      : raw
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean);
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(name, `must be * or a comma-separated list of origins like https://app.example.org, got "${origin}"`);
    }
  }
  return origins;
};

/**
 * `true`, `authenticated` or `false` (and the usual boolean spellings). Unset: `authenticated` when DATABASE_URL is
 * set (a deployment: anonymous callers learn nothing of the schema), `true` in local mode so the IDE works for a
 * first-time user without a key.
 */
const introspection: Parser<IntrospectionPolicy> = (env, name) => {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return env.DATABASE_URL?.trim() ? "authenticated" : "true";
  if (raw === "authenticated") return "authenticated";
  if (["1", "true", "yes", "on"].includes(raw)) return "true";
  if (["0", "false", "no", "off"].includes(raw)) return "false";
  throw new ConfigError(name, `must be true, authenticated or false (or true/false/1/0/yes/no/on/off), got "${env[name]}"`);
};

/** Default: half the pool (at least 1), so one operation never holds every connection; at most the pool size. */
const connectionsPerOperation: Parser<number> = (env, name) => {
  const pool = readInt(env, "DATABASE_POOL_SIZE", 10, 1, 500);
  const value = readInt(env, name, Math.max(1, Math.floor(pool / 2)), 1, 500);
  if (value > pool) throw new ConfigError(name, `must not exceed DATABASE_POOL_SIZE (${pool}), got ${value}`);
  return value;
};

const metricsToken: Parser<string | undefined> = (env, name) => {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length < 16) throw new ConfigError(name, "must be at least 16 characters long");
  return raw;
};

/**
 * Secrets copied unedited from an example file sign tokens anyone could forge. Earlier versions of
 * docker/.env.example shipped the first one; the pattern catches the usual "change me" wording.
 */
const PLACEHOLDER_SECRETS = ["change-me-to-at-least-32-random-characters-0000"];
export function isPlaceholderSecret(secret: string): boolean {
  return PLACEHOLDER_SECRETS.includes(secret) || /change[-_ ]?me|replace[-_ ]?me|your[-_ ]?secret|<.*>/i.test(secret);
}

const userTokenSecret: Parser<string | undefined> = (env, name) => {
  const secret = env[name]?.trim() || undefined;
  if (secret !== undefined && secret.length < 32) throw new ConfigError(name, "must be at least 32 characters long");
  if (secret !== undefined && isPlaceholderSecret(secret)) {
    throw new ConfigError(name, "is a placeholder from an example file, known to everyone: set a random one (openssl rand -base64 48)");
  }
  return secret;
};

/** The models file, read and checked at start, so a bad file stops the process instead of failing chats later. */
const modelsFile: Parser<readonly ModelDeclaration[]> = (env, name, def) => {
  const file = env[name]?.trim();
  if (!file) return def;
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(name, e.code ? `cannot be read (${file}: ${e.code})` : `is not valid JSON (${file}: ${e.message})`);
  }
  try {
    return parseModelsFile(content);
  } catch (err) {
    if (err instanceof ModelsFileError) throw new ConfigError(name, `(${file}) ${err.message}`);
    throw err;
  }
};

interface StatsRefreshMinutes {
  day: number;
  week: number;
  month: number;
  total: number;
}

/** `DAY,WEEK,MONTH,TOTAL` minutes between recomputations of each stats time frame. */
const statsRefresh: Parser<StatsRefreshMinutes> = (env, name, def) => {
  const raw = env[name]?.trim();
  if (!raw) return def;
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 525_600)) {
    throw new ConfigError(name, `must be four whole minutes (1-525600) for day,week,month,total, e.g. 5,15,60,240; got "${raw}"`);
  }
  const [day, week, month, total] = parts.map(Number);
  return { day, week, month, total };
};

// ---- The task rate limits: RATE_LIMIT=false turns them off, and then the four limits are not read at all ----

const TASK_RATE_DEFAULTS: TaskRateLimits = {
  user: { limit: 30, windowSeconds: 240 },
  apiClient: { limit: 10_000, windowSeconds: 60 },
  assistantReply: { limit: 4, windowSeconds: 120 },
  prompterReply: { limit: 8, windowSeconds: 120 },
};
const TASK_RATE_VARIABLES: Record<keyof TaskRateLimits, { name: string; description: string }> = {
  user: { name: "RATE_LIMIT_TASK_USER", description: "task requests per user: `LIMIT/SECONDS`, a window opening at the first request" },
  apiClient: { name: "RATE_LIMIT_TASK_API_CLIENT", description: "task requests per API client" },
  assistantReply: { name: "RATE_LIMIT_TASK_ASSISTANT_REPLY", description: "explicit assistant-reply task requests per user" },
  prompterReply: { name: "RATE_LIMIT_TASK_PROMPTER_REPLY", description: "explicit prompter-reply task requests per user" },
};
const RATE_KINDS = Object.keys(TASK_RATE_DEFAULTS) as (keyof TaskRateLimits)[];

/** Task request rate limits (spec §6.7); null when RATE_LIMIT is off. */
const TASK_RATE_LIMITS: Compound<TaskRateLimits | null> = compound({
  build: (env: Env) =>
    readBool(env, "RATE_LIMIT", true)
      ? (Object.fromEntries(
          RATE_KINDS.map((kind) => [kind, readRate(env, TASK_RATE_VARIABLES[kind].name, TASK_RATE_DEFAULTS[kind])]),
        ) as unknown as TaskRateLimits)
      : null,
  variables: [
    {
      name: "RATE_LIMIT",
      group: "tasks",
      defaultText: "`true`",
      description: "rate limits on task requests (spec §6.7); `RATE_LIMITED` errors carry `retryAfterSeconds`",
      show: (limits) => limits !== null,
    },
    ...RATE_KINDS.map((kind) => ({
      name: TASK_RATE_VARIABLES[kind].name,
      group: "tasks" as const,
      defaultText: "`" + showRate(TASK_RATE_DEFAULTS[kind]) + "`",
      description: TASK_RATE_VARIABLES[kind].description,
      show: (limits: TaskRateLimits | null) => showRate(limits?.[kind]),
    })),
  ],
});

/** The declarations, nested as the config object is; the tree manager comes last, as in `settings`. */
export const DECLARATIONS = {
  port: variable({
    name: "PORT",
    group: "server",
    default: 4000,
    parse: int(0, 65535),
    description: "HTTP and websocket port (0 picks a free one)",
  }),
  host: variable({
    name: "HOST",
    group: "server",
    default: "0.0.0.0",
    parse: text,
    description: "interface to listen on",
  }),
  databaseUrl: variable<string | undefined>({
    name: "DATABASE_URL",
    group: "storage",
    default: undefined,
    defaultText: "unset: embedded PostgreSQL",
    parse: url(["postgres:", "postgresql:"]),
    show: maskUrl,
    description: "`postgres://` URL of the database",
  }),
  databasePoolSize: variable({
    name: "DATABASE_POOL_SIZE",
    group: "storage",
    default: 10,
    parse: int(1, 500),
    description: "connections per process",
  }),
  redisUrl: variable<string | undefined>({
    name: "REDIS_URL",
    group: "storage",
    default: undefined,
    defaultText: "unset: in-process drivers",
    parse: url(["redis:", "rediss:"]),
    show: maskUrl,
    description: "`redis://` URL; needed for several replicas",
  }),
  redisKeyPrefix: variable({
    name: "REDIS_KEY_PREFIX",
    group: "storage",
    default: "chorus:",
    parse: keyPrefix,
    description: "prefix of the generation queues' and token streams' Redis keys; replicas that share work share it",
  }),
  dataDir: variable({
    name: "CHORUS_DATA_DIR",
    group: "storage",
    default: ".chorus",
    defaultText: "`./.chorus`",
    parse: dataDir,
    description: "data folder of local mode (embedded database, development key)",
  }),
  embeddedPgPort: variable({
    name: "EMBEDDED_PG_PORT",
    group: "storage",
    default: 54329,
    parse: int(1, 65535),
    description: "port of the embedded PostgreSQL (loopback only)",
  }),
  logLevel: variable<LogLevel>({
    name: "LOG_LEVEL",
    group: "server",
    default: "info",
    parse: logLevel,
    description: "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`",
  }),
  corsOrigins: variable<string[]>({
    name: "CORS_ORIGINS",
    group: "server",
    default: [],
    defaultText: "empty (no cross-origin access)",
    parse: corsOrigins,
    show: (origins) => origins.join(","),
    description: "`*` or comma-separated origins such as `https://app.example.org`",
  }),
  introspection: variable<IntrospectionPolicy>({
    name: "INTROSPECTION",
    group: "server",
    default: "true",
    defaultText: "`authenticated` with `DATABASE_URL`, `true` in local mode",
    parse: introspection,
    description: "who may introspect the schema: `true` (everyone), `authenticated` (callers with an API key or user token), `false` (nobody)",
  }),
  graphiql: variable({
    name: "GRAPHIQL",
    group: "server",
    default: true,
    parse: bool,
    description: "serve the GraphiQL IDE to browsers at `GET /graphql`",
  }),
  maxQueryDepth: variable({
    name: "MAX_QUERY_DEPTH",
    group: "limits",
    default: 12,
    parse: int(1, 1000),
    description: "deepest selection accepted (introspection excluded)",
  }),
  maxQueryComplexity: variable({
    name: "MAX_QUERY_COMPLEXITY",
    group: "limits",
    default: 5000,
    parse: int(1, 2_000_000_000),
    description:
      "costliest operation accepted: 1 per field (11 per root field), a list costs its size (`first`/`last`, a connection's default page of 20, or its declared bound) times one item; introspection 1/20 (the standard introspection query costs about 3,400)",
  }),
  maxBodyBytes: variable({
    name: "MAX_BODY_BYTES",
    group: "limits",
    default: 1_048_576,
    parse: int(1024, 1_073_741_824),
    description: "largest request body and websocket message",
  }),
  maxDocumentBytes: variable({
    name: "MAX_DOCUMENT_BYTES",
    group: "limits",
    default: 65_536,
    parse: int(256, 16_777_216),
    description: "longest GraphQL document (the `query` text), refused before parsing (`QUERY_TOO_LARGE`)",
  }),
  documentCacheBytes: variable({
    name: "DOCUMENT_CACHE_BYTES",
    group: "limits",
    default: 16_777_216,
    parse: int(0, 1_073_741_824),
    description: "estimated heap the cache of parsed documents may hold (only documents of identified callers that passed every limit; 0 turns it off)",
  }),
  maxResponseBytes: variable({
    name: "MAX_RESPONSE_BYTES",
    group: "limits",
    default: 16_777_216,
    parse: int(1024, 1_073_741_824),
    description: "largest JSON result of one operation or subscription event (`RESPONSE_TOO_LARGE`)",
  }),
  maxOperationsPerSocket: variable({
    name: "MAX_OPERATIONS_PER_SOCKET",
    group: "limits",
    default: 100,
    parse: int(1, 100_000),
    description: "operations and subscriptions one websocket may run at once (`TOO_MANY_OPERATIONS`)",
  }),
  databaseConnectionsPerOperation: variable({
    name: "DATABASE_CONNECTIONS_PER_OPERATION",
    group: "limits",
    default: 5,
    defaultText: "half of `DATABASE_POOL_SIZE` (at least 1)",
    parse: connectionsPerOperation,
    description: "database connections one GraphQL operation may hold at once; its other queries wait their turn",
  }),
  operationStatementTimeoutMs: variable({
    name: "OPERATION_STATEMENT_TIMEOUT_MS",
    group: "limits",
    default: 15_000,
    parse: int(0, 3_600_000),
    description: "PostgreSQL `statement_timeout` of a GraphQL operation's statements (`QUERY_TIMEOUT`; 0: none)",
  }),
  metricsPort: variable<number | undefined>({
    name: "METRICS_PORT",
    group: "server",
    default: undefined,
    defaultText: "unset",
    parse: optionalInt(0, 65535),
    description: "serve `/metrics` on this port (on `HOST`) instead of the public one",
  }),
  metricsToken: variable<string | undefined>({
    name: "METRICS_TOKEN",
    group: "server",
    default: undefined,
    defaultText: "unset",
    parse: metricsToken,
    secret: true,
    description:
      "`/metrics` on the public port requires `Authorization: Bearer <token>` (≥ 16 characters); with neither variable set, `/metrics` is public in local mode and off (404) when `DATABASE_URL` is set",
  }),
  userTokenSecret: variable<string | undefined>({
    name: "USER_TOKEN_SECRET",
    group: "identity",
    default: undefined,
    defaultText: "unset: generated once and kept in the database",
    parse: userTokenSecret,
    secret: true,
    description: "HS256 secret (≥ 32 chars) for user tokens",
  }),
  userTokenTtlSeconds: variable({
    name: "USER_TOKEN_TTL_SECONDS",
    group: "identity",
    default: 3600,
    parse: int(60, 7 * 24 * 3600),
    description: "longest lifetime of a user token",
  }),
  identityRecheckSeconds: variable({
    name: "IDENTITY_RECHECK_SECONDS",
    group: "identity",
    default: 2,
    parse: int(1, 60),
    description:
      "how often every open websocket's key, token and user are re-checked in the database (1-60), the backstop behind the instant pub/sub announcement of a revocation; revoked sockets close within this plus one query",
  }),
  searchVectorsIntervalSeconds: variable({
    name: "SEARCH_VECTORS_INTERVAL_SECONDS",
    group: "tasks",
    default: 15,
    parse: int(1, 86_400),
    description:
      "how often the `search-vectors` job builds the search vectors of imported messages (an import leaves them to it; search reads the text of a message without one meanwhile), in batches of 1,000, at most a minute a run (1-86400)",
  }),
  shutdownTimeoutMs: variable({
    name: "SHUTDOWN_TIMEOUT_MS",
    group: "server",
    default: 10_000,
    parse: int(0, 600_000),
    description: "how long shutdown waits for requests in flight",
  }),
  dbRetryMaxDelayMs: variable({
    name: "DB_RETRY_MAX_DELAY_MS",
    group: "storage",
    default: 10_000,
    parse: int(100, 600_000),
    description: "longest wait between attempts while the database is unreachable at start",
  }),
  devApiClient: variable({
    name: "DEV_API_CLIENT",
    group: "storage",
    default: true,
    parse: bool,
    description: "in local mode, create and print a development key",
  }),
  tasks: {
    taskValidityMinutes: variable({
      name: "TASK_VALIDITY_MINUTES",
      group: "tasks",
      default: 2880,
      parse: int(1, 525_600),
      description: "how long a handed-out task stays valid (2 days)",
    }),
    messageSizeLimit: variable({
      name: "MESSAGE_SIZE_LIMIT",
      group: "tasks",
      default: 2000,
      parse: int(1, 1_000_000),
      description: "longest prompt or reply, in Unicode characters (code points)",
    }),
    duplicateMessageFilterWindowMinutes: variable({
      name: "DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES",
      group: "tasks",
      default: 120,
      parse: int(0, 525_600),
      description: "a user's identical text within this window is refused (1009)",
    }),
    enforceTos: variable({
      name: "ENFORCE_TOS",
      group: "tasks",
      default: false,
      parse: bool,
      description: "refuse work from users who have not accepted the terms (4003)",
    }),
    allowSelfLabeling: variable({
      name: "DEBUG_ALLOW_SELF_LABELING",
      group: "tasks",
      default: false,
      parse: bool,
      description: "let users review their own messages",
    }),
    allowSelfRanking: variable({
      name: "DEBUG_ALLOW_SELF_RANKING",
      group: "tasks",
      default: false,
      parse: bool,
      description: "let users rank replies to which they contributed",
    }),
    allowDuplicateTasks: variable({
      name: "DEBUG_ALLOW_DUPLICATE_TASKS",
      group: "tasks",
      default: false,
      parse: bool,
      description: "let users review or rank the same message twice",
    }),
  },
  randomSeed: variable<number | undefined>({
    name: "RANDOM_SEED",
    group: "tasks",
    default: undefined,
    defaultText: "unset (`Math.random`)",
    parse: optionalInt(0, 2 ** 31 - 1),
    description: "seeds every random choice (task lottery, shuffles) for reproducible runs",
  }),
  taskRateLimits: TASK_RATE_LIMITS,
  chat: {
    messageMaxLength: variable({
      name: "CHAT_MESSAGE_MAX_LENGTH",
      group: "chat",
      default: 8000,
      parse: int(1, 1_000_000),
      description: "longest chat prompt, in Unicode characters",
    }),
    maxQueueSize: variable({
      name: "CHAT_MAX_QUEUE_SIZE",
      group: "chat",
      default: 100,
      parse: int(1, 1_000_000),
      description: "waiting generations per model; beyond it `sendChatMessage` answers `QUEUE_FULL`",
    }),
    pendingTimeoutSeconds: variable({
      name: "CHAT_PENDING_TIMEOUT_SECONDS",
      group: "chat",
      default: 120,
      parse: int(1, 86_400),
      description: "a generation no worker started within this time ends as `TIMEOUT`",
    }),
    tokenBatchMs: variable({
      name: "CHAT_TOKEN_BATCH_MS",
      group: "chat",
      default: 50,
      parse: int(0, 10_000),
      description: "window in which workers gather tokens into one `workerTokens` batch (told to workers with each job)",
    }),
    queuePositionIntervalMs: variable({
      name: "CHAT_QUEUE_POSITION_INTERVAL_MS",
      group: "chat",
      default: 1_000,
      parse: int(50, 60_000),
      description: "how often a waiting answer's subscribers get a new `GenerationQueued` when its place in the queue moved",
    }),
    reconcileIntervalSeconds: variable({
      name: "CHAT_RECONCILE_INTERVAL_SECONDS",
      group: "chat",
      default: 15,
      parse: int(1, 3_600),
      description: "how often the reconciler re-queues lost generations and times out old ones",
    }),
    rateLimitGenerations: variable({
      name: "CHAT_RATE_LIMIT_GENERATIONS",
      group: "chat",
      default: 20,
      parse: int(0, 1_000_000),
      description: "generations a user may ask for per window (0: no limit); more answer `RATE_LIMITED`",
    }),
    rateLimitWindowSeconds: variable({
      name: "CHAT_RATE_LIMIT_WINDOW_SECONDS",
      group: "chat",
      default: 600,
      parse: int(1, 86_400),
      description: "the rate limit's window (the reference's 10 minutes, without its extra minute)",
    }),
    rateLimitChats: variable<RateLimitSetting>({
      name: "CHAT_RATE_LIMIT_CHATS",
      group: "chat",
      default: { limit: 60, windowSeconds: 3600 },
      parse: rate,
      show: showRate,
      description: "chats a user may create: `LIMIT/SECONDS` (limit 0: no limit); more answer `RATE_LIMITED`",
    }),
    rateLimitReports: variable<RateLimitSetting>({
      name: "CHAT_RATE_LIMIT_REPORTS",
      group: "chat",
      default: { limit: 30, windowSeconds: 3600 },
      parse: rate,
      show: showRate,
      description:
        "reports of answers a user may file (limit 0: no limit); reporting an answer that has the user's open report returns that report and is not counted",
    }),
    systemPromptMaxLength: variable({
      name: "CHAT_SYSTEM_PROMPT_MAX_LENGTH",
      group: "chat",
      default: 4000,
      parse: int(1, 100_000),
      description: "longest system prompt of a chat, in Unicode characters; longer ones answer `BAD_USER_INPUT`",
    }),
    models: variable<readonly ModelDeclaration[]>({
      name: "CHORUS_MODELS_FILE",
      group: "chat",
      default: DEFAULT_MODELS,
      defaultText: "unset (built-in: `chorus-tiny`, `synthetic`; same as `config/models.json`)",
      parse: modelsFile,
      // The file's path is not kept; what it declared is what matters.
      show: (models) => models.map((m) => m.id),
      description:
        "JSON file declaring the chat models: id, limits, default sampling, presets, chat template, compatibility key (see [chat.md](chat.md#models-file)); checked at start, a bad file stops with exit code 2",
    }),
    maxDrafts: variable({
      name: "CHAT_MAX_DRAFTS",
      group: "chat",
      default: 3,
      parse: int(1, 16),
      description: "the most drafts (sibling answers generated in parallel) one `sendChatMessage` may ask for",
    }),
    tokenQuota: variable({
      name: "CHAT_TOKEN_QUOTA",
      group: "chat",
      default: 0,
      defaultText: "`0` (off)",
      parse: int(0, 1_000_000_000),
      description: "tokens a user's answers may total per quota window, counted from stored answers; beyond it `TOKEN_QUOTA_EXCEEDED`",
    }),
    tokenQuotaWindowSeconds: variable({
      name: "CHAT_TOKEN_QUOTA_WINDOW_SECONDS",
      group: "chat",
      default: 86_400,
      parse: int(1, 31 * 86_400),
      description: "the token quota's sliding window",
    }),
    workerLeaseMs: variable({
      name: "WORKER_LEASE_MS",
      group: "chat",
      default: 30_000,
      parse: int(500, 3_600_000),
      description: "a worker silent (no heartbeat, no tokens) this long loses its job to another worker",
    }),
    localWorker: variable({
      name: "LOCAL_WORKER",
      group: "chat",
      default: true,
      parse: bool,
      description: "in local mode (no `REDIS_URL`), run the in-process worker: the synthetic model, and the tiny model when `gpu-workers` is installed",
    }),
    localWorkerPreload: variable({
      name: "LOCAL_WORKER_PRELOAD",
      group: "chat",
      default: true,
      parse: bool,
      description:
        "in local mode, load the tiny model (in its own thread) when the server starts, and serve it once loaded; `false` loads it on its first answer, which then waits about a second",
    }),
    localWorkerTokensPerSecond: variable({
      name: "LOCAL_WORKER_TOKENS_PER_SECOND",
      group: "chat",
      default: 20,
      parse: int(1, 100_000),
      description: "speed of the in-process worker's synthetic model",
    }),
  },
  stats: {
    refreshMinutes: variable({
      name: "STATS_REFRESH_MINUTES",
      group: "stats",
      default: { day: 5, week: 15, month: 60, total: 240 },
      parse: statsRefresh,
      show: (m) => [m.day, m.week, m.month, m.total],
      description: "minutes between recomputations of the DAY, WEEK, MONTH and TOTAL leaderboards and troll boards",
    }),
    streakResetIntervalMinutes: variable({
      name: "STREAK_RESET_INTERVAL_MINUTES",
      group: "stats",
      default: 240,
      parse: int(1, 525_600),
      description: "how often the streak job ends the streaks of users inactive for more than 36 hours",
    }),
    cachedStatsRefreshMinutes: variable({
      name: "CACHED_STATS_REFRESH_MINUTES",
      group: "stats",
      default: 60,
      parse: int(1, 525_600),
      description: "how often the cached stats of the stats pages (`cachedStats`) are recomputed",
    }),
  },
  arena: {
    bootstrapSamples: variable({
      name: "ARENA_BOOTSTRAP_SAMPLES",
      group: "arena",
      default: 200,
      parse: int(0, 10_000),
      description: "bootstrap resamples behind the model leaderboard's 95% intervals (0: no intervals); see [arena.md](arena.md)",
    }),
    bootstrapSeed: variable<number | undefined>({
      name: "ARENA_BOOTSTRAP_SEED",
      group: "arena",
      default: undefined,
      defaultText: "unset",
      parse: optionalInt(0, 2 ** 31 - 1),
      description: "seeds the bootstrap, so the same battles give the same intervals",
    }),
    ridge: variable({
      name: "ARENA_BT_RIDGE",
      group: "arena",
      default: 0,
      parse: number(0, 1000),
      description: "Gaussian prior weight λ on the Bradley–Terry strengths (penalty λ/2·Σs²); 0 is plain maximum likelihood",
    }),
    leaderboardRefreshSeconds: variable({
      name: "ARENA_LEADERBOARD_REFRESH_SECONDS",
      group: "arena",
      default: 300,
      parse: int(1, 86_400),
      description: "how often model leaderboards whose battles changed are recomputed",
    }),
    rateLimitBattles: variable<RateLimitSetting>({
      name: "ARENA_RATE_LIMIT_BATTLES",
      group: "arena",
      default: { limit: 60, windowSeconds: 3600 },
      parse: rate,
      show: showRate,
      description: "battles (and further turns) a user may start: `LIMIT/SECONDS` (limit 0: no limit)",
    }),
    rateLimitLeaderboard: variable<RateLimitSetting>({
      name: "ARENA_RATE_LIMIT_LEADERBOARD",
      group: "arena",
      default: { limit: 30, windowSeconds: 60 },
      parse: rate,
      show: showRate,
      description: "model leaderboards for a filter not yet stored a caller may have computed (stored ones are free)",
    }),
    reliableLastReview: variable({
      name: "ARENA_RELIABLE_LAST_REVIEW",
      group: "arena",
      default: false,
      parse: bool,
      description: "the task lottery leaves a message's deciding review to annotators shown reliable (see [arena.md](arena.md))",
    }),
  },
  treeManager: TREE_MANAGER_COMPOUND,
};
