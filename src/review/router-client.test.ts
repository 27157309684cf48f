import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startPagedIncidentApi, type PagedIncident, type PagedIncidentApi } from '../../test/support/paged-incident-api.js';
import { PeerQueryError, PeerUnreachableError } from './review-errors.js';
import { createRouterClient } from './router-client.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const FROM = Date.parse('2026-11-01T00:00:00Z');
const TO = Date.parse('2026-12-01T00:00:00Z');

let api: PagedIncidentApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('createRouterClient', () => {
  it('reads every incident of a month with more than one page of them, three opened in each minute', async () => {
    // 1,200 incidents, three per minute: the first page of 1,000 ends inside a minute it shares with the second.
    const incidents: PagedIncident[] = Array.from({ length: 1200 }, (_, i) => ({
      id: `inc-${String(i).padStart(4, '0')}`,
      service: 'checkout',
      slo: 'availability',
      openedAtMs: FROM + Math.floor(i / 3) * MIN,
      resolvedAtMs: FROM + Math.floor(i / 3) * MIN + 5 * MIN,
    }));
    api = await startPagedIncidentApi(incidents);
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY);
    expect(got.map((i) => i.id)).toEqual(incidents.map((i) => i.id));
    expect(api.requests.filter((r) => r.startsWith('/api/v1/incidents?'))).toHaveLength(2);
  }, 30_000);

  it('keeps the incidents opened before the period that were still open in it, and only those', async () => {
    api = await startPagedIncidentApi([
      { id: 'resolved-before', service: 'checkout', slo: 'availability', openedAtMs: FROM - 3 * DAY, resolvedAtMs: FROM - 2 * DAY },
      { id: 'long-running', service: 'checkout', slo: 'availability', openedAtMs: FROM - 3 * DAY, resolvedAtMs: FROM + 2 * DAY },
      { id: 'still-open', service: 'checkout', slo: 'availability', openedAtMs: FROM - 10 * DAY, resolvedAtMs: null },
      { id: 'in-period', service: 'checkout', slo: 'availability', openedAtMs: FROM + DAY, resolvedAtMs: FROM + DAY + MIN, pagedAtMs: FROM + DAY },
      { id: 'after', service: 'checkout', slo: 'availability', openedAtMs: TO, resolvedAtMs: TO + MIN },
      { id: 'other-service', service: 'payments', slo: 'authorisations', openedAtMs: FROM + DAY, resolvedAtMs: null },
    ]);
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY);
    expect(got.map((i) => i.id)).toEqual(['still-open', 'long-running', 'in-period']);
    expect(got.find((i) => i.id === 'in-period')?.notifications).toMatchObject([{ action: 'trigger', target: 'pagerduty', state: 'delivered' }]);
  });

  it.each([
    { input: '<html><body>Sign in</body></html>', expected: /alert-router at http:\/\/127\.0\.0\.1:\d+ refused "\/api\/v1\/incidents\?.*": HTTP 200, not an alert-router API answer: <html>/ },
    { input: '{"data":[]}', expected: /alert-router at http:\/\/127\.0\.0\.1:\d+ refused "\/api\/v1\/incidents\?.*": the answer has no "incidents" list/ },
  ])('names the router when it answers $input instead of an incident list', async ({ input, expected }) => {
    const server = createServer((_req, res) => res.end(input));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await createRouterClient({ url }).incidents('checkout', FROM, TO, FROM - 30 * DAY).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PeerQueryError);
      expect((err as Error).message).toMatch(expected);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('says the router is unreachable when nothing listens', async () => {
    const err = await createRouterClient({ url: 'http://127.0.0.1:9' }).incidents('checkout', FROM, TO, FROM).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerUnreachableError);
    expect((err as Error).message).toBe('alert-router at http://127.0.0.1:9 is unreachable');
  });
});
