import { describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { burnRatesOf } from '../notify/burn-rates.js';
import { aCheckoutIncident, aGeneratedSloAlert } from '../notify/generated-alert-fixture.js';
import { CatalogIndex } from './catalog-index.js';
import { notice, summaryOf } from './notice.js';

const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['3.4', '3.6', '1.2', '1.5']);
const noData = aGeneratedSloAlert('SLOSLINoData');
const bucketMissing = aGeneratedSloAlert('SLOLatencyBucketMissing');

describe('summaryOf', () => {
  it.each([
    { name: 'a generated page alert', incident: aCheckoutIncident(), alert: page, expected: 'checkout/availability is burning its error budget fast, 15.8× over 1h (page)' },
    {
      name: 'a generated ticket alert',
      incident: aCheckoutIncident({ severity: 'ticket' }),
      alert: ticket,
      expected: 'checkout/availability is burning its error budget slowly but steadily, 3.4× over 1d (ticket)',
    },
    { name: 'a no-data alert', incident: aCheckoutIncident({ severity: 'ticket' }), alert: noData, expected: 'checkout/availability: the SLI has had no data for 15m (ticket)' },
    {
      name: 'a bucket-missing alert',
      incident: aCheckoutIncident({ severity: 'ticket', slo: 'latency', title: 'checkout/latency: 2 series of http_request_duration_seconds have no bucket' }),
      alert: bucketMissing,
      expected: 'checkout/latency: 2 series of http_request_duration_seconds have no bucket at the 0.3s threshold (le="0.3"): the SLI leaves them out (ticket)',
    },
    {
      name: 'an SLO alert without a summary',
      incident: aCheckoutIncident(),
      alert: { labels: page.labels, annotations: {} },
      expected: 'checkout/availability is burning its error budget (page)',
    },
    {
      name: 'an SLO alert with its own summary',
      incident: aCheckoutIncident(),
      alert: { labels: page.labels, annotations: { summary: 'orders fail at the payment step' } },
      expected: 'checkout/availability: orders fail at the payment step (page)',
    },
    {
      name: 'a non-SLO alert',
      incident: aCheckoutIncident({ slo: undefined, title: 'NodeDown: db-1 is unreachable', severity: 'ticket' }),
      alert: { labels: { alertname: 'NodeDown' }, annotations: { summary: 'db-1 is unreachable' } },
      expected: 'NodeDown: db-1 is unreachable (ticket)',
    },
  ])('sums up $name', ({ incident, alert, expected }) => {
    expect(summaryOf(incident, alert.labels, alert.annotations, burnRatesOf(alert.annotations))).toBe(expected);
  });
});

describe('notice', () => {
  it('carries the burn rates of the alert it tells of', () => {
    const { notification } = notice({
      incident: aCheckoutIncident(),
      target: { kind: 'slack', destination: '#checkout' },
      action: 'resolve',
      details: 'released (maintenance): the window ended; resolved meanwhile',
      labels: page.labels,
      annotations: page.annotations,
      catalog: new CatalogIndex(routerCatalog()),
      now: Date.parse('2026-11-02T04:00:00Z'),
      newId: () => 'n-1',
      why: 'test',
    });
    expect(notification.customDetails['burnRates']).toEqual({ '1h': 15.8, '5m': 16.2, '6h': 3.1, '30m': 4 });
    expect(notification.summary).toBe('checkout/availability is burning its error budget fast, 15.8× over 1h (page)');
  });
});
