import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from './main.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** `generate --check` against the committed outputs: writes nothing, exits 1 when a flag changes them. */
const check = (...flags: string[]) =>
  cli(
    'generate',
    '--check',
    '--slos', join(ROOT, 'slos'),
    '--rules-out', join(ROOT, 'rules'),
    '--dashboards-out', join(ROOT, 'dashboards'),
    '--router-out', join(ROOT, 'alert-router'),
    ...flags,
  );

describe('slokit generate duration flags', () => {
  it.each([
    { input: ['--interval', '30s1m'], expectedError: `argument '30s1m' is invalid. "30s1m" is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first and each at most once, e.g. "30s", "5m", "1h30m"` },
    { input: ['--am-group-wait', '10s10s'], expectedError: '"10s10s" is not a Prometheus duration: use whole numbers with units' },
    { input: ['--am-group-interval', '1m5m'], expectedError: '"1m5m" is not a Prometheus duration' },
    { input: ['--am-repeat-interval', '0s'], expectedError: `--am-repeat-interval <duration>' argument '0s' is invalid. "0s" must be longer than zero` },
    { input: ['--am-group-interval', '0'], expectedError: '"0" must be longer than zero' },
    { input: ['--interval', '0s'], expectedError: '"0s" must be longer than zero' },
    { input: ['--lock-wait', '10'], expectedError: `--lock-wait <duration>' argument '10' is invalid. "10" is not a Prometheus duration` },
    { input: ['--interval', '1h'], expectedError: '"1h" is longer than 5m: every longer window is built from 5m recordings, which evaluated every 1h would leave most of the time unseen' },
    { input: ['--interval', '5m1s'], expectedError: '"5m1s" is longer than 5m' },
    { input: ['--am-group-wait', '300y'], expectedError: '"300y" is not a Prometheus duration' },
    { input: ['--am-group-wait', '1y'], expectedError: `--am-group-wait <duration>' argument '1y' is invalid. "1y" is longer than 5m (allowed: 0s to 5m): a new page waits this long` },
    { input: ['--am-group-wait', '5m1s'], expectedError: '"5m1s" is longer than 5m (allowed: 0s to 5m)' },
    { input: ['--am-group-interval', '2h'], expectedError: `--am-group-interval <duration>' argument '2h' is invalid. "2h" is longer than 1h (allowed: 1s to 1h): a resolve` },
    { input: ['--am-group-interval', '1ms'], expectedError: '"1ms" is shorter than 1s (allowed: 1s to 1h): Alertmanager would flush' },
    { input: ['--am-repeat-interval', '30d'], expectedError: `--am-repeat-interval <duration>' argument '30d' is invalid. "30d" is longer than 5d (allowed: the group interval to 5d): Alertmanager forgets` },
    {
      input: ['--am-group-interval', '1h', '--am-repeat-interval', '30m'],
      expectedError: '--am-repeat-interval 30m is shorter than --am-group-interval 1h: Alertmanager repeats only at group_interval ticks; use a repeat interval from 1h to 5d',
    },
    { input: ['--am-repeat-interval', '1m'], expectedError: '--am-repeat-interval 1m is shorter than --am-group-interval 5m' },
    { input: ['--router-url', 'ftp://127.0.0.1:9097/api/v1/alertmanager'], expectedError: 'is not an http:// or https:// URL' },
    { input: ['--grafana-url', 'http://g.example.com/{{x}}'], expectedError: 'contains "{{" or "}}", which Prometheus would read as a template' },
    { input: ['--grafana-url', 'http://g.example.com/?orgId=1'], expectedError: 'has a query or fragment' },
    { input: ['--grafana-url', 'javascript:alert(1)'], expectedError: 'is not an http:// or https:// URL' },
    { input: ['--project', 'shop "main"'], expectedError: `argument 'shop "main"' is invalid. "shop "main"" contains a quote, a backslash or a control character` },
    { input: ['--project', ' shop'], expectedError: '" shop" is empty or starts or ends with a space' },
  ])('exits 2 and names the value for $input', async ({ input, expectedError }) => {
    const result = await check(...input);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain(expectedError);
  });

  it.each([
    { input: ['--am-group-wait', '0s'] },
    { input: ['--am-repeat-interval', '1h30m'] },
    { input: ['--am-group-interval', '1h', '--am-repeat-interval', '1h'] },
    { input: ['--am-group-wait', '5m', '--am-group-interval', '1s', '--am-repeat-interval', '5d'] },
    { input: ['--router-url', 'https://router.example.com/api/v1/alertmanager'] },
    { input: ['--interval', '1m30s'] },
    { input: ['--interval', '5m'] },
  ])('takes $input into the generated config', async ({ input }) => {
    const result = await check(...input);
    expect(result.err).toMatch(/generated files are stale/);
    expect(result.code).toBe(EXIT.invalid);
  });
});
