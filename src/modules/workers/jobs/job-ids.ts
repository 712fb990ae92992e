/**
 * The public job id a worker gets: it names both the queue's hand-out and the message, so a report says which
 * hand-out of which answer it is about (and the dispatcher checks that they belong together, see JobLeases).
 */
import type { TakenJob } from "../../../infra/queue/index.js";
import { badInput } from "../../../common/errors.js";

export function publicJobId(taken: TakenJob): string {
  return `${taken.jobId}.${taken.messageId}`;
}

export function parseJobId(jobId: string): { queueJobId: string; messageId: string } {
  const [queueJobId, messageId, ...rest] = jobId.split(".");
  if (!queueJobId || !messageId || rest.length) throw badInput(`"${jobId}" is not a job id`, { field: "jobId" });
  return { queueJobId, messageId };
}
