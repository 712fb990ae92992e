/**
 * Task requests (spec §2.3 step 1, §2.4, §2.5) and availability counts (§2.7): rate limits and the pending-task
 * limit, auto-moderation and the prompt lottery, then one candidate drawn per kind from the candidate pools, the
 * random lottery over the kinds that have one, and the drawn task built and stored.
 */
import { preparedQuery } from "../../db/prepared.js";
import crypto from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import type { MessageRole } from "../trees/message.entity.js";
import type { User } from "../users/user.entity.js";
import type { RequestContext } from "../../common/request-context.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { LABEL_DESCRIPTIONS, mandatoryLabelsFor, validLabelsFor, type LabelTarget } from "../consensus/labels.js";
import { chooseLabelMode, drawRandomTaskKind, shuffled, type TaskKind } from "../consensus/lottery.js";
import type { TaskPools, PoolKind, RandomDraw, RankingCandidate, ReplyParentCandidate, ReviewCandidate } from "./task-pools.js";
import { AUTOMOD_CANDIDATES_SQL, LOTTERY_COUNTS_SQL, type AutoModCandidate, type LotteryCounts, type TreeManager, type Rng } from "../trees/tree-manager.js";
import { ErrorCode } from "../../common/errors.js";
import { TaskRequestType } from "./task.types.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { RateLimitSetting, TaskRateLimits } from "../../config/index.js";
import type { Task } from "./task.entity.js";
import { conversation as conversationOf, rankingConversation } from "./conversation.js";
import { PAYLOAD_TYPE, assertEnabled, err, taskClientId, type AvailabilityCounts, type TaskPayload, type TaskSettings } from "./task-common.js";

export class TaskRequests {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly settings: TaskSettings,
    private readonly trees: TreeManager,
    private readonly rng: Rng,
    private readonly pools: TaskPools,
    private readonly limiter: RateLimiter | null = null,
    private readonly limits: TaskRateLimits | null = null,
  ) {}

  /** ARENA_RELIABLE_LAST_REVIEW: whether a user is reliable enough to give a message its deciding review. */
  private reliable: ((userId: string) => Promise<boolean>) | null = null;

  preferReliableAnnotatorsForLastReviews(isReliable: (userId: string) => Promise<boolean>): void {
    this.reliable = isReliable;
  }

  /**
   * With ARENA_RELIABLE_LAST_REVIEW, an annotator not (yet) shown reliable is offered the messages that need more
   * than one review still, leaving the deciding review to reliable annotators; only when nothing else is left do
   * they get a last review, so no message waits for ever. Off by default: the task mix stays the reference's, and
   * the pools' one-row draw is used as is.
   */
  private async preferReliableForLastReview(
    em: EntityManager,
    drawn: ReviewCandidate,
    kind: "promptReview" | "replyReview",
    lang: string,
    userId: string,
    role: MessageRole | null,
  ): Promise<ReviewCandidate> {
    if (!this.reliable) return drawn;
    const needed = (isRoot: boolean) => (isRoot ? this.cfg.numReviewsInitialPrompt : this.cfg.numReviewsReply) - 1;
    const counts = async (ids: string[]) =>
      new Map(
        ((await em.query(`SELECT id, review_count FROM message WHERE id = ANY($1::uuid[])`, [ids])) as { id: string; review_count: number }[]).map((r) => [
          r.id,
          r.review_count,
        ]),
      );
    const isLast = (c: ReviewCandidate, n: Map<string, number>) => (n.get(c.id) ?? 0) >= needed(c.is_root);
    if (!isLast(drawn, await counts([drawn.id]))) return drawn;
    if (await this.reliable(userId)) return drawn;
    const sets = await this.pools.sets(em, lang, userId);
    const all = (kind === "promptReview" ? sets.promptReviews : sets.replyReviews).filter((c) => !role || c.role === role);
    const n = await counts(all.map((c) => c.id));
    const others = all.filter((c) => !isLast(c, n));
    return others.length === 0 ? drawn : others[Math.floor(this.rng() * others.length)];
  }

  /**
   * §6.7: per user, per API client, and per user for reply requests; fixed windows from the first hit. A refusal
   * says when to retry and hands out nothing.
   */
  private async checkRateLimits(user: User, apiClientId: string, type: TaskRequestType): Promise<void> {
    if (!this.limiter || !this.limits) return;
    const userKey = `${apiClientId}:${user.authMethod}:${user.username}`;
    const checks: [string, RateLimitSetting, string][] = [
      ["task-user", this.limits.user, userKey],
      ["task-api-client", this.limits.apiClient, apiClientId],
    ];
    if (type === TaskRequestType.ASSISTANT_REPLY) checks.push(["task-assistant-reply", this.limits.assistantReply, userKey]);
    if (type === TaskRequestType.PROMPTER_REPLY) checks.push(["task-prompter-reply", this.limits.prompterReply, userKey]);
    for (const [name, setting, key] of checks) {
      const decision = await this.limiter.hit({ name, ...setting }, key);
      if (!decision.allowed) {
        throw err(ErrorCode.RATE_LIMITED, `Too Many Requests. Retry After ${decision.retryAfterSeconds} seconds.`, {
          retryAfterSeconds: decision.retryAfterSeconds,
          limit: name,
        });
      }
    }
  }

  async requestTask(rc: RequestContext, type: TaskRequestType, langIn: string | null | undefined, collective: boolean) {
    const user = rc.identity.user;
    assertEnabled(user, this.settings);
    const apiClientId = taskClientId(rc);
    await this.checkRateLimits(user, apiClientId, type);
    const lang = langIn?.trim() || "en";
    // One round trip for what comes before the draw: the user's pending tasks, auto-moderation's candidates and
    // the prompt lottery's counts (re-read by the lottery only if auto-moderation changed a tree).
    const pre = await preparedQuery<{ pending: number; automod: AutoModCandidate[]; counts: LotteryCounts }>(
      this.ds,
      `SELECT (SELECT count(*)::int FROM task WHERE user_id = $2 AND created_date > now() - make_interval(secs => $3) AND NOT done AND NOT skipped) AS pending,
              (SELECT coalesce(json_agg(a), '[]'::json) FROM (${AUTOMOD_CANDIDATES_SQL}) a) AS automod,
              (SELECT row_to_json(c) FROM (${LOTTERY_COUNTS_SQL}) c) AS counts`,
      [lang, user.id, this.cfg.recentTasksSpanSec],
    );
    const { pending, automod, counts } = pre[0];
    if (pending >= this.cfg.maxPendingTasksPerUser) {
      throw err(ErrorCode.TASK_TOO_MANY_PENDING, `Too many pending tasks (${pending}); finish or skip some first`);
    }
    const moderated = await this.trees.autoModerate(lang, automod);
    const missingPrompts = await this.trees.promptLottery(lang, 2, moderated ? undefined : counts);

    const em = this.ds.manager;
    let kind: TaskKind;
    let roleFilter: "prompter" | "assistant" | null = null;
    // The random draw takes one candidate of each kind; the lottery weighs the kinds that have one, and the
    // drawn kind's task is built from that candidate.
    let drawn: RandomDraw | null = null;
    switch (type) {
      case TaskRequestType.RANDOM: {
        drawn = await this.pools.drawAll(em, lang, user.id, this.rng);
        const promptsAllowed = this.cfg.quirkInitPromptDisabledLangsOnlyInAvailability || !this.cfg.initPromptDisabledLangs.includes(lang);
        // Only "is there one" matters to the weights; M > 0 exactly when the user has a parent to extend (the
        // pool holds parents of trees below their goal size only).
        const k = drawRandomTaskKind(
          {
            rankings: drawn.ranking ? 1 : 0,
            repliesNeedingReview: drawn.replyReview ? 1 : 0,
            promptsNeedingReview: drawn.promptReview ? 1 : 0,
            missingPrompts: promptsAllowed ? missingPrompts : 0,
            missingReplies: drawn.reply ? 1 : 0,
          },
          this.rng,
        );
        if (!k) throw this.notAvailable(type);
        kind = k;
        break;
      }
      case TaskRequestType.INITIAL_PROMPT:
        if (missingPrompts <= 0) throw this.notAvailable(type);
        kind = "PROMPT";
        break;
      case TaskRequestType.PROMPTER_REPLY:
      case TaskRequestType.ASSISTANT_REPLY:
        kind = "REPLY";
        roleFilter = type === TaskRequestType.PROMPTER_REPLY ? "assistant" : "prompter"; // the parent's role
        break;
      case TaskRequestType.RANK_ASSISTANT_REPLIES:
        kind = "RANKING";
        roleFilter = "assistant";
        break;
      case TaskRequestType.RANK_PROMPTER_REPLIES:
        if (!this.cfg.rankPrompterReplies) throw this.notAvailable(type);
        kind = "RANKING";
        roleFilter = "prompter";
        break;
      case TaskRequestType.LABEL_INITIAL_PROMPT:
        kind = "LABEL_PROMPT";
        break;
      case TaskRequestType.LABEL_ASSISTANT_REPLY:
        kind = "LABEL_REPLY";
        roleFilter = "assistant";
        break;
      case TaskRequestType.LABEL_PROMPTER_REPLY:
        kind = "LABEL_REPLY";
        roleFilter = "prompter";
        break;
      default:
        throw this.notAvailable(type);
    }

    const built = await this.buildTask(kind, roleFilter, type, user, lang, drawn);
    if (!built) throw this.notAvailable(type);
    const task = await this.storeTask(built, user, apiClientId, collective);
    return { task, payload: built.payload };
  }

  private notAvailable(type: TaskRequestType) {
    return err(ErrorCode.TASK_REQUESTED_TYPE_NOT_AVAILABLE, `No task of type ${type} is available right now`);
  }

  private async buildTask(
    kind: TaskKind,
    roleFilter: "prompter" | "assistant" | null,
    requested: TaskRequestType,
    user: User,
    lang: string,
    drawn: RandomDraw | null,
  ): Promise<{ payload: TaskPayload; treeId: string | null; parentId: string | null } | null> {
    const em = this.ds.manager;
    switch (kind) {
      case "PROMPT":
        return { payload: { type: "initial_prompt", hint: null }, treeId: null, parentId: null };

      case "REPLY": {
        // §2.5: with probability pLonelyChildExtension a parent with a single answer, when there is one. The
        // preference is decided first and a lonely parent drawn only when it won (the same probabilities as drawing
        // one first): with the random draw's reply parent, or in one statement with an explicit request's.
        const preferLonely = this.cfg.pLonelyChildExtension > 0 && this.cfg.lonelyChildrenCount > 1 && this.rng() < this.cfg.pLonelyChildExtension;
        const lonelyKind: [PoolKind, "prompter" | "assistant" | null] = ["lonelyReply", roleFilter];
        const [any, lonely] = drawn
          ? [
              drawn.reply,
              drawn.reply && preferLonely ? ((await this.pools.draw(em, lang, user.id, [lonelyKind], this.rng))[0] as ReplyParentCandidate | null) : null,
            ]
          : ((await this.pools.draw(
              em,
              lang,
              user.id,
              [["reply", roleFilter], ...(preferLonely ? [lonelyKind] : [])],
              this.rng,
            )) as (ReplyParentCandidate | null)[]);
        if (!any) return null;
        const parent = lonely ?? any;
        const conversation = await conversationOf(em, parent.id, user.id, false);
        const type = parent.role === "assistant" ? "prompter_reply" : "assistant_reply";
        const payload = { type, conversation, ...(type === "prompter_reply" ? { hint: null } : {}) };
        return { payload, treeId: parent.message_tree_id, parentId: parent.id };
      }

      case "RANKING": {
        const row = drawn ? drawn.ranking : await this.pools.drawOne<RankingCandidate>(em, "ranking", lang, user.id, roleFilter, this.rng);
        if (!row) return null;
        const { conversation, replies: ordered } = await rankingConversation(em, row.parent_id, row.role, user.id);
        const replies = shuffled(ordered, this.rng);
        const revealSynthetic = replies.every((r) => r.synthetic === true);
        if (!revealSynthetic) for (const r of replies) r.synthetic = null;
        const treeId = row.message_tree_id;
        return {
          payload: {
            type: row.role === "assistant" ? "rank_assistant_replies" : "rank_prompter_replies",
            conversation,
            replies: replies.map((r) => r.text),
            reply_messages: replies,
            message_tree_id: treeId,
            ranking_parent_id: row.parent_id,
            reveal_synthetic: revealSynthetic,
          },
          treeId,
          parentId: row.parent_id,
        };
      }

      case "LABEL_PROMPT":
      case "LABEL_REPLY": {
        const poolKind = kind === "LABEL_PROMPT" ? "promptReview" : "replyReview";
        const picked = drawn ? drawn[poolKind] : await this.pools.drawOne<ReviewCandidate>(em, poolKind, lang, user.id, roleFilter, this.rng);
        if (!picked) return null;
        const m = await this.preferReliableForLastReview(em, picked, poolKind, lang, user.id, roleFilter);
        const target: LabelTarget = m.is_root ? "initial_prompt" : m.role === "assistant" ? "assistant_reply" : "prompter_reply";
        const { mode, disposition } = chooseLabelMode(target, requested === TaskRequestType.RANDOM, this.cfg, this.rng);
        const validLabels = validLabelsFor(target, mode, this.cfg);
        const conversation = await conversationOf(em, m.id, user.id, true);
        const text = conversation[conversation.length - 1]?.text ?? "";
        const treeId = m.message_tree_id;
        const type = target === "initial_prompt" ? "label_initial_prompt" : target === "assistant_reply" ? "label_assistant_reply" : "label_prompter_reply";
        return {
          payload: {
            type,
            message_id: m.id,
            ...(target === "initial_prompt" ? { prompt: text } : { reply: text }),
            conversation,
            valid_labels: validLabels,
            mandatory_labels: mandatoryLabelsFor(target, this.cfg),
            mode,
            disposition,
            labels: validLabels.map((name) => LABEL_DESCRIPTIONS[name]),
          },
          treeId,
          parentId: m.id,
        };
      }
    }
  }

  private async storeTask(
    built: { payload: TaskPayload; treeId: string | null; parentId: string | null },
    user: User,
    apiClientId: string,
    collective: boolean,
  ) {
    const id = crypto.randomUUID();
    const rows = await preparedQuery<Task>(
      this.ds,
      `INSERT INTO task (id, expiry_date, user_id, payload_type, payload, api_client_id, message_tree_id, parent_message_id, collective)
       VALUES ($1, CASE WHEN $8::boolean THEN NULL ELSE now() + make_interval(mins => $2) END, $3, $4, $5, $6, $7, $9, $8)
       RETURNING id, expiry_date AS "expiryDate"`,
      [id, this.settings.taskValidityMinutes, user.id, PAYLOAD_TYPE[built.payload.type], built.payload, apiClientId, built.treeId, collective, built.parentId],
    );
    return { id, expiryDate: rows[0].expiryDate };
  }

  /** Counts for the acting user, or for nobody in particular when the context has none. */
  async availability(rc: RequestContext, langIn: string | null | undefined): Promise<AvailabilityCounts> {
    const user = rc.identity.user;
    if (user) assertEnabled(user, this.settings);
    const lang = langIn?.trim() || "en";
    const promptsDisabled = this.cfg.initPromptDisabledLangs.includes(lang);
    const missingPrompts = promptsDisabled ? 0 : await this.trees.promptLottery(lang, 1);
    await this.trees.autoModerate(lang);
    const em = this.ds.manager;
    const uid = user?.id ?? null;
    const { replyParents: parents, rankings, promptReviews: prompts, replyReviews: replies } = await this.pools.sets(em, lang, uid);
    const c: AvailabilityCounts = {
      random: 0,
      initial_prompt: Math.max(0, missingPrompts),
      prompter_reply: parents.filter((p) => p.role === "assistant").length,
      assistant_reply: parents.filter((p) => p.role === "prompter").length,
      rank_initial_prompts: 0,
      rank_prompter_replies: this.cfg.rankPrompterReplies ? rankings.filter((r) => r.role === "prompter").length : 0,
      rank_assistant_replies: rankings.filter((r) => r.role === "assistant").length,
      label_initial_prompt: prompts.length,
      label_assistant_reply: replies.filter((r) => r.role === "assistant").length,
      label_prompter_reply: replies.filter((r) => r.role === "prompter").length,
    };
    c.random = Object.values(c).reduce((a, b) => a + b, 0);
    return c;
  }
}
