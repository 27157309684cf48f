import { defineService } from '../src/slo/index.js';

/** The checkout API: the money path. Depends on payments and the product catalog. */
export default defineService({
  name: 'checkout',
  description: 'Checkout API: carts, orders and the order confirmation page',
  owner: { team: 'checkout', slack: '#checkout-oncall', pagerduty: 'PD_CHECKOUT' },
  dependsOn: ['payments', 'catalog'],
  labels: { tier: '1' },
  slos: [
    {
      name: 'availability',
      description: 'Checkout requests that do not fail with a server error',
      objective: 99.9,
      sli: {
        kind: 'ratio',
        errors: (w) => `sum(rate(http_requests_total{job="checkout", code=~"5.."}[${w}]))`,
        total: (w) => `sum(rate(http_requests_total{job="checkout"}[${w}]))`,
      },
      runbookUrl: 'https://runbooks.example.com/checkout/availability',
    },
    {
      name: 'latency',
      description: 'Checkout requests answered within 300 ms',
      objective: 99,
      sli: {
        kind: 'latency',
        metric: 'http_request_duration_seconds',
        selector: 'job="checkout", route!="/healthz"',
        threshold: 0.3,
      },
      runbookUrl: 'https://runbooks.example.com/checkout/latency',
    },
  ],
});
