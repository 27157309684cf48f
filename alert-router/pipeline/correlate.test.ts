import { describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { aGeneratedSloAlert } from '../notify/generated-alert-fixture.js';
import { CatalogIndex } from './catalog-index.js';
import { correlate } from './correlate.js';
import { normalise } from './normalise.js';
import { parseWebhookPayload } from './webhook-schema.js';

/** The incident title an alert with these labels and annotations opens. */
function titleOpenedBy(labels: Record<string, string>, annotations: Record<string, string>): string | undefined {
  const parsed = parseWebhookPayload({
    version: '4',
    groupKey: '{}',
    status: 'firing',
    receiver: 'router',
    alerts: [{ status: 'firing', labels, annotations, startsAt: '2026-11-02T03:00:00Z', fingerprint: 'fp-1' }],
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const [alert] = normalise(parsed.data).alerts;
  const result = correlate(alert!, { kind: 'fire', reason: 'first time seen' }, {
    incident: undefined,
    now: Date.parse('2026-11-02T03:00:10Z'),
    reopenWindowMs: 15 * 60_000,
    newIncidentId: () => 'inc-1',
    catalog: new CatalogIndex(routerCatalog()),
    firingAlertOf: () => undefined,
  });
  return result.incident?.title;
}

describe("an incident's title", () => {
  const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage');
  const noData = aGeneratedSloAlert('SLOSLINoData');
  const bucketMissing = aGeneratedSloAlert('SLOLatencyBucketMissing');
  it.each([
    { name: 'a generated page alert (its summary names the SLO)', labels: page.labels, annotations: page.annotations, expected: 'checkout/availability is burning its error budget fast' },
    { name: 'a generated no-data alert (its summary names the SLO id)', labels: noData.labels, annotations: noData.annotations, expected: 'checkout/availability: the SLI has had no data for 15m' },
    {
      name: 'a generated bucket-missing alert (its summary names the SLO id)',
      labels: bucketMissing.labels,
      annotations: bucketMissing.annotations,
      expected: 'checkout/latency: 2 series of http_request_duration_seconds have no bucket at the 0.3s threshold (le="0.3"): the SLI leaves them out',
    },
    { name: 'an SLO alert with a summary of its own', labels: page.labels, annotations: { summary: 'checkout is slow' }, expected: 'checkout/availability: checkout is slow' },
    { name: 'an SLO alert without a summary', labels: page.labels, annotations: {}, expected: 'checkout/availability: error budget burning' },
    { name: 'an alert of no SLO', labels: { alertname: 'NodeDown', service: 'checkout' }, annotations: { summary: 'node-1 is down' }, expected: 'NodeDown: node-1 is down' },
  ])('names the SLO once for $name', ({ labels, annotations, expected }) => {
    expect(titleOpenedBy(labels, annotations)).toBe(expected);
  });
});
