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
