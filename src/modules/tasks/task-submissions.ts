/**
 * The three submissions of spec §2.6 with their effects. Each is one transaction that locks the task row, then
 * the tree's state row, then changes counters with atomic updates: concurrent submissions to one tree serialise,
 * none is lost or counted twice, and a client's retry of an accepted submission is answered with its success.
 */
import crypto from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import type { User } from "../users/user.entity.js";
import type { RequestContext } from "../../common/request-context.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { validateLabelsAgainst, validateLabelValues } from "../consensus/labels.js";
import { decideReplyReview, decideRootReview, replyAcceptanceRule, rootAcceptanceRule, type ReviewLabels } from "../consensus/acceptance.js";
import { rankingConditionCounts, rankingsPerParentSql, type RankingConditionCounts, type RankingsPerParent, type TreeManager } from "../trees/tree-manager.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { searchConfigFor } from "../trees/search.js";
import type { EmojiService } from "../trees/emoji.service.js";
import { inTransaction, pgErrorCode } from "../../db/transaction.js";
import { isUuid } from "../../db/rows.js";
import { ErrorCode, badInput } from "../../common/errors.js";
import type { Task } from "./task.entity.js";
import {
  LABEL_PAYLOADS,
  RANK_PAYLOADS,
  REPLY_PAYLOADS,
  assertEnabled,
  digestOf,
  err,
  labelError,
  taskClientId,
  type TaskDoneResult,
  type TaskSettings,
} from "./task-common.js";
import { ACTIVITY_SET, finishTaskCtes, lockTaskWithTree, replayed, validateTask, type SubmissionEvent } from "./task-rows.js";
import { preparedQuery } from "../../db/prepared.js";
import { uuid7 } from "../../db/uuid7.js";

export class TaskSubmissions {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly settings: TaskSettings,
    private readonly trees: TreeManager,
    private readonly emojis: EmojiService,
  ) {}

  async submitReply(
    rc: RequestContext,
    input: { taskFrontendMessageId: string; userMessageId: string; text: string; lang?: string | null },
  ): Promise<TaskDoneResult> {
    const user = rc.identity.user;
    assertEnabled(user, this.settings);
    const apiClientId = taskClientId(rc);
    if (!input.taskFrontendMessageId?.trim() || !input.userMessageId?.trim()) {
      throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "Frontend message ids must not be empty");
    }
    const text = input.text.trim();
    if (text.length === 0) throw badInput("text must not be empty or only whitespace");
    if (/^\s+$/.test(text)) throw err(ErrorCode.TASK_MESSAGE_TEXT_EMPTY, "The text is empty");
    const length = [...text].length;
    if (length > this.settings.messageSizeLimit) {
      throw err(ErrorCode.TASK_MESSAGE_TOO_LONG, `The text is ${length} characters long; the limit is ${this.settings.messageSizeLimit}`);
    }
    const lang = input.lang?.trim() || "en";
    const digest = digestOf("reply", input.userMessageId, text, lang);

    return inTransaction(this.ds, async (em) => {
      const { task, tree } = await lockTaskWithTree(em, apiClientId, { frontendId: input.taskFrontendMessageId }, "reply");
      const replay = await replayed(task, user, digest, async () => {
        const rows: { id: string }[] = await em.query(`SELECT id FROM message WHERE api_client_id = $1 AND frontend_message_id = $2`, [
          apiClientId,
          input.userMessageId,
        ]);
        return rows[0]?.id ?? null;
      });
      if (replay) return replay;
      validateTask(task, user);
      if (!REPLY_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take a text reply");

      const allowed = [TreeState.GROWING, TreeState.RANKING, TreeState.READY_FOR_SCORING, TreeState.READY_FOR_EXPORT];
      const treeRefuses = !!task.parentMessageId && (!tree || !allowed.includes(tree.state));
      const id: string = crypto.randomUUID();
      const role = task.payloadType === "AssistantReplyPayload" ? "assistant" : "prompter";
      const event = submissionEvent("text_reply_to_message", user.id, id, apiClientId, task, { role, length });
      let written: { dup: number; mine: number; inserted: boolean };
      try {
        [written] = await preparedQuery<typeof written>(em, REPLY_SQL, [
          id,
          task.parentMessageId,
          task.id,
          user.id,
          role,
          apiClientId,
          input.userMessageId,
          text,
          lang,
          await this.searchConfig(em, lang),
          this.settings.duplicateMessageFilterWindowMinutes,
          !treeRefuses,
          digest,
          uuid7(),
          event.eventType,
          event.payload,
        ]);
      } catch (e) {
        if (pgErrorCode(e) === "23505") throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "userMessageId is already used by another message");
        throw e;
      }
      // The refusals in the order of the checks (the statement wrote nothing for any of them).
      if (written.dup > 0) throw err(ErrorCode.TASK_MESSAGE_DUPLICATED, "You sent the same text recently");
      if (treeRefuses) throw err(ErrorCode.TREE_IN_ABORTED_STATE, `The tree is ${tree?.state ?? "gone"}; it takes no more replies`);
      if (written.mine > 0) throw err(ErrorCode.TASK_MESSAGE_DUPLICATE_REPLY, "You already replied to this message");
      if (!written.inserted) throw err(ErrorCode.MESSAGE_NOT_FOUND, "The parent message is gone");
      if (!task.parentMessageId) await this.trees.createTree(em, id, lang);
      return { taskId: task.id, messageId: id, replayed: false };
    });
  }

  async submitRanking(rc: RequestContext, input: { taskFrontendMessageId: string; ranking: number[]; notRankable?: boolean | null }): Promise<TaskDoneResult> {
    const user = rc.identity.user;
    assertEnabled(user, this.settings);
    const apiClientId = taskClientId(rc);
    const digest = digestOf("ranking", JSON.stringify(input.ranking), String(input.notRankable ?? null));
    return inTransaction(this.ds, async (em) => {
      const { task, tree } = await lockTaskWithTree(em, apiClientId, { frontendId: input.taskFrontendMessageId }, "ranking");
      const replay = await replayed(task, user, digest, async () => null);
      if (replay) return replay;
      validateTask(task, user);
      if (!RANK_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take a ranking");
      const payload = task.payload as { reply_messages: { id: string }[]; ranking_parent_id: string; message_tree_id: string };
      const n = payload.reply_messages.length;
      const sorted = [...input.ranking].sort((a, b) => a - b);
      if (sorted.length !== n || sorted.some((v, i) => v !== i)) {
        throw err(ErrorCode.INVALID_RANKING_VALUE, `The ranking must be a permutation of 0..${n - 1}`);
      }
      const rankedIds = input.ranking.map((i) => payload.reply_messages[i].id);
      const event = submissionEvent("message_ranking", user.id, payload.ranking_parent_id, apiClientId, task, { ranking: input.ranking });
      // The tree's rankings per parent for the T5 check, read in the statement (before its writes) when the check
      // will read them; this ranking is added below.
      const scoring = tree !== null && this.trees.scoringCheckReads(tree);
      const [ranked] = await preparedQuery<{ n: number; parents: RankingsPerParent }>(em, RANKING_SQL, [
        rankedIds,
        payload.ranking_parent_id,
        task.id,
        user.id,
        {
          type: "message_ranking",
          ranking: input.ranking,
          ranked_message_ids: rankedIds,
          ranking_parent_id: payload.ranking_parent_id,
          message_tree_id: payload.message_tree_id,
          not_rankable: input.notRankable ?? null,
        },
        apiClientId,
        digest,
        uuid7(),
        event.eventType,
        event.payload,
        scoring ? tree.message_tree_id : null,
        this.cfg.rankPrompterReplies,
      ]);
      if (ranked.n !== rankedIds.length) throw err(ErrorCode.CORRUPT_RANKING_RESULT, "A ranked reply is no longer a reply to this message");
      if (scoring) await this.trees.checkConditionForScoringWith(em, tree, rankingsAfter(ranked.parents, task));
      return { taskId: task.id, messageId: null, replayed: false };
    });
  }

  async submitLabels(
    rc: RequestContext,
    input: { messageId: string; taskId?: string | null; labels: Record<string, number>; text: string; isReport: boolean },
  ): Promise<TaskDoneResult> {
    const user = rc.identity.user;
    assertEnabled(user, this.settings);
    const apiClientId = taskClientId(rc);
    const values = validateLabelValues(input.labels);
    if (!values.ok) throw labelError(values.failure);
    if (!input.taskId) return this.freeLabels(user, apiClientId, input);
    const digest = digestOf("labels", input.messageId, JSON.stringify(Object.entries(input.labels).sort()), input.text);
    return inTransaction(this.ds, async (em) => {
      const { task, tree } = await lockTaskWithTree(em, apiClientId, { taskId: input.taskId! }, "review");
      const replay = await replayed(task, user, digest, async () => null);
      if (replay) return replay;
      validateTask(task, user);
      if (!LABEL_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take labels");
      const payload = task.payload as { message_id: string; valid_labels: string[]; mandatory_labels: string[] };
      if (task.payloadType === "LabelInitialPromptPayload" && input.messageId !== payload.message_id) {
        throw err(ErrorCode.TEXT_LABELS_WRONG_MESSAGE_ID, "The labels name another message than the task");
      }
      const checked = validateLabelsAgainst({ validLabels: payload.valid_labels, mandatoryLabels: payload.mandatory_labels }, input.labels);
      if (!checked.ok) throw labelError(checked.failure);
      const messageId = payload.message_id;
      // The review in one statement: the message's author (for the self-review rule), the label row (one per user
      // and message: the unique index decides, also between concurrent submissions), the message's review count
      // and the task's end with the user's activity. A refusal below rolls all of it back with the transaction.
      const reviewed = await preparedQuery<{
        found: boolean;
        author: string | null;
        deleted: boolean | null;
        inserted: boolean;
        review_count: number | null;
        review_result: boolean | null;
        parent_id: string | null;
        deciding: boolean;
        accepted: number;
        awaiting: number;
        prior_labels: ReviewLabels[] | null;
      }>(em, REVIEW_SQL, [
        task.id,
        user.id,
        apiClientId,
        input.text,
        messageId,
        input.labels,
        this.settings.allowSelfLabeling,
        digest,
        this.cfg.numReviewsReply,
        tree?.message_tree_id ?? null,
        this.cfg.numReviewsInitialPrompt,
      ]);
      const r = reviewed[0];
      if (!r.found) throw err(ErrorCode.MESSAGE_NOT_FOUND, "The message is gone");
      if (r.author === user.id && !this.settings.allowSelfLabeling) throw err(ErrorCode.NO_SELF_LABELING, "You cannot review your own message");
      if (!r.inserted) throw err(ErrorCode.NO_SELF_LABELING, "You already reviewed this message");
      const reviewedMessage = {
        review_count: r.review_count!,
        review_result: r.review_result,
        parent_id: r.parent_id,
        deleted: r.deleted === true,
        countPending: r.deciding,
      };
      // The reviews that decide, when the message is decidable now: those the statement read (done tasks, before
      // its writes) and this one, which counts once its task is done (a collective task stays open).
      const reviews = [...(r.prior_labels ?? []), ...(task.collective ? [] : [input.labels])];
      await this.applyAcceptance(em, reviewedMessage, reviews, messageId, tree, { accepted: r.accepted, awaiting: r.awaiting });
      return { taskId: task.id, messageId: null, replayed: false };
    });
  }

  /** §4.1 after a review: decide the message, then the tree transitions it may trigger (T2/T3/T4). */
  private async applyAcceptance(
    em: EntityManager,
    /** countPending: the review statement left the message's review count (already in review_count) to the decision's update. */
    state: { review_count: number; review_result: boolean | null; parent_id: string | null; deleted: boolean; countPending: boolean },
    /** The message's reviews from done tasks, this one included, as the review's statement read them when decidable. */
    decidingReviews: ReviewLabels[],
    messageId: string,
    tree: Awaited<ReturnType<TreeManager["lockTree"]>>,
    /** The tree's T4 counts as the review's statement read them, before this review counted. */
    countsBefore: RankingConditionCounts,
  ): Promise<void> {
    const isRoot = state.parent_id === null;
    const required = isRoot ? this.cfg.numReviewsInitialPrompt : this.cfg.numReviewsReply;
    // Before the quorum, or once accepted, the decision needs no reviews (the statement read none).
    const decidable = state.review_count >= required && state.review_result !== true;
    const labels = decidable ? decidingReviews : [];
    const reviewState = { reviewResult: state.review_result, reviewCount: state.review_count };
    if (isRoot) {
      const decision = decideRootReview(reviewState, labels, rootAcceptanceRule(this.cfg));
      await this.writeDecision(em, messageId, decision, state.countPending);
      // T3 (fixed quirk): a late review does not move a tree a moderator halted.
      if (decision.abortTree && tree && tree.state !== TreeState.ABORTED_LOW_GRADE && tree.state !== TreeState.HALTED_BY_MODERATOR) {
        await this.trees.enterState(em, tree, TreeState.ABORTED_LOW_GRADE, "T3");
      }
      // The prompt's result as this review left it (the tree's root is the reviewed message), else read back.
      if (tree && tree.message_tree_id === messageId) {
        await this.trees.checkPromptAcceptedWith(em, tree, decision.changed ? decision.reviewResult : state.review_result);
      } else if (tree) await this.trees.checkPromptAccepted(em, tree);
    } else {
      const decision = decideReplyReview(reviewState, labels, replyAcceptanceRule(this.cfg));
      await this.writeDecision(em, messageId, decision, state.countPending);
      if (tree) {
        const reviewResult = decision.changed ? decision.reviewResult : state.review_result;
        await this.trees.checkConditionForRankingWith(em, tree, this.countsAfterReview(countsBefore, state, reviewResult));
      }
    }
  }

  /**
   * The message's review result when the decision changed it, with the review's count when the review statement left
   * it (REVIEW_SQL's `deciding`): one statement, so the pool trigger recomputes the tree once.
   */
  private async writeDecision(
    em: EntityManager,
    messageId: string,
    decision: { changed: boolean; reviewResult: boolean | null },
    countPending: boolean,
  ): Promise<void> {
    if (countPending) {
      await preparedQuery(em, `UPDATE message SET review_count = review_count + 1, review_result = $2 WHERE id = $1`, [
        messageId,
        decision.changed ? decision.reviewResult : null,
      ]);
    } else if (decision.changed) {
      await preparedQuery(em, `UPDATE message SET review_result = $2 WHERE id = $1`, [messageId, decision.reviewResult]);
    }
  }

  /**
   * The tree's T4 counts after a review of one of its replies, from the counts read before it: the reply's review
   * count went up by one and its result may have changed; a deleted reply counts in neither.
   */
  private countsAfterReview(
    before: RankingConditionCounts,
    reply: { review_count: number; review_result: boolean | null; deleted: boolean },
    resultNow: boolean | null,
  ): RankingConditionCounts {
    if (reply.deleted) return before;
    const needed = this.cfg.numReviewsReply;
    const accepted = (result: boolean | null) => (result === true ? 1 : 0);
    const awaiting = (result: boolean | null, reviews: number) => (result !== true && reviews < needed ? 1 : 0);
    return {
      accepted: before.accepted - accepted(reply.review_result) + accepted(resultNow),
      awaiting: before.awaiting - awaiting(reply.review_result, reply.review_count - 1) + awaiting(resultNow, reply.review_count),
    };
  }

  /** Free labels and reports (§2.6 without task_id): stored or replaced, never counted as reviews. */
  private async freeLabels(
    user: User,
    apiClientId: string,
    input: { messageId: string; labels: Record<string, number>; text: string; isReport: boolean },
  ): Promise<TaskDoneResult> {
    return inTransaction(this.ds, async (em) => {
      const exists: { id: string }[] = isUuid(input.messageId) ? await em.query(`SELECT id FROM message WHERE id = $1`, [input.messageId]) : [];
      if (!exists[0]) throw err(ErrorCode.MESSAGE_NOT_FOUND, "No such message");
      if (input.isReport) await this.emojis.apply(em, user.id, input.messageId, "add", "red_flag");
      await em.query(
        `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, message_id) WHERE task_id IS NULL DO UPDATE SET labels = EXCLUDED.labels`,
        [crypto.randomUUID(), user.id, apiClientId, input.text, input.messageId, input.labels],
      );
      return { taskId: null, messageId: null, replayed: false };
    });
  }

  private searchConfigs: Promise<Set<string>> | undefined;
  async searchConfig(em: EntityManager, lang: string): Promise<string> {
    this.searchConfigs ??= em.query(`SELECT cfgname FROM pg_ts_config`).then((rows: { cfgname: string }[]) => new Set(rows.map((r) => r.cfgname)));
    return searchConfigFor(lang, await this.searchConfigs);
  }
}

/**
 * A tree's rankings per parent after a ranking, from those its statement read before its writes: the ranking's task
 * is now done, unless collective (a collective task stays open), and its one ranking counts for the task's parent.
 */
function rankingsAfter(before: RankingsPerParent, task: Task): RankingsPerParent {
  if (task.collective) return before;
  return before.map((p) => (p.parent_id === task.parentMessageId ? { parent_id: p.parent_id, n: p.n + 1 } : p));
}

/** A submission's journal event, stored with its task's end (finishTaskCtes). */
function submissionEvent(
  eventType: string,
  userId: string,
  messageId: string,
  apiClientId: string,
  task: Task,
  extra: Record<string, unknown>,
): SubmissionEvent {
  return {
    eventType,
    messageId,
    apiClientId,
    payload: { type: eventType, user_id: userId, message_id: messageId, task_id: task.id, task_type: task.payloadType, ...extra },
  };
}

/**
 * A ranking in one statement, written only when every ranked reply is still a reply to the ranked parent (`n`, read
 * in the statement's snapshot, before its writes): the replies' ranking counts, the ranking's reaction row and the
 * task's end (finishTaskCtes). And the T5 check's rankings per parent of the tree $11 (none when null), read in the
 * same snapshot (before this ranking counted; rankingsAfter adds it): one round trip less than a statement of their
 * own after it. $1 the ranked ids in order, $2 the parent, $3 task, $4 user, $5 the reaction's payload, $6 API
 * client, $7 submission digest, $8 journal id, $9 event type, $10 event payload, $11 the tree to check or null,
 * $12 RANK_PROMPTER_REPLIES.
 */
export const RANKING_SQL = `WITH still AS (SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[]) AND parent_id = $2::uuid),
  counted AS (UPDATE message SET ranking_count = ranking_count + 1
              WHERE id = ANY($1::uuid[]) AND (SELECT n FROM still) = cardinality($1::uuid[])),
  reacted AS (INSERT INTO message_reaction (task_id, user_id, payload_type, payload, api_client_id, message_id)
              SELECT $3::uuid, $4::uuid, 'RankingReactionPayload', $5::jsonb, $6::uuid, $2::uuid FROM still WHERE still.n = cardinality($1::uuid[])),
  ${finishTaskCtes(
    {
      user: "$4::uuid",
      digest: "$7::text",
      task: "$3::uuid",
      journalId: "$8::uuid",
      messageId: "$2::uuid",
      apiClientId: "$6::uuid",
      eventType: "$9::varchar",
      payload: "$10::jsonb",
    },
    "(SELECT n FROM still) = cardinality($1::uuid[])",
  )},
  scoring AS (${rankingsPerParentSql("$11::uuid", "$12")})
SELECT n, (SELECT coalesce(json_agg(json_build_object('parent_id', s.parent_id, 'n', s.n)), '[]'::json) FROM scoring s) AS parents FROM still`;

/**
 * A reply (or an initial prompt) in one statement, written only when every check passes: the user's same text
 * within the duplicate window (`dup`), the tree's state (checked by the caller on the locked row: $12), the user's
 * earlier live reply to the same parent (`mine`), the parent still there (its children count goes up and gives the
 * reply its tree, depth and deleted flag; a root is its own tree at depth 0); with the message, the task's end
 * (finishTaskCtes). The counts are read in the statement's
 * snapshot, before its writes, as the separate statements read them before. $1 message id, $2 parent (null for a
 * root), $3 task, $4 user, $5 role, $6 API client, $7 frontend id, $8 text, $9 lang, $10 search configuration, $11
 * duplicate window in minutes, $12 the tree takes replies, $13 submission digest, $14 journal id, $15 event type,
 * $16 event payload.
 */
export const REPLY_SQL = `WITH dup AS (SELECT count(*)::int AS n FROM message WHERE user_id = $4::uuid AND text = $8::text AND created_date > now() - make_interval(mins => $11::int)),
  mine AS (SELECT count(*)::int AS n FROM message WHERE parent_id = $2::uuid AND user_id = $4::uuid AND NOT deleted),
  go AS (SELECT 1 FROM dup, mine WHERE dup.n = 0 AND mine.n = 0 AND $12::boolean),
  parent AS (UPDATE message SET children_count = children_count + 1 WHERE id = $2::uuid AND EXISTS (SELECT 1 FROM go)
             RETURNING depth, deleted, message_tree_id),
  ins AS (INSERT INTO message (id, parent_id, message_tree_id, task_id, user_id, role, api_client_id, frontend_message_id, text, lang, depth, deleted, search_vector)
          SELECT $1::uuid, $2::uuid, coalesce(parent.message_tree_id, $1::uuid), $3::uuid, $4::uuid, $5::varchar, $6::uuid, $7::varchar, $8::text, $9::varchar,
                 coalesce(parent.depth + 1, 0), coalesce(parent.deleted, false), to_tsvector($10::regconfig, $8::text)
          FROM go LEFT JOIN parent ON true WHERE $2::uuid IS NULL OR parent.message_tree_id IS NOT NULL
          RETURNING id),
  ${finishTaskCtes(
    {
      user: "$4::uuid",
      digest: "$13::text",
      task: "$3::uuid",
      journalId: "$14::uuid",
      messageId: "$1::uuid",
      apiClientId: "$6::uuid",
      eventType: "$15::varchar",
      payload: "$16::jsonb",
    },
    "EXISTS (SELECT 1 FROM ins)",
  )}
SELECT dup.n AS dup, mine.n AS mine, EXISTS (SELECT 1 FROM ins) AS inserted FROM dup, mine`;

/**
 * A review (a label task's submission) in one statement: the message's author, for the self-review rule; the label
 * row, one per user and message (the unique index decides, also between concurrent submissions); the message's
 * review count; the task's end and the user's activity (as finishTaskCtes, without a journal event). Nothing is written for a missing message,
 * for one's own message (unless ALLOW_SELF_LABELING) or a second review; the caller refuses those, and the
 * transaction's rollback undoes the rest. And the tree's T4 counts (TreeManager.checkConditionForRankingWith), read
 * in the statement's snapshot: before this review counted (countsAfterReview adds it). $1 task, $2 user, $3 API
 * client, $4 text, $5 message, $6 labels, $7 self-labeling allowed, $8 submission digest, $9 NUM_REVIEWS_REPLY,
 * $10 the task's (locked) tree, $11 NUM_REVIEWS_INITIAL_PROMPT. And the labels
 * of the message's reviews from done tasks (`prior_labels`, null for none), read only when this review makes the
 * message decidable (its review count at the quorum, not accepted yet; applyAcceptance), before this review counted.
 * A review that makes an undecided message decidable (`deciding`) leaves the message's review count to the
 * decision's update (applyAcceptance), which writes the count and the result in one statement: the pool trigger
 * then recomputes the tree once, where a count crossing the quorum and then the result each recomputed it (issue
 * 14). The message row is locked here all the same, and the statement returns the count as it will be.
 */
export const REVIEW_SQL = `WITH m AS (SELECT user_id, deleted, review_count, review_result, parent_id FROM message WHERE id = $5::uuid FOR NO KEY UPDATE),
  ins AS (INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels, task_id)
          SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::uuid, $6::jsonb, $1::uuid FROM m WHERE $7::boolean OR m.user_id IS DISTINCT FROM $2::uuid
          ON CONFLICT (user_id, message_id) WHERE task_id IS NOT NULL DO NOTHING RETURNING id),
  deciding AS (SELECT 1 FROM m WHERE EXISTS (SELECT 1 FROM ins) AND m.review_result IS NULL
                 AND m.review_count + 1 >= CASE WHEN m.parent_id IS NULL THEN $11::int ELSE $9::int END),
  upd AS (UPDATE message SET review_count = review_count + 1 WHERE id = $5::uuid AND EXISTS (SELECT 1 FROM ins) AND NOT EXISTS (SELECT 1 FROM deciding)
          RETURNING review_count, review_result, parent_id),
  counted AS (SELECT review_count, review_result, parent_id FROM upd
              UNION ALL SELECT m.review_count + 1, m.review_result, m.parent_id FROM m, deciding),
  done AS (UPDATE task SET done = NOT collective, submission_digest = $8::text WHERE id = $1::uuid AND EXISTS (SELECT 1 FROM ins)),
  act AS (UPDATE "user" SET ${ACTIVITY_SET} WHERE id = $2::uuid AND EXISTS (SELECT 1 FROM ins)),
  counts AS (SELECT ${rankingConditionCounts("$9::int")} FROM message WHERE message_tree_id = $10::uuid AND NOT deleted),
  prior AS (SELECT l.labels FROM text_labels l JOIN task t ON t.id = l.task_id
            WHERE l.message_id = $5::uuid AND t.done
              AND EXISTS (SELECT 1 FROM counted WHERE counted.review_result IS NOT TRUE
                                                  AND counted.review_count >= CASE WHEN counted.parent_id IS NULL THEN $11::int ELSE $9::int END))
SELECT EXISTS (SELECT 1 FROM m) AS found, (SELECT user_id FROM m) AS author, (SELECT deleted FROM m) AS deleted,
       EXISTS (SELECT 1 FROM ins) AS inserted, counted.review_count, counted.review_result, counted.parent_id, EXISTS (SELECT 1 FROM deciding) AS deciding,
       counts.accepted, counts.awaiting, (SELECT json_agg(prior.labels) FROM prior) AS prior_labels
FROM counts LEFT JOIN counted ON true`;
