/**
 * Acknowledging a handed-out task with the frontend id of its post, and skipping it (spec §2.3 steps 2 and 3): a
 * skip leaves the user's hidden skip marker on the task's message, which keeps it from their next candidates.
 */
import type { DataSource } from "typeorm";
import type { RequestContext } from "../../common/request-context.js";
import type { EmojiService } from "../trees/emoji.service.js";
import { inTransaction, pgErrorCode } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { ErrorCode } from "../../common/errors.js";
import type { Task } from "./task.entity.js";
import { LABEL_PAYLOADS, RANK_PAYLOADS, REPLY_PAYLOADS, assertEnabled, err, isExpired, taskClientId, type TaskSettings } from "./task-common.js";
import { lockTaskById } from "./task-rows.js";
import { preparedQuery } from "../../db/prepared.js";

/** What an ack answers with (the task's status): its payload, often the whole conversation, is not read back. */
export type AckedTask = Pick<Task, "id" | "ack" | "done" | "skipped" | "frontendMessageId" | "expiryDate">;
const ACKED_COLUMNS = `id, ack, done, skipped, frontend_message_id AS "frontendMessageId", expiry_date AS "expiryDate"`;

export class TaskAcks {
  constructor(
    private readonly ds: DataSource,
    private readonly settings: TaskSettings,
    private readonly emojis: EmojiService,
  ) {}

  async ack(rc: RequestContext, taskId: string, frontendMessageId: string): Promise<AckedTask> {
    const apiClientId = taskClientId(rc);
    if (!frontendMessageId?.trim()) throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "frontendMessageId must not be empty");
    if (!isUuid(taskId)) throw err(ErrorCode.TASK_NOT_FOUND, "No such task");
    try {
      // The common case in one statement; only a refused ack reads the task to say why.
      const acked = rowsOf<AckedTask>(
        await preparedQuery(
          this.ds,
          `UPDATE task SET ack = true, frontend_message_id = $2
           WHERE id = $1 AND api_client_id = $3 AND ack IS NULL AND NOT done AND (expiry_date IS NULL OR expiry_date >= now())
           RETURNING ${ACKED_COLUMNS}`,
          [taskId, frontendMessageId, apiClientId],
        ),
      );
      if (acked[0]) return acked[0];
      return await inTransaction(
        this.ds,
        async (em) => {
          const task = await lockTaskById(em, apiClientId, taskId);
          if (task.ack === true && task.frontendMessageId === frontendMessageId) return task; // idempotent
          if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
          if (task.done || task.ack !== null) throw err(ErrorCode.TASK_ALREADY_UPDATED, "The task was already acknowledged or done");
          const rows: AckedTask[] = await em.query(`UPDATE task SET ack = true, frontend_message_id = $2 WHERE id = $1 RETURNING ${ACKED_COLUMNS}`, [
            task.id,
            frontendMessageId,
          ]);
          return rowsOf<AckedTask>(rows)[0];
        },
        0,
      );
    } catch (e) {
      if (pgErrorCode(e) === "23505") throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "This frontend message id is already bound to another task");
      throw e;
    }
  }

  async nack(rc: RequestContext, taskId: string, reason: string | null | undefined): Promise<Task> {
    const user = rc.identity.user;
    const apiClientId = taskClientId(rc);
    assertEnabled(user, this.settings);
    return inTransaction(this.ds, async (em) => {
      const task = await lockTaskById(em, apiClientId, taskId);
      if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
      if (task.done) throw err(ErrorCode.TASK_ALREADY_DONE, "The task is already done");
      if (task.userId !== user.id) throw err(ErrorCode.TASK_NOT_ASSIGNED_TO_USER, "The task belongs to another user");
      if (!task.collective && !task.skipped) {
        await em.query(`UPDATE task SET skipped = true, skip_reason = $2 WHERE id = $1`, [task.id, reason ?? null]);
        task.skipped = true;
        task.skipReason = reason ?? null;
        const marker = REPLY_PAYLOADS.has(task.payloadType)
          ? "_skip_reply"
          : LABEL_PAYLOADS.has(task.payloadType)
            ? "_skip_labeling"
            : RANK_PAYLOADS.has(task.payloadType)
              ? "_skip_ranking"
              : null;
        if (marker && task.parentMessageId) await this.emojis.apply(em, user.id, task.parentMessageId, "add", marker);
      }
      return task;
    });
  }
}
