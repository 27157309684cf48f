/** How the outbox retries a notification. Durations in milliseconds. */
export interface RetryPolicy {
  /** Delay before the first retry, doubled after each failure. */
  baseMs: number;
  /** Ceiling on one backoff delay. */
  maxMs: number;
  /** Attempts (first one included) before a retryable failure is recorded as failed. */
  maxAttempts: number;
}

/**
 * Delay before the next attempt after `failures` failed attempts (1 after the first failure).
 * A target's Retry-After wins; otherwise exponential backoff with "equal jitter" (half fixed, half
 * random) so a recovering target is not hit by every router at the same instant. Pure given `random`.
 */
export function retryDelay(failures: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, 60 * 60_000);
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
