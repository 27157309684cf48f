import type { WebhookPayload } from '../../alert-router/pipeline/webhook-schema.js';

/** Alertmanager's "zero" time, what it sends as a firing alert's endsAt. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface AlertSpec {
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

/** Labels of a generated SLO burn alert for checkout/availability. */
export function sloAlertLabels(severity: 'page' | 'ticket', overrides: Record<string, string> = {}): Record<string, string> {
  return {
    alertname: severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket',
    slo_id: 'checkout-availability',
    slo_service: 'checkout',
    slo_name: 'availability',
    severity,
    team: 'payments-team',
    ...overrides,
  };
}

/** One alert of a webhook payload; firing by default, with Alertmanager's zero endsAt. */
export function webhookAlert(spec: AlertSpec = {}): WebhookPayload['alerts'][number] {
  const status = spec.status ?? 'firing';
  const labels = spec.labels ?? sloAlertLabels('page');
  return {
    status,
    labels,
    annotations: spec.annotations ?? { summary: 'checkout availability is burning its error budget' },
    startsAt: spec.startsAt ?? '2026-11-02T03:00:00Z',
    endsAt: spec.endsAt ?? (status === 'firing' ? ZERO_TIME : '2026-11-02T03:20:00Z'),
    generatorURL: 'http://prometheus:9090/graph',
    ...(spec.fingerprint === undefined ? {} : { fingerprint: spec.fingerprint }),
  };
}

/** A version-4 webhook payload as Alertmanager 0.25 sends it (receiver regex-quoted). */
export function webhookPayload(alerts: AlertSpec[], groupLabels: Record<string, string> = { alertname: 'SLOErrorBudgetBurnPage' }): WebhookPayload {
  const built = alerts.map(webhookAlert);
  return {
    version: '4',
    groupKey: `{}:{alertname="${groupLabels['alertname'] ?? ''}"}`,
    truncatedAlerts: 0,
    status: built.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'slokit\\.router',
    groupLabels,
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: built,
  };
}

/**
 * A builder of webhooks of `n` new NodeDown ticket alerts of the checkout service (one incident: same
 * alertname), each alert a new instance and fingerprint, numbered on from the last call.
 */
export function nodeDownBatches(): (n: number) => WebhookPayload {
  let serial = 0;
  return (n) =>
    webhookPayload(
      Array.from({ length: n }, () => {
        serial++;
        return { labels: { alertname: 'NodeDown', service: 'checkout', instance: `node-${serial}`, severity: 'ticket' }, fingerprint: `fp-node-${serial}` };
      }),
      { alertname: 'NodeDown' },
    );
}
