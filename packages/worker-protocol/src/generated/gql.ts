/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription WorkerJobs($input: WorkerHelloInput!) {\n  workerJobs(input: $input) {\n    jobId\n    messageId\n    model\n    attempt\n    tokenBatchMs\n    leaseMs\n    continueFrom\n    messages {\n      role\n      content\n    }\n    sampling {\n      maxNewTokens\n      temperature\n      topP\n      topK\n      repetitionPenalty\n      seed\n    }\n  }\n}\n\nmutation WorkerTokens($input: WorkerTokensInput!) {\n  workerTokens(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFinish($input: WorkerFinishInput!) {\n  workerFinish(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFail($input: WorkerFailInput!) {\n  workerFail(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {\n  workerHeartbeat(input: $input) {\n    held\n    lost\n    cancel\n    drain\n    leaseMs\n  }\n}": typeof types.WorkerJobsDocument,
};
const documents: Documents = {
    "subscription WorkerJobs($input: WorkerHelloInput!) {\n  workerJobs(input: $input) {\n    jobId\n    messageId\n    model\n    attempt\n    tokenBatchMs\n    leaseMs\n    continueFrom\n    messages {\n      role\n      content\n    }\n    sampling {\n      maxNewTokens\n      temperature\n      topP\n      topK\n      repetitionPenalty\n      seed\n    }\n  }\n}\n\nmutation WorkerTokens($input: WorkerTokensInput!) {\n  workerTokens(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFinish($input: WorkerFinishInput!) {\n  workerFinish(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFail($input: WorkerFailInput!) {\n  workerFail(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {\n  workerHeartbeat(input: $input) {\n    held\n    lost\n    cancel\n    drain\n    leaseMs\n  }\n}": types.WorkerJobsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription WorkerJobs($input: WorkerHelloInput!) {\n  workerJobs(input: $input) {\n    jobId\n    messageId\n    model\n    attempt\n    tokenBatchMs\n    leaseMs\n    continueFrom\n    messages {\n      role\n      content\n    }\n    sampling {\n      maxNewTokens\n      temperature\n      topP\n      topK\n      repetitionPenalty\n      seed\n    }\n  }\n}\n\nmutation WorkerTokens($input: WorkerTokensInput!) {\n  workerTokens(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFinish($input: WorkerFinishInput!) {\n  workerFinish(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerFail($input: WorkerFailInput!) {\n  workerFail(input: $input) {\n    ok\n    cancel\n  }\n}\n\nmutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {\n  workerHeartbeat(input: $input) {\n    held\n    lost\n    cancel\n    drain\n    leaseMs\n  }\n}"): typeof import('./graphql.js').WorkerJobsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
