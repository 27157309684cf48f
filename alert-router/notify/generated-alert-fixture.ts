import { DEFAULT_RULE_OPTIONS, generateRuleGroups } from '../../src/prometheus/index.js';
import { resolveServices } from '../../src/slo/index.js';
import catalog from '../../slos/catalog.js';
import checkout from '../../slos/checkout.js';
import payments from '../../slos/payments.js';
import type { Incident } from '../pipeline/types.js';

/** Labels and annotations of one alert, as Alertmanager's webhook carries them. */
export interface GeneratedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The alert the rules `npm run generate` writes for checkout's availability SLO (its latency SLO for
 * SLOLatencyBucketMissing, which only latency SLOs have), with its annotation templates rendered the
 * way Prometheus renders them (rules-promtool.test.ts checks that form): each burn-rate query prints
 * `rates` in turn ("15.8×", or "n/a" for `undefined`), the first tier is FIRING unless `firing` is
 * false, and the alert's value is 2 (two series without the threshold bucket).
 */
export function aGeneratedSloAlert(
  alertname: 'SLOErrorBudgetBurnPage' | 'SLOErrorBudgetBurnTicket' | 'SLOSLINoData' | 'SLOLatencyBucketMissing' = 'SLOErrorBudgetBurnPage',
  rates: readonly (string | undefined)[] = ['15.8', '16.2', '3.1', '4.0'],
  firing = true,
): GeneratedAlert {
  const sloId = alertname === 'SLOLatencyBucketMissing' ? 'checkout-latency' : 'checkout-availability';
  const services = resolveServices([
    { file: 'slos/catalog.ts', value: catalog },
    { file: 'slos/checkout.ts', value: checkout },
    { file: 'slos/payments.ts', value: payments },
  ]);
  const service = services.find((s) => s.name === 'checkout')!;
  const rule = generateRuleGroups(service, DEFAULT_RULE_OPTIONS)
    .flatMap((group) => group.rules)
    .find((r) => 'alert' in r && r.alert === alertname && r.labels['slo_id'] === sloId);
  if (rule === undefined || !('alert' in rule)) throw new Error(`no ${alertname} rule for ${sloId}`);
  let rate = 0;
  let tier = 0;
  const render = (text: string) =>
    text
      .replace(/\{\{ with query `[^`]*` \}\}\{\{ \. \| first \| value \| printf "%\.1f" \}\}×\{\{ else \}\}n\/a\{\{ end \}\}/g, () => {
        const value = rates[rate++ % rates.length];
        return value === undefined ? 'n/a' : `${value}×`;
      })
      .replace(/\{\{ with query `[^`]*` \}\}FIRING\{\{ else \}\}ok\{\{ end \}\}/g, () => (tier++ === 0 && firing ? 'FIRING' : 'ok'))
      .replace(/\{\{ if eq \$value 1\.0 \}\}[^{]*\{\{ else \}\}([^{]*)\{\{ end \}\}/g, '$1')
      .replaceAll('{{ $value }}', '2');
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([key, value]) => [key, render(value)]));
  return { labels: { alertname, ...rule.labels }, annotations };
}

/** Checkout's availability incident as correlate opens it from a generated page alert (opened 2026-11-02T03:00Z). */
export function aCheckoutIncident(overrides: Partial<Incident> = {}): Incident {
  const opened = Date.parse('2026-11-02T03:00:00Z');
  return {
    id: 'inc-1',
    key: 'slo:checkout/availability',
    state: 'open',
    severity: 'page',
    title: 'checkout/availability is burning its error budget fast',
    service: 'checkout',
    slo: 'availability',
    team: 'payments-team',
    groupLabels: {},
    openedAt: opened,
    resolvedAt: undefined,
    updatedAt: opened,
    reopenCount: 0,
    firingAlerts: 1,
    firingPages: 1,
    ...overrides,
  };
}
