import { describe, expect, it } from 'vitest';
import { minRetrySpanMs, retryDelay } from './retry-policy.js';

const policy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 10 };

describe('retryDelay', () => {
  it('doubles per failure within a jitter band of half the delay, up to the ceiling', () => {
    expect([1, 2, 3, 10].map((f) => retryDelay(f, policy, () => 0))).toEqual([500, 1000, 2000, 30_000]);
    expect([1, 2, 3, 10].map((f) => retryDelay(f, policy, () => 1))).toEqual([1000, 2000, 4000, 60_000]);
  });

  it('waits exactly as long as a Retry-After asks', () => {
    expect(retryDelay(1, policy, () => 0.5, 7000)).toBe(7000);
  });
});

describe('minRetrySpanMs', () => {
  it('is the sum of the low ends of the delays before the last attempt: 41m45.5s with the defaults', () => {
    expect(minRetrySpanMs({ baseMs: 1000, maxMs: 300_000, maxAttempts: 25 })).toBe(2_505_500);
    let low = 0;
    for (let f = 1; f < 25; f++) low += retryDelay(f, { baseMs: 1000, maxMs: 300_000, maxAttempts: 25 }, () => 0);
    expect(low).toBe(2_505_500);
  });

  it('is zero when there is only one attempt', () => {
    expect(minRetrySpanMs({ ...policy, maxAttempts: 1 })).toBe(0);
  });
});
