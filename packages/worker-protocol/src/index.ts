/**
 * @chorus/worker-protocol: what the Chorus API and its workers (the gpu-workers package and local mode's in-process
 * worker) must agree on, defined once and imported by both.
 */
export { WORKER_PROTOCOL_VERSION } from "./protocol-version.js";
export { TokenBatcher } from "./token-batcher.js";
export { backendPrompt, backendRequest, type BackendRequest, type JobSampling, type PromptTurn } from "./prompt.js";
export * from "./generated/graphql.js";
