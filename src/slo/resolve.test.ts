import { describe, expect, it } from 'vitest';
import { SpecError, type SpecProblem } from './spec-error.js';
import { resolveServices, type SourceEntry } from './resolve.js';
import type { ServiceInput, SloInput } from './types.js';

const ratio = {
  kind: 'ratio' as const,
  errors: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
  total: 'sum(rate(http_requests_total[{{.window}}]))',
};

function aService(overrides: Partial<ServiceInput> = {}, slo: Partial<SloInput> = {}): ServiceInput {
  return {
    name: 'api',
    description: 'API',
    owner: { team: 'core' },
    slos: [{ name: 'availability', objective: 99.9, sli: ratio, ...slo }],
    ...overrides,
  };
}

function problemsOf(entries: SourceEntry[]): SpecProblem[] {
  try {
    resolveServices(entries);
  } catch (err) {
    if (err instanceof SpecError) return err.problems;
    throw err;
  }
  return [];
}

const one = (value: unknown, file = 'slos/api.ts'): SourceEntry[] => [{ file, value }];
const summary = (problems: SpecProblem[]) => problems.map((p) => `${p.path}: ${p.message}`);

describe('resolveServices', () => {
  it('resolves a valid service with the workbook tiers and an exact error budget', () => {
    const [service] = resolveServices(one(aService()));
    const slo = service!.slos[0]!;
    expect(slo.id).toBe('api-availability');
    expect(slo.errorBudget).toBe(0.001);
    expect(slo.window).toBe('30d');
    expect(slo.tiers.map((t) => t.factor)).toEqual([14.4, 6, 3, 1]);
  });

  it.each([
    { name: 'objective of 100', input: aService({}, { objective: 100 }), expectedError: 'slos[0].objective: 100 must be a percentage between 0 and 100' },
    { name: 'objective of 0', input: aService({}, { objective: 0 }), expectedError: 'slos[0].objective: 0 must be a percentage' },
    { name: 'window over 90d', input: aService({}, { window: '120d' }), expectedError: 'slos[0].window: "120d" must be between 1d and 90d' },
    { name: 'window that is not a duration', input: aService({}, { window: 'month' }), expectedError: 'slos[0].window: "month" is not a Prometheus duration' },
    { name: 'PromQL that does not parse', input: aService({}, { sli: { ...ratio, total: 'sum(rate(x[{{.window}}])' } }), expectedError: 'slos[0].sli.total: PromQL does not parse' },
    { name: 'a query without the window', input: aService({}, { sli: { ...ratio, total: 'sum(rate(x[5m]))' } }), expectedError: 'slos[0].sli.total: does not use the window' },
    { name: 'errors the same query as total', input: aService({}, { sli: { ...ratio, errors: ratio.total } }), expectedError: 'slos[0].sli.errors: is the same query as total' },
    { name: 'both errors and good', input: aService({}, { sli: { ...ratio, good: ratio.total } }), expectedError: 'slos[0].sli: a ratio SLI needs exactly one of "errors" or "good"' },
    { name: 'an le threshold written differently from Prometheus', input: aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds', threshold: '0.250' } }), expectedError: 'slos[0].sli.threshold: "0.250" is not how Prometheus writes this bucket\'s le label: use "0.25"' },
    { name: 'a whole-number le threshold written neither way Prometheus writes it', input: aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds', threshold: '1.00' } }), expectedError: 'slos[0].sli.threshold: "1.00" is not how Prometheus writes this bucket\'s le label: use "1" or "1.0"' },
    { name: 'a histogram given by its bucket series', input: aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds_bucket', threshold: 0.25 } }), expectedError: 'slos[0].sli.metric: give the histogram\'s base name "http_request_duration_seconds"' },
    { name: 'a bool gauge that is not a selector', input: aService({}, { sli: { kind: 'boolGauge', selector: 'avg(up)' } }), expectedError: 'slos[0].sli.selector: "avg(up)" must be a series selector' },
    { name: 'a misspelt field', input: { ...aService(), owner: { team: 'core', slak: '#x' } }, expectedError: 'owner: Unrecognized key: "slak"' },
    { name: 'an unknown SLI kind', input: aService({}, { sli: { kind: 'ratios' } as never }), expectedError: 'slos[0].sli.kind: must be one of "ratio", "latency", "raw", "boolGauge"' },
    { name: 'an objective too loose for the default tiers', input: aService({}, { objective: 90 }), expectedError: 'slos[0].objective: the page tier 1h/5m (burn ×14.4) needs an error ratio of 144% and can never fire' },
    { name: 'a reserved label', input: aService({ labels: { slo_id: 'x' } }), expectedError: 'labels.slo_id: "slo_id" is set by slokit' },
    { name: 'a tier whose short window is not shorter', input: aService({}, { alerting: { tiers: [{ severity: 'page', budgetPercent: 2, long: '1h', short: '1h' }] } }), expectedError: 'slos[0].alerting.tiers[0].short: "1h" must be shorter than long "1h"' },
  ])('rejects $name', ({ input, expectedError }) => {
    expect(summary(problemsOf(one(input))).join('\n')).toContain(expectedError);
  });

  it('reports every problem at once, across files, sorted by file', () => {
    const problems = problemsOf([
      { file: 'slos/b.ts', value: aService({ name: 'b', dependsOn: ['nope'] }, { objective: 101 }) },
      { file: 'slos/a.ts', value: aService({ name: 'a' }, { window: '0d', sli: { ...ratio, errors: ratio.total } }) },
    ]);
    expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual([
      'slos/a.ts slos[0].sli.errors',
      'slos/a.ts slos[0].window',
      'slos/b.ts dependsOn[0]',
      'slos/b.ts slos[0].objective',
    ]);
    expect(problems.find((p) => p.path === 'dependsOn[0]')?.message).toBe('unknown service "nope" (known: a, b)');
  });

  it('reports duplicate SLO ids within a service and across services', () => {
    const dupInService = aService();
    dupInService.slos.push({ name: 'availability', objective: 99, sli: ratio });
    const problems = problemsOf([
      { file: 'slos/api.ts', value: dupInService },
      { file: 'slos/api-x.ts', value: aService({ name: 'api-x' }) },
      { file: 'slos/api2.ts', value: aService({ name: 'api' }, { name: 'x-availability' }) },
    ]);
    expect(summary(problems).join('\n')).toContain('slos[1].name: duplicate SLO id "api-availability"');
    expect(summary(problems).join('\n')).toContain('name: duplicate service "api"');
  });

  it('reports a dependency cycle once, naming every service on it', () => {
    const problems = problemsOf([
      { file: 'slos/a.ts', value: aService({ name: 'a', dependsOn: ['b'] }) },
      { file: 'slos/b.ts', value: aService({ name: 'b', dependsOn: ['c'] }) },
      { file: 'slos/c.ts', value: aService({ name: 'c', dependsOn: ['a'] }) },
    ]);
    expect(summary(problems)).toEqual(['dependsOn[0]: dependency cycle: a → b → c → a']);
  });

  it('locates a problem on its line in the TypeScript source', () => {
    const source = [
      "export default defineService({",
      "  name: 'api',",
      "  slos: [",
      "    { name: 'first', objective: 99.9 },",
      "    {",
      "      name: 'second',",
      "      objective: 140,",
      "    },",
      "  ],",
      "});",
    ].join('\n');
    const input = aService();
    input.slos = [
      { name: 'first', objective: 99.9, sli: ratio },
      { name: 'second', objective: 140, sli: ratio },
    ];
    const [problem] = problemsOf([{ file: 'slos/api.ts', source, value: input }]);
    expect(problem).toMatchObject({ file: 'slos/api.ts', line: 7, path: 'slos[1].objective' });
  });

  it('turns a window function that throws into a problem of its field', () => {
    const problems = problemsOf(one(aService({}, { sli: { ...ratio, total: () => { throw new Error('boom'); } } })));
    expect(summary(problems)).toContain('slos[0].sli.total: the window function threw: boom');
  });

  it('reports a window function that throws a non-Error once, with what it threw', () => {
    const problems = problemsOf(one(aService({}, { sli: { ...ratio, total: () => { throw 'no job label'; } } })));
    expect(summary(problems)).toEqual(['slos[0].sli.total: the window function threw: no job label']);
    const nothing = problemsOf(one(aService({}, { sli: { ...ratio, total: () => { throw null; } } })));
    expect(summary(nothing)).toEqual(['slos[0].sli.total: the window function threw: null']);
  });

  it('reports an invalid objective once, without the tiers it would break', () => {
    for (const objective of [0, -5]) {
      expect(summary(problemsOf(one(aService({}, { objective }))))).toEqual([
        `slos[0].objective: ${objective} must be a percentage between 0 and 100, exclusive (e.g. 99.9)`,
      ]);
    }
  });

  it('does not blame a dependency on a service whose own file is invalid or did not load', () => {
    const web = { ...aService({ name: 'web', dependsOn: ['api'] }) };
    const invalidApi = { ...aService({}, { objective: Number.NaN }) };
    expect(summary(problemsOf([...one(invalidApi), ...one(web, 'slos/web.ts')]))).toEqual(['slos[0].objective: Invalid input: expected number, received NaN']);
    // api.ts failed to load (its problem is the loader's): web's dependency waits for it.
    const unloaded = () => resolveServices(one(web, 'slos/web.ts'), { unloaded: ['slos/api.ts'] });
    expect(unloaded()).toHaveLength(1);
    expect(summary(problemsOf(one(web, 'slos/web.ts')))).toEqual(['dependsOn[0]: unknown service "api" (known: web)']);
  });

  it('takes a whole-second threshold spelled as the Go client or as Prometheus 3 writes it, and selects both spellings', () => {
    for (const threshold of [1, '1', '1.0']) {
      const [service] = resolveServices(one(aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds', selector: 'job="api"', threshold } })));
      const sli = service!.slos[0]!.sli;
      if (sli.kind !== 'events') throw new Error('a latency SLI counts events');
      const bucket = 'http_request_duration_seconds_bucket{job="api", le=~"1(\\\\.0)?"}';
      const total = `sum(rate(http_request_duration_seconds_count{job="api"}[5m]) and ignoring(le) rate(${bucket}[5m]))`;
      expect(sli.total('5m')).toBe(total);
      expect(sli.errors('5m')).toBe(`clamp_min(${total} - sum(rate(${bucket}[5m])), 0)`);
      expect(sli.thresholdBucket).toEqual({
        metric: 'http_request_duration_seconds',
        le: ['1', '1.0'],
        missing: `http_request_duration_seconds_count{job="api"} unless ignoring(le) ${bucket}`,
      });
    }
    const [fraction] = resolveServices(one(aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds', threshold: '0.25' } })));
    const sli = fraction!.slos[0]!.sli;
    if (sli.kind !== 'events') throw new Error('a latency SLI counts events');
    expect(sli.errors('5m')).toContain('http_request_duration_seconds_bucket{le="0.25"}[5m]');
    expect(sli.total('5m')).toBe('sum(rate(http_request_duration_seconds_count{}[5m]) and ignoring(le) rate(http_request_duration_seconds_bucket{le="0.25"}[5m]))');
    expect(sli.thresholdBucket?.missing).toBe('http_request_duration_seconds_count{} unless ignoring(le) http_request_duration_seconds_bucket{le="0.25"}');
  });

  it('asks for the text a person must give, and says what a threshold may be', () => {
    expect(summary(problemsOf(one(aService({ description: ' ', owner: { team: '  ' } }))))).toEqual([
      'description: must not be empty: say in a few words what the service does',
      'owner.team: must not be empty: name the team that owns the service',
    ]);
    const infinite = aService({}, { sli: { kind: 'latency', metric: 'http_request_duration_seconds', threshold: Number.POSITIVE_INFINITY } });
    expect(summary(problemsOf(one(infinite)))).toEqual([
      'slos[0].sli.threshold: must be a finite number of seconds, or the bucket\'s le label as text (e.g. 0.3 or "0.3")',
    ]);
  });

  it('rejects an alert template action that is never closed, which would fail the whole rule file', () => {
    const alerting = { page: { annotations: { summary: 'Checkout {{ $labels.code is failing', ok: '{{ $value }} at {{ $labels.job }}' } } };
    expect(summary(problemsOf(one(aService({}, { alerting }))))).toEqual([
      'slos[0].alerting.page.annotations.summary: "Checkout {{ $labels.code is failing" opens a template action "{{" at character 10 that no "}}" closes',
    ]);
  });

  it('renders a window function at every window its rules use, not only 5m and 1h', () => {
    const ranges: Record<string, string> = { '5m': '5m', '1h': '1h' };
    const partial = { ...ratio, total: (w: string) => `sum(rate(http_requests_total[${ranges[w]}]))` };
    expect(summary(problemsOf(one(aService({}, { sli: partial }))))).toEqual([
      'slos[0].sli.total: at window 30m: PromQL does not parse at offset 29 near "sts_total[undefined]": sum(rate(http_requests_total[undefined]))',
    ]);
    const throwing = { ...ratio, errors: (w: string) => { if (w === '6h') throw new Error('no 6h'); return `sum(rate(http_requests_total{code=~"5.."}[${w}]))`; } };
    expect(summary(problemsOf(one(aService({}, { sli: throwing }))))).toEqual(['slos[0].sli.errors: the window function threw at window 6h: no 6h']);
  });

  it('rejects a service name too long to name its files', () => {
    const name = 'a'.repeat(101);
    expect(summary(problemsOf(one(aService({ name }))))).toEqual([`name: "${'a'.repeat(20)}…" is 101 characters long: at most 100 (it names the service's files)`]);
    expect(summary(problemsOf(one(aService({ name: 'a'.repeat(100) }))))).toEqual([]);
  });

  it('rejects a team label, which every alert takes from owner.team', () => {
    expect(summary(problemsOf(one(aService({ labels: { team: 'other' } }, { alerting: { page: { labels: { team: 'x' } } } }))))).toEqual([
      'labels.team: "team" is set by slokit from owner.team on every alert; set owner.team instead',
      'slos[0].alerting.page.labels.team: "team" is set by slokit from owner.team on every alert; set owner.team instead',
    ]);
  });

  it('rejects an annotation name Prometheus would refuse, with the whole rule file', () => {
    const alerting = { ticket: { annotations: { 'runbook-url': 'https://wiki.example.com/x', '9lives': 'x', ok_name: 'y' } } };
    expect(summary(problemsOf(one(aService({}, { alerting }))))).toEqual([
      'slos[0].alerting.ticket.annotations.9lives: "9lives" is not a valid annotation name (letters, digits and _, not starting with a digit)',
      'slos[0].alerting.ticket.annotations.runbook-url: "runbook-url" is not a valid annotation name (letters, digits and _, not starting with a digit)',
    ]);
  });

  it('rejects "{{" or "}}" in text slokit copies into alert labels and annotations, which Prometheus reads as templates', () => {
    const service = aService({ owner: { team: 'sre {{' }, labels: { tier: '}} x' } }, { runbookUrl: 'https://wiki.example.com/x?q={{id}}', labels: { env: 'prod' } });
    const why = 'it is copied into alert labels and annotations, which Prometheus reads as templates';
    expect(summary(problemsOf(one(service)))).toEqual([
      `labels.tier: "}} x" contains "{{" or "}}": ${why}`,
      `owner.team: "sre {{" contains "{{" or "}}": ${why}`,
      `slos[0].runbookUrl: "https://wiki.example.com/x?q={{id}}" contains "{{" or "}}": ${why}`,
    ]);
    // A latency SLI's selector is in SLOLatencyBucketMissing's description.
    const latency = aService({}, { sli: { kind: 'latency', metric: 'h', selector: 'path=~"/a{{2}}"', threshold: 0.25 } });
    expect(summary(problemsOf(one(latency)))).toEqual([`slos[0].sli.selector: "path=~\"/a{{2}}\"" contains "{{" or "}}": ${why}`]);
  });
});
