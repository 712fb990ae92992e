import { Arg, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context.js";
import { assertAuthorized, Requirement } from "../../server/auth.js";
import { heldIdentityOf } from "../../server/open-sockets.js";
import { TickBatcher } from "../../infra/tick-batcher.js";
import {
  DrainWorkerInput,
  WorkerInfo,
  WorkerPool,
  WorkerAck,
  WorkerFailInput,
  WorkerFinishInput,
  WorkerHeartbeatInput,
  WorkerHeartbeatResult,
  WorkerHelloInput,
  WorkerJob,
  WorkerTokensInput,
} from "./worker.types.js";

/** The worker protocol: only worker keys may use it, and worker keys may use nothing else. */
@Resolver()
export class WorkerResolver {
  @Authorized(Requirement.WORKER)
  @Subscription(() => WorkerJob, {
    description:
      "A worker's connection: says what it serves and receives jobs while it has capacity. Ending the subscription gives its running jobs to other workers. It completes when an admin drained the worker and its jobs are done; it ends with an error when the worker was silent for the lease time (reconnect).",
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      assertAuthorized(ctx, [Requirement.WORKER]);
      // Every hand-out re-checks the key in the database, so a revoked worker gets no job even before its socket closes.
      const held = heldIdentityOf(ctx.identity, ctx.role());
      // The hand-outs of one wave (asked within one turn of the event loop) share one check.
      const verdicts = held
        ? new TickBatcher<void, boolean>(async (waiting) => {
            const ok = (await ctx.app.openSockets.verdict(held)).ok;
            if (!ok) void ctx.app.openSockets.recheck(); // and its socket closes (4401) now, not at the next re-check
            return waiting.map(() => ok);
          })
        : null;
      const admit = verdicts ? () => verdicts.call(undefined) : null;
      return ctx.app.workers.connect((args as { input: WorkerHelloInput }).input, admit, ctx.workerConnection ?? null);
    },
  })
  workerJobs(@Root() job: WorkerJob, @Arg("input", () => WorkerHelloInput) _input: WorkerHelloInput): WorkerJob {
    return job;
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, {
    description:
      "A batch of a job's tokens (in order, one at a time per job); it also keeps the job's lease alive. Only on the websocket whose workerJobs received the job: ok false for any other job (stop it), BAD_USER_INPUT over HTTP.",
  })
  async workerTokens(@Arg("input", () => WorkerTokensInput) input: WorkerTokensInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.tokens(ctx.workerConnection ?? null, input.jobId, input.text, input.tokenCount);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, { description: "Ends a job: the answer is stored from the streamed batches and subscribers get GenerationFinished." })
  async workerFinish(@Arg("input", () => WorkerFinishInput) input: WorkerFinishInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.finish(ctx.workerConnection ?? null, input.jobId, input.finishReason, input.text, input.tokenCount);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, { description: "Reports a failed job; a retryable one goes to another worker. Only this job is affected." })
  async workerFail(@Arg("input", () => WorkerFailInput) input: WorkerFailInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.fail(ctx.workerConnection ?? null, input.jobId, input.code, input.reason, input.retryable);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerHeartbeatResult, { description: "Renews the leases of the jobs a worker still runs and says which to drop or cancel." })
  async workerHeartbeat(@Arg("input", () => WorkerHeartbeatInput) input: WorkerHeartbeatInput, @Ctx() ctx: Context): Promise<WorkerHeartbeatResult> {
    return ctx.app.workers.heartbeat(ctx.workerConnection ?? null, input.jobIds, input.sessionId);
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Query(() => [WorkerInfo], { description: "Every connected GPU worker, on every replica. ADMIN of a trusted client." })
  async workers(@Ctx() ctx: Context): Promise<WorkerInfo[]> {
    return ctx.app.workers.list();
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Query(() => [WorkerPool], { description: "Per model: connected workers, jobs in flight, queue depth and tokens per second. ADMIN of a trusted client." })
  async workerPools(@Ctx() ctx: Context): Promise<WorkerPool[]> {
    return ctx.app.workers.pools();
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => WorkerInfo, {
    description:
      "Drains a worker for a rolling deploy: it finishes its running jobs and takes no new ones, then its workerJobs subscription completes. ADMIN of a trusted client; NOT_FOUND for an unknown id; journaled.",
  })
  async drainWorker(@Arg("input", () => DrainWorkerInput) input: DrainWorkerInput, @Ctx() ctx: Context): Promise<WorkerInfo> {
    return ctx.app.workers.drain(ctx.request(), input.workerId);
  }
}
