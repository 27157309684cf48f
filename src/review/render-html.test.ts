import { describe, expect, it } from 'vitest';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { IncidentReview, Review, SloReview } from './review-model.js';
import { DAY_MS } from './review-period.js';
import { dailyStats, summarizePeriod, worstDays } from './summarize.js';

const period = { startMs: 20 * DAY_MS, endMs: 22 * DAY_MS };
const previous = { startMs: 18 * DAY_MS, endMs: 20 * DAY_MS };

function slo(id: string, team: string, hours: { startMs: number; errors: number; total: number }[], heldFromMs = -Infinity): SloReview {
  const current = summarizePeriod(hours, period, 0.001, heldFromMs);
  const days = dailyStats(hours, period, 0.001, heldFromMs);
  return {
    slo: { id, service: id.split('-')[0]!, name: 'x', description: 'A <b>bold</b> claim', team, objective: 99.9, errorBudget: 0.001, window: '30d', sliKind: 'ratio', weighting: 'events', pagesDisabled: false },
    current,
    previous: summarizePeriod(hours, previous, 0.001, heldFromMs),
    history: [current],
    days,
    worstDays: worstDays(days),
    gaps: [],
    incidents: [],
    alertQuality: { noisePages: [], unpagedBurns: [] },
    recommendations: [],
    warnings: [],
  };
}

const hours = Array.from({ length: 48 }, (_, h) => ({ startMs: period.startMs + h * 3_600_000, errors: h === 5 ? 20 : 1, total: 1000 }));
const review: Review = {
  period,
  previous,
  slos: [slo('checkout-availability', 'checkout', hours), slo('web-probe', 'web', [])],
  teams: [
    { team: 'checkout', sloIds: ['checkout-availability'] },
    { team: 'web', sloIds: ['web-probe'] },
  ],
  withIncidents: true,
  retention: undefined,
  routerRetention: undefined,
  warnings: ['no SLI data for web-probe between 1970-01-21 and 1970-01-22'],
};

const partial: Review = {
  ...review,
  slos: [
    {
      ...review.slos[0]!,
      // The previous period holds data for its last 4 hours only, as when retention begins inside it.
      previous: summarizePeriod(
        Array.from({ length: 4 }, (_, h) => ({ startMs: period.startMs - (h + 1) * 3_600_000, errors: 0, total: 1000 })),
        previous,
        0.001,
      ),
      incidents: [
        {
          id: 'inc-<1>',
          title: '<img src=x onerror=alert(1)>',
          severity: '<b>page</b>' as 'page',
          openedAtMs: period.endMs - 2 * 3_600_000,
          resolvedAtMs: undefined,
          durationMs: 2 * 3_600_000,
          openAtPeriodEnd: true,
          budgetSpent: 0.2,
          wholeBudgetSpent: undefined,
          paged: true,
          firstNotificationAtMs: undefined,
          burnStartMs: undefined,
          timeToDetectMs: undefined,
          sliHeldFromMs: undefined,
        },
      ],
    },
  ],
  teams: [{ team: 'checkout', sloIds: ['checkout-availability'] }],
};

/** Prometheus's 30d retention holds this period from its second day on; the first day is gone. */
const HELD_FROM = period.startMs + DAY_MS;
const truncated: Review = {
  ...review,
  slos: [slo('checkout-availability', 'checkout', hours.filter((h) => h.startMs >= HELD_FROM), HELD_FROM), slo('web-probe', 'web', [], period.endMs)],
  retention: { heldFromMs: HELD_FROM, time: '30d' },
};

describe('review renderers', () => {
  it('say "no data" for a previous period Prometheus has nothing of, never 100% or 0%', () => {
    const md = renderMarkdown(review);
    expect(md).toContain('| attained | 99.860% | no data | — |');
    expect(md).toContain('| SLI data for | 2 d of 2 d | no data |  |');
    expect(md).toMatch(/\| checkout-availability \| checkout \| 99\.9% \| 99\.860% \| 139\.6% \| −39\.6% \| missed \| no data \| — \|/);
    const html = renderHtml(review);
    expect(html).toContain('<td>attained</td><td class="num">99.860%</td><td class="num">no data</td>');
  });

  it('mark a previous period with data for under 90% of its hours as partial, too little to compare: no change, no verdict', () => {
    const md = renderMarkdown(partial);
    expect(md).toContain('| SLI data for | 2 d of 2 d | 4 h of 2 d (partial) |  |');
    expect(md).toContain('| attained | 99.860% | 100.000% (partial data), too little to compare | — |');
    expect(md).toContain('| budget left at the end | −39.6% | 100.0% | — |');
    expect(md).toContain('| objective met | no | — |  |');
    expect(md).toContain('| missed | 100.0% (partial data), too little to compare | — |');
  });

  it('say how little of the previous period Prometheus holds, and compare with it only when it holds 90% of it', () => {
    // Retention begins inside the previous period: 4 h of it held, then 46 h.
    const held = (fromMs: number): Review => ({
      ...partial,
      retention: { heldFromMs: fromMs, time: '30d' },
      slos: [{ ...partial.slos[0]!, previous: summarizePeriod(hours.map((h) => ({ ...h, startMs: h.startMs - 2 * DAY_MS })).filter((h) => h.startMs >= fromMs), previous, 0.001, fromMs) }],
    });
    const little = renderMarkdown(held(period.startMs - 4 * 3_600_000));
    expect(little).toContain('| attained | 99.860% | 99.900% (over 4 h of 2 d), too little to compare | — |');
    expect(little).toContain('| budget spent | 139.6% | 100.0% (over 4 h of 2 d) | — |');
    expect(little).toContain('| objective met | no | — |  |');
    expect(little).toContain('| missed | 0.0% (over 4 h of 2 d), too little to compare | — |');
    expect(renderHtml(held(period.startMs - 4 * 3_600_000))).toContain(
      '<td>attained</td><td class="num">99.860%</td><td class="num">99.900% (over 4 h of 2 d), too little to compare</td><td class="num">—</td>',
    );
    const most = renderMarkdown(held(previous.startMs + 2 * 3_600_000));
    expect(most).toContain('| attained | 99.860% | 99.859% (over 1 d 22 h of 2 d) | +0.002 pp |');
    expect(most).toContain('| objective met | no | no |  |');
  });

  it('say that an incident was still open at the period\'s end', () => {
    expect(renderMarkdown(partial)).toContain("| 2 h, open at the period's end |");
    expect(renderHtml(partial)).toContain("<td class=\"num\">2 h, open at the period's end</td>");
  });

  it('escape what the alert-router sends: incident titles, ids and severities', () => {
    const html = renderHtml(partial);
    expect(html).not.toMatch(/<img|<b>page/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; <small>(inc-&lt;1&gt;)</small>');
    expect(html).toContain('<td>&lt;b&gt;page&lt;/b&gt;</td>');
  });

  it('write a self-contained page: no script, no external asset, escaped text, two charts for an SLO with data', () => {
    const html = renderHtml(review);
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/);
    expect(html).toContain('A &lt;b&gt;bold&lt;/b&gt; claim');
    expect(html.match(/<svg class="chart/g)).toHaveLength(2);
    expect(html).toContain('status-no-data');
  });

  it('never print NaN or undefined, also for an SLO without data', () => {
    for (const text of [renderHtml(review), renderMarkdown(review)]) expect(text).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('are deterministic', () => {
    expect(renderHtml(review)).toBe(renderHtml(structuredClone(review)));
    expect(renderMarkdown(review)).toBe(renderMarkdown(structuredClone(review)));
  });

  it('say how much of the period is before Prometheus\'s retention and that the numbers cover only the rest', () => {
    const md = renderMarkdown(truncated);
    expect(md).toContain(
      "Prometheus no longer holds 1 d of this period: it is before Prometheus's retention (30d, since 1970-01-22 00:00 UTC), not a gap in the SLI's data. " +
        'Attainment and budget cover the 1 d it holds.',
    );
    expect(md).toContain("| attained | 99.900% (over 1 d of 2 d) | none held: before Prometheus's retention | — |");
    expect(md).toContain('| budget left at the end | 0.0% (over 1 d of 2 d) | — | — |');
    expect(md).toContain('| SLI data for | 1 d of 2 d (partial: 1 d before retention) | no data (2 d before retention) |  |');
    expect(md).toContain("| too little held to judge: SLI data for 50% of the period's hours; Prometheus holds data from 1970-01-22 00:00 UTC | none held: before Prometheus's retention | — |");
    expect(md).toContain("Prometheus no longer holds any of this period: all of it is before Prometheus's retention (30d, since 1970-01-22 00:00 UTC), so there is no data.");
    const html = renderHtml(truncated);
    expect(html).toContain("<p class=\"retention\">Prometheus no longer holds 1 d of this period: it is before Prometheus's retention");
    expect(html).toContain('<td>attained</td><td class="num">99.900% (over 1 d of 2 d)</td>');
    expect(renderMarkdown(review)).not.toContain('retention');
  });

  it('say in the overview table too that an SLO\'s numbers cover only the part of the period Prometheus holds', () => {
    expect(renderMarkdown(truncated)).toContain(
      '| checkout-availability | checkout | 99.9% | 99.900% (over 1 d of 2 d) | 100.0% (over 1 d of 2 d) | 0.0% (over 1 d of 2 d) | too little held to judge',
    );
    expect(renderHtml(truncated)).toContain(
      '<td class="num">99.900% (over 1 d of 2 d)</td><td class="num">100.0% (over 1 d of 2 d)</td><td class="num">0.0% (over 1 d of 2 d)</td><td><span class="status status-too-little-held">',
    );
    // An SLO Prometheus holds the whole period of reads as before.
    expect(renderMarkdown(review)).toMatch(/\| checkout-availability \| checkout \| 99\.9% \| 99\.860% \| 139\.6% \| −39\.6% \| missed \|/);
  });

  it('give no met or missed verdict on a period with SLI data for under 90% of its hours, and say why in the SLO\'s section and in the overview', () => {
    // Retention holds the last day of two: attainment and budget of that day, no verdict.
    const md = renderMarkdown(truncated);
    const why = "SLI data for 50% of the period's hours; Prometheus holds data from 1970-01-22 00:00 UTC";
    expect(md).toContain('### checkout-availability: too little held to judge');
    expect(md).toContain(`Too little held to judge: ${why}. A met or missed verdict needs SLI data for at least 90% of the period's hours.`);
    expect(md).toContain(`| 0.0% (over 1 d of 2 d) | too little held to judge: ${why} |`);
    expect(md).toContain('| objective met | — | — |  |');
    const html = renderHtml(truncated);
    expect(html).toContain('<h3>checkout-availability <span class="status status-too-little-held">too little held to judge</span></h3>');
    expect(html).toContain(`<p class="no-verdict">Too little held to judge: ${why}. A met or missed verdict`);
    expect(html).toContain(`<td><span class="status status-too-little-held">too little held to judge</span>: ${why}</td>`);
    expect(html).toContain('<td>objective met</td><td class="num">—</td>');
    // Gaps, not retention, took the hours: 43 of 48 is under 90%, and never rounded up to it.
    const gappy = (kept: number): Review => ({ ...review, slos: [slo('checkout-availability', 'checkout', hours.slice(48 - kept))] });
    const few = renderMarkdown(gappy(43));
    expect(few).toContain("| too little held to judge: SLI data for 89% of the period's hours |");
    expect(few).toContain("Too little held to judge: SLI data for 89% of the period's hours. A met or missed verdict");
    expect(renderHtml(gappy(43))).toContain("too little held to judge</span>: SLI data for 89% of the period's hours</td>");
    // 44 of 48 hours is enough for a verdict.
    const enough = renderMarkdown(gappy(44));
    expect(enough).toContain('### checkout-availability: missed');
    expect(enough).toContain('| objective met | no |');
    expect(enough).not.toContain('too little held');
    // The overview's heading says where such an SLO is in its order.
    expect(md).toContain('## All SLOs, least budget left first; those too little held to judge, then those without data, last');
    expect(html).toContain('<h2 id="overview">All SLOs, least budget left first; those too little held to judge, then those without data, last</h2>');
    expect(enough).toContain('## All SLOs, least budget left first\n');
  });

  it('say that burns with no page, and what an incident cost and how fast it was caught, are not known before Prometheus\'s retention', () => {
    const incident = (id: string, openedAtMs: number, budgetSpent: number): IncidentReview => ({
      id,
      title: id,
      severity: 'page',
      openedAtMs,
      resolvedAtMs: openedAtMs + 2 * 3_600_000,
      durationMs: 2 * 3_600_000,
      openAtPeriodEnd: false,
      budgetSpent,
      wholeBudgetSpent: undefined,
      paged: true,
      firstNotificationAtMs: openedAtMs,
      burnStartMs: undefined,
      timeToDetectMs: undefined,
      sliHeldFromMs: HELD_FROM,
    });
    // Held from the second day: one incident wholly before it, one across it.
    const withIncidents: Review = {
      ...truncated,
      slos: [{ ...truncated.slos[0]!, incidents: [incident('gone', period.startMs + 3_600_000, 0), incident('across', HELD_FROM - 3_600_000, 0.12)] }],
    };
    const note =
      "Prometheus holds the SLI from 1970-01-22 00:00 UTC on: burns that paged nobody before then are not known, and an alert-router incident before then has no known budget spent or time to detect, nor is its page judged as noise.";
    const md = renderMarkdown(withIncidents);
    expect(md).toContain('| 1970-01-21 01:00 UTC | gone (gone) | 2 h | page | unknown: before retention | yes | unknown: before retention |');
    expect(md).toContain('| 1970-01-21 23:00 UTC | across (across) | 2 h | page | 12.0% since 1970-01-22 00:00 UTC | yes | unknown: before retention |');
    expect(md).toContain(note);
    expect(md).toContain('**Alert quality**: 0 noisy page(s) (under 1% of the budget), 0 burn(s) with no page since 1970-01-22 00:00 UTC.');
    const html = renderHtml(withIncidents);
    expect(html).toContain('<td class="num">unknown: before retention</td><td>yes</td><td class="num">unknown: before retention</td>');
    expect(html).toContain('<td class="num">12.0% since 1970-01-22 00:00 UTC</td>');
    expect(html).toContain(`<p class="retention">${note}</p>`);
    expect(html).toContain('<p><strong>Alert quality</strong>: 0 noisy page(s) (under 1% of the budget), 0 burn(s) with no page since 1970-01-22 00:00 UTC.</p>');
    // A period Prometheus holds whole says none of it.
    expect(renderMarkdown(review)).toContain('**Alert quality**: 0 noisy page(s) (under 1% of the budget), 0 burn(s) with no page.');
    expect(renderMarkdown(review)).not.toContain('not known');
  });

  it('shade the days before Prometheus\'s retention in both charts, not drawn as days without data', () => {
    const html = renderHtml(truncated);
    expect(html.match(/<rect class="before-retention"[^>]*><title>1970-01-21 to 1970-01-21: before Prometheus's retention, no longer held<\/title>/g)).toHaveLength(2);
    expect(html).not.toContain('<title>1970-01-21: no data</title>');
    expect(html).toContain("<figcaption>Daily error ratio; the dashed line is the objective; grey days had no SLI data; shaded days are before Prometheus's retention, no longer held</figcaption>");
    expect(renderHtml(review)).not.toContain('before-retention');
  });
});

