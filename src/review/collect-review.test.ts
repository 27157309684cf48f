import { describe, expect, it } from 'vitest';
import { defineService, resolveServices } from '../slo/index.js';
import { collectReview } from './collect-review.js';
import type { PrometheusClient } from './prometheus-client.js';
import type { RouterClient } from './router-client.js';
import { renderMarkdown } from './render-markdown.js';
import { DAY_MS, HOUR_MS } from './review-period.js';

const period = { startMs: 20 * DAY_MS, endMs: 22 * DAY_MS };

/**
 * Two SLOs of one service: `whole` has data every hour and spends half its budget; `recent` began
 * reporting 4 hours before the period's end and spends five times its budget in them.
 */
const [service] = resolveServices([
  {
    file: 'svc.ts',
    value: defineService({
      name: 'svc',
      description: 'd',
      owner: { team: 't' },
      slos: ['whole', 'recent'].map((name) => ({
        name,
        objective: 99,
        sli: { kind: 'ratio' as const, errors: `sum(rate(${name}_errors[{{.window}}]))`, total: `sum(rate(${name}_total[{{.window}}]))` },
      })),
    }),
  },
]);

/** Answers each SLI query with events per bucket (the `* seconds` is taken as done), `recent` only in its last 4 hours. */
const prometheus: PrometheusClient = {
  url: 'http://prom',
  async queryRange(expr, startMs, endMs, stepMs) {
    const recent = expr.includes('recent_');
    const values: [number, number][] = [];
    for (let t = startMs; t <= endMs; t += stepMs) {
      if (recent && t <= period.endMs - 4 * HOUR_MS) continue;
      values.push([t / 1000, expr.includes('_errors') ? (recent ? 5 : 0.5) : 100]);
    }
    return [{ metric: {}, values }];
  },
  query: async () => [],
  ruleGroups: async () => [],
  storageRetention: async () => '90d',
};

describe('collectReview', () => {
  it('lists an SLO too little held to judge after the SLOs with a verdict, however little budget it has left', async () => {
    const review = await collectReview([service!], period, { prometheus, nowMs: period.endMs + DAY_MS });
    const md = renderMarkdown(review);
    const overview = md.split('\n').filter((l) => /^\| svc-/.test(l));
    expect(overview).toEqual([
      '| svc-whole | t | 99% | 99.500% | 50.0% | 50.0% | met | 50.0% | ±0.000 pp |',
      "| svc-recent | t | 99% | 95.000% | 500.0% | −400.0% | too little held to judge: SLI data for 8% of the period's hours | no data | — |",
    ]);
    expect(md).toContain('### svc-recent: too little held to judge');
  });

  it("says from when the burns that paged nobody were looked for, when Prometheus's retention begins inside the period", async () => {
    const shortRetention: PrometheusClient = { ...prometheus, storageRetention: async () => '1d' };
    const router: RouterClient = { url: 'http://router', incidents: async () => [] };
    const review = await collectReview([service!], period, { prometheus: shortRetention, router, nowMs: period.endMs });
    const recent = review.slos.find((s) => s.slo.id === 'svc-recent')!;
    expect(recent.alertQuality!.unpagedBurns).toHaveLength(1);
    expect(recent.recommendations.find((r) => r.kind === 'missed-pages')?.reason).toBe('1 burn(s) since 1970-01-22 00:00 UTC spent 500% of the budget with no page');
  });
});
