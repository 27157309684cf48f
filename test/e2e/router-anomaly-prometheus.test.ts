import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_POLICY_DEFAULTS } from '../../alert-router/anomaly/anomaly-policy.js';
import { BURN_ANOMALY_DEFAULTS } from '../../alert-router/anomaly/burn-anomaly.js';
import { createBurnEnricher } from '../../alert-router/anomaly/burn-enricher.js';
import { createPrometheusRangeClient } from '../../alert-router/anomaly/prometheus-range-client.js';
import type { CatalogSlo } from '../../src/slo/catalog.js';
import { backfillOpenMetrics, startPrometheus, type PrometheusInstance } from '../support/prometheus.js';

/**
 * A real Prometheus holding a week of backfilled 5m error ratios for two SLOs:
 * - checkout-availability: quiet (0.05%) all week, now 0.6%: an ordinary-looking ticket that is far
 *   outside its own history, so it is escalated;
 * - payments-authorisations: every night at 02:00–03:00 a batch job burns at 2%, now included:
 *   a page that is its usual self, so it is marked recurring.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = Math.floor((Date.now() - 10 * 60_000) / 300_000) * 300_000;
/** "Now" for the payments SLO: inside today's batch hour, so its history has the same hour every day. */
const batchNow = (() => {
  const d = new Date(now);
  const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 2, 30);
  return at > now ? at - DAY : at;
})();

function series(id: string, value: (t: number) => number, end: number): string {
  const lines: string[] = [];
  for (let t = end - 7 * DAY - 2 * HOUR; t <= end; t += 300_000) {
    lines.push(`slo:sli_error:ratio_rate5m{slo_id="${id}",slo_window="5m"} ${value(t)} ${t / 1000}`);
  }
  return lines.join('\n');
}

function slo(id: string): CatalogSlo {
  return {
    id, service: id.split('-')[0]!, name: id.split('-').slice(1).join('-'), description: '', objective: 99.9, errorBudget: 0.001,
    window: '30d', sliKind: 'ratio', team: 't', dashboardUrl: 'http://g', errorRatioQuery: `slo:sli_error:ratio_rate5m{slo_id="${id}"}`, tiers: [],
  };
}

let prom: PrometheusInstance;
let tsdb: string;
beforeAll(async () => {
  tsdb = await mkdtemp(join(tmpdir(), 'slokit-anomaly-tsdb-'));
  const checkout = series('checkout-availability', (t) => (t > now - 20 * 60_000 ? 0.006 : 0.0005 * (1 + 0.2 * Math.sin(t / 7e6))), now);
  const payments = series('payments-authorisations', (t) => (new Date(t).getUTCHours() === 2 ? 0.02 : 0.0004), batchNow);
  await backfillOpenMetrics(`# TYPE slo:sli_error:ratio_rate5m gauge\n${checkout}\n${payments}\n# EOF\n`, tsdb);
  prom = await startPrometheus({ tsdbPath: tsdb, extraArgs: ['--query.lookback-delta=6m'] });
});
afterAll(async () => {
  await prom?.stop();
  await rm(tsdb, { recursive: true, force: true });
});

describe('anomaly scoring of SLO incidents against a real Prometheus', () => {
  it('escalates an ordinary-looking ticket whose burn is far outside its own week', async () => {
    const assess = createBurnEnricher({
      client: createPrometheusRangeClient({ url: prom.url, timeoutMs: 2000 }),
      scoring: BURN_ANOMALY_DEFAULTS,
      policy: ANOMALY_POLICY_DEFAULTS,
      now: () => now,
    });
    const result = await assess(slo('checkout-availability'), 'ticket');
    expect(result.decision.action).toBe('escalate');
    expect(result.anomaly!.days).toBe(7);
    expect(result.anomaly!.sentence).toMatch(/^error ratio \d+σ above its usual for \w+ \d\d:\d\d UTC \(0\.60% vs 0\.0\d+%\)$/);
  });

  it('marks a page recurring when its burn is what this SLO does at this hour every day', async () => {
    const assess = createBurnEnricher({
      client: createPrometheusRangeClient({ url: prom.url, timeoutMs: 2000 }),
      scoring: BURN_ANOMALY_DEFAULTS,
      policy: ANOMALY_POLICY_DEFAULTS,
      now: () => batchNow,
    });
    const result = await assess(slo('payments-authorisations'), 'page');
    expect(result.decision.action).toBe('mark-recurring');
    expect(result.decision.reason).toContain('within its usual range for');
  });

  it('answers without a score, within its timeout, when Prometheus does not answer', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const assess = createBurnEnricher({
        client: createPrometheusRangeClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }),
        scoring: BURN_ANOMALY_DEFAULTS,
        policy: ANOMALY_POLICY_DEFAULTS,
        now: () => now,
      });
      const started = performance.now();
      const result = await assess(slo('checkout-availability'), 'ticket');
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result).toMatchObject({ anomaly: undefined, missing: 'prometheus-unavailable', decision: { action: 'none' } });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
