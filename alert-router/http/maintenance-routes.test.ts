import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { RouterMetrics } from '../router-metrics.js';
import { openDatabase } from '../store/open-database.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { createApp } from './create-app.js';

describe('maintenance window API', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  async function start() {
    const clock = new FakeClock();
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'normal' }));
    let n = 0;
    const metrics = new RouterMetrics(() => 0);
    const app = createApp({
      store,
      metrics,
      logger: pino({ level: 'silent' }),
      commit: () => Promise.reject(new Error('unused')),
      settings: () => ({ auth: { kind: 'bearer', token: 't0ken' }, bodyLimitBytes: 1024 }),
      draining: () => false,
      now: clock.now,
      newId: () => `mw-${++n}`,
    });
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/maintenance`;
    const call = (method: string, path = '', body?: unknown, auth = 'Bearer t0ken') =>
      fetch(`${url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    // Bytes, not a string: fetch would add text/plain to a string body without a content type.
    const post = (body: string, contentType?: string) =>
      fetch(url, { method: 'POST', headers: { authorization: 'Bearer t0ken', ...(contentType === undefined ? {} : { 'content-type': contentType }) }, body: new TextEncoder().encode(body) });
    return { clock, store, metrics, call, post };
  }

  const window = (overrides: Record<string, unknown>) => ({ matchers: ['service="payments"'], endsAt: '2026-11-02T04:00:00Z', author: 'ana', ...overrides });
  const rejected = [
    {
      name: 'a matcher object with an invalid regular expression',
      input: window({ matchers: [{ name: 'service', value: '(', isRegex: true }] }),
      expectedError: [{ field: 'matchers[0].value', message: 'invalid regular expression: Unterminated group' }],
    },
    {
      name: 'a matcher object whose name is not a label name',
      input: window({ matchers: [{ name: '1x', value: 'a' }] }),
      expectedError: [{ field: 'matchers[0].name', message: 'not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)' }],
    },
    { name: 'a matcher object without a value', input: window({ matchers: [{ name: 'x' }] }), expectedError: [{ field: 'matchers[0].value', message: 'required' }] },
    {
      name: 'a matcher object with a non-boolean isRegex',
      input: window({ matchers: ['a="b"', { name: 'x', value: 'y', isRegex: 'yes' }] }),
      expectedError: [{ field: 'matchers[1].isRegex', message: 'Invalid input: expected boolean, received string' }],
    },
    {
      name: 'a matcher that is neither text nor an object',
      input: window({ matchers: [5] }),
      expectedError: [{ field: 'matchers[0]', message: 'expected a matcher string like service="x" or an object {name, value, isRegex?, isEqual?}' }],
    },
    { name: 'a bare year as endsAt', input: window({ endsAt: '3000' }), expectedError: [{ field: 'endsAt', message: 'must be an RFC 3339 time like 2024-01-01T00:00:00Z' }] },
    { name: 'a number as startsAt', input: window({ startsAt: '1' }), expectedError: [{ field: 'startsAt', message: 'must be an RFC 3339 time like 2024-01-01T00:00:00Z' }] },
    { name: 'a past endsAt without startsAt', input: window({ endsAt: '2026-11-02T02:00:00Z' }), expectedError: [{ field: 'endsAt', message: 'must be in the future' }] },
    {
      name: 'an endsAt before startsAt',
      input: window({ startsAt: '2026-11-02T05:00:00Z', endsAt: '2026-11-02T04:00:00Z' }),
      expectedError: [{ field: 'endsAt', message: 'must be after startsAt' }],
    },
    {
      name: 'a past endsAt before startsAt',
      input: window({ startsAt: '2026-11-02T02:00:00Z', endsAt: '2026-11-02T01:00:00Z' }),
      expectedError: [
        { field: 'endsAt', message: 'must be after startsAt' },
        { field: 'endsAt', message: 'must be in the future' },
      ],
    },
    {
      name: 'matchers that also match an alert without their labels (a window over every alert)',
      input: window({ matchers: ['nosuchlabel=""', { name: 'service', value: '.*', isRegex: true }] }),
      expectedError: [
        {
          field: 'matchers',
          message: 'every matcher (nosuchlabel="", service=~".*") also matches an alert without that label, so the window would hold every alert: add one that needs a label value, e.g. service="payments"',
        },
      ],
    },
    { name: 'a blank author', input: window({ author: '   ' }), expectedError: [{ field: 'author', message: 'must not be empty' }] },
    {
      name: 'a window longer than 366 days',
      input: window({ endsAt: '9999-12-31T23:59:59Z' }),
      expectedError: [{ field: 'endsAt', message: 'must be at most 366 days after the start: a longer window is a mistake more often than a plan' }],
    },
    {
      name: 'an unknown key',
      input: window({ reason: 'upgrade' }),
      expectedError: [{ field: 'reason', message: 'unknown field (known: matchers, startsAt, endsAt, author, comment)' }],
    },
  ];
  it.each(rejected)('answers 400 naming the field for $name, and stores nothing', async ({ input, expectedError }) => {
    const { call, store, clock } = await start();
    const res = await call('POST', '', input);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_maintenance', issues: expectedError });
    expect(store.suppression.listMaintenance(clock.now(), true)).toEqual([]);
  });

  it('answers 415 asking for application/json when the content type is wrong or missing, and stores nothing', async () => {
    const { post, store, clock } = await start();
    const body = JSON.stringify(window({}));
    for (const [contentType, message] of [
      ['text/plain', 'must be application/json, not "text/plain"'],
      [undefined, 'missing; send application/json'],
    ] as const) {
      const res = await post(body, contentType);
      expect(res.status).toBe(415);
      expect(await res.json()).toEqual({
        error: 'unsupported_media_type',
        message: 'the body must be JSON sent with Content-Type: application/json',
        issues: [{ field: 'content-type', message }],
      });
    }
    expect(store.suppression.listMaintenance(clock.now(), true)).toEqual([]);
    expect((await post(body, 'Application/JSON; charset=utf-8')).status).toBe(201);
  });

  it('stores a window durably, lists it as active, and ends it early on DELETE', async () => {
    const { store, call, clock } = await start();
    const created = await call('POST', '', {
      matchers: ['service="payments"', { name: 'cluster', value: 'db-.*', isRegex: true, isEqual: true }],
      endsAt: '2026-11-02T04:00:00Z',
      author: 'ana',
      comment: 'db upgrade',
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { maintenance: { id: string; matchers: string[]; status: string; startsAt: string } };
    expect(body.maintenance).toMatchObject({ id: 'mw-1', matchers: ['service="payments"', 'cluster=~"db-.*"'], status: 'active', startsAt: '2026-11-02T03:00:00.000Z' });
    expect(store.suppression.activeMaintenance(clock.now())).toHaveLength(1);
    const listed = (await (await call('GET')).json()) as { maintenance: unknown[] };
    expect(listed.maintenance).toHaveLength(1);
    clock.advance(60_000);
    expect((await call('DELETE', '/mw-1')).status).toBe(204);
    expect(store.suppression.activeMaintenance(clock.now())).toHaveLength(0);
    expect((await call('DELETE', '/mw-9')).status).toBe(404);
  });

  it('answers 503 with Retry-After (not 500) when the store refuses the window or its end, and counts each on /metrics', async () => {
    const { store, metrics, call } = await start();
    expect((await call('POST', '', window({}))).status).toBe(201);
    // The store takes no writes: SQLite answers "attempt to write a readonly database".
    store.db.pragma('query_only = ON');
    for (const res of [await call('POST', '', window({})), await call('DELETE', '/mw-1')]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'store_unavailable', message: 'could not commit to the store; retry' });
    }
    expect(await metrics.registry.getSingleMetricAsString('slokit_router_store_errors_total')).toContain('operation="maintenance"} 2');
    store.db.pragma('query_only = OFF');
    expect((await call('DELETE', '/mw-1')).status).toBe(204);
  });

  it('marks the holds of a window ended early on DELETE with when, by whom (?author=) and its planned end', async () => {
    const { store, call, clock } = await start();
    expect((await call('POST', '', window({ endsAt: '2026-11-02T05:00:00Z' }))).status).toBe(201);
    const held = { reason: 'maintenance' as const, since: clock.now(), until: Date.parse('2026-11-02T05:00:00Z'), parentId: undefined };
    store.transaction(() => {
      store.suppression.setHold({ ...held, incidentId: 'i1', detail: 'in maintenance window mw-1 {service="payments"} until …', windowId: 'mw-1' });
      store.suppression.setHold({ ...held, incidentId: 'i2', detail: 'in maintenance window mw-7 {service="db"} until …', windowId: 'mw-7' });
    });
    clock.advance(10 * 60_000);
    const empty = await call('DELETE', '/mw-1?author=');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { issues: unknown[] }).issues).toEqual([{ field: 'author', message: 'must not be empty' }]);
    expect(store.suppression.holdOf('i1')?.detail).toMatch(/^in maintenance window mw-1 /);

    expect((await call('DELETE', '/mw-1?author=bo')).status).toBe(204);
    expect(store.suppression.holdOf('i1')).toMatchObject({
      windowId: 'mw-1',
      detail: 'maintenance window mw-1 {service="payments"} was ended early at 2026-11-02T03:10:00.000Z by bo (planned until 2026-11-02T05:00:00.000Z)',
    });
    expect(store.suppression.holdOf('i2')?.detail).toMatch(/^in maintenance window mw-7 /);
    const listed = (await (await call('GET', '?all=true')).json()) as { maintenance: unknown[] };
    expect(listed.maintenance).toEqual([expect.objectContaining({ id: 'mw-1', status: 'expired', endsAt: '2026-11-02T03:10:00.000Z' })]);
  });

  it('rejects bad windows naming the field, and requests without credentials', async () => {
    const { call } = await start();
    const bad = await call('POST', '', { matchers: ['service=~"("'], endsAt: 'tomorrow', author: 'ana' });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: { field: string }[] }).issues.map((i) => i.field);
    expect(issues).toEqual(expect.arrayContaining(['matchers[0]', 'endsAt']));
    expect((await call('POST', '', { matchers: ['a="b"'], endsAt: '2026-11-02T02:00:00Z', author: 'ana' })).status).toBe(400);
    expect((await call('GET', '', undefined, 'Bearer wrong')).status).toBe(401);
  });
});
