/**
 * The one place that reads the environment. Every setting is typed, validated and has a default;
 * a bad value stops start-up with a message that names the variable and what it accepts.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_MODELS, ModelsFileError, parseModelsFile, type ModelDeclaration } from "./modules/chat/models.js";
import { loadTreeManagerConfig, TREE_MANAGER_VARIABLES, type TreeManagerConfig } from "./modules/consensus/tree-config.js";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One entry per variable: the README's table is checked against this list by a test. */
export const CONFIG_VARIABLES = [
  "PORT",
  "HOST",
  "DATABASE_URL",
  "DATABASE_POOL_SIZE",
  "REDIS_URL",
  "REDIS_KEY_PREFIX",
  "CHORUS_DATA_DIR",
  "EMBEDDED_PG_PORT",
  "LOG_LEVEL",
  "CORS_ORIGINS",
  "INTROSPECTION",
  "GRAPHIQL",
  "MAX_QUERY_DEPTH",
  "MAX_QUERY_COMPLEXITY",
  "MAX_BODY_BYTES",
  "MAX_DOCUMENT_BYTES",
  "DOCUMENT_CACHE_BYTES",
  "MAX_RESPONSE_BYTES",
  "MAX_OPERATIONS_PER_SOCKET",
  "DATABASE_CONNECTIONS_PER_OPERATION",
  "OPERATION_STATEMENT_TIMEOUT_MS",
  "METRICS_PORT",
  "METRICS_TOKEN",
  "USER_TOKEN_SECRET",
  "USER_TOKEN_TTL_SECONDS",
  "IDENTITY_RECHECK_SECONDS",
  "SEARCH_VECTORS_INTERVAL_SECONDS",
  "SHUTDOWN_TIMEOUT_MS",
  "DB_RETRY_MAX_DELAY_MS",
  "DEV_API_CLIENT",
  "TASK_VALIDITY_MINUTES",
  "MESSAGE_SIZE_LIMIT",
  "DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES",
  "ENFORCE_TOS",
  "DEBUG_ALLOW_SELF_LABELING",
  "DEBUG_ALLOW_SELF_RANKING",
  "DEBUG_ALLOW_DUPLICATE_TASKS",
  "RANDOM_SEED",
  "RATE_LIMIT",
  "RATE_LIMIT_TASK_USER",
  "RATE_LIMIT_TASK_API_CLIENT",
  "RATE_LIMIT_TASK_ASSISTANT_REPLY",
  "RATE_LIMIT_TASK_PROMPTER_REPLY",
  "CHAT_MESSAGE_MAX_LENGTH",
  "CHAT_MAX_QUEUE_SIZE",
  "CHAT_PENDING_TIMEOUT_SECONDS",
  "CHAT_TOKEN_BATCH_MS",
  "CHAT_QUEUE_POSITION_INTERVAL_MS",
  "CHAT_RECONCILE_INTERVAL_SECONDS",
  "CHAT_RATE_LIMIT_GENERATIONS",
  "CHAT_RATE_LIMIT_WINDOW_SECONDS",
  "CHAT_RATE_LIMIT_CHATS",
  "CHAT_RATE_LIMIT_REPORTS",
  "CHAT_SYSTEM_PROMPT_MAX_LENGTH",
  "CHORUS_MODELS_FILE",
  "CHAT_MAX_DRAFTS",
  "CHAT_TOKEN_QUOTA",
  "CHAT_TOKEN_QUOTA_WINDOW_SECONDS",
  "WORKER_LEASE_MS",
  "LOCAL_WORKER",
  "LOCAL_WORKER_TOKENS_PER_SECOND",
  "STATS_REFRESH_MINUTES",
  "STREAK_RESET_INTERVAL_MINUTES",
  "CACHED_STATS_REFRESH_MINUTES",
  "ARENA_BOOTSTRAP_SAMPLES",
  "ARENA_BOOTSTRAP_SEED",
  "ARENA_BT_RIDGE",
  "ARENA_LEADERBOARD_REFRESH_SECONDS",
  "ARENA_RATE_LIMIT_BATTLES",
  "ARENA_RATE_LIMIT_LEADERBOARD",
  "ARENA_RELIABLE_LAST_REVIEW",
] as const;

/** The tree-manager settings (spec §3.5), each `TREE_MANAGER__<NAME>`. */
export const TREE_MANAGER_CONFIG_VARIABLES = TREE_MANAGER_VARIABLES;

export interface Config {
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Unset: queue, streams and pub/sub run in-process. */
  redisUrl: string | undefined;
  /** Prefix of the generation queue's and streams' Redis keys; replicas sharing work share it. */
  redisKeyPrefix: string;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: LogLevel;
  /** Origins allowed by CORS; empty means no cross-origin access, `*` means any. */
  corsOrigins: string[];
  /** Who may introspect the schema: everyone, identified callers (an API key or user token) only, or nobody. */
  introspection: IntrospectionPolicy;
  graphiql: boolean;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  maxBodyBytes: number;
  /** Longest GraphQL document (the `query` string), in UTF-8 bytes, refused before it is parsed. */
  maxDocumentBytes: number;
  /** Estimated heap the cache of parsed documents may take (documents that passed every limit only). */
  documentCacheBytes: number;
  /** Largest JSON result of one operation (or one subscription event); beyond it the answer is RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  /** Operations (subscriptions included) one websocket may have running at once. */
  maxOperationsPerSocket: number;
  /** Database connections one GraphQL operation may hold at once; its further queries wait for one of them. */
  databaseConnectionsPerOperation: number;
  /** PostgreSQL statement_timeout for the statements of a GraphQL operation (0: none). */
  operationStatementTimeoutMs: number;
  /** Serve /metrics on this port instead of the public one (undefined: on the public port, see metricsToken). */
  metricsPort: number | undefined;
  /** Bearer token /metrics requires on the public port (undefined: see README). */
  metricsToken: string | undefined;
  /** Unset: a secret is generated once and kept in the database, shared by every replica. */
  userTokenSecret: string | undefined;
  userTokenTtlSeconds: number;
  /**
   * How often open websockets' identities are re-checked against the database, the backstop for announcements of
   * revocations that were lost; revocation closes sockets within this (plus one query), at once when announced.
   */
  identityRecheckSeconds: number;
  /** How often the `search-vectors` job builds the search vectors imported messages wait for. */
  searchVectorsIntervalSeconds: number;
  shutdownTimeoutMs: number;
  dbRetryMaxDelayMs: number;
  /** Create (and print) a development API client on start when none exists, in local mode. */
  devApiClient: boolean;
  /** Tree manager (spec §3.5). */
  treeManager: Readonly<TreeManagerConfig>;
  tasks: {
    taskValidityMinutes: number;
    messageSizeLimit: number;
    duplicateMessageFilterWindowMinutes: number;
    enforceTos: boolean;
    allowSelfLabeling: boolean;
    allowSelfRanking: boolean;
    allowDuplicateTasks: boolean;
  };
  /** Task request rate limits (spec §6.7); null when RATE_LIMIT is off. */
  taskRateLimits: TaskRateLimits | null;
  /** Seeds every random choice (task lottery, shuffles) for reproducible runs; unset: Math.random. */
  randomSeed: number | undefined;
  /** Chat with models (spec oa-inference §1-§3). */
  chat: ChatConfig;
  /** Leaderboards, troll board and streaks (spec §6). */
  stats: StatsConfig;
  /** The model arena: battles, the model leaderboard and annotator reliability (docs/arena.md). */
  arena: ArenaConfig;
}

export interface ArenaConfig {
  /** Bootstrap resamples behind each leaderboard's 95% intervals (0: no intervals). */
  bootstrapSamples: number;
  /** Seeds the bootstrap, so the same battles give the same intervals; unset: fresh randomness each time. */
  bootstrapSeed: number | undefined;
  /** Gaussian prior weight λ on the strengths (penalty λ/2·Σs²); 0 is the plain maximum-likelihood fit. */
  ridge: number;
  /** How often changed leaderboards are recomputed. */
  leaderboardRefreshSeconds: number;
  /** Battles (and further turns) a user may start per window. */
  rateLimitBattles: RateLimitSetting;
  /** Leaderboard computations for a new filter a caller may ask for per window (stored ones are free). */
  rateLimitLeaderboard: RateLimitSetting;
  /** The task lottery prefers reliable annotators for a message's last review. */
  reliableLastReview: boolean;
}

export type IntrospectionPolicy = "true" | "authenticated" | "false";

/**
 * INTROSPECTION: `true`, `authenticated` or `false` (and the usual boolean spellings). Unset: `authenticated` when
 * DATABASE_URL is set (a deployment: anonymous callers learn nothing of the schema), `true` in local mode so the IDE
 * works for a first-time user without a key.
 */
function readIntrospection(env: Env): IntrospectionPolicy {
  const raw = env.INTROSPECTION?.trim().toLowerCase();
  if (!raw) return env.DATABASE_URL?.trim() ? "authenticated" : "true";
  if (raw === "authenticated") return "authenticated";
  if (["1", "true", "yes", "on"].includes(raw)) return "true";
  if (["0", "false", "no", "off"].includes(raw)) return "false";
  throw new ConfigError("INTROSPECTION", `must be true, authenticated or false (or true/false/1/0/yes/no/on/off), got "${env.INTROSPECTION}"`);
}

export interface StatsConfig {
  /** How often each time frame's user and troll stats are recomputed, in minutes (spec §6.1: 5, 15, 60, 240). */
  refreshMinutes: { day: number; week: number; month: number; total: number };
  /** How often the streak job ends the streaks of users inactive for more than 36 hours (spec §6.4: 4 h). */
  streakResetIntervalMinutes: number;
  /** How often the cached stats of the public stats pages are recomputed (spec §9.7: hourly). */
  cachedStatsRefreshMinutes: number;
}

/** `DAY,WEEK,MONTH,TOTAL` minutes between recomputations of each stats time frame. */
function readStatsRefresh(env: Env): StatsConfig["refreshMinutes"] {
  const name = "STATS_REFRESH_MINUTES";
  const raw = env[name]?.trim();
  if (!raw) return { day: 5, week: 15, month: 60, total: 240 };
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 525_600)) {
    throw new ConfigError(name, `must be four whole minutes (1-525600) for day,week,month,total, e.g. 5,15,60,240; got "${raw}"`);
  }
  const [day, week, month, total] = parts.map(Number);
  return { day, week, month, total };
}

export interface ChatConfig {
  /** Longest prompt, in Unicode characters (code points). */
  messageMaxLength: number;
  /** Waiting generations per model beyond which sendChatMessage answers QUEUE_FULL. */
  maxQueueSize: number;
  /** A generation still PENDING this long after it was sent ends as TIMEOUT. */
  pendingTimeoutSeconds: number;
  /** Workers gather tokens for this long before sending them, because the cost per delivery dominates. */
  tokenBatchMs: number;
  /** How often a waiting answer's subscribers are told its queue place when it moved (the reference: every second). */
  queuePositionIntervalMs: number;
  /** How often the reconciler re-queues lost jobs and times out old ones. */
  reconcileIntervalSeconds: number;
  /** Generations a user may ask for per window (0: no limit), spec §2.4. */
  rateLimitGenerations: number;
  rateLimitWindowSeconds: number;
  /** Chats a user may create per window (limit 0: no limit). */
  rateLimitChats: RateLimitSetting;
  /** Reports of answers a user may file per window (limit 0: no limit); a repeated report of the same answer is free. */
  rateLimitReports: RateLimitSetting;
  /** Longest system prompt of a chat, in Unicode characters (code points). */
  systemPromptMaxLength: number;
  /** The declared models (CHORUS_MODELS_FILE, or the built-in chorus-tiny and synthetic). */
  models: readonly ModelDeclaration[];
  /** The most drafts (sibling answers generated in parallel) one sendChatMessage may ask for. */
  maxDrafts: number;
  /** Tokens a user's answers may total per quota window (0: no quota), counted from stored answers. */
  tokenQuota: number;
  tokenQuotaWindowSeconds: number;
  /** How long a worker holds a job without a heartbeat or a token batch before it goes to another worker. */
  workerLeaseMs: number;
  /** In local mode (no REDIS_URL), run one in-process worker so chat works with nothing else started. */
  localWorker: boolean;
  /** Speed of the in-process worker's synthetic model. */
  localWorkerTokensPerSecond: number;
}

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export interface TaskRateLimits {
  user: RateLimitSetting;
  apiClient: RateLimitSetting;
  assistantReply: RateLimitSetting;
  prompterReply: RateLimitSetting;
}

/** `N/SECONDS`: at most N hits in a window of SECONDS that opens at the first hit. */
function readRate(env: Env, name: string, def: RateLimitSetting): RateLimitSetting {
  const raw = env[name]?.trim();
  if (!raw) return def;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m || Number(m[2]) < 1) throw new ConfigError(name, `must look like LIMIT/SECONDS (e.g. 30/240), got "${raw}"`);
  return { limit: Number(m[1]), windowSeconds: Number(m[2]) };
}

function readInt(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got ${value}`);
  return value;
}

function readNumber(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return def;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${raw}"`);
  return value;
}

function readBool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return def;
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(name, `must be one of true/false/1/0/yes/no/on/off, got "${raw}"`);
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(" or ")}), got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(" or ")}, got "${url.protocol}"`);
  }
  return raw.trim();
}

function readKeyPrefix(env: Env): string {
  const raw = env.REDIS_KEY_PREFIX?.trim() || "chorus:";
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) throw new ConfigError("REDIS_KEY_PREFIX", `must be 1-64 letters, digits or :_.-, got "${raw}"`);
  return raw;
}

/** The models file, read and checked at start, so a bad file stops the process instead of failing chats later. */
function readModelsFile(env: Env): readonly ModelDeclaration[] {
  const file = env.CHORUS_MODELS_FILE?.trim();
  if (!file) return DEFAULT_MODELS;
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError("CHORUS_MODELS_FILE", e.code ? `cannot be read (${file}: ${e.code})` : `is not valid JSON (${file}: ${e.message})`);
  }
  try {
    return parseModelsFile(content);
  } catch (err) {
    if (err instanceof ModelsFileError) throw new ConfigError("CHORUS_MODELS_FILE", `(${file}) ${err.message}`);
    throw err;
  }
}

/** Default: half the pool (at least 1), so one operation never holds every connection; at most the pool size. */
function readConnectionsPerOperation(env: Env): number {
  const pool = readInt(env, "DATABASE_POOL_SIZE", 10, 1, 500);
  const value = readInt(env, "DATABASE_CONNECTIONS_PER_OPERATION", Math.max(1, Math.floor(pool / 2)), 1, 500);
  if (value > pool) throw new ConfigError("DATABASE_CONNECTIONS_PER_OPERATION", `must not exceed DATABASE_POOL_SIZE (${pool}), got ${value}`);
  return value;
}

function readMetricsToken(env: Env): string | undefined {
  const raw = env.METRICS_TOKEN?.trim();
  if (!raw) return undefined;
  if (raw.length < 16) throw new ConfigError("METRICS_TOKEN", "must be at least 16 characters long");
  return raw;
}

/**
 * Secrets copied unedited from an example file sign tokens anyone could forge. Earlier versions of
 * docker/.env.example shipped the first one; the pattern catches the usual "change me" wording.
 */
const PLACEHOLDER_SECRETS = ["change-me-to-at-least-32-random-characters-0000"];
export function isPlaceholderSecret(secret: string): boolean {
  return PLACEHOLDER_SECRETS.includes(secret) || /change[-_ ]?me|replace[-_ ]?me|your[-_ ]?secret|<.*>/i.test(secret);
}

export function loadConfig(env: Env = process.env): Config {
  const logLevel = (env.LOG_LEVEL?.trim() || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }
  const secret = env.USER_TOKEN_SECRET?.trim() || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError("USER_TOKEN_SECRET", "must be at least 32 characters long");
  }
  if (secret !== undefined && isPlaceholderSecret(secret)) {
    throw new ConfigError("USER_TOKEN_SECRET", "is a placeholder from an example file, known to everyone: set a random one (openssl rand -base64 48)");
  }
  const corsRaw = env.CORS_ORIGINS?.trim() ?? "";
  const corsOrigins = corsRaw === "" ? [] : corsRaw.split(",").map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError("CORS_ORIGINS", `must be * or a comma-separated list of origins like https://app.example.org, got "${origin}"`);
    }
  }
  return {
    port: readInt(env, "PORT", 4000, 0, 65535),
    host: env.HOST?.trim() || "0.0.0.0",
    databaseUrl: readUrl(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    databasePoolSize: readInt(env, "DATABASE_POOL_SIZE", 10, 1, 500),
    redisUrl: readUrl(env, "REDIS_URL", ["redis:", "rediss:"]),
    redisKeyPrefix: readKeyPrefix(env),
    dataDir: path.resolve(env.CHORUS_DATA_DIR?.trim() || ".chorus"),
    embeddedPgPort: readInt(env, "EMBEDDED_PG_PORT", 54329, 1, 65535),
    logLevel,
    corsOrigins,
    introspection: readIntrospection(env),
    graphiql: readBool(env, "GRAPHIQL", true),
    maxQueryDepth: readInt(env, "MAX_QUERY_DEPTH", 12, 1, 1000),
    maxQueryComplexity: readInt(env, "MAX_QUERY_COMPLEXITY", 5000, 1, 2_000_000_000),
    maxBodyBytes: readInt(env, "MAX_BODY_BYTES", 1_048_576, 1024, 1_073_741_824),
    maxDocumentBytes: readInt(env, "MAX_DOCUMENT_BYTES", 65_536, 256, 16_777_216),
    documentCacheBytes: readInt(env, "DOCUMENT_CACHE_BYTES", 16_777_216, 0, 1_073_741_824),
    maxResponseBytes: readInt(env, "MAX_RESPONSE_BYTES", 16_777_216, 1024, 1_073_741_824),
    maxOperationsPerSocket: readInt(env, "MAX_OPERATIONS_PER_SOCKET", 100, 1, 100_000),
    databaseConnectionsPerOperation: readConnectionsPerOperation(env),
    operationStatementTimeoutMs: readInt(env, "OPERATION_STATEMENT_TIMEOUT_MS", 15_000, 0, 3_600_000),
    metricsPort: env.METRICS_PORT?.trim() ? readInt(env, "METRICS_PORT", 0, 0, 65535) : undefined,
    metricsToken: readMetricsToken(env),
    userTokenSecret: secret,
    userTokenTtlSeconds: readInt(env, "USER_TOKEN_TTL_SECONDS", 3600, 60, 7 * 24 * 3600),
    identityRecheckSeconds: readInt(env, "IDENTITY_RECHECK_SECONDS", 2, 1, 60),
    searchVectorsIntervalSeconds: readInt(env, "SEARCH_VECTORS_INTERVAL_SECONDS", 15, 1, 86_400),
    shutdownTimeoutMs: readInt(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    dbRetryMaxDelayMs: readInt(env, "DB_RETRY_MAX_DELAY_MS", 10_000, 100, 600_000),
    devApiClient: readBool(env, "DEV_API_CLIENT", true),
    treeManager: loadTreeManagerConfig(env),
    tasks: {
      taskValidityMinutes: readInt(env, "TASK_VALIDITY_MINUTES", 2880, 1, 525_600),
      messageSizeLimit: readInt(env, "MESSAGE_SIZE_LIMIT", 2000, 1, 1_000_000),
      duplicateMessageFilterWindowMinutes: readInt(env, "DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES", 120, 0, 525_600),
      enforceTos: readBool(env, "ENFORCE_TOS", false),
      allowSelfLabeling: readBool(env, "DEBUG_ALLOW_SELF_LABELING", false),
      allowSelfRanking: readBool(env, "DEBUG_ALLOW_SELF_RANKING", false),
      allowDuplicateTasks: readBool(env, "DEBUG_ALLOW_DUPLICATE_TASKS", false),
    },
    taskRateLimits: readBool(env, "RATE_LIMIT", true)
      ? {
          user: readRate(env, "RATE_LIMIT_TASK_USER", { limit: 30, windowSeconds: 240 }),
          apiClient: readRate(env, "RATE_LIMIT_TASK_API_CLIENT", { limit: 10_000, windowSeconds: 60 }),
          assistantReply: readRate(env, "RATE_LIMIT_TASK_ASSISTANT_REPLY", { limit: 4, windowSeconds: 120 }),
          prompterReply: readRate(env, "RATE_LIMIT_TASK_PROMPTER_REPLY", { limit: 8, windowSeconds: 120 }),
        }
      : null,
    randomSeed: env.RANDOM_SEED?.trim() ? readInt(env, "RANDOM_SEED", 0, 0, 2 ** 31 - 1) : undefined,
    chat: {
      messageMaxLength: readInt(env, "CHAT_MESSAGE_MAX_LENGTH", 8000, 1, 1_000_000),
      maxQueueSize: readInt(env, "CHAT_MAX_QUEUE_SIZE", 100, 1, 1_000_000),
      pendingTimeoutSeconds: readInt(env, "CHAT_PENDING_TIMEOUT_SECONDS", 120, 1, 86_400),
      tokenBatchMs: readInt(env, "CHAT_TOKEN_BATCH_MS", 50, 0, 10_000),
      queuePositionIntervalMs: readInt(env, "CHAT_QUEUE_POSITION_INTERVAL_MS", 1_000, 50, 60_000),
      reconcileIntervalSeconds: readInt(env, "CHAT_RECONCILE_INTERVAL_SECONDS", 15, 1, 3_600),
      rateLimitGenerations: readInt(env, "CHAT_RATE_LIMIT_GENERATIONS", 20, 0, 1_000_000),
      rateLimitWindowSeconds: readInt(env, "CHAT_RATE_LIMIT_WINDOW_SECONDS", 600, 1, 86_400),
      rateLimitChats: readRate(env, "CHAT_RATE_LIMIT_CHATS", { limit: 60, windowSeconds: 3600 }),
      rateLimitReports: readRate(env, "CHAT_RATE_LIMIT_REPORTS", { limit: 30, windowSeconds: 3600 }),
      systemPromptMaxLength: readInt(env, "CHAT_SYSTEM_PROMPT_MAX_LENGTH", 4000, 1, 100_000),
      models: readModelsFile(env),
      maxDrafts: readInt(env, "CHAT_MAX_DRAFTS", 3, 1, 16),
      tokenQuota: readInt(env, "CHAT_TOKEN_QUOTA", 0, 0, 1_000_000_000),
      tokenQuotaWindowSeconds: readInt(env, "CHAT_TOKEN_QUOTA_WINDOW_SECONDS", 86_400, 1, 31 * 86_400),
      workerLeaseMs: readInt(env, "WORKER_LEASE_MS", 30_000, 500, 3_600_000),
      localWorker: readBool(env, "LOCAL_WORKER", true),
      localWorkerTokensPerSecond: readInt(env, "LOCAL_WORKER_TOKENS_PER_SECOND", 20, 1, 100_000),
    },
    stats: {
      refreshMinutes: readStatsRefresh(env),
      streakResetIntervalMinutes: readInt(env, "STREAK_RESET_INTERVAL_MINUTES", 240, 1, 525_600),
      cachedStatsRefreshMinutes: readInt(env, "CACHED_STATS_REFRESH_MINUTES", 60, 1, 525_600),
    },
    arena: {
      bootstrapSamples: readInt(env, "ARENA_BOOTSTRAP_SAMPLES", 200, 0, 10_000),
      bootstrapSeed: env.ARENA_BOOTSTRAP_SEED?.trim() ? readInt(env, "ARENA_BOOTSTRAP_SEED", 0, 0, 2 ** 31 - 1) : undefined,
      ridge: readNumber(env, "ARENA_BT_RIDGE", 0, 0, 1000),
      leaderboardRefreshSeconds: readInt(env, "ARENA_LEADERBOARD_REFRESH_SECONDS", 300, 1, 86_400),
      rateLimitBattles: readRate(env, "ARENA_RATE_LIMIT_BATTLES", { limit: 60, windowSeconds: 3600 }),
      rateLimitLeaderboard: readRate(env, "ARENA_RATE_LIMIT_LEADERBOARD", { limit: 30, windowSeconds: 60 }),
      reliableLastReview: readBool(env, "ARENA_RELIABLE_LAST_REVIEW", false),
    },
  };
}

/** Test and tooling defaults, read here so that no other file touches process.env. */
export function testEnvironment(env: Env = process.env) {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
  };
}
