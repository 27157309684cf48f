import { describe, expect, it } from 'vitest';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { Review, SloReview } from './review-model.js';
import { DAY_MS } from './review-period.js';
import { dailyStats, summarizePeriod, worstDays } from './summarize.js';

const period = { startMs: 20 * DAY_MS, endMs: 22 * DAY_MS };
const previous = { startMs: 18 * DAY_MS, endMs: 20 * DAY_MS };

function slo(id: string, team: string, hours: { startMs: number; errors: number; total: number }[]): SloReview {
  const current = summarizePeriod(hours, period, 0.001);
  const days = dailyStats(hours, period, 0.001);
  return {
    slo: { id, service: id.split('-')[0]!, name: 'x', description: 'A <b>bold</b> claim', team, objective: 99.9, errorBudget: 0.001, window: '30d', sliKind: 'ratio', weighting: 'events', pagesDisabled: false },
    current,
    previous: summarizePeriod(hours, previous, 0.001),
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
  warnings: ['no SLI data for web-probe between 1970-01-21 and 1970-01-22'],
};

describe('review renderers', () => {
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
});
