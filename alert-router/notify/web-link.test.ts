import { describe, expect, it } from 'vitest';
import { webLink } from './web-link.js';

describe('webLink', () => {
  it.each([
    { input: 'https://runbooks.example.com/checkout/availability', expected: 'https://runbooks.example.com/checkout/availability' },
    { input: 'http://localhost:3000/d/slokit-svc-checkout/checkout?var-slo=availability', expected: 'http://localhost:3000/d/slokit-svc-checkout/checkout?var-slo=availability' },
    { input: ' https://wiki.example.com/run book ', expected: 'https://wiki.example.com/run%20book' },
    { input: '/d/slokit-svc-checkout/checkout', expected: undefined },
    { input: '', expected: undefined },
    { input: 'javascript:alert(1)', expected: undefined },
    { input: 'ftp://files.example.com/runbook.pdf', expected: undefined },
    { input: `https://example.com/${'x'.repeat(3000)}`, expected: undefined },
  ])('takes $input as $expected', ({ input, expected }) => {
    expect(webLink(input)).toBe(expected);
  });
});
