import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    { input: '5m', expected: 5 * MINUTE },
    { input: '1h30m', expected: HOUR + 30 * MINUTE },
    { input: '30d', expected: 30 * DAY },
    { input: '1y1w1d1h1m1s1ms', expected: 365 * DAY + 7 * DAY + DAY + HOUR + MINUTE + 1000 + 1 },
    { input: '1m30ms', expected: MINUTE + 30 },
    { input: '250ms', expected: 250 },
    { input: '01m', expected: MINUTE },
    { input: '1h0m', expected: HOUR },
    { input: '106751d23h47m16s854ms', expected: 106751 * DAY + 23 * HOUR + 47 * MINUTE + 16_854 },
  ])('reads $input as Prometheus does', ({ input, expected }) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([
    { input: '15m1h', why: 'units out of order' },
    { input: '30s1m', why: 'units out of order' },
    { input: '5m30d', why: 'units out of order' },
    { input: '1ms1s', why: 'units out of order' },
    { input: '10s10s', why: 'a unit repeated' },
    { input: '30d30d', why: 'a unit repeated' },
    { input: '1m1m', why: 'a unit repeated' },
    { input: '0s', why: 'zero' },
    { input: '0', why: 'zero' },
    { input: '', why: 'empty' },
    { input: '5', why: 'no unit' },
    { input: '1.5h', why: 'a fraction' },
    { input: '-5m', why: 'a sign' },
    { input: ' 5m', why: 'spaces' },
    { input: '5M', why: 'an unknown unit' },
    { input: '5mss', why: 'an unknown unit' },
    { input: '293y', why: 'longer than int64 nanoseconds' },
    { input: '106751d23h47m16s855ms', why: 'longer than int64 nanoseconds' },
    { input: '99999999999999999999s', why: 'longer than int64 nanoseconds' },
  ])('rejects $input ($why)', ({ input }) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it.each([
    { input: '0', expected: 0 },
    { input: '0s', expected: 0 },
    { input: '0h0m', expected: 0 },
    { input: '30s', expected: 30_000 },
  ])('reads $input as $expected ms when zero is allowed', ({ input, expected }) => {
    expect(parseDuration(input, { allowZero: true })).toBe(expected);
  });

  it('still rejects an out-of-order duration when zero is allowed', () => {
    expect(parseDuration('0s0m', { allowZero: true })).toBeUndefined();
  });

  it('reads back every duration it formats', () => {
    for (const ms of [1, 999, MINUTE, 90 * MINUTE, 36 * HOUR, 30 * DAY, 90 * DAY + 1]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
