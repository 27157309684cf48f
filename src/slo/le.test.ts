import { describe, expect, it } from 'vitest';
import { formatLe, leMatcher, leSpellings } from './le.js';

describe('formatLe', () => {
  it.each([
    { input: 0.25, expected: '0.25' },
    { input: 1, expected: '1' },
    { input: 2.5, expected: '2.5' },
    { input: 0.005, expected: '0.005' },
    { input: 0.0001, expected: '0.0001' },
    { input: 0.00001, expected: '1e-05' },
    { input: 100000, expected: '100000' },
    { input: 1000000, expected: '1e+06' },
    { input: 1234567, expected: '1.234567e+06' },
    { input: Infinity, expected: '+Inf' },
  ])('writes $input as le="$expected" like Go clients do', ({ input, expected }) => {
    expect(formatLe(input)).toBe(expected);
  });
});

describe('leSpellings and leMatcher', () => {
  it.each([
    { input: 1, spellings: ['1', '1.0'], matcher: 'le=~"1(\\\\.0)?"' },
    { input: 10, spellings: ['10', '10.0'], matcher: 'le=~"10(\\\\.0)?"' },
    { input: 100000, spellings: ['100000', '100000.0'], matcher: 'le=~"100000(\\\\.0)?"' },
    { input: 0.3, spellings: ['0.3'], matcher: 'le="0.3"' },
    { input: 2.5, spellings: ['2.5'], matcher: 'le="2.5"' },
    { input: 1000000, spellings: ['1e+06'], matcher: 'le="1e+06"' },
    { input: 0.00001, spellings: ['1e-05'], matcher: 'le="1e-05"' },
  ])('selects $input as both Go text format and Prometheus 3 write it', ({ input, spellings, matcher }) => {
    expect(leSpellings(input)).toEqual(spellings);
    expect(leMatcher(input)).toBe(matcher);
  });

  it('writes a regex that, read as a PromQL string, matches exactly the spellings', () => {
    const m = /^le=~"(.*)"$/.exec(leMatcher(1))!;
    // PromQL's double-quoted strings unescape `\\` to `\`; its regex matchers are anchored.
    const re = new RegExp(`^(?:${m[1]!.replace(/\\\\/g, '\\')})$`);
    expect(['1', '1.0'].every((s) => re.test(s))).toBe(true);
    expect(['10', '1.00', '1x0', '11', '0.1'].some((s) => re.test(s))).toBe(false);
  });
});
