/**
 * The reconciler (periodic job chat-reconcile): PostgreSQL is the record and the queue may have lost jobs (Redis
 * keeps nothing on disk). It ends dead letters as FAILED and old PENDING messages as TIMEOUT, and puts back every
 * unfinished message that has no job.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { ChatConfig } from "../../../config/index.js";
import { rowsOf } from "../../../db/rows.js";
import { ChatMessageState } from "../../chat/chat.entity.js";
import type { GenerationService } from "../../chat/generation/generation.service.js";

export interface ReconcilerDeps {
  ds: DataSource;
  config: ChatConfig;
  generations: GenerationService;
  log: Logger;
  /** Announces a job put back in the queue to every replica's idle workers. */
  jobAvailable: (model: string) => void;
  /** Cancellations asked for, by message (old ones are forgotten here). */
  cancelRequested: Map<string, number>;
}

export async function reconcileGenerations({
  ds,
  config,
  generations,
  log,
  jobAvailable,
  cancelRequested,
}: ReconcilerDeps): Promise<{ failed: number; timedOut: number; requeued: number }> {
  const queue = generations.queue;
  let failed = 0;
  for (const dead of await queue.drainDeadLetters()) {
    if (await generations.failed(dead.messageId, ChatMessageState.FAILED, "WORKER_LOST", `No worker finished the generation in ${dead.attempts} attempts`))
      failed++;
  }
  let timedOut = 0;
  const old = rowsOf<{ id: string }>(
    await ds.query(`SELECT id FROM chat_message WHERE state = 'PENDING' AND COALESCE(continued_at, created_at) < now() - make_interval(secs => $1)`, [
      config.pendingTimeoutSeconds,
    ]),
  );
  for (const { id } of old) {
    if ((await queue.cancel(id)) === "active") continue; // a worker just took it
    if (await generations.failed(id, ChatMessageState.TIMEOUT, "TIMEOUT", `No worker started the generation within ${config.pendingTimeoutSeconds} s`))
      timedOut++;
  }
  const active = new Set((await queue.activeJobs()).map((j) => j.messageId));
  // A few seconds of grace: sendChatMessage commits its messages just before it enqueues them.
  const unfinished = rowsOf<{ id: string; state: string; model: string; user_id: string; cancel: boolean }>(
    await ds.query(
      `SELECT m.id, m.state, m.model, c.user_id, m.cancel_requested_at IS NOT NULL AS cancel
         FROM chat_message m JOIN chat c ON c.id = m.chat_id
        WHERE m.state IN ('PENDING', 'IN_PROGRESS') AND COALESCE(m.continued_at, m.created_at) < now() - interval '5 seconds'`,
    ),
  );
  let requeued = 0;
  for (const m of unfinished) {
    if (active.has(m.id)) continue;
    if (m.cancel) {
      await generations.end(m.id, "cancelled", null);
      continue;
    }
    if (m.state === "PENDING" && (await queue.position(m.model, m.id)) !== null) continue;
    // As in release: the row is PENDING before the job is back where a worker can take it.
    const seqAtReset = m.state === "IN_PROGRESS" ? await generations.unclaim(m.id, null) : await generations.streamSeq(m.id).catch(() => null);
    await queue.enqueue(m.model, { messageId: m.id, userId: m.user_id, payload: {} }, { bypassSizeLimit: true });
    if (seqAtReset !== null) await generations.requeued(m.id, m.model, seqAtReset);
    jobAvailable(m.model);
    requeued++;
  }
  const cutoff = Date.now() - 3_600_000;
  for (const [id, at] of cancelRequested) if (at < cutoff) cancelRequested.delete(id);
  if (failed || timedOut || requeued) log.info({ failed, timedOut, requeued }, "generations reconciled");
  return { failed, timedOut, requeued };
}
