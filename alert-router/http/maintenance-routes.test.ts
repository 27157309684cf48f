import type { AddressInfo } from 'node:net';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
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

  /** `durable` rejects while `failing.durable` is set: the window commits, but the fsync after it fails. */
  async function start() {
    const clock = new FakeClock();
    const failing = { durable: false };
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'normal' }));
    let n = 0;
    const metrics = new RouterMetrics(() => 0);
    const app = createApp({
      store,
      metrics,
      logger: pino({ level: 'silent' }),
      commit: () => Promise.reject(new Error('unused')),
      settings: () => ({ auth: { kind: 'bearer', token: 't0ken' }, bodyLimitBytes: 1024, retention: 'forever', retentionMs: undefined, tickIntervalMs: 5000 }),
      draining: () => false,
      now: clock.now,
      newId: () => `mw-${++n}`,
      durable: () => (failing.durable ? Promise.reject(new Error('EIO: i/o error, fdatasync')) : Promise.resolve()),
    });
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/maintenance`;
    const call = (method: string, path = '', body?: unknown, auth = 'Bearer t0ken', headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    // Bytes, not a string: fetch would add text/plain to a string body without a content type.
    const post = (body: string, contentType?: string) =>
      fetch(url, { method: 'POST', headers: { authorization: 'Bearer t0ken', ...(contentType === undefined ? {} : { 'content-type': contentType }) }, body: new TextEncoder().encode(body) });
    return { clock, store, metrics, failing, url, call, post };
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
    for (const [res, message] of [
      [await call('POST', '', window({ comment: 'another' }), undefined, { 'idempotency-key': 'k2' }), 'could not commit to the store; retry with the same Idempotency-Key: the window may be stored, and that retry answers it (200) instead of storing a copy'],
      [await call('DELETE', '/mw-1'), 'could not commit to the store; retry'],
    ] as const) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'store_unavailable', message });
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

  type Listed = { maintenance: { id: string; status: string; startsAt: string; endsAt: string }[] };

  it('stores one window when a POST answered 503 after its commit is retried with the same Idempotency-Key, and answers the retry 200 with it', async () => {
    const { failing, call, clock } = await start();
    const key = { 'idempotency-key': 'deploy-4711-payments' };
    // The window commits, then making it durable fails: the client is told to retry, and it may be stored.
    failing.durable = true;
    const refused = await call('POST', '', window({ comment: 'deploy 4711' }), undefined, key);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({
      error: 'store_unavailable',
      message: 'could not commit to the store; retry with the same Idempotency-Key: the window may be stored, and that retry answers it (200) instead of storing a copy',
    });
    failing.durable = false;
    clock.advance(5_000);
    for (const _ of [1, 2]) {
      const retried = await call('POST', '', window({ comment: 'deploy 4711' }), undefined, key);
      expect(retried.status).toBe(200);
      // The first attempt's window: it started when that attempt was stored, not at the retry.
      expect(await retried.json()).toEqual({ maintenance: expect.objectContaining({ id: 'mw-1', status: 'active', startsAt: '2026-11-02T03:00:00.000Z', comment: 'deploy 4711' }) });
    }
    const listed = (await (await call('GET')).json()) as Listed;
    expect(listed.maintenance.map((w) => w.id)).toEqual(['mw-1']);
  });

  it('answers a retry with the Idempotency-Key of a window ended early, or past its planned end, with that window as it is now, and stores none', async () => {
    const { call, clock } = await start();
    const key = { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' };
    expect((await call('POST', '', window({}), undefined, key)).status).toBe(201);
    clock.advance(60_000);
    expect((await call('DELETE', '/mw-1')).status).toBe(204);
    // Its planned endsAt (04:00) is in the past by the second retry: still that window, not a 400.
    for (const ms of [0, 2 * 3600_000]) {
      clock.advance(ms);
      const retried = await call('POST', '', window({}), undefined, key);
      expect(retried.status).toBe(200);
      expect(((await retried.json()) as { maintenance: unknown }).maintenance).toMatchObject({ id: 'mw-1', status: 'expired', endsAt: '2026-11-02T03:01:00.000Z' });
    }
    expect(((await (await call('GET', '?all=true')).json()) as Listed).maintenance.map((w) => w.id)).toEqual(['mw-1']);
  });

  it('answers a DELETE of a pending window retried after a 503 (its commit went through) with 204, and shows the window cancelled with its planned start', async () => {
    const { failing, call, clock } = await start();
    expect((await call('POST', '', window({ startsAt: '2026-11-02T03:30:00Z' }))).status).toBe(201);
    clock.advance(60_000);
    failing.durable = true;
    const refused = await call('DELETE', '/mw-1?author=bo');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    failing.durable = false;
    clock.advance(5_000);
    expect((await call('DELETE', '/mw-1?author=bo')).status).toBe(204);
    // Not yet ended is not what GET lists by default: a cancelled window has ended.
    expect(((await (await call('GET')).json()) as Listed).maintenance).toEqual([]);
    const cancelled = { id: 'mw-1', status: 'cancelled', startsAt: '2026-11-02T03:30:00.000Z', endsAt: '2026-11-02T03:01:00.000Z' };
    expect(((await (await call('GET', '?all=true')).json()) as Listed).maintenance).toEqual([expect.objectContaining(cancelled)]);
    // Past its planned start it is still cancelled, and a DELETE then still answers 204.
    clock.advance(3600_000);
    expect(((await (await call('GET', '/mw-1')).json()) as { maintenance: unknown }).maintenance).toMatchObject(cancelled);
    expect((await call('DELETE', '/mw-1')).status).toBe(204);
    const unknown = await call('DELETE', '/mw-9');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found', message: 'no maintenance window mw-9' });
  });

  it('answers a POST retried with the Idempotency-Key of a pending window that DELETE cancelled with 200 and that window, and stores none', async () => {
    const { call, clock } = await start();
    const key = { 'idempotency-key': 'tonight' };
    const pending = window({ startsAt: '2026-11-02T03:30:00Z' });
    expect((await call('POST', '', pending, undefined, key)).status).toBe(201);
    expect((await call('DELETE', '/mw-1')).status).toBe(204);
    // Before its planned start and after it: the cancelled window, not a new one that would hold alerts.
    for (const ms of [5_000, 3600_000]) {
      clock.advance(ms);
      const again = await call('POST', '', pending, undefined, key);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { maintenance: unknown }).maintenance).toMatchObject({ id: 'mw-1', status: 'cancelled', startsAt: '2026-11-02T03:30:00.000Z' });
    }
    expect(((await (await call('GET', '?all=true')).json()) as Listed).maintenance.map((w) => [w.id, w.status])).toEqual([['mw-1', 'cancelled']]);
  });

  it('answers 409 naming the key, its window and each field that differs when an Idempotency-Key is sent with another window, and stores nothing', async () => {
    const { call, clock } = await start();
    const key = { 'idempotency-key': 'deploy-4711' };
    expect((await call('POST', '', window({}), undefined, key)).status).toBe(201);
    clock.advance(5_000);
    const reused = await call('POST', '', window({ matchers: ['service="checkout"'], endsAt: '2026-11-02T05:00:00Z' }), undefined, key);
    expect(reused.status).toBe(409);
    expect(await reused.json()).toEqual({
      error: 'idempotency_key_reused',
      message: 'Idempotency-Key "deploy-4711" was used for maintenance window mw-1, created by a different request (matchers, endsAt); send a new key for a new window',
      issues: [
        { field: 'matchers', message: 'differs from the request that created maintenance window mw-1, which had ["service=\\"payments\\""]' },
        { field: 'endsAt', message: 'differs from the request that created maintenance window mw-1, which had 2026-11-02T04:00:00.000Z' },
      ],
    });
    // A start given where the first request let it default is another request too, even at the same time.
    const started = await call('POST', '', window({ startsAt: '2026-11-02T03:00:00Z' }), undefined, key);
    expect(started.status).toBe(409);
    expect(((await started.json()) as { issues: unknown[] }).issues).toEqual([
      { field: 'startsAt', message: 'differs from the request that created maintenance window mw-1, which had none (from when it was stored)' },
    ]);
    expect(((await (await call('GET')).json()) as Listed).maintenance.map((w) => w.id)).toEqual(['mw-1']);
  });

  /** POSTs with raw header lines (fetch joins a repeated header into one line). */
  async function postWithHeaders(url: string, headers: [string, string][]): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(window({}));
    // Raw header lines get no Host of their own, and Node's server refuses a request without one.
    const flat = [['host', new URL(url).host], ['authorization', 'Bearer t0ken'], ['content-type', 'application/json'], ...headers].flat();
    const req = request(url, { method: 'POST', headers: flat });
    req.end(body);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let text = '';
    for await (const chunk of res) text += String(chunk);
    return { status: res.statusCode ?? 0, body: JSON.parse(text) as unknown };
  }

  const badKeys = [
    { name: 'an empty key', input: [''], expected: 'must not be empty' },
    { name: 'a key of 256 characters', input: ['k'.repeat(256)], expected: 'is 256 characters long; at most 255' },
    { name: 'a key with a space', input: ['deploy 4711'], expected: 'must be visible ASCII characters (! to ~) only, without spaces: character 7 is " "' },
    { name: 'a key outside ASCII', input: ['caf\u00e9'], expected: 'must be visible ASCII characters (! to ~) only, without spaces: character 4 is "é"' },
    { name: 'a key given twice', input: ['a', 'a'], expected: 'given more than once; give it once' },
  ];
  it.each(badKeys)('answers 400 naming the Idempotency-Key header for $name, and stores nothing', async ({ input, expected }) => {
    const { store, clock, url } = await start();
    const res = await postWithHeaders(url, input.map((k) => ['Idempotency-Key', k]));
    expect(res).toEqual({
      status: 400,
      body: { error: 'invalid_idempotency_key', message: 'the Idempotency-Key header must be one key of 1 to 255 visible ASCII characters', issues: [{ field: 'Idempotency-Key', message: expected }] },
    });
    expect(store.suppression.listMaintenance(clock.now(), true)).toEqual([]);
  });

  it('takes an Idempotency-Key of 255 visible ASCII characters', async () => {
    const { url } = await start();
    expect((await postWithHeaders(url, [['Idempotency-Key', `!${'k'.repeat(253)}~`]])).status).toBe(201);
  });

  const first = window({ matchers: ['service="payments"', 'cluster="eu-1"'], comment: 'db upgrade' });
  const pendingFirst = { ...first, startsAt: '2026-11-02T03:30:00Z' };
  const keyless = [
    { name: 'the same request 9 minutes later', then: first, afterMs: 9 * 60_000, expected: { status: 200, id: 'mw-1' } },
    { name: 'the same matchers in another order, one repeated', then: { ...first, matchers: ['cluster="eu-1"', 'service="payments"', 'cluster="eu-1"'] }, afterMs: 5_000, expected: { status: 200, id: 'mw-1' } },
    { name: 'the same request 10 minutes and 1 ms later', then: first, afterMs: 10 * 60_000 + 1, expected: { status: 201, id: 'mw-2' } },
    { name: 'another comment', then: { ...first, comment: 'db upgrade, part 2' }, afterMs: 5_000, expected: { status: 201, id: 'mw-2' } },
    { name: 'another author', then: { ...first, author: 'bo' }, afterMs: 5_000, expected: { status: 201, id: 'mw-2' } },
    { name: 'a start given where the first let it default', then: { ...first, startsAt: '2026-11-02T03:00:00Z' }, afterMs: 0, expected: { status: 201, id: 'mw-2' } },
    { name: 'the same request with an Idempotency-Key', then: first, key: 'k1', afterMs: 5_000, expected: { status: 201, id: 'mw-2' } },
    { name: 'the same request once the window was ended early', then: first, end: true, afterMs: 5_000, expected: { status: 201, id: 'mw-2' } },
    { name: 'the same request for a pending window once it was cancelled', initial: pendingFirst, then: pendingFirst, end: true, afterMs: 5_000, expected: { status: 201, id: 'mw-2' } },
  ];
  it.each(keyless)('without an Idempotency-Key, answers $name with $expected.status and window $expected.id', async ({ initial, then, key, end, afterMs, expected }) => {
    const { call, clock } = await start();
    expect((await call('POST', '', initial ?? first)).status).toBe(201);
    if (end === true) expect((await call('DELETE', '/mw-1')).status).toBe(204);
    clock.advance(afterMs);
    const res = await call('POST', '', then, undefined, key === undefined ? {} : { 'idempotency-key': key });
    expect(res.status).toBe(expected.status);
    expect(((await res.json()) as { maintenance: { id: string } }).maintenance.id).toBe(expected.id);
    expect(((await (await call('GET', '?all=true')).json()) as Listed).maintenance).toHaveLength(expected.id === 'mw-1' ? 1 : 2);
  });

  it('tells a sender without an Idempotency-Key whose POST answered 503 after its commit how to retry, and stores one window when it does', async () => {
    const { failing, call, clock } = await start();
    failing.durable = true;
    const refused = await call('POST', '', window({}));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: 'store_unavailable',
      message:
        'could not commit to the store; retry the same request within 10 minutes: the window may be stored, and that retry answers it (200) instead of storing a copy (send an Idempotency-Key to retry safely at any time)',
    });
    failing.durable = false;
    clock.advance(5_000);
    expect((await call('POST', '', window({}))).status).toBe(200);
    expect(((await (await call('GET')).json()) as Listed).maintenance.map((w) => w.id)).toEqual(['mw-1']);
  });
});
