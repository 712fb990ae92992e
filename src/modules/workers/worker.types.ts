/** The worker protocol, typed in the one schema: GPU workers are clients of the same API, with worker keys. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Length, Max, Min } from "../../common/validators.js";
import { WORKER_PROTOCOL_VERSION } from "@chorus/worker-protocol";

/** The protocol version this API speaks (a worker that speaks another is refused with a clear error), defined once for
 * the API and its workers in @chorus/worker-protocol. */
export { WORKER_PROTOCOL_VERSION };

export enum WorkerFinishReason {
  STOP = "STOP",
  LENGTH = "LENGTH",
  CANCELLED = "CANCELLED",
}
registerEnumType(WorkerFinishReason, {
  name: "WorkerFinishReason",
  description: "Why a worker stopped: STOP (end of answer), LENGTH (token limit) or CANCELLED (told to stop).",
});

@InputType({ description: "The device a worker's backend actually runs on." })
export class WorkerHardwareInput {
  @Field({ description: "cpu, cuda, remote, synthetic, ..." })
  @Length(1, 64)
  device: string;

  @Field(() => String, { nullable: true, description: "Free text: GPU model and memory, CPU, host." })
  @IsOptional()
  @Length(0, 1024)
  description?: string | null;
}

@InputType({ description: "A worker's hello: what it speaks, serves and can take." })
export class WorkerHelloInput {
  @Field(() => Int, { description: `The worker protocol version the worker speaks (this API speaks ${WORKER_PROTOCOL_VERSION}).` })
  protocolVersion: number;

  @Field(() => [String], { description: "The model ids the worker serves (see `models`)." })
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  models: string[];

  @Field(() => Int, { description: "Jobs the worker runs in parallel (1-256)." })
  @Min(1)
  @Max(256)
  capacity: number;

  @Field(() => WorkerHardwareInput, { description: "Where the backend runs." })
  hardware: WorkerHardwareInput;

  @Field({ description: "The worker's name, stored on the messages it generates." })
  @Length(1, 256)
  name: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "A UUID the worker picks for this connection, so it can name it in workerHeartbeat (which keeps an idle connection alive) and admins can drain it. Made up by the server when absent.",
  })
  @IsOptional()
  @IsUUID()
  sessionId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the worker's backend can continue a partial answer (see WorkerJob.continueFrom). A worker that cannot gets jobs that start over, and subscribers are told to drop the partial text. Default false.",
  })
  @IsOptional()
  canContinue?: boolean | null;
}

@ObjectType({ description: "One turn of the conversation a worker answers." })
export class WorkerChatTurn {
  @Field({ description: "system, user or assistant." })
  role: string;

  @Field({ description: "The turn's text." })
  content: string;
}

@ObjectType({ description: "Sampling parameters of a job." })
export class WorkerSampling {
  @Field(() => Int, { description: "Most tokens to generate." })
  maxNewTokens: number;

  @Field(() => Float, { description: "Temperature; 0 is greedy." })
  temperature: number;

  @Field(() => Float, { description: "Nucleus sampling mass." })
  topP: number;

  @Field(() => Int, { nullable: true, description: "Top-k (null: no limit)." })
  topK: number | null;

  @Field(() => Float, { nullable: true, description: "Repetition penalty (null: off)." })
  repetitionPenalty: number | null;

  @Field(() => Float, { description: "Seed of the random choices." })
  seed: number;
}

@ObjectType({ description: "A generation job handed to a worker under a lease." })
export class WorkerJob {
  @Field(() => ID, { description: "Names this hand-out; pass it to workerTokens, workerFinish, workerFail and workerHeartbeat." })
  jobId: string;

  @Field(() => ID, { description: "The assistant message being generated." })
  messageId: string;

  @Field({ description: "The model to run." })
  model: string;

  @Field(() => [WorkerChatTurn], { description: "The conversation, oldest first, system prompt first when there is one." })
  messages: WorkerChatTurn[];

  @Field(() => WorkerSampling, { description: "How to sample." })
  sampling: WorkerSampling;

  @Field(() => Int, { description: "1 for the first hand-out of this message, +1 for each retry." })
  attempt: number;

  @Field(() => Int, { description: "Gather tokens for this many milliseconds before sending a workerTokens batch." })
  tokenBatchMs: number;

  @Field(() => Int, { description: "Send a heartbeat or a batch at least this often (milliseconds), or lose the job." })
  leaseMs: number;

  @Field(() => String, {
    nullable: true,
    description:
      "The part of the answer an earlier worker already streamed (it failed or went silent). Generate the assistant turn as if it began with this text and send only what comes after it; sampling.maxNewTokens already counts the tokens streamed. Null: start the answer from nothing. Only workers that said canContinue get it.",
  })
  continueFrom: string | null;
}

@InputType({ description: "A batch of generated text." })
export class WorkerTokensInput {
  @Field(() => ID, { description: "The job." })
  jobId: string;

  @Field({ description: "The new text (send batches in order, one at a time per job)." })
  text: string;

  @Field(() => Int, { description: "Tokens this text covers." })
  @Min(0)
  tokenCount: number;
}

@InputType({ description: "The end of a job's generation." })
export class WorkerFinishInput {
  @Field(() => ID, { description: "The job." })
  jobId: string;

  @Field(() => WorkerFinishReason, { description: "Why generation stopped." })
  finishReason: WorkerFinishReason;

  @Field({ description: "The whole generated text; kept only when the server lost the streamed batches." })
  text: string;

  @Field(() => Int, { description: "Tokens generated." })
  @Min(0)
  tokenCount: number;
}

@InputType({ description: "A job that failed on this worker." })
export class WorkerFailInput {
  @Field(() => ID, { description: "The job." })
  jobId: string;

  @Field({ description: "A short machine-readable code (BACKEND_ERROR, OUT_OF_MEMORY, ...)." })
  @Length(1, 64)
  code: string;

  @Field({ description: "What went wrong." })
  @Length(0, 2000)
  reason: string;

  @Field({ description: "Whether another worker could succeed; retryable jobs go back to the queue." })
  retryable: boolean;
}

@InputType({ description: "The jobs a worker still runs, to renew their leases; and the connection, to keep it alive." })
export class WorkerHeartbeatInput {
  @Field(() => [ID], { description: "The jobs." })
  @ArrayMaxSize(256)
  jobIds: string[];

  @Field(() => ID, { nullable: true, description: "The sessionId of the worker's hello: a connection silent for the lease time is dropped." })
  @IsOptional()
  sessionId?: string | null;
}

@ObjectType({ description: "The server's answer to a worker's report." })
export class WorkerAck {
  @Field({ description: "False when the job is no longer this worker's (its lease lapsed): drop it." })
  ok: boolean;

  @Field({ description: "True when the user cancelled: stop generating and call workerFinish with CANCELLED." })
  cancel: boolean;
}

@ObjectType({ description: "Which jobs a worker still holds after a heartbeat." })
export class WorkerHeartbeatResult {
  @Field(() => [ID], { description: "Jobs whose leases were renewed." })
  held: string[];

  @Field(() => [ID], { description: "Jobs no longer this worker's: drop them." })
  lost: string[];

  @Field(() => [ID], { description: "Jobs the user cancelled: stop them and finish with CANCELLED." })
  cancel: string[];

  @Field({
    description:
      "True when an admin drained this session: finish the running jobs; no new ones come, and the workerJobs subscription completes once they are done.",
  })
  drain: boolean;

  @Field(() => Int, { description: "The lease time (milliseconds): heartbeat well within it." })
  leaseMs: number;
}

@ObjectType({ description: "A connected GPU worker (one workerJobs subscription), as seen by admins." })
export class WorkerInfo {
  @Field(() => ID, { description: "The session id (drainWorker takes it)." })
  id: string;

  @Field({ description: "The worker's name." })
  name: string;

  @Field(() => [String], { description: "The models it serves." })
  models: string[];

  @Field(() => Int, { description: "Jobs it runs in parallel." })
  capacity: number;

  @Field({ description: "The device its backend actually runs on (cpu, cuda, remote, synthetic, ...)." })
  device: string;

  @Field(() => String, { nullable: true, description: "The worker's description of its hardware." })
  hardwareDescription: string | null;

  @Field(() => Int, { description: "The protocol version it speaks." })
  protocolVersion: number;

  @Field({ description: "Whether it continues partial answers." })
  canContinue: boolean;

  @Field(() => Int, { description: "Jobs it runs now." })
  inFlightJobs: number;

  @Field({ description: "True once drained: it takes no new jobs and leaves when its jobs are done." })
  draining: boolean;

  @Field(() => Float, { description: "Tokens it streamed per second over the last few seconds." })
  tokensPerSecond: number;

  @Field(() => Date, { description: "When it connected." })
  connectedAt: Date;

  @Field(() => Date, { description: "When it was last heard from." })
  lastSeenAt: Date;
}

@ObjectType({ description: "The workers of one model, its queue and its throughput." })
export class WorkerPool {
  @Field({ description: "The model id." })
  model: string;

  @Field(() => Int, { description: "Connected workers serving it (draining ones included)." })
  workers: number;

  @Field(() => Int, { description: "Their parallel capacity, summed (draining ones excluded)." })
  capacity: number;

  @Field(() => Int, { description: "Jobs of this model held by workers now." })
  inFlightJobs: number;

  @Field(() => Int, { description: "Jobs of this model waiting for a worker." })
  queueDepth: number;

  @Field(() => Float, { description: "Tokens per second its workers streamed for it over the last few seconds." })
  tokensPerSecond: number;
}

@InputType({ description: "Which worker to drain." })
export class DrainWorkerInput {
  @Field(() => ID, { description: "The worker's session id (see workers)." })
  workerId: string;
}
