import { describe, expect, it } from 'vitest';
import { SpecError } from './spec-error.js';
import { resolveServices } from './resolve.js';
import type { ServiceInput, SloInput } from './types.js';

// Specs that used to resolve and then produce rules promtool rejects; each must now be a SpecError
// at the field that has to change.

const ratio = {
  kind: 'ratio' as const,
  errors: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
  total: 'sum(rate(http_requests_total[{{.window}}]))',
};

function aService(slo: Partial<SloInput>): ServiceInput {
  return { name: 'api', description: 'API', owner: { team: 'core' }, slos: [{ name: 'availability', objective: 99.9, sli: ratio, ...slo }] };
}

function problemsOf(value: ServiceInput): string[] {
  try {
    resolveServices([{ file: 'slos/api.ts', value }]);
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('resolveServices with what Prometheus rejects', () => {
  it.each([
    {
      name: 'a range on a sum',
      input: aService({ sli: { ...ratio, errors: (w: string) => `sum(rate(x{job="checkout"}))[${w}]` } }),
      expectedError:
        'slos[0].sli.errors: PromQL is invalid (ranges only allowed for vector selectors: put the range on the selector, as in ' +
        'sum(rate(x[5m])), or make a subquery with a step, as in max_over_time(sum(x)[5m:1m])) at offset 28 near ' +
        '"eckout"}))[5m]": sum(rate(x{job="checkout"}))[5m]',
    },
    {
      name: 'rate of an instant vector',
      input: aService({ sli: { ...ratio, total: 'sum(rate(http_requests_total)) + 0 * count_over_time(up[{{.window}}])' } }),
      expectedError: 'slos[0].sli.total: PromQL is invalid (rate() needs a range vector here, not an instant vector, such as x[5m]) at offset 9',
    },
    {
      name: 'a raw ratio that is a scalar',
      input: aService({ sli: { kind: 'raw', errorRatio: 'scalar(sum(rate(errors[{{.window}}])))' } }),
      expectedError: 'slos[0].sli.errorRatio: PromQL is invalid (it is a scalar; it must be an instant vector such as sum(rate(x[5m])))',
    },
    {
      name: 'a latency selector that closes its braces',
      input: aService({ sli: { kind: 'latency', metric: 'http_request_duration_seconds', selector: 'job="a"} or up{x="y"', threshold: 0.3 } }),
      expectedError:
        'slos[0].sli.selector: "job="a"} or up{x="y"" is not a list of label matchers such as job="api", route!="/healthz": ' +
        'it is invalid (a "}" closes the selector and more PromQL follows) at offset 7',
    },
    {
      name: 'a latency selector with a trailing comma',
      input: aService({ sli: { kind: 'latency', metric: 'http_request_duration_seconds', selector: 'job="a",', threshold: 0.3 } }),
      expectedError: 'slos[0].sli.selector: "job="a"," is not a list of label matchers such as job="api", route!="/healthz": it is invalid (it ends with a comma',
    },
    {
      name: 'a bool gauge selector joined to another by or',
      input: aService({ sli: { kind: 'boolGauge', selector: 'probe_success{job="a"} or up{x="y"}' } }),
      expectedError: 'slos[0].sli.selector: "probe_success{job="a"} or up{x="y"}" must be a series selector such as probe_success{job="blackbox"}',
    },
    {
      name: 'a bool gauge selector that matches every series',
      input: aService({ sli: { kind: 'boolGauge', selector: '{job=""}' } }),
      expectedError: 'it is invalid (a selector needs a metric name or a matcher that does not match "", e.g. {job="api"})',
    },
    {
      name: 'a no-data duration with units out of order',
      input: aService({ alerting: { noData: { for: '15m1h' } } }),
      expectedError: 'slos[0].alerting.noData.for: "15m1h" is not a Prometheus duration',
    },
    { name: 'a window with a repeated unit', input: aService({ window: '30d30d' }), expectedError: 'slos[0].window: "30d30d" is not a Prometheus duration' },
    { name: 'a window with units out of order', input: aService({ window: '5m30d' }), expectedError: 'slos[0].window: "5m30d" is not a Prometheus duration' },
    {
      name: 'a tier window with a repeated unit',
      input: aService({ alerting: { tiers: [{ severity: 'page', budgetPercent: 2, long: '1h1h', short: '5m' }] } }),
      expectedError: 'slos[0].alerting.tiers[0].long: "1h1h" is not a Prometheus duration',
    },
  ])('rejects $name', ({ input, expectedError }) => {
    expect(problemsOf(input).join('\n')).toContain(expectedError);
  });

  it.each([
    { name: 'a range on a selector inside sum', input: aService({}) },
    { name: 'a window of 1h30m-style mixed units in order', input: aService({ window: '29d12h' }) },
    { name: 'a latency selector of several matchers', input: aService({ sli: { kind: 'latency', metric: 'h', selector: '{job="a", route!="/x"}', threshold: 0.3 } }) },
    { name: 'an offset on a binary operand', input: aService({ sli: { ...ratio, total: 'sum(rate(x[{{.window}}])) + sum(rate(y[{{.window}}] offset 1m))' } }) },
  ])('accepts $name', ({ input }) => {
    expect(problemsOf(input)).toEqual([]);
  });
});
