import { describe, expect, it } from 'vitest';
import { DAY_MS, PeriodError, periodName, previousPeriod, resolvePeriod } from './review-period.js';

const utc = (text: string) => Date.parse(`${text}T00:00:00Z`);

describe('periodName', () => {
  it.each([
    { input: ['2026-11-01', '2026-12-01'], expected: '2026-11' },
    { input: ['2026-02-01', '2026-03-01'], expected: '2026-02' },
    { input: ['2026-12-01', '2027-01-01'], expected: '2026-12' },
    { input: ['2026-10-02', '2026-11-01'], expected: '2026-10-02_2026-10-31' },
    { input: ['2026-10-01', '2026-10-31'], expected: '2026-10-01_2026-10-30' },
    { input: ['2026-10-01', '2026-12-01'], expected: '2026-10-01_2026-11-30' },
    { input: ['2026-11-17', '2026-11-18'], expected: '2026-11-17_2026-11-17' },
  ])('names [$input.0, $input.1) $expected', ({ input, expected }) => {
    expect(periodName({ startMs: utc(input[0]!), endMs: utc(input[1]!) })).toBe(expected);
  });
});

describe('resolvePeriod', () => {
  const nowMs = Date.parse('2026-12-01T09:30:00Z');

  it('defaults to the last full window ending yesterday, which is a calendar month on 1 December', () => {
    const p = resolvePeriod({ nowMs, defaultDays: 30 });
    expect(p).toEqual({ startMs: utc('2026-11-01'), endMs: utc('2026-12-01') });
    expect(periodName(p)).toBe('2026-11');
  });

  it('takes --to inclusive and counts the default window back from it', () => {
    expect(resolvePeriod({ to: '2026-10-31', nowMs, defaultDays: 28 })).toEqual({
      startMs: utc('2026-10-04'),
      endMs: utc('2026-11-01'),
    });
  });

  it.each([
    { input: { from: '2026-13-01' }, expectedError: '--from "2026-13-01" is not a date such as 2026-10-31 (YYYY-MM-DD, UTC)' },
    { input: { to: '2026-02-30' }, expectedError: '--to "2026-02-30" is not a date' },
    { input: { from: '2026-11-02', to: '2026-11-01' }, expectedError: '--from 2026-11-02 must be on or before --to 2026-11-01' },
    { input: { from: '2026-11-01', to: '2026-12-01' }, expectedError: '--to 2026-12-01 is not over yet: the last full day is 2026-11-30 (UTC)' },
    { input: { to: '2027-01-31' }, expectedError: '--to 2027-01-31 is not over yet' },
    {
      input: { from: '2026-12-01' },
      expectedError: '--from 2026-12-01 must be on or before 2026-11-30, the default --to (yesterday, the last full day in UTC)',
    },
  ])('rejects $input as a usage error', ({ input, expectedError }) => {
    expect(() => resolvePeriod({ ...input, nowMs, defaultDays: 30 })).toThrow(PeriodError);
    expect(() => resolvePeriod({ ...input, nowMs, defaultDays: 30 })).toThrow(expectedError);
  });

  it('puts the previous period of the same length right before', () => {
    const p = { startMs: utc('2026-11-02'), endMs: utc('2026-12-02') };
    expect(previousPeriod(p)).toEqual({ startMs: utc('2026-11-02') - 30 * DAY_MS, endMs: utc('2026-11-02') });
    expect(previousPeriod(p, 2)).toEqual({ startMs: utc('2026-11-02') - 60 * DAY_MS, endMs: utc('2026-11-02') - 30 * DAY_MS });
  });

  it.each([
    { input: ['2026-11-01', '2026-12-01', 1], expected: ['2026-10-01', '2026-11-01'] },
    { input: ['2026-11-01', '2026-12-01', 2], expected: ['2026-09-01', '2026-10-01'] },
    { input: ['2026-03-01', '2026-04-01', 1], expected: ['2026-02-01', '2026-03-01'] },
    { input: ['2027-01-01', '2027-02-01', 1], expected: ['2026-12-01', '2027-01-01'] },
  ])('compares the calendar month [$input.0, $input.1) with the calendar month $input.2 before, whatever its length', ({ input, expected }) => {
    const p = previousPeriod({ startMs: utc(String(input[0])), endMs: utc(String(input[1])) }, Number(input[2]));
    expect(p).toEqual({ startMs: utc(expected[0]!), endMs: utc(expected[1]!) });
    expect(periodName(p)).toBe(expected[0]!.slice(0, 7));
  });
});
