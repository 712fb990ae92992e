/**
 * Cutting a long chat to the model's context window (spec §9: long chats "went haywire" until truncation was
 * fixed). The API has no tokenizer, so lengths are estimated from characters with the model's charsPerToken; the
 * worker's own template and tokenizer may still trim a little more.
 */
export interface Turn {
  role: string;
  content: string;
}

export interface ContextLimits {
  /** Tokens the prompt may take. */
  maxInputTokens: number;
  /** Estimated tokens of one text. */
  countTokens: (text: string) => number;
}

/** Tokens of `text` when a token is about `charsPerToken` characters (rounded up; an empty text is 0). */
export function estimateTokens(text: string, charsPerToken: number): number {
  return Math.ceil([...text].length / charsPerToken);
}

/**
 * The conversation a worker gets: the system prompt (when there is one) always, then the newest turns that fit
 * in what is left of the window, dropping whole turns from the oldest. The last turn (the prompt being answered,
 * or the answer being continued) is always kept, even alone over the limit: without it there is nothing to
 * answer. Turns keep their order.
 */
export function fitToContext(systemPrompt: string | null, turns: readonly Turn[], limits: ContextLimits): Turn[] {
  const system: Turn[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  let budget = limits.maxInputTokens - (systemPrompt ? limits.countTokens(systemPrompt) : 0);
  const kept: Turn[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = limits.countTokens(turns[i].content);
    if (kept.length > 0 && cost > budget) break;
    kept.unshift(turns[i]);
    budget -= cost;
  }
  return [...system, ...kept];
}
