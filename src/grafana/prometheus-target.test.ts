import { describe, expect, it } from 'vitest';
import { prometheusTarget, refId } from './prometheus-target.js';

describe('refId', () => {
  const cases = [
    { input: 0, expected: 'A' },
    { input: 25, expected: 'Z' },
    { input: 26, expected: 'AA' },
    { input: 27, expected: 'AB' },
    { input: 52, expected: 'BA' },
  ];
  for (const { input, expected } of cases) it(`names query ${input} ${expected}, as Grafana would`, () => expect(refId(input)).toBe(expected));
});

describe('prometheusTarget', () => {
  it('queries through the datasource variable with the refId it is given', () => {
    expect(prometheusTarget({ refId: 'C', expr: 'up', instant: true, format: 'table' }).build()).toMatchObject({
      refId: 'C',
      expr: 'up',
      instant: true,
      range: false,
      format: 'table',
      datasource: { type: 'prometheus', uid: '${datasource}' },
    });
  });

  it('builds a fresh object each time, so panels never share a query', () => {
    const a = prometheusTarget({ refId: 'A', expr: 'up' }).build();
    const b = prometheusTarget({ refId: 'A', expr: 'up' }).build();
    expect(a).not.toBe(b);
    expect(a.datasource).not.toBe(b.datasource);
  });
});
