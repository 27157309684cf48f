import { describe, expect, it } from 'vitest';
import { alertQuality } from './alert-quality.js';
import { analyseIncident, type RouterIncident } from './incident-analysis.js';
import type { Bucket } from './review-model.js';

const MIN = 60_000;
const STEP = 5 * MIN;

/** 5m buckets from 0 to 4h: 1,000 events each, `bad` of them failing from `from` to `to` (ms). */
function buckets(from: number, to: number, bad: number): Bucket[] {
  const out: Bucket[] = [];
  for (let t = 0; t < 240 * MIN; t += STEP) out.push({ startMs: t, errors: t >= from && t < to ? bad : 0, total: 1000 });
  return out;
}

function incident(openedAtMs: number, resolvedAtMs: number, notifyAt: number | undefined, target: 'pagerduty' | 'slack' = 'pagerduty'): RouterIncident {
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
    const r = analyseIncident(incident(70 * MIN, 120 * MIN, 72 * MIN), buckets(60 * MIN, 120 * MIN, 50), STEP, 0.001, 1000, Infinity);
    expect(r.burnStartMs).toBe(60 * MIN);
    expect(r.timeToDetectMs).toBe(12 * MIN);
    expect(r.paged).toBe(true);
    // 12 buckets × 50 errors over a budget of 1,000 events.
    expect(r.budgetSpent).toBeCloseTo(0.6, 12);
    expect(r.durationMs).toBe(50 * MIN);
  });

  it('leaves time to detect empty when the SLI was not burning at the notification, and counts a Slack-only incident as not paged', () => {
    const r = analyseIncident(incident(70 * MIN, 80 * MIN, 71 * MIN, 'slack'), buckets(0, 0, 0), STEP, 0.001, 1000, Infinity);
    expect(r).toMatchObject({ burnStartMs: undefined, timeToDetectMs: undefined, paged: false, budgetSpent: 0 });
  });
});

describe('alertQuality', () => {
  const HOUR = 60 * MIN;
  const hours: Bucket[] = Array.from({ length: 48 }, (_, h) => ({ startMs: h * HOUR, errors: h >= 10 && h < 13 ? 30 : 0, total: 1000 }));

  it('calls a burn of 9% of the budget in 3 hours with no page missed, and not when a page was open', () => {
    const missed = alertQuality([], hours, 1000, 0.001);
    expect(missed.unpagedBurns).toEqual([{ startMs: 10 * HOUR, endMs: 13 * HOUR, budgetSpent: 0.09 }]);
    const paged = analyseIncident(incident(10 * HOUR, 14 * HOUR, 10 * HOUR + 5 * MIN), [], STEP, 0.001, 1000, Infinity);
    expect(alertQuality([{ ...paged, budgetSpent: 0.09 }], hours, 1000, 0.001)).toEqual({ noisePages: [], unpagedBurns: [] });
  });

  it('calls a page that spent under 1% of the budget noise', () => {
    const page = analyseIncident(incident(30 * HOUR, 31 * HOUR, 30 * HOUR), [], STEP, 0.001, 1000, Infinity);
    expect(alertQuality([page], [], 1000, 0.001).noisePages.map((p) => p.id)).toEqual(['i1']);
  });
});
