import { Arg, Authorized, Ctx, Mutation, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context.js";
import { assertAuthorized, Requirement } from "../../server/auth.js";
import {
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
      "A worker's connection: says what it serves and receives jobs while it has capacity. Ending the subscription gives its running jobs to other workers.",
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      assertAuthorized(ctx, [Requirement.WORKER]);
      return ctx.app.workers.connect((args as { input: WorkerHelloInput }).input);
    },
  })
  workerJobs(@Root() job: WorkerJob, @Arg("input", () => WorkerHelloInput) _input: WorkerHelloInput): WorkerJob {
    return job;
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, { description: "A batch of a job's tokens (in order, one at a time per job); also renews the job's lease." })
  async workerTokens(@Arg("input", () => WorkerTokensInput) input: WorkerTokensInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.tokens(input.jobId, input.text, input.tokenCount);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, { description: "Ends a job: the answer is stored from the streamed batches and subscribers get GenerationFinished." })
  async workerFinish(@Arg("input", () => WorkerFinishInput) input: WorkerFinishInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.finish(input.jobId, input.finishReason, input.text, input.tokenCount);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerAck, { description: "Reports a failed job; a retryable one goes to another worker. Only this job is affected." })
  async workerFail(@Arg("input", () => WorkerFailInput) input: WorkerFailInput, @Ctx() ctx: Context): Promise<WorkerAck> {
    return ctx.app.workers.fail(input.jobId, input.code, input.reason, input.retryable);
  }

  @Authorized(Requirement.WORKER)
  @Mutation(() => WorkerHeartbeatResult, { description: "Renews the leases of the jobs a worker still runs and says which to drop or cancel." })
  async workerHeartbeat(@Arg("input", () => WorkerHeartbeatInput) input: WorkerHeartbeatInput, @Ctx() ctx: Context): Promise<WorkerHeartbeatResult> {
    return ctx.app.workers.heartbeat(input.jobIds);
  }
}
