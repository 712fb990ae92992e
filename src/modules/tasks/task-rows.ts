/**
 * The task row inside a submission's or a skip's transaction: locked by id or by the frontend id of its post,
 * checked as `_validate_task` of spec §2.3, finished (with the user's activity and streak), and a client's retry
 * of an accepted submission recognised.
 */
import type { EntityManager } from "typeorm";
import type { User } from "../users/user.entity.js";
import { isUuid } from "../../db/rows.js";
import { preparedQuery } from "../../db/prepared.js";
import { ErrorCode } from "../../common/errors.js";
import type { Task } from "./task.entity.js";
import type { TreeRow } from "../trees/tree-steps.js";
import { TASK_COLUMNS, err, isExpired, type TaskDoneResult } from "./task-common.js";

export async function lockTaskById(em: EntityManager, apiClientId: string, taskId: string): Promise<Task> {
  const rows: Task[] = isUuid(taskId)
    ? await preparedQuery<Task>(em, `SELECT ${TASK_COLUMNS} FROM task WHERE id = $1 AND api_client_id = $2 FOR UPDATE`, [taskId, apiClientId])
    : [];
  if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No such task");
  return rows[0];
}

export async function lockTaskByFrontendId(em: EntityManager, apiClientId: string, frontendId: string): Promise<Task> {
  const rows = await preparedQuery<Task>(em, `SELECT ${TASK_COLUMNS} FROM task WHERE frontend_message_id = $1 AND api_client_id = $2 FOR UPDATE`, [
    frontendId,
    apiClientId,
  ]);
  if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No acknowledged task has this frontend id");
  return rows[0];
}

/** Which tree a submission locks with its task (TaskRows.lockTaskWithTree): the SQL of its id, from the task row `t`. */
const TREE_OF = {
  /** A review: the task's tree. */
  review: `t."messageTreeId"`,
  /** A reply: the task's tree when it replies to a message (an initial prompt has no tree yet). */
  reply: `CASE WHEN t."parentMessageId" IS NOT NULL THEN t."messageTreeId" END`,
  /** A ranking: the tree its payload names, for ranking tasks only (other payloads fail their type check). */
  ranking: `CASE WHEN t."payloadType" IN ('RankPrompterRepliesPayload', 'RankAssistantRepliesPayload') THEN (t.payload->>'message_tree_id')::uuid END`,
} as const;

/** The task row's keys (TASK_COLUMNS' aliases): the rest of a lockTaskWithTree row is the tree's. */
const TASK_KEYS = new Set(TASK_COLUMNS.split(",").map((c) => /AS "(\w+)"/.exec(c)?.[1] ?? c.trim()));

function lockWithTreeSql(where: string, tree: keyof typeof TREE_OF): string {
  return `WITH t AS (SELECT ${TASK_COLUMNS} FROM task WHERE ${where} FOR UPDATE),
    s AS (SELECT * FROM message_tree_state WHERE message_tree_id IN (SELECT ${TREE_OF[tree]} FROM t) FOR UPDATE)
  SELECT t.*, s.* FROM t LEFT JOIN s ON s.message_tree_id = ${TREE_OF[tree]}`;
}

/** The statements by the task's id and by its frontend id, built once (a request only looks one up). */
const LOCK_WITH_TREE = Object.fromEntries(
  (Object.keys(TREE_OF) as (keyof typeof TREE_OF)[]).map((tree) => [
    tree,
    { byId: lockWithTreeSql("id = $1 AND api_client_id = $2", tree), byFrontendId: lockWithTreeSql("frontend_message_id = $1 AND api_client_id = $2", tree) },
  ]),
) as Record<keyof typeof TREE_OF, { byId: string; byFrontendId: string }>;

/**
 * A submission's task row and its tree's state row, both locked for the transaction, in one round trip instead of
 * lockTaskById/lockTaskByFrontendId and then TreeManager.lockTree: the same locks in the same order (the task,
 * then the tree: the task's CTE runs first, the tree's reads its result), so concurrent submissions serialise as
 * before. The tree is null when the task names none (or it has no state row), as lockTree's null.
 */
export async function lockTaskWithTree(
  em: EntityManager,
  apiClientId: string,
  by: { taskId: string } | { frontendId: string },
  tree: keyof typeof TREE_OF,
): Promise<{ task: Task; tree: TreeRow | null }> {
  let rows: Record<string, unknown>[];
  if ("taskId" in by) {
    rows = isUuid(by.taskId) ? await preparedQuery(em, LOCK_WITH_TREE[tree].byId, [by.taskId, apiClientId]) : [];
    if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No such task");
  } else {
    rows = await preparedQuery(em, LOCK_WITH_TREE[tree].byFrontendId, [by.frontendId, apiClientId]);
    if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No acknowledged task has this frontend id");
  }
  const task: Record<string, unknown> = {};
  const treeRow: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rows[0])) (TASK_KEYS.has(k) ? task : treeRow)[k] = v;
  return { task: task as unknown as Task, tree: treeRow.message_tree_id == null ? null : (treeRow as unknown as TreeRow) };
}

/** `_validate_task` of §2.3, after the idempotent-retry check the caller makes. */
export function validateTask(task: Task, user: User): void {
  if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
  if (!task.ack) throw err(ErrorCode.TASK_NOT_ACK, "The task was not acknowledged");
  if (task.done) throw err(ErrorCode.TASK_ALREADY_DONE, "The task is already done");
  if ((!task.collective || task.userId === null) && task.userId !== user.id) {
    throw err(ErrorCode.TASK_NOT_ASSIGNED_TO_USER, "The task belongs to another user");
  }
}

/** The user's activity and streak as a finished task records them (§6.4): the SET list of an UPDATE of "user". */
export const ACTIVITY_SET = `last_activity_date = now(),
       streak_days = CASE WHEN streak_last_day_date IS NULL OR streak_last_day_date > now() THEN 0
                          ELSE floor(extract(epoch FROM now() - streak_last_day_date) / 86400)::int END,
       streak_last_day_date = CASE WHEN streak_last_day_date IS NULL OR streak_last_day_date > now() THEN now() ELSE streak_last_day_date END`;

/**
 * A task's end as CTEs of its submission's own statement (one round trip for the submission's writes): the task
 * done with the submission's digest, the journal event, the user's activity and streak (§6.4), each made only when
 * `when` (SQL) holds, i.e. the submission's checks passed. The values are the statement's placeholders: `user`,
 * `digest`, `task`, `journalId` (a uuid7), `messageId`, `apiClientId`, `eventType`, `payload`.
 */
export function finishTaskCtes(
  p: { user: string; digest: string; task: string; journalId: string; messageId: string; apiClientId: string; eventType: string; payload: string },
  when: string,
): string {
  return `done AS (UPDATE task SET done = NOT collective, submission_digest = ${p.digest} WHERE id = ${p.task} AND ${when}),
  logged AS (INSERT INTO journal (id, user_id, message_id, api_client_id, event_type, event_payload)
             SELECT ${p.journalId}, ${p.user}, ${p.messageId}, ${p.apiClientId}, ${p.eventType}, ${p.payload} WHERE ${when}),
  act AS (UPDATE "user" SET ${ACTIVITY_SET} WHERE id = ${p.user} AND ${when})`;
}

/** The journal event of a submission (its task's event, stored with the task's end: finishTaskCtes). */
export interface SubmissionEvent {
  eventType: string;
  messageId: string;
  apiClientId: string;
  payload: Record<string, unknown>;
}

/**
 * A retry of a submission already accepted for this task by this user (same content) is answered with the
 * original success and changes nothing; a different submission to a done task falls through to 2105.
 */
export async function replayed(task: Task, user: User, digest: string, messageIdOf: () => Promise<string | null>): Promise<TaskDoneResult | null> {
  if (!task.done || task.userId !== user.id || task.submissionDigest !== digest) return null;
  return { taskId: task.id, messageId: await messageIdOf(), replayed: true };
}
