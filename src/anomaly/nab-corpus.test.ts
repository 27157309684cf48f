import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNabCorpus } from './nab-corpus.js';

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nab-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const csv = 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,2\n2014-01-01 00:10:00,3\n';

describe('loadNabCorpus', () => {
  it('reads labelled series, maps window timestamps to rows and skips unlabelled files', () => {
    const root = folder({
      'data/a/x.csv': csv,
      'data/a/unlabelled.csv': csv,
      'labels/combined_windows.json': JSON.stringify({
        'a/x.csv': [['2014-01-01 00:05:00.000000', '2014-01-01 00:10:00.000000']],
      }),
    });
    const c = loadNabCorpus(root);
    expect(c.series.map((s) => s.name)).toEqual(['a/x.csv']);
    expect(c.series[0]!.windows).toEqual([{ start: 1, end: 2 }]);
    expect(Array.from(c.series[0]!.values)).toEqual([1, 2, 3]);
    expect(c.series[0]!.timestamps[1]! - c.series[0]!.timestamps[0]!).toBe(300_000);
    expect(c.profiles.map((p) => p.name)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
  });

  it.each([
    { input: {}, missing: '', expectedError: /no such folder/ },
    { input: { 'x.txt': '' }, missing: null, expectedError: /data: missing/ },
    { input: { 'data/a/x.csv': csv }, missing: null, expectedError: /combined_windows\.json: file not found/ },
    {
      input: { 'data/a/x.csv': csv, 'labels/combined_windows.json': '{oops' },
      missing: null,
      expectedError: /combined_windows\.json: is not valid JSON/,
    },
    {
      input: { 'data/a/x.csv': 'timestamp,value\nyesterday,1\n', 'labels/combined_windows.json': '{"a/x.csv": []}' },
      missing: null,
      expectedError: /x\.csv: line 2: expected/,
    },
    {
      input: { 'data/a/x.csv': csv, 'labels/combined_windows.json': '{"a/x.csv": [["2015-01-01 00:00:00", "2015-01-02 00:00:00"]]}' },
      missing: null,
      expectedError: /a\/x\.csv\[0\]: window .* does not start and end on rows/,
    },
  ])('names the offending path: $expectedError', ({ input, missing, expectedError }) => {
    const root = missing === null ? folder(input) : join(tmpdir(), 'slokit-no-such-nab-folder');
    expect(() => loadNabCorpus(root)).toThrow(expectedError);
    expect(() => loadNabCorpus(root)).toThrow(root);
  });
});
