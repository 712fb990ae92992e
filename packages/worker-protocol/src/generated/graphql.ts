/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A job that failed on this worker. */
export type WorkerFailInput = {
  /** A short machine-readable code (BACKEND_ERROR, OUT_OF_MEMORY, ...). */
  code: string;
  /** The job. */
  jobId: string;
  /** What went wrong. */
  reason: string;
  /** Whether another worker could succeed; retryable jobs go back to the queue. */
  retryable: boolean;
};

/** The end of a job's generation. */
export type WorkerFinishInput = {
  /** Why generation stopped. */
  finishReason: WorkerFinishReason;
  /** The job. */
  jobId: string;
  /** The whole generated text; kept only when the server lost the streamed batches. */
  text: string;
  /** Tokens generated. */
  tokenCount: number;
};

/** Why a worker stopped: STOP (end of answer), LENGTH (token limit) or CANCELLED (told to stop). */
export type WorkerFinishReason =
  | 'CANCELLED'
  | 'LENGTH'
  | 'STOP';

/** The device a worker's backend actually runs on. */
export type WorkerHardwareInput = {
  /** Free text: GPU model and memory, CPU, host. */
  description?: string | null | undefined;
  /** cpu, cuda, remote, synthetic, ... */
  device: string;
};

/** The jobs a worker still runs, to renew their leases; and the connection, to keep it alive. */
export type WorkerHeartbeatInput = {
  /** The jobs. */
  jobIds: Array<string>;
  /** The sessionId of the worker's hello: a connection silent for the lease time is dropped. */
  sessionId?: string | null | undefined;
};

/** A worker's hello: what it speaks, serves and can take. */
export type WorkerHelloInput = {
  /** Whether the worker's backend can continue a partial answer (see WorkerJob.continueFrom). A worker that cannot gets jobs that start over, and subscribers are told to drop the partial text. Default false. */
  canContinue?: boolean | null | undefined;
  /** Jobs the worker runs in parallel (1-256). */
  capacity: number;
  /** Where the backend runs. */
  hardware: WorkerHardwareInput;
  /** The model ids the worker serves (see `models`). */
  models: Array<string>;
  /** The worker's name, stored on the messages it generates. */
  name: string;
  /** The worker protocol version the worker speaks (this API speaks 1). */
  protocolVersion: number;
  /** A UUID the worker picks for this connection, so it can name it in workerHeartbeat (which keeps an idle connection alive) and admins can drain it. Made up by the server when absent. */
  sessionId?: string | null | undefined;
};

/** A batch of generated text. */
export type WorkerTokensInput = {
  /** The job. */
  jobId: string;
  /** The new text (send batches in order, one at a time per job). */
  text: string;
  /** Tokens this text covers. */
  tokenCount: number;
};

export type WorkerJobsSubscriptionVariables = Exact<{
  input: WorkerHelloInput;
}>;


export type WorkerJobsSubscription = { workerJobs: { jobId: string, messageId: string, model: string, attempt: number, tokenBatchMs: number, leaseMs: number, continueFrom: string | null, messages: Array<{ role: string, content: string }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } } };

export type WorkerTokensMutationVariables = Exact<{
  input: WorkerTokensInput;
}>;


export type WorkerTokensMutation = { workerTokens: { ok: boolean, cancel: boolean } };

export type WorkerFinishMutationVariables = Exact<{
  input: WorkerFinishInput;
}>;


export type WorkerFinishMutation = { workerFinish: { ok: boolean, cancel: boolean } };

export type WorkerFailMutationVariables = Exact<{
  input: WorkerFailInput;
}>;


export type WorkerFailMutation = { workerFail: { ok: boolean, cancel: boolean } };

export type WorkerHeartbeatMutationVariables = Exact<{
  input: WorkerHeartbeatInput;
}>;


export type WorkerHeartbeatMutation = { workerHeartbeat: { held: Array<string>, lost: Array<string>, cancel: Array<string>, drain: boolean, leaseMs: number } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const WorkerJobsDocument = new TypedDocumentString(`
    subscription WorkerJobs($input: WorkerHelloInput!) {
  workerJobs(input: $input) {
    jobId
    messageId
    model
    attempt
    tokenBatchMs
    leaseMs
    continueFrom
    messages {
      role
      content
    }
    sampling {
      maxNewTokens
      temperature
      topP
      topK
      repetitionPenalty
      seed
    }
  }
}
    `) as unknown as TypedDocumentString<WorkerJobsSubscription, WorkerJobsSubscriptionVariables>;
export const WorkerTokensDocument = new TypedDocumentString(`
    mutation WorkerTokens($input: WorkerTokensInput!) {
  workerTokens(input: $input) {
    ok
    cancel
  }
}
    `) as unknown as TypedDocumentString<WorkerTokensMutation, WorkerTokensMutationVariables>;
export const WorkerFinishDocument = new TypedDocumentString(`
    mutation WorkerFinish($input: WorkerFinishInput!) {
  workerFinish(input: $input) {
    ok
    cancel
  }
}
    `) as unknown as TypedDocumentString<WorkerFinishMutation, WorkerFinishMutationVariables>;
export const WorkerFailDocument = new TypedDocumentString(`
    mutation WorkerFail($input: WorkerFailInput!) {
  workerFail(input: $input) {
    ok
    cancel
  }
}
    `) as unknown as TypedDocumentString<WorkerFailMutation, WorkerFailMutationVariables>;
export const WorkerHeartbeatDocument = new TypedDocumentString(`
    mutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {
  workerHeartbeat(input: $input) {
    held
    lost
    cancel
    drain
    leaseMs
  }
}
    `) as unknown as TypedDocumentString<WorkerHeartbeatMutation, WorkerHeartbeatMutationVariables>;