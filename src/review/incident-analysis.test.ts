import { describe, expect, it } from 'vitest';
import { alertQuality } from './alert-quality.js';
import { analyseIncident, type RouterIncident } from './incident-analysis.js';
import type { Bucket } from './review-model.js';

const MIN = 60_000;
const STEP = 5 * MIN;
const ALL_TIME = { startMs: -Infinity, endMs: Infinity };

/** 5m buckets from 0 to 4h: 1,000 events each, `bad` of them failing from `from` to `to` (ms). */
function buckets(from: number, to: number, bad: number): Bucket[] {
  const out: Bucket[] = [];
  for (let t = 0; t < 240 * MIN; t += STEP) out.push({ startMs: t, errors: t >= from && t < to ? bad : 0, total: 1000 });
  return out;
}

function incident(openedAtMs: number, resolvedAtMs: number | undefined, notifyAt: number | undefined, target: 'pagerduty' | 'slack' = 'pagerduty'): RouterIncident {
  return {
    id: 'i1',
    title: 't',
    service: 'checkout',
    slo: 'availability',
    severity: 'page',
    openedAtMs,
    resolvedAtMs,
    notifications:
      notifyAt === undefined ? [] : [{ action: 'trigger', target, state: 'delivered', createdAtMs: notifyAt - MIN, deliveredAtMs: notifyAt }],
  };
}

describe('analyseIncident', () => {
  it('measures time to detect from the first burning bucket to the first delivered notification', () => {
    const r = analyseIncident(incident(70 * MIN, 120 * MIN, 72 * MIN), buckets(60 * MIN, 120 * MIN, 50), STEP, 0.001, 1000, ALL_TIME);
    expect(r.burnStartMs).toBe(60 * MIN);
    expect(r.timeToDetectMs).toBe(12 * MIN);
    expect(r.paged).toBe(true);
    // 12 buckets × 50 errors over a budget of 1,000 events.
    expect(r.budgetSpent).toBeCloseTo(0.6, 12);
    expect(r.durationMs).toBe(50 * MIN);
  });

  it('leaves time to detect empty when the SLI was not burning at the notification, and counts a Slack-only incident as not paged', () => {
    const r = analyseIncident(incident(70 * MIN, 80 * MIN, 71 * MIN, 'slack'), buckets(0, 0, 0), STEP, 0.001, 1000, ALL_TIME);
    expect(r).toMatchObject({ burnStartMs: undefined, timeToDetectMs: undefined, paged: false, budgetSpent: 0 });
  });

  it('times detection from the first trigger delivered: a page that failed told nobody and is not a page', () => {
    const i = incident(70 * MIN, 120 * MIN, undefined);
    i.notifications = [
      { action: 'trigger', target: 'pagerduty', state: 'failed', createdAtMs: 71 * MIN, deliveredAtMs: undefined },
      { action: 'trigger', target: 'slack', state: 'delivered', createdAtMs: 71 * MIN, deliveredAtMs: 80 * MIN },
    ];
    const r = analyseIncident(i, buckets(60 * MIN, 120 * MIN, 50), STEP, 0.001, 1000, ALL_TIME);
    expect(r.firstNotificationAtMs).toBe(80 * MIN);
    expect(r.timeToDetectMs).toBe(20 * MIN);
    expect(r.paged).toBe(false);
  });

  it('charges an incident that began before the period only with the errors inside the period', () => {
    // Burning 60 min to 180 min; the period starts at 120 min: 12 of the 24 burning buckets are in it.
    const r = analyseIncident(incident(65 * MIN, 180 * MIN, 70 * MIN), buckets(60 * MIN, 180 * MIN, 50), STEP, 0.001, 1000, {
      startMs: 120 * MIN,
      endMs: 240 * MIN,
    });
    expect(r.burnStartMs).toBe(60 * MIN);
    expect(r.timeToDetectMs).toBe(10 * MIN);
    expect(r.budgetSpent).toBeCloseTo(0.6, 12);
    expect(r.openAtPeriodEnd).toBe(false);
  });

  it('marks an incident still open at the period\'s end, or resolved after it, and counts its duration to the end', () => {
    const period = { startMs: 0, endMs: 200 * MIN };
    const open = analyseIncident(incident(150 * MIN, undefined, 151 * MIN), buckets(145 * MIN, 240 * MIN, 50), STEP, 0.001, 1000, period);
    expect(open).toMatchObject({ openAtPeriodEnd: true, durationMs: 50 * MIN });
    // Errors from the burn's start (145 min) to the period's end: 11 buckets.
    expect(open.budgetSpent).toBeCloseTo(0.55, 12);
    const late = analyseIncident(incident(150 * MIN, 230 * MIN, 151 * MIN), [], STEP, 0.001, 1000, period);
    expect(late).toMatchObject({ openAtPeriodEnd: true, durationMs: 50 * MIN });
  });

  it('knows neither where the burn of an incident began nor how fast it was caught when that is before Prometheus\'s retention, and never calls its page noise', () => {
    // Prometheus holds the SLI from 120 min on.
    const held = 120 * MIN;
    const since = (sli: Bucket[]) => sli.filter((b) => b.startMs >= held);
    // Paged and resolved before then: none of its SLI is held, which is no sign that it spent nothing.
    const gone = analyseIncident(incident(70 * MIN, 80 * MIN, 71 * MIN), since(buckets(60 * MIN, 80 * MIN, 50)), STEP, 0.001, 1000, ALL_TIME, held);
    expect(gone).toMatchObject({ paged: true, burnStartMs: undefined, timeToDetectMs: undefined, wholeBudgetSpent: undefined, sliHeldFromMs: held });
    expect(alertQuality([gone], [], 1000, 0.001, ALL_TIME).noisePages).toEqual([]);
    // Opened after it, burning since 60 min: the SLI burns from the first bucket held, so where the
    // burn began is gone too; its budget counts from there (12 buckets of 50 errors).
    const edge = analyseIncident(incident(130 * MIN, 180 * MIN, 135 * MIN), since(buckets(60 * MIN, 180 * MIN, 50)), STEP, 0.001, 1000, ALL_TIME, held);
    expect(edge).toMatchObject({ burnStartMs: undefined, timeToDetectMs: undefined, wholeBudgetSpent: undefined, sliHeldFromMs: held });
    expect(edge.budgetSpent).toBeCloseTo(0.6, 12);
    // Burning since 125 min, after a bucket held that did not burn: measured whole.
    const whole = analyseIncident(incident(130 * MIN, 180 * MIN, 135 * MIN), since(buckets(125 * MIN, 180 * MIN, 50)), STEP, 0.001, 1000, ALL_TIME, held);
    expect(whole).toMatchObject({ burnStartMs: 125 * MIN, timeToDetectMs: 10 * MIN, sliHeldFromMs: undefined });
    expect(whole.wholeBudgetSpent).toBeCloseTo(0.55, 12);
  });
});

describe('alertQuality', () => {
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;
  const MONTH = { startMs: 0, endMs: 30 * DAY };
  const hours: Bucket[] = Array.from({ length: 48 }, (_, h) => ({ startMs: h * HOUR, errors: h >= 10 && h < 13 ? 30 : 0, total: 1000 }));

  it('calls a burn of 9% of the budget in 3 hours with no page missed, and not when a page was open', () => {
    const missed = alertQuality([], hours, 1000, 0.001, MONTH);
    expect(missed.unpagedBurns).toEqual([{ startMs: 10 * HOUR, endMs: 13 * HOUR, budgetSpent: 0.09 }]);
    const paged = analyseIncident(incident(10 * HOUR, 14 * HOUR, 10 * HOUR + 5 * MIN), [], STEP, 0.001, 1000, ALL_TIME);
    expect(alertQuality([{ ...paged, budgetSpent: 0.09, wholeBudgetSpent: 0.09 }], hours, 1000, 0.001, MONTH)).toEqual({ noisePages: [], unpagedBurns: [] });
  });

  it.each([
    { input: 0.003, expected: 0 },
    { input: 0.0065, expected: 1 },
  ])('in a 7-day period calls 6 hours at error ratio $input (budget 0.1%) missed only from burn rate 6 on', ({ input, expected }) => {
    // 1,000 events an hour for 7 days: the period's budget is 168 errors; 6 hours at burn rate 3 spend 18 of them (11%).
    const week = Array.from({ length: 168 }, (_, h) => ({ startMs: h * HOUR, errors: h >= 50 && h < 56 ? input * 1000 : 0, total: 1000 }));
    expect(alertQuality([], week, 168, 0.001, { startMs: 0, endMs: 7 * DAY }).unpagedBurns).toHaveLength(expected);
  });

  it('calls a page that spent under 1% of the budget noise', () => {
    const page = analyseIncident(incident(30 * HOUR, 31 * HOUR, 30 * HOUR), [], STEP, 0.001, 1000, ALL_TIME);
    expect(alertQuality([page], [], 1000, 0.001, MONTH).noisePages.map((p) => p.id)).toEqual(['i1']);
  });

  it('judges a page on its whole incident across the period\'s edges, in the period it opened in', () => {
    // 5 errors a bucket (burn rate 5) against a budget of 1,000 events; the period is 120 to 240 min.
    const period = { startMs: 120 * MIN, endMs: 240 * MIN };
    const bucketsBurning = (from: number, to: number) =>
      Array.from({ length: 72 }, (_, k) => ({ startMs: k * STEP, errors: k * STEP >= from && k * STEP < to ? 5 : 0, total: 1000 }));
    const analyse = (i: RouterIncident, from: number, to: number) => analyseIncident(i, bucketsBurning(from, to), STEP, 0.001, 1000, period);
    // Paged before the period, 65 errors in all, one bucket (5, 0.5%) inside it: noise of neither period.
    const before = { ...analyse(incident(65 * MIN, 125 * MIN, 70 * MIN), 60 * MIN, 125 * MIN), id: 'before' };
    // Paged 5 minutes before the end, 45 errors in all, 5 of them inside the period.
    const atEnd = { ...analyse(incident(235 * MIN, 280 * MIN, 236 * MIN), 235 * MIN, 280 * MIN), id: 'at-end' };
    // Still open: what it will spend is not known.
    const open = { ...analyse(incident(235 * MIN, undefined, 236 * MIN), 235 * MIN, 360 * MIN), id: 'open' };
    // A blip wholly inside the period, 5 errors.
    const blip = { ...analyse(incident(150 * MIN, 155 * MIN, 151 * MIN), 150 * MIN, 155 * MIN), id: 'blip' };
    expect([before, atEnd, open, blip].map((i) => i.budgetSpent)).toEqual([0.005, 0.005, 0.005, 0.005]);
    const quality = alertQuality([before, atEnd, open, blip], [], 1000, 0.001, period);
    expect(quality.noisePages.map((p) => [p.id, p.wholeBudgetSpent])).toEqual([['blip', 0.005]]);
    expect(atEnd.wholeBudgetSpent).toBeCloseTo(0.045, 12);
  });
});
