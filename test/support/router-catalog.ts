import type { Catalog } from '../../src/slo/catalog.js';

/**
 * A realistic two-service catalog, shaped like the one `npm run generate` writes: checkout (pages
 * payments-oncall, posts to #checkout) depends on payments (no PagerDuty service, posts to #payments).
 */
export function routerCatalog(): Catalog {
  const tiers = [
    { severity: 'page' as const, budgetPercent: 2, long: '1h', short: '5m', factor: 14.4 },
    { severity: 'ticket' as const, budgetPercent: 10, long: '3d', short: '6h', factor: 1 },
  ];
  return {
    version: 1,
    services: [
      {
        name: 'checkout',
        description: 'Checkout API',
        team: 'payments-team',
        slack: '#checkout',
        pagerduty: 'checkout-oncall',
        dependsOn: ['payments'],
        labels: {},
        slos: ['checkout-availability'],
      },
      {
        name: 'payments',
        description: 'Payments gateway',
        team: 'payments-team',
        slack: '#payments',
        dependsOn: [],
        labels: {},
        slos: ['payments-latency'],
      },
    ],
    slos: [
      {
        id: 'checkout-availability',
        service: 'checkout',
        name: 'availability',
        description: '99.9% of checkout requests succeed',
        objective: 99.9,
        errorBudget: 0.001,
        window: '30d',
        sliKind: 'ratio',
        team: 'payments-team',
        slack: '#checkout',
        pagerduty: 'checkout-oncall',
        runbookUrl: 'https://runbooks.example.com/checkout/availability',
        dashboardUrl: 'https://grafana.example.com/d/slokit-svc-checkout/checkout?var-slo=availability',
        errorRatioQuery: 'slo:sli_error:ratio_rate5m{slo_id="checkout-availability"}',
        tiers,
      },
      {
        id: 'payments-latency',
        service: 'payments',
        name: 'latency',
        description: '99% of payments under 300ms',
        objective: 99,
        errorBudget: 0.01,
        window: '30d',
        sliKind: 'latency',
        team: 'payments-team',
        slack: '#payments',
        dashboardUrl: 'https://grafana.example.com/d/slokit-svc-payments/payments?var-slo=latency',
        errorRatioQuery: 'slo:sli_error:ratio_rate5m{slo_id="payments-latency"}',
        tiers,
      },
    ],
  };
}
