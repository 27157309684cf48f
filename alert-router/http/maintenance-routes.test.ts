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
    const app = createApp({
      store,
      metrics: new RouterMetrics(() => 0),
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
    return { clock, store, call };
  }

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
