/** The model's queue is at its size limit; nothing was enqueued. Maps to the GraphQL code QUEUE_FULL. */
export class QueueFullError extends Error {
  override readonly name = "QueueFullError";
  constructor(
    readonly model: string,
    readonly maxQueueSize: number,
  ) {
    super(`The queue for model "${model}" is full (${maxQueueSize} waiting jobs)`);
  }
}

/**
 * The hand-out named by `jobId` no longer holds its job: it completed or failed already, or its lease lapsed and
 * the job went back to the queue (or to another worker). The worker should drop the job.
 */
export class JobLeaseLostError extends Error {
  override readonly name = "JobLeaseLostError";
  constructor(readonly jobId: string) {
    super(`Job ${jobId} is no longer leased to this worker`);
  }
}
