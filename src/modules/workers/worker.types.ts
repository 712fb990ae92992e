/** The worker protocol, typed in the one schema: GPU workers are clients of the same API, with worker keys. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Max, Min } from "class-validator";

/** The protocol version this API speaks; a worker that speaks another is refused with a clear error. */
export const WORKER_PROTOCOL_VERSION = 1;

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

@InputType({ description: "The jobs a worker still runs, to renew their leases." })
export class WorkerHeartbeatInput {
  @Field(() => [ID], { description: "The jobs." })
  @ArrayMaxSize(256)
  jobIds: string[];
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
}
