import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Redis } from "ioredis";
import type { Config } from "../config/index.js";
import { ApiClientService } from "../modules/api-clients/api-client.service.js";
import { UserService } from "../modules/users/user.service.js";
import { UserTokenSigner } from "./user-token.js";
import type { PubSubHandle } from "../infra/pubsub.js";
import type { Metrics } from "./metrics.js";
import { TreeManager } from "../modules/trees/tree-manager.js";
import { TaskService } from "../modules/tasks/task.service.js";
import { MessageService } from "../modules/trees/message.service.js";
import { EmojiService } from "../modules/trees/emoji.service.js";
import { createRng, type Rng } from "../db/random.js";
import { IdentityCache } from "./identity-cache.js";
import { AgreementService } from "../modules/agreement/agreement.service.js";
import { ChatService } from "../modules/chat/chat.service.js";
import { GenerationService, type GenerationStreams } from "../modules/chat/generation/generation.service.js";
import { ModelCatalog } from "../modules/chat/models.js";
import { ChatFeedbackService } from "../modules/chat/feedback/chat-feedback.service.js";
import { WorkerService } from "../modules/workers/worker.service.js";
import { LocalWorkerRegistry, RedisWorkerRegistry } from "../modules/workers/sessions/worker-registry.js";
import { createEventStreamStore } from "../infra/streams/index.js";
import { createGenerationQueue } from "../infra/queue/index.js";
import { createRateLimiter } from "../infra/rate-limit.js";
import { TreeModerationService } from "../modules/moderation/tree-moderation.service.js";
import { MessageModerationService } from "../modules/moderation/message-moderation.service.js";
import { UserAdminService } from "../modules/moderation/user-admin.service.js";
import { PurgeService } from "../modules/moderation/purge.service.js";
import { JournalService } from "../modules/moderation/journal.service.js";
import { SystemStatsService } from "../modules/moderation/system-stats.js";
import { StatsService } from "../modules/stats/stats.service.js";
import { CachedStatsService } from "../modules/cached-stats/cached-stats.service.js";
import { IdentityEvents, identityTopic } from "./identity-events.js";
import { OpenSockets } from "./open-sockets.js";
import { ArenaService } from "../modules/arena/arena.service.js";
import { AnnotatorQualityService } from "../modules/agreement/annotator-quality.service.js";
import { isReliable } from "../modules/agreement/annotator-quality.js";

/** The long-lived services of one server process, reachable from every request's context. */
export interface AppServices {
  config: Config;
  log: Logger;
  ds: DataSource;
  redis: Redis | null;
  pubSub: PubSubHandle;
  metrics: Metrics;
  /**
   * "Identity changed" announcements (a key revoked or rotated, a user disabled, deleted, banned, merged, given
   * another role, logged out everywhere), from this replica, any other, or the CLI. Any cache of keys or users
   * subscribes here with `identityEvents.onChange` and drops what it names.
   */
  identityEvents: IdentityEvents;
  /** API keys and users looked up by requests, kept while the database's identity counter stays the same. */
  identityCache: IdentityCache;
  /** Every open authenticated websocket, re-checked on identity changes and periodically; revoked ones close. */
  openSockets: OpenSockets;
  apiClients: ApiClientService;
  users: UserService;
  trees: TreeManager;
  tasks: TaskService;
  messages: MessageService;
  emojis: EmojiService;
  agreement: AgreementService;
  /** Per-annotator agreement with the consensus, counts and time per task. */
  annotatorQuality: AnnotatorQualityService;
  treeModeration: TreeModerationService;
  /** Moderators' deletes, undeletes, edits and the flagged queue. */
  messageModeration: MessageModerationService;
  /** Moderators' and admins' user updates, anonymisation, merges and ToS acceptance. */
  userAdmin: UserAdminService;
  /** Hard deletion of a user's work, with preview. */
  purge: PurgeService;
  /** Reads of the journal. */
  journal: JournalService;
  /** Message and tree-manager counts (spec §9.5). */
  systemStats: SystemStatsService;
  /** User stats, leaderboards, troll board and streaks. */
  stats: StatsService;
  /** The public stats pages' precomputed figures. */
  cachedStats: CachedStatsService;
  /** Chats and sending prompts. */
  chats: ChatService;
  /** Votes, reports (and the moderators' queue) and draft choices on answers. */
  chatFeedback: ChatFeedbackService;
  /** Generations: their state transitions, event streams and queue. */
  generations: GenerationService;
  /** This replica's worker sessions and job dispatch. */
  workers: WorkerService;
  /** Blind battles between models, their votes and the model leaderboard. */
  arena: ArenaService;
  rng: Rng;
  startedAt: Date;
  /** The user-token signer; available once the database is reachable (the secret may live there). */
  tokens(): UserTokenSigner;
  isReady(): boolean;
}

export function createServices(
  base: Pick<AppServices, "config" | "log" | "ds" | "redis" | "pubSub" | "metrics">,
  state: { ready: () => boolean; signer: () => UserTokenSigner; rng?: Rng },
): AppServices {
  const rng = state.rng ?? createRng(base.config.randomSeed);
  const trees = new TreeManager(base.ds, base.config.treeManager, rng, base.log);
  const messages = new MessageService(base.ds);
  const emojis = new EmojiService(base.ds, messages);
  const chatConfig = base.config.chat;
  const streams: GenerationStreams = createEventStreamStore({ redisUrl: base.config.redisUrl, keyPrefix: `${base.config.redisKeyPrefix}gen:` });
  const queue = createGenerationQueue({
    redisUrl: base.config.redisUrl,
    keyPrefix: base.config.redisKeyPrefix,
    maxQueueSize: chatConfig.maxQueueSize,
    leaseMs: chatConfig.workerLeaseMs,
  });
  // One limiter for every rate limit of the process (task requests, chat generations).
  const rateLimiter = createRateLimiter(base.config.redisUrl, `${base.config.redisKeyPrefix}rl:`);
  const catalog = new ModelCatalog(chatConfig.models);
  const generations = new GenerationService(base.ds, streams, queue, base.log);
  const workerRegistry = base.redis ? new RedisWorkerRegistry(base.redis, base.config.redisKeyPrefix) : new LocalWorkerRegistry();
  const workers = new WorkerService(base.ds, chatConfig, catalog, generations, base.pubSub, base.log, workerRegistry);
  const tasks = new TaskService(base.ds, base.config.treeManager, base.config.tasks, trees, rng, emojis, rateLimiter, base.config.taskRateLimits);
  const identityEvents = new IdentityEvents(base.pubSub, identityTopic(base.config.redisKeyPrefix), base.log);
  const openSockets = new OpenSockets(base.ds, identityEvents, base.log, base.config.identityRecheckSeconds * 1000, state.ready);
  const identityChanged = identityEvents.announce;
  const identityCache = new IdentityCache(base.ds, undefined, (outcome) => base.metrics.identityLookups.inc({ outcome }));
  // Exact without it (the counter), but an announced change need not wait for the next request's read.
  identityEvents.onChange((change) => identityCache.forget(change));
  const annotatorQuality = new AnnotatorQualityService(base.ds);
  if (base.config.arena.reliableLastReview) {
    tasks.preferReliableAnnotatorsForLastReviews(async (userId) => isReliable((await annotatorQuality.ofUsers([userId]))[0]));
  }
  const chats = new ChatService(base.ds, chatConfig, catalog, generations, workers, rateLimiter);
  return {
    ...base,
    identityEvents,
    identityCache,
    openSockets,
    apiClients: new ApiClientService(base.ds, identityChanged),
    users: new UserService(base.ds, identityChanged),
    trees,
    tasks,
    messages,
    emojis,
    agreement: new AgreementService(base.ds),
    annotatorQuality,
    treeModeration: new TreeModerationService(base.ds, trees),
    messageModeration: new MessageModerationService(base.ds, (em, lang) => tasks.searchConfig(em, lang)),
    userAdmin: new UserAdminService(base.ds, identityChanged),
    purge: new PurgeService(base.ds, trees, identityChanged),
    journal: new JournalService(base.ds),
    systemStats: new SystemStatsService(base.ds),
    stats: new StatsService(base.ds, base.pubSub),
    cachedStats: new CachedStatsService(base.ds),
    chats,
    arena: new ArenaService(base.ds, base.config.arena, chats, workers, base.pubSub, rateLimiter, rng, base.log),
    chatFeedback: new ChatFeedbackService(base.ds, chatConfig, rateLimiter),
    generations,
    workers,
    rng,
    startedAt: new Date(),
    tokens: state.signer,
    isReady: state.ready,
  };
}
