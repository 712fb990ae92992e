/**
 * What a backend generates from for one job. The API sends a continued answer (continueGeneration) as a trailing
 * assistant turn holding the answer so far, and a job taken over from a failed worker with `continueFrom` (the text
 * that worker streamed). A backend continues exactly one prefix, so both become one: the trailing assistant turn is
 * taken out of the conversation and put in front of `continueFrom`.
 *
 * What the worker reports back stays `continueFrom + new text` (the part of this generation the API has not
 * stored yet); the stored answer so far is the API's to prepend.
 */
export interface PromptTurn {
  role: string;
  content: string;
}

export function backendPrompt<T extends PromptTurn>(messages: readonly T[], continueFrom: string | null | undefined): { messages: T[]; prefix: string } {
  const last = messages[messages.length - 1];
  if (last && last.role === "assistant") return { messages: messages.slice(0, -1), prefix: last.content + (continueFrom ?? "") };
  return { messages: [...messages], prefix: continueFrom ?? "" };
}

/** A job's sampling as the protocol sends it: `null` means "not set". */
export interface JobSampling {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK?: number | null;
  repetitionPenalty?: number | null;
  seed: number;
}

/** What a backend is asked to generate for one job (the shape of gpu-workers' GenerationRequest). */
export interface BackendRequest<T extends PromptTurn> {
  messages: T[];
  /** The one prefix the backend continues (backendPrompt); absent when there is none. */
  continueFrom?: string;
  sampling: { maxNewTokens: number; temperature: number; topP: number; topK?: number; repetitionPenalty?: number; seed: number };
  signal: AbortSignal;
}

/**
 * The job-to-request mapping, once for every worker (gpu-workers and local mode's in-process worker): the prompt as
 * backendPrompt makes it, and the job's sampling with the protocol's nulls left out, so a backend's defaults apply.
 */
export function backendRequest<T extends PromptTurn>(
  job: { messages: readonly T[]; continueFrom: string | null | undefined; sampling: JobSampling },
  signal: AbortSignal,
): BackendRequest<T> {
  const prompt = backendPrompt(job.messages, job.continueFrom);
  const { maxNewTokens, temperature, topP, topK, repetitionPenalty, seed } = job.sampling;
  return {
    messages: prompt.messages,
    continueFrom: prompt.prefix || undefined,
    sampling: { maxNewTokens, temperature, topP, topK: topK ?? undefined, repetitionPenalty: repetitionPenalty ?? undefined, seed },
    signal,
  };
}
