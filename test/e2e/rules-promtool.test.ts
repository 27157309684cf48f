import { describe, expect, it } from 'vitest';
import { generateRuleGroups, renderRuleFile, type RuleOptions } from '../../src/prometheus/index.js';
import { defineService, detectionTimeMs, resolveServices, type ServiceInput, type Slo } from '../../src/slo/index.js';
import { promtoolTestRules, type PromtoolTestGroup } from '../support/promtool.js';
import { boolSeries, latencySeries, meanOfRatios, requestSeries, trueErrorRatio, type Phase } from '../support/series.js';

/**
 * Behaviour of the generated rules under real `promtool test rules`, on the SLO the issue names:
 * 99.9% over 30d, with the workbook's tiers (page 14.4× 1h/5m and 6× 6h/30m, ticket 3× 1d/2h and 1× 3d/6h).
 */
const service: ServiceInput = defineService({
  name: 'shop',
  description: 'test shop',
  owner: { team: 'shop-team' },
  slos: [
    {
      name: 'availability',
      objective: 99.9,
      sli: {
        kind: 'ratio',
        errors: (w) => `sum(rate(http_requests_total{job="shop", code=~"5.."}[${w}]))`,
        total: (w) => `sum(rate(http_requests_total{job="shop"}[${w}]))`,
      },
      runbookUrl: 'https://runbooks.example.com/shop',
    },
    {
      name: 'latency',
      objective: 99.9,
      sli: { kind: 'latency', metric: 'http_request_duration_seconds', selector: 'job="shop"', threshold: 0.3 },
    },
    {
      name: 'latency-1s',
      objective: 99.9,
      sli: { kind: 'latency', metric: 'http_request_duration_seconds', selector: 'job="shop"', threshold: 1 },
    },
    {
      name: 'probe',
      objective: 99.9,
      sli: { kind: 'boolGauge', selector: 'probe_success{job="blackbox"}' },
    },
  ],
});

const [resolved] = resolveServices([{ file: 'shop.ts', value: service }]);
const shop = resolved!;
const availability = shop.slos.find((s) => s.name === 'availability')!;
const BUDGET = availability.errorBudget;
const PER_MINUTE = 1000;

/** The rule file of the shop, or of only the SLOs named (each scenario loads only what it exercises). */
function rules(only?: readonly Slo[], options: Partial<RuleOptions> = {}): Record<string, string> {
  const full: RuleOptions = { labelStyle: 'slo', formulation: 'aggregated', grafanaUrl: 'http://grafana.test', ...options };
  const subset = only === undefined ? shop : { ...shop, slos: shop.slos.filter((s) => only.includes(s)) };
  return { 'shop.yml': renderRuleFile(subset, generateRuleGroups(subset, full), 'shop/slos') };
}

const healthy = (minutes: number): Phase => ({ minutes, perMinute: PER_MINUTE, errorRatio: 0 });
const burning = (minutes: number, burn: number): Phase => ({ minutes, perMinute: PER_MINUTE, errorRatio: burn * BUDGET });
const total = (phases: readonly Phase[]) => phases.reduce((n, p) => n + p.minutes, 0);
const m = (minutes: number) => `${Math.round(minutes)}m`;

function alertLabels(slo: Slo, severity: 'page' | 'ticket') {
  const name = severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket';
  return `ALERTS{alertname="${name}", alertstate="firing", severity="${severity}", slo_id="${slo.id}", slo_name="${slo.name}", slo_service="shop", team="shop-team"}`;
}

/** A check that the SLO's alert of `severity` is firing (value 1) or not (no sample) at `minute`. */
function firing(slo: Slo, severity: 'page' | 'ticket', minute: number, expected: boolean) {
  const name = severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket';
  return {
    expr: `ALERTS{alertname="${name}", alertstate="firing", slo_id="${slo.id}"}`,
    eval_time: m(minute),
    exp_samples: expected ? [{ labels: alertLabels(slo, severity), value: 1 }] : [],
  };
}

/** A check that `expr`, a series of the SLO's recordings at `window`, is `value` within float rounding at `minute`. */
function near(slo: Slo, expr: string, window: string, minute: number, value: number) {
  return {
    expr: `abs(${expr} / ${value} - 1) < bool 1e-9`,
    eval_time: m(minute),
    exp_samples: [{ labels: `{slo_id="${slo.id}", slo_name="${slo.name}", slo_service="shop", slo_window="${window}"}`, value: 1 }],
  };
}

/** A check that the SLO's SLOLatencyBucketMissing ticket is firing (value 1) or not (no sample) at `minute`. */
function bucketMissing(slo: Slo, minute: number, expected: boolean) {
  const name = 'SLOLatencyBucketMissing';
  return {
    expr: `ALERTS{alertname="${name}", alertstate="firing", slo_id="${slo.id}"}`,
    eval_time: m(minute),
    exp_samples: expected
      ? [{ labels: `ALERTS{alertname="${name}", alertstate="firing", severity="ticket", slo_id="${slo.id}", slo_name="${slo.name}", slo_service="shop", team="shop-team"}`, value: 1 }]
      : [],
  };
}

function group(name: string, phases: readonly Phase[], checks: PromtoolTestGroup['promql_expr_test']): PromtoolTestGroup {
  return {
    name,
    interval: '1m',
    input_series: requestSeries('http_requests_total', 'job="shop"', phases),
    promql_expr_test: checks ?? [],
  };
}

async function expectPass(tests: PromtoolTestGroup[], ruleFiles = rules([availability])) {
  const result = await promtoolTestRules(ruleFiles, tests);
  expect(result.output).toContain('SUCCESS');
  expect(result.code, result.output).toBe(0);
}

describe('generated rules under promtool test rules (99.9% over 30d)', () => {
  it('pages within three minutes when every request fails', async () => {
    const history = 6 * 60;
    const phases = [healthy(history), burning(30, 1 / BUDGET)];
    await expectPass([
      group('full outage', phases, [
        firing(availability, 'page', history, false),
        firing(availability, 'page', history + 3, true),
      ]),
    ]);
  });

  it('renders the alert description with the burn rate of every window and the tier that fired', async () => {
    // Every request failing from the start: every window's ratio is exactly 1, a burn of 1000×.
    const phases = [burning(40, 1 / BUDGET)];
    const rendered = renderedDescription(availability, 'page', () => '1000.0×', () => 'FIRING');
    const result = await promtoolTestRules(rules([availability]), [
      {
        name: 'annotations',
        interval: '1m',
        input_series: requestSeries('http_requests_total', 'job="shop"', phases),
        alert_rule_test: [
          {
            eval_time: '35m',
            alertname: 'SLOErrorBudgetBurnPage',
            exp_alerts: [
              {
                exp_labels: { severity: 'page', slo_id: availability.id, slo_name: 'availability', slo_service: 'shop', team: 'shop-team' },
                exp_annotations: {
                  summary: 'shop/availability is burning its error budget fast (page)',
                  description: rendered,
                  runbook_url: 'https://runbooks.example.com/shop',
                  dashboard_url: 'http://grafana.test/d/slokit-svc-shop/shop?var-slo=availability',
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
    expect(rendered).toContain('1h 1000.0×, 5m 1000.0×: FIRING');
  });
});

describe('multiwindow tiers under promtool test rules (99.9% over 30d)', () => {
  it.each(availability.tiers.map((tier, index) => ({ tier, index })))(
    'fires $tier.severity for a constant burn at 1.1× the $tier.long/$tier.short threshold within the workbook detection time',
    async ({ tier }) => {
      const burn = tier.factor * 1.1;
      const detection = detectionTimeMs(tier, burn) / 60_000;
      // Healthy traffic first, filling the longest window of this severity, so every window of the
      // tiers that share the severity starts clean, as the workbook assumes.
      const history = Math.max(...availability.tiers.filter((t) => t.severity === tier.severity).map((t) => t.longMs)) / 60_000;
      const latest = detection + tier.shortMs / 60_000 + 1;
      const phases = [healthy(history), burning(Math.ceil(latest) + 5, burn)];
      await expectPass([
        group(`tier ${tier.long}/${tier.short}`, phases, [
          firing(availability, tier.severity, history + Math.floor(detection / 2), false),
          firing(availability, tier.severity, history + Math.floor(latest), true),
        ]),
      ]);
    },
    // The 3d tier replays six days of one-minute evaluations.
    400_000,
  );

  it('fires nothing over three days at 0.9× the slowest ticket threshold', async () => {
    const slowest = availability.tiers.reduce((a, b) => (b.factor < a.factor ? b : a));
    const days = 3 * 24 * 60;
    const phases = [burning(days, slowest.factor * 0.9)];
    await expectPass([
      group('just under', phases, [
        { expr: `count_over_time(ALERTS{slo_id="${availability.id}", alertstate="firing"}[3d])`, eval_time: m(days), exp_samples: [] },
      ]),
    ]);
  });

  it('resolves the page within the short window plus one evaluation once errors stop', async () => {
    const [fast] = availability.tiers;
    const history = 6 * 60;
    const burn = fast!.factor * 1.1;
    const errorMinutes = 60; // past the 54.5-minute detection time
    const phases = [healthy(history), burning(errorMinutes, burn), healthy(60)];
    const stop = history + errorMinutes;
    await expectPass([
      group('burn then stop', phases, [
        firing(availability, 'page', stop, true),
        firing(availability, 'page', stop + 5 + 1, false),
      ]),
    ]);
  });

  it('resolves a page that also tripped the 6h tier within that tier\'s 30m short window plus one evaluation', async () => {
    const history = 6 * 60;
    const phases = [healthy(history), burning(10, 1 / BUDGET), healthy(90)];
    const stop = history + 10;
    await expectPass([
      group('outage then stop', phases, [
        firing(availability, 'page', stop, true),
        firing(availability, 'page', stop + 20, true),
        firing(availability, 'page', stop + 30 + 1, false),
      ]),
    ]);
  });

  it.each(['aggregated', 'raw'] as const)('gives no NaN in any series and fires nothing during an hour with no traffic (%s)', async (formulation) => {
    const history = 3 * 60;
    const phases: Phase[] = [healthy(history), { minutes: 61, perMinute: 0, errorRatio: 0 }];
    const records = [
      ...new Set(
        generateRuleGroups(shop, { labelStyle: 'slo', formulation, grafanaUrl: 'http://x' })
          .flatMap((g) => g.rules)
          .flatMap((r) => ('record' in r ? [r.record] : [])),
      ),
    ];
    const checks = [history + 10, history + 30, history + 60].flatMap((minute) => [
      // NaN is the only value not equal to itself.
      ...records.map((r) => ({ expr: `${r}{slo_id="${availability.id}"} != ${r}{slo_id="${availability.id}"}`, eval_time: m(minute), exp_samples: [] })),
      { expr: `slo:sli_error:ratio_rate5m{slo_id="${availability.id}"}`, eval_time: m(minute), exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{slo_id="${availability.id}", slo_name="availability", slo_service="shop", slo_window="5m"}`, value: 0 }] },
    ]);
    checks.push({ expr: `count_over_time(ALERTS{slo_id="${availability.id}", alertstate="firing"}[2h])`, eval_time: m(history + 60), exp_samples: [] });
    expect(records.length).toBeGreaterThan(10);
    await expectPass([group('no traffic', phases, checks)], rules([availability], { formulation }));
  });

  it('weights the period SLI by events: a 10× daily swing with errors only in quiet hours', async () => {
    // Quiet nights (100/min, 2% errors) and busy days (1000/min, no errors), for three days.
    const day: Phase[] = [
      { minutes: 8 * 60, perMinute: 100, errorRatio: 0.02 },
      { minutes: 16 * 60, perMinute: 1000, errorRatio: 0 },
    ];
    const phases = [...day, ...day, ...day];
    const truth = trueErrorRatio(phases);
    const naive = meanOfRatios(phases);
    const end = total(phases);
    const period = `slo:sli_error:ratio_rate30d{slo_id="${availability.id}"}`;
    // The period SLI is within 0.5% of the counters' errors ÷ total; a mean of 5m ratios is far off.
    await expectPass([
      group('daily swing', phases, [
        { expr: `abs(${period} / ${truth} - 1) < bool 0.005`, eval_time: m(end), exp_samples: [{ labels: '{slo_id="shop-availability", slo_name="availability", slo_service="shop", slo_window="30d"}', value: 1 }] },
        { expr: `abs(avg_over_time(slo:sli_error:ratio_rate5m{slo_id="${availability.id}"}[3d]) / ${truth} - 1) > bool 1`, eval_time: m(end), exp_samples: [{ labels: '{slo_id="shop-availability", slo_name="availability", slo_service="shop", slo_window="5m"}', value: 1 }] },
      ]),
    ]);
    console.log(
      `daily swing: true error ratio ${(truth * 100).toFixed(4)}%, mean of per-minute ratios ${(naive * 100).toFixed(4)}% ` +
        `(off by ${(naive / truth).toFixed(2)}×); the period SLI is within 0.5% of the truth`,
    );
    expect(naive / truth).toBeGreaterThan(2);
  });
});

describe('other SLI kinds under promtool test rules', () => {
  it('pages when a latency SLI collapses (every request slower than the threshold)', async () => {
    const latency = shop.slos.find((s) => s.name === 'latency')!;
    const history = 6 * 60;
    const phases = [healthy(history), { minutes: 20, perMinute: PER_MINUTE, errorRatio: 1 }];
    const bounds = ['0.1', '0.3', '1', '+Inf'];
    await expectPass(
      [
      {
        name: 'latency collapse',
        interval: '1m',
        input_series: latencySeries('http_request_duration_seconds', 'job="shop"', bounds, '0.3', phases),
        promql_expr_test: [firing(latency, 'page', history, false), firing(latency, 'page', history + 3, true)],
      },
      ],
      rules([latency]),
    );
  });

  it.each([
    { spelling: 'Prometheus 3 (and a protobuf scrape, and the Python and Java clients)', bounds: ['0.5', '1.0', '2.5', '+Inf'], bucket: '1.0' },
    { spelling: 'the Go client in the text format', bounds: ['0.5', '1', '2.5', '+Inf'], bucket: '1' },
  ])('pages on a whole-second latency threshold whose bucket is spelled as $spelling writes it', async ({ bounds, bucket }) => {
    const latency = shop.slos.find((s) => s.name === 'latency-1s')!;
    const history = 6 * 60;
    const phases = [healthy(history), { minutes: 20, perMinute: PER_MINUTE, errorRatio: 1 }];
    const ratio = (minute: number, value: number) => ({
      expr: `sum(slo:sli_error:ratio_rate5m{slo_id="${latency.id}"})`,
      eval_time: m(minute),
      exp_samples: [{ labels: '{}', value }],
    });
    await expectPass(
      [
        {
          name: `latency collapse, le="${bucket}"`,
          interval: '1m',
          input_series: latencySeries('http_request_duration_seconds', 'job="shop"', bounds, bucket, phases),
          // Every request fast, then every request slow: the SLI reads the bucket, not "no data".
          promql_expr_test: [ratio(history - 10, 0), ratio(history + 10, 1), firing(latency, 'page', history, false), firing(latency, 'page', history + 3, true)],
        },
      ],
      rules([latency]),
    );
  });

  it('reports no data, and never pages, when a latency threshold is not a bucket bound of the histogram', async () => {
    // The SLO's threshold is 0.3; this histogram has 0.25 and 0.5, and every request is fast.
    const latency = shop.slos.find((s) => s.name === 'latency')!;
    const phases = [healthy(60)];
    const noData = {
      expr: `ALERTS{alertname="SLOSLINoData", alertstate="firing", slo_id="${latency.id}"}`,
      eval_time: m(30),
      exp_samples: [
        {
          labels: `ALERTS{alertname="SLOSLINoData", alertstate="firing", severity="ticket", slo_id="${latency.id}", slo_name="latency", slo_service="shop", team="shop-team"}`,
          value: 1,
        },
      ],
    };
    await expectPass(
      [
        {
          name: 'latency threshold between buckets',
          interval: '1m',
          input_series: latencySeries('http_request_duration_seconds', 'job="shop"', ['0.25', '0.5', '+Inf'], '0.25', phases),
          promql_expr_test: [firing(latency, 'page', 20, false), firing(latency, 'page', 50, false), noData, bucketMissing(latency, 30, true)],
        },
      ],
      rules([latency]),
    );
  });

  it('counts only the series that have the threshold bucket, and tickets about the others, instead of paging', async () => {
    // Instance b's histogram has no 0.3 bucket (another bucket layout) and serves only fast requests:
    // read as "every request slower than 0.3s", it paged for a 50 % outage that is not one.
    const latency = shop.slos.find((s) => s.name === 'latency')!;
    const phases = [healthy(60)];
    const result = await promtoolTestRules(rules([latency]), [
      {
        name: 'one series without the threshold bucket',
        interval: '1m',
        input_series: [
          ...latencySeries('http_request_duration_seconds', 'job="shop", instance="a"', ['0.1', '0.3', '1', '+Inf'], '0.3', phases),
          ...latencySeries('http_request_duration_seconds', 'job="shop", instance="b"', ['0.1', '0.5', '+Inf'], '0.1', phases),
        ],
        promql_expr_test: [
          firing(latency, 'page', 10, false),
          firing(latency, 'page', 50, false),
          { expr: `slo:sli_error:ratio_rate5m{slo_id="${latency.id}"}`, eval_time: m(30), exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{slo_id="${latency.id}", slo_name="latency", slo_service="shop", slo_window="5m"}`, value: 0 }] },
          // Instance a's requests alone.
          near(latency, `slo:sli_total:rate5m{slo_id="${latency.id}"} * 60`, '5m', 30, PER_MINUTE),
          // Not while a rollout or a scrape may still bring the bucket: after alerting.noData.for (15m).
          bucketMissing(latency, 10, false),
          bucketMissing(latency, 20, true),
        ],
        alert_rule_test: [
          {
            eval_time: '20m',
            alertname: 'SLOLatencyBucketMissing',
            exp_alerts: [
              {
                exp_labels: { severity: 'ticket', slo_id: latency.id, slo_name: 'latency', slo_service: 'shop', team: 'shop-team' },
                exp_annotations: {
                  summary: `${latency.id}: 1 series of http_request_duration_seconds has no bucket at the 0.3s threshold (le="0.3"): the SLI leaves it out`,
                  description: alertDescription(latency, 'SLOLatencyBucketMissing'),
                  dashboard_url: 'http://grafana.test/d/slokit-svc-shop/shop?var-slo=latency',
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it('reads the same SLI as before, and tickets about no series, when every series has the threshold bucket', async () => {
    const latency = shop.slos.find((s) => s.name === 'latency')!;
    // Instance a all fast, instance b with 2 % of its requests slow: 1 % of all requests.
    const bounds = ['0.1', '0.3', '1', '+Inf'];
    await expectPass(
      [
        {
          name: 'every series with the threshold bucket',
          interval: '1m',
          input_series: [
            ...latencySeries('http_request_duration_seconds', 'job="shop", instance="a"', bounds, '0.3', [healthy(120)]),
            ...latencySeries('http_request_duration_seconds', 'job="shop", instance="b"', bounds, '0.3', [{ minutes: 120, perMinute: PER_MINUTE, errorRatio: 0.02 }]),
          ],
          promql_expr_test: [
            near(latency, `slo:sli_error:ratio_rate5m{slo_id="${latency.id}"}`, '5m', 60, 0.01),
            near(latency, `slo:sli_error:ratio_rate30m{slo_id="${latency.id}"}`, '30m', 60, 0.01),
            near(latency, `slo:sli_error:ratio_rate1h{slo_id="${latency.id}"}`, '1h', 110, 0.01),
            near(latency, `slo:sli_total:rate5m{slo_id="${latency.id}"} * 60`, '5m', 60, 2 * PER_MINUTE),
            { expr: `count_over_time(ALERTS{alertname="SLOLatencyBucketMissing", slo_id="${latency.id}"}[2h])`, eval_time: m(119), exp_samples: [] },
          ],
        },
      ],
      rules([latency]),
    );
  });

  it('counts a series once whichever spelling of a whole-second bucket it has, and across a change of spelling', async () => {
    // Instance a as the Go client writes it (le="1"), b as Prometheus 3 stores it (le="1.0"), and c
    // switching from one to the other after 30 minutes (an upgrade), so both are in the 5m window at 33m.
    const latency = shop.slos.find((s) => s.name === 'latency-1s')!;
    const metric = 'http_request_duration_seconds';
    const phases = [healthy(60)];
    await expectPass(
      [
        {
          name: 'whole-second bucket in both spellings',
          interval: '1m',
          input_series: [
            ...latencySeries(metric, 'job="shop", instance="a"', ['0.5', '1', '+Inf'], '1', phases),
            ...latencySeries(metric, 'job="shop", instance="b"', ['0.5', '1.0', '+Inf'], '1.0', phases),
            { series: `${metric}_count{job="shop", instance="c"}`, values: `0+${PER_MINUTE}x59` },
            { series: `${metric}_bucket{job="shop", instance="c", le="1"}`, values: `0+${PER_MINUTE}x30 stale` },
            { series: `${metric}_bucket{job="shop", instance="c", le="1.0"}`, values: `_x31 ${31 * PER_MINUTE}+${PER_MINUTE}x28` },
          ],
          promql_expr_test: [
            near(latency, `slo:sli_total:rate5m{slo_id="${latency.id}"} * 60`, '5m', 33, 3 * PER_MINUTE),
            near(latency, `slo:sli_total:rate5m{slo_id="${latency.id}"} * 60`, '5m', 50, 3 * PER_MINUTE),
            { expr: `count_over_time(ALERTS{alertstate="firing", slo_id="${latency.id}"}[1h])`, eval_time: m(59), exp_samples: [] },
          ],
        },
      ],
      rules([latency]),
    );
  });

  it('pages when a bool-gauge SLI collapses (every probe failing)', async () => {
    const probe = shop.slos.find((s) => s.name === 'probe')!;
    const history = 6 * 60;
    const phases = [healthy(history), { minutes: 20, perMinute: 1, errorRatio: 1 }];
    await expectPass(
      [
      {
        name: 'probe collapse',
        interval: '1m',
        input_series: boolSeries('probe_success{job="blackbox"}', phases),
        promql_expr_test: [firing(probe, 'page', history, false), firing(probe, 'page', history + 3, true)],
      },
      ],
      rules([probe]),
    );
  });
});

/** The description of the SLO's alert `name`, which has no template actions to render. */
function alertDescription(slo: Slo, name: string): string {
  const groups = generateRuleGroups(shop, { labelStyle: 'slo', formulation: 'aggregated', grafanaUrl: 'http://grafana.test' });
  const rule = groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === name && r.labels.slo_id === slo.id);
  if (!rule || !('alert' in rule)) throw new Error(`no ${name} rule for ${slo.id}`);
  return rule.annotations.description ?? '';
}

/** The description template with its query blocks replaced by what they render to. */
function renderedDescription(slo: Slo, severity: 'page' | 'ticket', burn: () => string, state: () => string): string {
  const groups = generateRuleGroups(shop, { labelStyle: 'slo', formulation: 'aggregated', grafanaUrl: 'http://grafana.test' });
  const rule = groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === (severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket') && r.labels.slo_id === slo.id);
  if (!rule || !('alert' in rule)) throw new Error('no alert rule');
  return (rule.annotations.description ?? '')
    .replace(/\{\{ with query `[^`]*` \}\}\{\{ \. \| first \| value \| printf "%\.1f" \}\}×\{\{ else \}\}n\/a\{\{ end \}\}/g, burn)
    .replace(/\{\{ with query `[^`]*` \}\}FIRING\{\{ else \}\}ok\{\{ end \}\}/g, state);
}
