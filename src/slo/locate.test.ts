import { describe, expect, it } from 'vitest';
import { locateField } from './locate.js';

/** `line:column` of a path, or undefined. */
const at = (source: string, path: string) => {
  const p = locateField(source, path);
  return p === undefined ? undefined : `${p.line}:${p.column}`;
};

const service = [
  "import { defineService } from 'slokit';", // 1
  'export default defineService({', // 2
  "  name: 'checkout',", // 3
  "  description: 'Errors by route name: 5xx only',", // 4
  "  dependsOn: ['payments', 'ghost'],", // 5
  '  slos: [', // 6
  '    {', // 7
  "      name: 'availability', // name: in a comment", // 8
  '      objective: 99.9,', // 9
  "      sli: { kind: 'ratio', errors: (w) => `sum(rate(e[${w}]))`, total: (w) => `sum(rate(t[${w}]))` },", // 10
  '    },', // 11
  '    {', // 12
  "      'name': 'latency',", // 13
  '      objective: 100,', // 14
  "      labels: { 'tier-1': 'yes' },", // 15
  '    },', // 16
  '  ],', // 17
  '});', // 18
].join('\n');

describe('locateField', () => {
  it('finds keys and elements through the syntax tree, not through text that looks like them', () => {
    // Line 4's string and line 8's comment hold "name:"; the second SLO is still on line 12.
    expect(at(service, 'slos[1].objective')).toBe('14:7');
    expect(at(service, 'slos[0].objective')).toBe('9:7');
    expect(at(service, 'slos[1].name')).toBe('13:7');
    expect(at(service, 'slos[0].sli.errors')).toBe('10:29');
    expect(at(service, 'dependsOn[1]')).toBe('5:27');
    expect(at(service, 'slos[1].labels.tier-1')).toBe('15:17');
    expect(at(service, 'name')).toBe('3:3');
  });

  it('gives the deepest literal that holds a field it cannot reach, and nothing without a literal export', () => {
    // No `window` key: the SLO object that lacks it; no sixth SLO: the `slos` key.
    expect(at(service, 'slos[0].window')).toBe('7:5');
    expect(at(service, 'slos[5].objective')).toBe('6:3');
    expect(at('export default makeService();', 'name')).toBeUndefined();
    expect(at('const x = 1;', 'name')).toBeUndefined();
  });

  it('follows a const of the same file, satisfies, parentheses and shorthand properties', () => {
    const source = [
      "const availability = { name: 'availability', objective: 99.5 } satisfies SloInput;", // 1
      "const name = 'api';", // 2
      'const svc = ({', // 3
      '  name,', // 4
      '  slos: [availability],', // 5
      '});', // 6
      'export default svc;', // 7
    ].join('\n');
    expect(at(source, 'slos[0].objective')).toBe('1:46');
    expect(at(source, 'name')).toBe('4:3');
  });
});
