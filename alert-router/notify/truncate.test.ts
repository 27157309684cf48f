import { describe, expect, it } from 'vitest';
import { truncate } from './truncate.js';

describe('truncate', () => {
  it.each([
    { input: 'short', max: 10, expected: 'short' },
    { input: 'exactly10!', max: 10, expected: 'exactly10!' },
    { input: 'eleven chars', max: 10, expected: 'eleven ch…' },
    { input: 'abcdefgh🔥z', max: 10, expected: 'abcdefgh…' },
  ])('cuts "$input" to at most $max units as "$expected"', ({ input, max, expected }) => {
    expect(truncate(input, max)).toBe(expected);
    expect(truncate(input, max).length).toBeLessThanOrEqual(max);
  });
});
