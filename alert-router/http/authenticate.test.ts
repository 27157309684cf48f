import { describe, expect, it } from 'vitest';
import { authorized } from './authenticate.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('webhook credentials', () => {
  const cases = [
    { name: 'the bearer token', input: 'Bearer s3cret', auth: { kind: 'bearer', token: 's3cret' }, expected: true },
    { name: 'a wrong bearer token', input: 'Bearer s3cre', auth: { kind: 'bearer', token: 's3cret' }, expected: false },
    { name: 'basic credentials when a bearer token is configured', input: basic('am', 's3cret'), auth: { kind: 'bearer', token: 's3cret' }, expected: false },
    { name: 'basic credentials', input: basic('am', 'p:ss'), auth: { kind: 'basic', username: 'am', password: 'p:ss' }, expected: true },
    { name: 'a wrong basic password', input: basic('am', 'nope'), auth: { kind: 'basic', username: 'am', password: 'p:ss' }, expected: false },
    { name: 'no header', input: undefined, auth: { kind: 'bearer', token: 's3cret' }, expected: false },
    { name: 'the bearer token under a lower-case scheme', input: 'bearer s3cret', auth: { kind: 'bearer', token: 's3cret' }, expected: true },
    { name: 'basic credentials under an upper-case scheme', input: basic('am', 'p:ss').replace('Basic', 'BASIC'), auth: { kind: 'basic', username: 'am', password: 'p:ss' }, expected: true },
    { name: 'a scheme with no credentials', input: 'Bearer', auth: { kind: 'bearer', token: 'Bearer' }, expected: false },
    { name: 'the token with no scheme', input: 's3cret', auth: { kind: 'bearer', token: 's3cret' }, expected: false },
    { name: 'another scheme carrying the token', input: 'Token s3cret', auth: { kind: 'bearer', token: 's3cret' }, expected: false },
  ] as const;
  it.each(cases)('accepts $name: $expected', ({ input, auth, expected }) => {
    expect(authorized(input, auth)).toBe(expected);
  });
});
