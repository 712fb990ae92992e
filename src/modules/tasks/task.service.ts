/**
 * The task module's entry point (spec §2), as the resolvers and other modules see it: requests and availability
 * (task-requests.ts, drawing from the candidate pools of task-pools.ts), acknowledgements and skips
 * (task-acks.ts), and the three submissions (task-submissions.ts).
 */
import type { DataSource, EntityManager } from "typeorm";
import type { RequestContext } from "../../common/request-context.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import type { TreeManager, Rng } from "../trees/tree-manager.js";
import type { EmojiService } from "../trees/emoji.service.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { TaskRateLimits } from "../../config/index.js";
import type { TaskRequestType } from "./task.types.js";
import type { Task } from "./task.entity.js";
import { TaskPools } from "./task-pools.js";
import { TaskRequests } from "./task-requests.js";
import { TaskAcks, type AckedTask } from "./task-acks.js";
import { TaskSubmissions } from "./task-submissions.js";
import { rowsOf } from "../../db/rows.js";
import { assertEnabled, type AvailabilityCounts, type TaskDoneResult, type TaskSettings } from "./task-common.js";

export {
  DEFAULT_TASK_SETTINGS,
  type AvailabilityCounts,
  type StoredConversationMessage,
  type TaskDoneResult,
  type TaskPayload,
  type TaskSettings,
} from "./task-common.js";

export class TaskService {
  readonly pools: TaskPools;
  private readonly requests: TaskRequests;
  private readonly acks: TaskAcks;
  private readonly submissions: TaskSubmissions;

  constructor(
    private readonly ds: DataSource,
    cfg: TreeManagerConfig,
    private readonly settings: TaskSettings,
    trees: TreeManager,
    rng: Rng,
    emojis: EmojiService,
    limiter: RateLimiter | null = null,
    limits: TaskRateLimits | null = null,
  ) {
    this.pools = new TaskPools(cfg, settings);
    this.requests = new TaskRequests(ds, cfg, settings, trees, rng, this.pools, limiter, limits);
    this.acks = new TaskAcks(ds, settings, emojis);
    this.submissions = new TaskSubmissions(ds, cfg, settings, trees, emojis);
  }

  /** The hourly clean-up (§9.7): deletes the tasks that expired unfinished; returns how many. */
  async deleteExpired(): Promise<number> {
    return rowsOf(await this.ds.query(`DELETE FROM task WHERE expiry_date < now() AND NOT done RETURNING id`)).length;
  }

  /** §6.6: the acting user must exist, be enabled and (when enforced) have accepted the terms. */
  ensureEnabled(rc: RequestContext): void {
    assertEnabled(rc.identity.user, this.settings);
  }

  /** The acting user's next task, for the context's API client. */
  requestTask(rc: RequestContext, type: TaskRequestType, lang: string | null | undefined, collective: boolean) {
    return this.requests.requestTask(rc, type, lang, collective);
  }

  /** Counts for the context's acting user, or for nobody in particular when it has none. */
  availability(rc: RequestContext, lang: string | null | undefined): Promise<AvailabilityCounts> {
    return this.requests.availability(rc, lang);
  }
  /** ARENA_RELIABLE_LAST_REVIEW (src/server/services.ts wires the arena's annotator quality in). */
  preferReliableAnnotatorsForLastReviews(isReliable: (userId: string) => Promise<boolean>): void {
    this.requests.preferReliableAnnotatorsForLastReviews(isReliable);
  }

  ack(rc: RequestContext, taskId: string, frontendMessageId: string): Promise<AckedTask> {
    return this.acks.ack(rc, taskId, frontendMessageId);
  }

  nack(rc: RequestContext, taskId: string, reason: string | null | undefined): Promise<Task> {
    return this.acks.nack(rc, taskId, reason);
  }

  submitReply(rc: RequestContext, input: Parameters<TaskSubmissions["submitReply"]>[1]): Promise<TaskDoneResult> {
    return this.submissions.submitReply(rc, input);
  }

  submitRanking(rc: RequestContext, input: Parameters<TaskSubmissions["submitRanking"]>[1]): Promise<TaskDoneResult> {
    return this.submissions.submitRanking(rc, input);
  }

  submitLabels(rc: RequestContext, input: Parameters<TaskSubmissions["submitLabels"]>[1]): Promise<TaskDoneResult> {
    return this.submissions.submitLabels(rc, input);
  }

  /** The text-search configuration for a language (messages written elsewhere index their text the same way). */
  searchConfig(em: EntityManager, lang: string): Promise<string> {
    return this.submissions.searchConfig(em, lang);
  }
}
