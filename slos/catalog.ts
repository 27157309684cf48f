import { defineService } from '../src/slo/index.js';

/** The product catalog: search and product pages read from it. */
export default defineService({
  name: 'catalog',
  description: 'Product catalog API: product data, prices and stock',
  owner: { team: 'discovery', slack: '#discovery' },
  slos: [
    {
      name: 'read-latency',
      description: 'Catalog reads answered within 100 ms',
      objective: 99.5,
      window: '7d',
      sli: {
        kind: 'latency',
        metric: 'http_request_duration_seconds',
        selector: 'job="catalog", method="GET"',
        threshold: 0.1,
      },
      alerting: { page: { disable: true } },
    },
  ],
});
