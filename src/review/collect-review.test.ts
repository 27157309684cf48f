import { describe, expect, it } from 'vitest';
import { defineService, resolveServices } from '../slo/index.js';
import { collectReview } from './collect-review.js';
import type { PrometheusClient } from './prometheus-client.js';
import type { RouterClient, RouterIncidents } from './router-client.js';
import { renderHtml } from './render-html.js';
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
    const router: RouterClient = { url: 'http://router', incidents: async () => ({ incidents: [], retention: { store: 'forever', keepsResolvedSinceMs: undefined } }) };
    const review = await collectReview([service!], period, { prometheus: shortRetention, router, nowMs: period.endMs });
    const recent = review.slos.find((s) => s.slo.id === 'svc-recent')!;
    expect(recent.alertQuality!.unpagedBurns).toHaveLength(1);
    expect(recent.recommendations.find((r) => r.kind === 'missed-pages')?.reason).toBe('1 burn(s) since 1970-01-22 00:00 UTC spent 500% of the budget with no page');
  });

  describe("where the alert-router's retention begins", () => {
    /** Two services of one SLO each, 10% errors (ten times the budget) from 06:00 to 12:00 on each of the period's two days, none else. */
    const [checkout, payments] = resolveServices(
      ['checkout', 'payments'].map((name) => ({
        file: `${name}.ts`,
        value: defineService({
          name,
          description: 'd',
          owner: { team: 't' },
          slos: [{ name: 'availability', objective: 99, sli: { kind: 'ratio' as const, errors: 'sum(rate(errors[{{.window}}]))', total: 'sum(rate(total[{{.window}}]))' } }],
        }),
      })),
    );
    const burning: PrometheusClient = {
      ...prometheus,
      async queryRange(expr, startMs, endMs, stepMs) {
        const values: [number, number][] = [];
        for (let t = startMs; t <= endMs; t += stepMs) {
          const hour = Math.floor((t - 1) / HOUR_MS) % 24; // the bucket ending at t
          values.push([t / 1000, expr.includes('errors') ? (hour >= 6 && hour < 12 ? 10 : 0) : 100]);
        }
        return [{ metric: {}, values }];
      },
    };
    /** A router with no incidents that says `retention` (undefined: a router from before it did), and the review's Markdown. */
    async function reviewWith(retention: RouterIncidents['retention']) {
      const router: RouterClient = { url: 'http://router', incidents: async () => ({ incidents: [], retention }) };
      const review = await collectReview([checkout!, payments!], period, { prometheus: burning, router, nowMs: period.endMs + DAY_MS });
      return { review, md: renderMarkdown(review), html: renderHtml(review) };
    }

    it('looks for burns that paged nobody only from where the router holds every incident, and says from when and why', async () => {
      // Inside the period's second day: the first day's burn may have paged through an incident it deleted.
      const { review, md, html } = await reviewWith({ store: '90d', keepsResolvedSinceMs: period.startMs + DAY_MS - 30 * 60_000 });
      const slo = review.slos.find((s) => s.slo.id === 'checkout-availability')!;
      expect(slo.recommendations.find((r) => r.kind === 'missed-pages')?.reason).toBe(
        "1 burn(s) since 1970-01-22 00:00 UTC, where the alert-router's incidents begin (store.retention 90d) spent 125% of the budget with no page",
      );
      const section = md.slice(md.indexOf('### checkout-availability'), md.indexOf('### payments-availability'));
      expect(section).toContain(
        "**Alert quality**: 0 noisy page(s) (under 1% of the budget), 1 burn(s) with no page since 1970-01-22 00:00 UTC, where the alert-router's incidents begin (store.retention 90d).\n\n" +
          '- no page: 1970-01-22 06:00 UTC to 1970-01-22 12:00 UTC, 125.0% of the budget\n',
      );
      const note =
        'The alert-router holds the incidents resolved from 1970-01-22 00:00 UTC on (store.retention 90d): ' +
        "those resolved before then may be deleted, or older than the router's store, and missing here, so burns that paged nobody before then are not known.";
      expect(section).toContain(note);
      expect(html).toContain(`<p class="retention">${note}</p>`);
      expect(review.warnings.filter((w) => w.includes('alert-router'))).toEqual([]);
    });

    it('looks over the whole period when the router holds all of it, and says nothing of its retention', async () => {
      const { review, md } = await reviewWith({ store: '90d', keepsResolvedSinceMs: period.startMs - DAY_MS });
      expect(review.slos.map((s) => s.recommendations.find((r) => r.kind === 'missed-pages')?.reason)).toEqual([
        '2 burn(s) spent 250% of the budget with no page',
        '2 burn(s) spent 250% of the budget with no page',
      ]);
      expect(md).not.toContain('The alert-router holds');
    });

    it('looks over the whole period as before, with one warning, when the router does not say (a build from before it did)', async () => {
      const { review, md } = await reviewWith(undefined);
      expect(review.slos.map((s) => s.alertQuality?.unpagedBurns.length)).toEqual([2, 2]);
      expect(md).toContain('2 burn(s) with no page.');
      expect(review.warnings.filter((w) => w.includes('alert-router'))).toEqual([
        'the alert-router at http://router does not say from when it holds its incidents (a build from before its incident list gave "retention"): ' +
          'burns with no page are looked for over the whole period, though its store.retention may have deleted the incidents that paged for them',
      ]);
    });
  });
});
