import { describe, expect, it } from 'vitest';
import { matches, parseMatcher } from './matcher.js';

describe('matchers', () => {
  const labels = { severity: 'page', team: 'payments-team' };
  const cases = [
    { input: 'severity="page"', expected: true },
    { input: 'severity=page', expected: true },
    { input: 'severity!="page"', expected: false },
    { input: 'team=~"payments-.*"', expected: true },
    { input: 'team=~"payments"', expected: false },
    { input: 'team!~"search-.*"', expected: true },
    { input: 'env=""', expected: true },
  ];
  it.each(cases)('$input matches as Alertmanager would: $expected', ({ input, expected }) => {
    expect(matches(parseMatcher(input), labels)).toBe(expected);
  });

  it('rejects text that is not a matcher, saying what is valid', () => {
    expect(() => parseMatcher('severity page')).toThrow(/=, !=, =~ or !~/);
    expect(() => parseMatcher('team=~"("')).toThrow(/invalid regular expression/);
  });
});
