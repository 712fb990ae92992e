/**
 * The full settings an admin may read (spec §7.2 `backend_settings/full`): every configuration variable with its
 * effective value. Secrets are never shown, only whether one is set; passwords in URLs are masked.
 */
import { CONFIG_VARIABLES, type Config } from "../../config.js";
import { DEFAULT_TREE_MANAGER_CONFIG, treeManagerEnvName, type TreeManagerConfig } from "../consensus/tree-config.js";

export interface Setting {
  name: string;
  value: string | null;
  secret: boolean;
  isSet: boolean;
}

type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

/** Variables whose value must never leave the server. */
export const SECRET_VARIABLES: ReadonlySet<ConfigVariable> = new Set<ConfigVariable>(["USER_TOKEN_SECRET", "METRICS_TOKEN"]);

const rate = (r: { limit: number; windowSeconds: number } | undefined) => (r ? `${r.limit}/${r.windowSeconds}` : null);

/** One reader per variable; the type makes a new variable without a reader a build error. */
const READERS: Record<ConfigVariable, (c: Config) => unknown> = {
  PORT: (c) => c.port,
  HOST: (c) => c.host,
  DATABASE_URL: (c) => maskUrl(c.databaseUrl),
  DATABASE_POOL_SIZE: (c) => c.databasePoolSize,
  REDIS_URL: (c) => maskUrl(c.redisUrl),
  REDIS_KEY_PREFIX: (c) => c.redisKeyPrefix,
  CHORUS_DATA_DIR: (c) => c.dataDir,
  EMBEDDED_PG_PORT: (c) => c.embeddedPgPort,
  LOG_LEVEL: (c) => c.logLevel,
  CORS_ORIGINS: (c) => c.corsOrigins.join(","),
  INTROSPECTION: (c) => c.introspection,
  GRAPHIQL: (c) => c.graphiql,
  MAX_QUERY_DEPTH: (c) => c.maxQueryDepth,
  MAX_QUERY_COMPLEXITY: (c) => c.maxQueryComplexity,
  MAX_BODY_BYTES: (c) => c.maxBodyBytes,
  MAX_DOCUMENT_BYTES: (c) => c.maxDocumentBytes,
  DOCUMENT_CACHE_BYTES: (c) => c.documentCacheBytes,
  MAX_RESPONSE_BYTES: (c) => c.maxResponseBytes,
  MAX_OPERATIONS_PER_SOCKET: (c) => c.maxOperationsPerSocket,
  DATABASE_CONNECTIONS_PER_OPERATION: (c) => c.databaseConnectionsPerOperation,
  OPERATION_STATEMENT_TIMEOUT_MS: (c) => c.operationStatementTimeoutMs,
  METRICS_PORT: (c) => c.metricsPort ?? null,
  METRICS_TOKEN: (c) => c.metricsToken,
  USER_TOKEN_SECRET: (c) => c.userTokenSecret,
  USER_TOKEN_TTL_SECONDS: (c) => c.userTokenTtlSeconds,
  IDENTITY_RECHECK_SECONDS: (c) => c.identityRecheckSeconds,
  SEARCH_VECTORS_INTERVAL_SECONDS: (c) => c.searchVectorsIntervalSeconds,
  SHUTDOWN_TIMEOUT_MS: (c) => c.shutdownTimeoutMs,
  DB_RETRY_MAX_DELAY_MS: (c) => c.dbRetryMaxDelayMs,
  DEV_API_CLIENT: (c) => c.devApiClient,
  TASK_VALIDITY_MINUTES: (c) => c.tasks.taskValidityMinutes,
  MESSAGE_SIZE_LIMIT: (c) => c.tasks.messageSizeLimit,
  DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES: (c) => c.tasks.duplicateMessageFilterWindowMinutes,
  ENFORCE_TOS: (c) => c.tasks.enforceTos,
  DEBUG_ALLOW_SELF_LABELING: (c) => c.tasks.allowSelfLabeling,
  DEBUG_ALLOW_SELF_RANKING: (c) => c.tasks.allowSelfRanking,
  DEBUG_ALLOW_DUPLICATE_TASKS: (c) => c.tasks.allowDuplicateTasks,
  RANDOM_SEED: (c) => c.randomSeed,
  RATE_LIMIT: (c) => c.taskRateLimits !== null,
  RATE_LIMIT_TASK_USER: (c) => rate(c.taskRateLimits?.user),
  RATE_LIMIT_TASK_API_CLIENT: (c) => rate(c.taskRateLimits?.apiClient),
  RATE_LIMIT_TASK_ASSISTANT_REPLY: (c) => rate(c.taskRateLimits?.assistantReply),
  RATE_LIMIT_TASK_PROMPTER_REPLY: (c) => rate(c.taskRateLimits?.prompterReply),
  CHAT_MESSAGE_MAX_LENGTH: (c) => c.chat.messageMaxLength,
  CHAT_MAX_QUEUE_SIZE: (c) => c.chat.maxQueueSize,
  CHAT_PENDING_TIMEOUT_SECONDS: (c) => c.chat.pendingTimeoutSeconds,
  CHAT_TOKEN_BATCH_MS: (c) => c.chat.tokenBatchMs,
  CHAT_QUEUE_POSITION_INTERVAL_MS: (c) => c.chat.queuePositionIntervalMs,
  CHAT_RECONCILE_INTERVAL_SECONDS: (c) => c.chat.reconcileIntervalSeconds,
  CHAT_RATE_LIMIT_GENERATIONS: (c) => c.chat.rateLimitGenerations,
  CHAT_RATE_LIMIT_WINDOW_SECONDS: (c) => c.chat.rateLimitWindowSeconds,
  CHAT_RATE_LIMIT_CHATS: (c) => rate(c.chat.rateLimitChats),
  CHAT_RATE_LIMIT_REPORTS: (c) => rate(c.chat.rateLimitReports),
  CHAT_SYSTEM_PROMPT_MAX_LENGTH: (c) => c.chat.systemPromptMaxLength,
  WORKER_LEASE_MS: (c) => c.chat.workerLeaseMs,
  LOCAL_WORKER: (c) => c.chat.localWorker,
  LOCAL_WORKER_TOKENS_PER_SECOND: (c) => c.chat.localWorkerTokensPerSecond,
  CHAT_MAX_DRAFTS: (c) => c.chat.maxDrafts,
  CHAT_TOKEN_QUOTA: (c) => c.chat.tokenQuota,
  CHAT_TOKEN_QUOTA_WINDOW_SECONDS: (c) => c.chat.tokenQuotaWindowSeconds,
  // The file's path is not kept; what it declared is what matters.
  CHORUS_MODELS_FILE: (c) => c.chat.models.map((m) => m.id),
  STATS_REFRESH_MINUTES: (c) => [c.stats.refreshMinutes.day, c.stats.refreshMinutes.week, c.stats.refreshMinutes.month, c.stats.refreshMinutes.total],
  STREAK_RESET_INTERVAL_MINUTES: (c) => c.stats.streakResetIntervalMinutes,
  CACHED_STATS_REFRESH_MINUTES: (c) => c.stats.cachedStatsRefreshMinutes,
  ARENA_BOOTSTRAP_SAMPLES: (c) => c.arena.bootstrapSamples,
  ARENA_BOOTSTRAP_SEED: (c) => c.arena.bootstrapSeed,
  ARENA_BT_RIDGE: (c) => c.arena.ridge,
  ARENA_LEADERBOARD_REFRESH_SECONDS: (c) => c.arena.leaderboardRefreshSeconds,
  ARENA_RATE_LIMIT_BATTLES: (c) => rate(c.arena.rateLimitBattles),
  ARENA_RATE_LIMIT_LEADERBOARD: (c) => rate(c.arena.rateLimitLeaderboard),
  ARENA_RELIABLE_LAST_REVIEW: (c) => c.arena.reliableLastReview,
};

function render(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

/** `postgres://u:secret@h/db` → `postgres://u:***@h/db`. */
export function maskUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "***";
  }
}

/** Every configuration variable, then every tree-manager variable, with its effective value. */
export function fullSettings(config: Config): Setting[] {
  const out: Setting[] = CONFIG_VARIABLES.map((name) => {
    const raw = READERS[name](config);
    const secret = SECRET_VARIABLES.has(name);
    return { name, value: secret ? null : render(raw), secret, isSet: raw !== undefined && raw !== null && raw !== "" };
  });
  for (const key of Object.keys(DEFAULT_TREE_MANAGER_CONFIG) as (keyof TreeManagerConfig)[]) {
    out.push({ name: treeManagerEnvName(key), value: render(config.treeManager[key]), secret: false, isSet: true });
  }
  return out;
}
