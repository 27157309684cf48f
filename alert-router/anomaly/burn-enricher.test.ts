import { describe, expect, it } from 'vitest';
import type { CatalogSlo } from '../../src/slo/catalog.js';
import { ANOMALY_POLICY_DEFAULTS } from './anomaly-policy.js';
import { BURN_ANOMALY_DEFAULTS } from './burn-anomaly.js';
import { createBurnEnricher } from './burn-enricher.js';
import { PrometheusUnavailableError, type PrometheusRangeClient } from './prometheus-range-client.js';

const NOW = Date.UTC(2026, 10, 17, 14, 0);
const slo = { id: 'checkout-availability', errorRatioQuery: 'slo:sli_error:ratio_rate5m{slo_id="checkout-availability"}' } as CatalogSlo;
const failing = (error: unknown): PrometheusRangeClient => ({ queryRange: () => Promise.reject(error) });

describe('createBurnEnricher', () => {
  it('refuses a time zone that is not an IANA zone when it is created, not on every incident', () => {
    expect(() =>
      createBurnEnricher({ client: failing(new Error('unused')), scoring: { ...BURN_ANOMALY_DEFAULTS, timeZone: 'Europe/Berln' }, policy: ANOMALY_POLICY_DEFAULTS, now: () => NOW }),
    ).toThrow('anomaly time zone "Europe/Berln" is not an IANA time zone (e.g. UTC, Europe/Berlin)');
  });

  it.each([
    { name: 'a refused query', error: new PrometheusUnavailableError('query', 'Prometheus at http://p answered 400: parse error'), expected: 'query' },
    { name: 'a timeout', error: new PrometheusUnavailableError('timeout', 'Prometheus at http://p did not answer within 300 ms'), expected: 'timeout' },
    { name: 'an unexpected error', error: new TypeError('boom'), expected: 'bad-response' },
  ])('gives an assessment without a score, and says how the query failed, on $name', async ({ error, expected }) => {
    const assess = createBurnEnricher({ client: failing(error), scoring: BURN_ANOMALY_DEFAULTS, policy: ANOMALY_POLICY_DEFAULTS, now: () => NOW });
    expect(await assess(slo, 'ticket')).toEqual({
      anomaly: undefined,
      decision: { action: 'none', reason: `no anomaly score: ${error.message}` },
      missing: 'prometheus-unavailable',
      failure: expected,
    });
  });

  it('asks for 7 days and an hour at a 5-minute step: 2,029 points, under Prometheus’s 11,000', async () => {
    const asked: number[][] = [];
    const client: PrometheusRangeClient = { queryRange: (_q, start, end, step) => (asked.push([start, end, step]), Promise.resolve([])) };
    const result = await createBurnEnricher({ client, scoring: BURN_ANOMALY_DEFAULTS, policy: ANOMALY_POLICY_DEFAULTS, now: () => NOW })(slo, 'page');
    expect(result.missing).toBe('no-recent-data');
    const [start, end, step] = asked[0]!;
    expect((end! - start!) / 1000 / step! + 1).toBe(2029);
  });

  /** A 5-minute series from `from` to `to` (ms) at an error ratio of 0.1%. */
  const series = (from: number, to: number) => {
    const points = [];
    for (let t = from; t <= to; t += 300_000) points.push({ t, v: 0.001 });
    return points;
  };
  const withPoints = (points: { t: number; v: number }[]) =>
    createBurnEnricher({ client: { queryRange: () => Promise.resolve(points) }, scoring: BURN_ANOMALY_DEFAULTS, policy: ANOMALY_POLICY_DEFAULTS, now: () => NOW });

  it('tells a stale SLI (a full week, nothing in the last 15 minutes) from a new one (too few earlier days)', async () => {
    const stale = await withPoints(series(NOW - 7 * 86_400_000, NOW - 30 * 60_000))(slo, 'page');
    expect(stale.missing).toBe('no-recent-data');
    expect(stale.decision.reason).toBe(`no SLI samples in the last 15 minutes (${slo.errorRatioQuery} is absent or stale)`);
    const young = await withPoints(series(NOW - 36 * 3_600_000, NOW))(slo, 'page');
    expect(young.missing).toBe('no-history');
    expect((await withPoints(series(NOW - 7 * 86_400_000, NOW))(slo, 'page')).anomaly?.days).toBe(7);
  });
});
