import { describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { burnRatesOf } from '../notify/burn-rates.js';
import { aGeneratedSloAlert } from '../notify/generated-alert-fixture.js';
import { CatalogIndex } from './catalog-index.js';
import { notice, summaryOf } from './notice.js';
import type { Incident } from './types.js';

function anIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    key: 'slo:checkout/availability',
    state: 'open',
    severity: 'page',
    title: 'checkout/availability: checkout/availability is burning its error budget fast (page)',
    service: 'checkout',
    slo: 'availability',
    team: 'payments-team',
    groupLabels: {},
    openedAt: Date.parse('2026-11-02T03:00:00Z'),
    resolvedAt: undefined,
    updatedAt: Date.parse('2026-11-02T03:00:00Z'),
    reopenCount: 0,
    firingAlerts: 1,
    ...overrides,
  };
}

const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['3.4', '3.6', '1.2', '1.5']);
const noData = aGeneratedSloAlert('SLOSLINoData');

describe('summaryOf', () => {
  it.each([
    { name: 'a generated page alert', incident: anIncident(), alert: page, expected: 'checkout/availability is burning its error budget fast, 15.8× over 1h (page)' },
    {
      name: 'a generated ticket alert',
      incident: anIncident({ severity: 'ticket' }),
      alert: ticket,
      expected: 'checkout/availability is burning its error budget slowly but steadily, 3.4× over 1d (ticket)',
    },
    { name: 'a no-data alert', incident: anIncident({ severity: 'ticket' }), alert: noData, expected: 'checkout/availability: the SLI has had no data for 15m (ticket)' },
    {
      name: 'an SLO alert without a summary',
      incident: anIncident(),
      alert: { labels: page.labels, annotations: {} },
      expected: 'checkout/availability is burning its error budget (page)',
    },
    {
      name: 'an SLO alert with its own summary',
      incident: anIncident(),
      alert: { labels: page.labels, annotations: { summary: 'orders fail at the payment step' } },
      expected: 'checkout/availability: orders fail at the payment step (page)',
    },
    {
      name: 'a non-SLO alert',
      incident: anIncident({ slo: undefined, title: 'NodeDown: db-1 is unreachable', severity: 'ticket' }),
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
      incident: anIncident(),
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
