/** How the outbox retries a notification. Durations in milliseconds. */
export interface RetryPolicy {
  /** Delay before the first retry, doubled after each failure. */
  baseMs: number;
  /** Ceiling on one backoff delay. */
  maxMs: number;
  /**
   * Attempts (first one included) before a retryable failure is recorded as failed, once the
   * notification has also been retried for {@link minRetrySpanMs}.
   */
  maxAttempts: number;
}

/**
 * The shortest time the backoff schedule takes to use up `maxAttempts` (every delay at the low end of
 * its jitter): 41.8 minutes with the defaults (1 s doubling to 5 m, 25 attempts). A retryable failure
 * gives up only after both the attempts and this span since the notification was queued, so a target
 * that answers 429 with a short Retry-After (Slack's 1 s in a storm) cannot use the attempts up in
 * seconds and lose the notification: it is tried as long as a failing target would be.
 */
export function minRetrySpanMs(policy: RetryPolicy): number {
  let span = 0;
  for (let failures = 1; failures < policy.maxAttempts; failures++) span += Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1)) / 2;
  return Math.round(span);
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
