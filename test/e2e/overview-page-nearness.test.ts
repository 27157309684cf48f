import { describe, expect, it } from 'vitest';
import { overviewTableQueries } from '../../src/grafana/overview-queries.js';
import { record, resolveServices, type Service } from '../../src/slo/index.js';
import { promtoolTestRules } from '../support/promtool.js';

const ratio = { kind: 'ratio' as const, errors: 'sum(rate(req_total{code=~"5.."}[{{.window}}]))', total: 'sum(rate(req_total[{{.window}}]))' };

/** Two 99.9% SLOs with the default tiers of their windows: 30d pages at 14.4× (1h/5m) and 6× (6h/30m), 28d at 13.44× and 5.6×. */
function services(): Service[] {
  return resolveServices([
    {
      file: 'slos/api.ts',
      value: {
        name: 'api',
        description: 'API',
        owner: { team: 'core' },
        slos: [
          { name: 'spike', objective: 99.9, sli: ratio },
          { name: 'burning', objective: 99.9, window: '28d', sli: ratio },
        ],
      },
    },
  ]);
}

/** Each window's error ratio, held constant: `slo:sli_error:ratio_rate<w>{slo_id=...}`. */
function ratios(id: string, byWindow: Record<string, number>) {
  return Object.entries(byWindow).map(([w, v]) => ({
    series: `${record.errorRatio(w)}{slo_id="${id}", slo_service="api", slo_window="${w}"}`,
    values: `${v}x30`,
  }));
}

describe("the overview's burn ÷ page threshold under promtool", () => {
  it('stays under 1 for a 5m spike the long windows do not confirm, and reaches 1 when a tier would page', async () => {
    const h = overviewTableQueries(services(), 'slo').H!;
    const result = await promtoolTestRules({ 'none.yml': 'groups: []\n' }, [
      {
        name: 'page nearness',
        interval: '1m',
        input_series: [
          // 5m at 50× the budget, but 1h at 2× and 6h at 1×: no page tier holds.
          ...ratios('api-spike', { '5m': 0.05, '1h': 0.002, '30m': 0.01, '6h': 0.001 }),
          // 1h at 20× and 5m at 30×: the 13.44× tier holds (the lower window, 1h, over its threshold).
          ...ratios('api-burning', { '5m': 0.03, '1h': 0.02, '30m': 0.002, '6h': 0.001 }),
        ],
        promql_expr_test: [
          {
            expr: h,
            eval_time: '10m',
            exp_samples: [
              // max(min(1h, 5m) / 0.0144, min(6h, 30m) / 0.006) = max(0.139, 0.167)
              { labels: '{slo_id="api-spike"}', value: 0.001 / 0.006 },
              // max(0.02 / 0.01344, 0.001 / 0.0056)
              { labels: '{slo_id="api-burning"}', value: 0.02 / 0.01344 },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it('is absent for a tier while one of its windows has no data, as the page alert is', async () => {
    const h = overviewTableQueries(services(), 'slo').H!;
    const result = await promtoolTestRules({ 'none.yml': 'groups: []\n' }, [
      {
        name: 'missing window',
        interval: '1m',
        input_series: [
          // No 1h series: only the 6h/30m tier can be computed.
          ...ratios('api-spike', { '5m': 0.05, '30m': 0.012, '6h': 0.009 }),
        ],
        promql_expr_test: [{ expr: h, eval_time: '10m', exp_samples: [{ labels: '{slo_id="api-spike"}', value: 0.009 / 0.006 }] }],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});
