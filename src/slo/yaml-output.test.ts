import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from './yaml-output.js';

const nasty = [
  '', ' ', 'plain', 'yes', 'No', 'on', 'null', '~', '1', '0.5', '1e3', '-1', '.inf', '0x1f', '99.9',
  'a: b', 'a #b', 'ends:', '#comment', '- item', '[x]', '{x}', '"q"', "'q'", '&anchor', '*alias', '!tag', '|', '>',
  '%x', '@x', '`x`', 'trailing ', ' leading', 'tab\there', 'line\nbreak', 'two\n\nblank', 'trailing\n', ' lead\nline',
  'space \nline', 'sum(rate(x{code=~"5.."}[5m])) / on() group_left vector(0)', 'http://x:3000/d/u?var-slo=a&b=c',
  '{{ with query `a` }}{{ . | first | value }}{{ end }}', 'unicode ×≥ é', '\u2028', 'a\r\nb', 'x: |', 'emoji 🚨',
];

describe('toYaml', () => {
  it.each(nasty.map((s) => ({ input: s })))('reads $input back exactly', ({ input }) => {
    const doc = { key: input, list: [input, { inner: input }], [input === '' ? 'empty' : input]: 1 };
    expect(parse(toYaml(doc))).toEqual(doc);
  });

  it('writes nested maps, lists, numbers, booleans and empty collections', () => {
    const doc = { groups: [{ name: 'g', interval: '1m', rules: [{ record: 'a:b', expr: 'x\n  and y', labels: { a: '1' } }] }], n: 0.25, t: true, e: [], o: {} };
    expect(parse(toYaml(doc))).toEqual(doc);
    expect(toYaml(doc)).toContain('    rules:\n      - record: a:b\n        expr: |-\n          x\n            and y\n');
  });
});
