import type { Notification } from './types.js';

/**
 * A realistic notification for tests: checkout's availability SLO paging, with runbook and
 * dashboard links. Override any field.
 */
export function aNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: 'outbox-1',
    incidentId: 'inc-checkout-availability-1',
    action: 'trigger',
    target: { kind: 'pagerduty', destination: 'PD_ROUTING_KEY_CHECKOUT' },
    severity: 'page',
    summary: 'checkout/availability burning error budget 15.8× (page)',
    details: 'Fast-burn tier (1h/5m) fired: 15.8× over 1h, 16.2× over 5m.',
    service: 'checkout',
    slo: 'availability',
    team: 'payments',
    customDetails: {
      labels: { alertname: 'SLOBurnRateHigh', slo_service: 'checkout', slo_name: 'availability' },
      burnRates: { '5m': 16.2, '1h': 15.8 },
    },
    links: [
      { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
      { href: 'https://grafana.example.com/d/slo-checkout-availability', text: 'Dashboard' },
    ],
    startedAt: '2026-11-03T10:00:00.000Z',
    ...overrides,
  };
}
