import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry-policy.js';

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
