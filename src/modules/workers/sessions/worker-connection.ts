/**
 * One worker connection (a graphql-ws socket, or the in-process worker) and the worker sessions its `workerJobs`
 * subscriptions opened. A job's reports are accepted only from the connection whose session received the job: the
 * message belongs to the hand-out, the hand-out to the session, and the session to this connection (issue 12).
 * HTTP requests have no connection, so they cannot act on jobs.
 */
export class WorkerConnection<S extends object = object> {
  readonly sessions = new Set<S>();
}
