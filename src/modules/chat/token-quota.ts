/**
 * The per-user token quota: the tokens of a user's answers that ended within the last window (a sliding window)
 * may total at most `limit`. It is counted from the stored answers, so it holds across replicas and restarts
 * without a counter of its own.
 */
export interface TokenUsage {
  /** When the answer ended. */
  at: Date;
  tokens: number;
}

export type QuotaDecision =
  | { allowed: true; used: number; remaining: number }
  | { allowed: false; used: number /** When enough of the window's usage has aged out to be under the limit. */; resetsAt: Date };

/**
 * Whether another generation may start now. At the limit or over it, it answers when the oldest answers of the
 * window will have aged out far enough for the usage to drop below the limit.
 */
export function quotaDecision(limit: number, windowSeconds: number, now: Date, usage: readonly TokenUsage[]): QuotaDecision {
  const windowMs = windowSeconds * 1000;
  const inWindow = usage.filter((u) => u.at.getTime() > now.getTime() - windowMs && u.tokens > 0).sort((a, b) => a.at.getTime() - b.at.getTime());
  const used = inWindow.reduce((sum, u) => sum + u.tokens, 0);
  if (used < limit) return { allowed: true, used, remaining: limit - used };
  let left = used;
  for (const u of inWindow) {
    left -= u.tokens;
    if (left < limit) return { allowed: false, used, resetsAt: new Date(u.at.getTime() + windowMs) };
  }
  // Unreachable: after every entry aged out, left is 0 < limit (limit > 0 whenever the quota is on).
  return { allowed: false, used, resetsAt: new Date(now.getTime() + windowMs) };
}
