import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startIncidentApi, type FixtureIncident, type IncidentApiFixture } from '../../test/support/incident-api-fixture.js';
import { PeerQueryError, PeerUnreachableError } from './review-errors.js';
import { createRouterClient } from './router-client.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const FROM = Date.parse('2026-11-01T00:00:00Z');
const TO = Date.parse('2026-12-01T00:00:00Z');

let api: IncidentApiFixture | undefined;

/** A checkout page incident opened and resolved at these times (null: still open), delivered to PagerDuty at `pagedAtMs`. */
function incident(id: string, openedAtMs: number, resolvedAtMs: number | null, options: { service?: string; slo?: string; pagedAtMs?: number } = {}): FixtureIncident {
  const service = options.service ?? 'checkout';
  const slo = options.slo ?? 'availability';
  return {
    id,
    title: `${service}/${slo} burning error budget (page)`,
    service,
    slo,
    severity: 'page',
    openedAt: new Date(openedAtMs).toISOString(),
    resolvedAt: resolvedAtMs === null ? null : new Date(resolvedAtMs).toISOString(),
    notifications: options.pagedAtMs === undefined ? [] : [{ action: 'trigger', target: 'pagerduty', at: new Date(options.pagedAtMs).toISOString() }],
  };
}
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('createRouterClient', () => {
  it('reads every incident of a month with more than one page of them, three opened in each minute', async () => {
    // 1,200 incidents, three per minute: the first page of 1,000 ends inside a minute it shares with the second.
    const incidents = Array.from({ length: 1200 }, (_, i) =>
      incident(`inc-${String(i).padStart(4, '0')}`, FROM + Math.floor(i / 3) * MIN, FROM + Math.floor(i / 3) * MIN + 5 * MIN),
    );
    api = await startIncidentApi(incidents);
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY).then((r) => r.incidents);
    expect(got.map((i) => i.id)).toEqual(incidents.map((i) => i.id));
    expect(api.requests.filter((r) => r.startsWith('/api/v1/incidents?'))).toHaveLength(2);
  }, 30_000);

  it('leaves out a resolved incident deleted between the list and its detail, and holds its incidents as beginning after it', async () => {
    const listedSince = FROM - 60 * DAY;
    api = await startIncidentApi(
      [incident('deleted', FROM + DAY, FROM + 2 * DAY, { pagedAtMs: FROM + DAY }), incident('kept', FROM + 3 * DAY, FROM + 4 * DAY), incident('open', FROM + 5 * DAY, null)],
      () => ({ store: '90d', keepsResolvedSince: new Date(listedSince).toISOString() }),
      new Set(['deleted']),
    );
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY);
    expect(got.incidents.map((i) => i.id)).toEqual(['kept', 'open']);
    expect(got.retention).toEqual({ store: '90d', keepsResolvedSinceMs: FROM + 2 * DAY + 1 });
  });

  it('still fails on an open incident whose detail is not found: retention deletes only resolved ones', async () => {
    api = await startIncidentApi([incident('open', FROM + DAY, null)], undefined, new Set(['open']));
    await expect(createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY)).rejects.toThrow(/HTTP 404: .*no incident open/);
  });

  it('keeps the incidents opened before the period that were still open in it, and only those', async () => {
    api = await startIncidentApi([
      incident('resolved-before', FROM - 3 * DAY, FROM - 2 * DAY),
      incident('long-running', FROM - 3 * DAY, FROM + 2 * DAY),
      incident('still-open', FROM - 10 * DAY, null),
      incident('in-period', FROM + DAY, FROM + DAY + MIN, { pagedAtMs: FROM + DAY }),
      incident('after', TO, TO + MIN),
      incident('other-service', FROM + DAY, null, { service: 'payments', slo: 'authorisations' }),
    ]);
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY).then((r) => r.incidents);
    expect(got.map((i) => i.id)).toEqual(['still-open', 'long-running', 'in-period']);
    expect(got.find((i) => i.id === 'in-period')?.notifications).toMatchObject([{ action: 'trigger', target: 'pagerduty', state: 'delivered' }]);
  });

  it('gives the latest retention any page of the list gave: each holds from when it was answered', async () => {
    // Three pages; the middle one answered latest (the router's clock stepped back after it).
    const incidents = Array.from({ length: 2001 }, (_, i) => incident(`inc-${String(i).padStart(4, '0')}`, FROM + i * MIN, FROM + i * MIN + 5 * MIN));
    const answers = ['2026-09-02T10:00:00.000Z', '2026-09-02T10:00:07.000Z', '2026-09-02T10:00:03.000Z'];
    api = await startIncidentApi(incidents, () => ({ store: '90d', keepsResolvedSince: answers.shift() }));
    const got = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM - 30 * DAY);
    expect(got.retention).toEqual({ store: '90d', keepsResolvedSinceMs: Date.parse('2026-09-02T10:00:07.000Z') });
    expect(answers).toEqual([]);
  }, 30_000);

  it.each([
    { name: 'one that keeps everything', input: { store: 'forever', keepsResolvedSince: null }, expected: { store: 'forever', keepsResolvedSinceMs: undefined } },
    { name: 'one from before it said', input: undefined, expected: undefined },
  ])("reads the retention of $name", async ({ input, expected }) => {
    api = await startIncidentApi([incident('in-period', FROM + DAY, FROM + DAY + MIN)], () => input);
    expect((await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM)).retention).toEqual(expected);
  });

  it('names the router when its retention is not a store and a time', async () => {
    api = await startIncidentApi([], () => ({ store: '90d', keepsResolvedSince: 'last week' }));
    const err = await createRouterClient({ url: api.url }).incidents('checkout', FROM, TO, FROM).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerQueryError);
    expect((err as Error).message).toMatch(
      /alert-router at http:\/\/127\.0\.0\.1:\d+ refused "\/api\/v1\/incidents\?.*": the answer's "retention" is not \{"store": string, "keepsResolvedSince": RFC 3339 time or null\}: \{"store":"90d","keepsResolvedSince":"last week"\}/,
    );
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
