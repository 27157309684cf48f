import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookPayload, sloAlertLabels } from '../../test/support/alertmanager-payload.js';
import { oldStore } from '../../test/support/old-store.js';
import { startPagerDutyMock, type PagerDutyMock } from '../../test/support/pagerduty-mock.js';
import { postWebhook, ROUTER_TOKEN, routerFixture, until, type RouterFixture } from '../../test/support/router-fixture.js';
import { startSlackMock, type SlackMock } from '../../test/support/slack-mock.js';
import { defaultNotifiers } from '../default-notifiers.js';
import { RouterMetrics } from '../router-metrics.js';
import { startRouterService, type RouterService } from '../router-service.js';
import { StoreError } from '../store/group-commit.js';
import { openDatabase } from '../store/open-database.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { StoreFailing } from '../store/store-readiness.js';
import { createApp, type AppDeps } from './create-app.js';

const logger = pino({ level: 'silent' });
const page = (status: 'firing' | 'resolved' = 'firing') => webhookPayload([{ status, labels: sloAlertLabels('page'), fingerprint: 'fp-page-1' }]);

/** The HTTP app alone on an in-memory store, with `commit` as its store commit (token `t`) and `deps` over the rest, serving `fn`. */
async function withApp(commit: AppDeps['commit'], fn: (url: string) => Promise<void>, deps: Partial<AppDeps> = {}): Promise<void> {
  const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'normal' }));
  const app = createApp({
    store,
    commit,
    metrics: new RouterMetrics(() => 0),
    logger,
    settings: () => ({ auth: { kind: 'bearer', token: 't' }, bodyLimitBytes: 1 << 20, retention: 'forever', retentionMs: undefined, tickIntervalMs: 5000 }),
    draining: () => false,
    ...deps,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.close();
  }
}

describe('alert-router HTTP API against the PagerDuty and Slack mocks', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture;
  let router: RouterService;

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterEach(async () => {
    await router?.drain();
    fixture?.cleanup();
  });
  afterAll(async () => {
    await pd.close();
    await slack.close();
  });

  async function start(
    options: Partial<Parameters<typeof routerFixture>[0]> = {},
    service: Partial<Parameters<typeof startRouterService>[0]> = {},
  ) {
    fixture = routerFixture({ pagerduty: pd, slack, ...options });
    router = await startRouterService({
      configPath: fixture.configPath,
      env: fixture.env,
      logger,
      port: 0,
      notifiers: (c) => defaultNotifiers(c, fixture.env),
      ...service,
    });
  }
  const incidents = async () => ((await (await fetch(`${router.url}/api/v1/incidents`)).json()) as { incidents: { id: string; resolvedAt: string | null }[] }).incidents;
  /** The incident list's `retention`, with `keepsResolvedSince` checked to lie between the router's clock before and after the request minus `backMs`. */
  async function listedRetention(clock: () => number, backMs: number | undefined) {
    const before = clock();
    const { retention } = (await (await fetch(`${router.url}/api/v1/incidents`)).json()) as { retention: { store: string; keepsResolvedSince: string | null } };
    const after = clock();
    if (backMs !== undefined) {
      expect(Date.parse(retention.keepsResolvedSince ?? '')).toBeGreaterThanOrEqual(before - backMs);
      expect(Date.parse(retention.keepsResolvedSince ?? '')).toBeLessThanOrEqual(after - backMs);
    }
    return retention;
  }
  const reloadWith = (from: string, to: string) => {
    writeFileSync(fixture.configPath, readFileSync(fixture.configPath, 'utf8').replace(from, to));
    expect(router.reload()).toBe(true);
  };

  it("names its retention in the incident list, one tick later than now − store.retention, never before its store began, and follows a reload", async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const before = now();
    await start({ retention: '1d', tickInterval: '100ms' }, { now });
    const after = now();
    // A router deployed a moment ago holds no incident from before, though it deleted nothing.
    const began = Date.parse((await listedRetention(now, undefined)).keepsResolvedSince ?? '');
    expect(began).toBeGreaterThanOrEqual(before);
    expect(began).toBeLessThanOrEqual(after);
    // Two days on, no tick before now + 100 ms deletes an incident resolved since now − 1d + 100 ms.
    offset = 2 * 24 * 3_600_000;
    expect((await listedRetention(now, 24 * 3_600_000 - 100)).store).toBe('1d');
    // A longer retention, or none, reaches back to when the store began, not before.
    reloadWith('  retention: 1d', '  retention: 30d');
    expect(await listedRetention(now, undefined)).toEqual({ store: '30d', keepsResolvedSince: new Date(began).toISOString() });
    reloadWith('  retention: 30d', '  retention: forever');
    expect(await listedRetention(now, undefined)).toEqual({ store: 'forever', keepsResolvedSince: new Date(began).toISOString() });
  });

  it('upgrades an older store at start, logging each step, and serves the incidents it held', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    oldStore(fixture.storePath, 3, { incident: 'inc-old', fingerprint: 'fp-old' }).close();
    const lines: { msg: string; from?: number; to?: number; ms?: number }[] = [];
    router = await startRouterService({
      configPath: fixture.configPath,
      env: fixture.env,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
      port: 0,
      notifiers: (c) => defaultNotifiers(c, fixture.env),
    });
    const upgrade = lines.filter((l) => l.msg.includes('schema'));
    expect(upgrade.map((l) => [l.msg, l.from, l.to])).toEqual([
      ['upgrading the store schema; the router answers requests once it is done', 3, 4],
      ['store schema upgraded', 3, 4],
      ['upgrading the store schema; the router answers requests once it is done', 4, 5],
      ['store schema upgraded', 4, 5],
      ['upgrading the store schema; the router answers requests once it is done', 5, 6],
      ['store schema upgraded', 5, 6],
      ['upgrading the store schema; the router answers requests once it is done', 6, 7],
      ['store schema upgraded', 6, 7],
      ['upgrading the store schema; the router answers requests once it is done', 7, 8],
      ['store schema upgraded', 7, 8],
      ['upgrading the store schema; the router answers requests once it is done', 8, 9],
      ['store schema upgraded', 8, 9],
      ['upgrading the store schema; the router answers requests once it is done', 9, 10],
      ['store schema upgraded', 9, 10],
    ]);
    expect(upgrade[1]!.ms).toBeGreaterThanOrEqual(0);
    expect((await incidents()).map((i) => i.id)).toEqual(['inc-old']);
  });

  it('pages once, threads Slack, and resolves both with the incident id as dedup_key, however often Alertmanager re-sends', async () => {
    await start();
    const pdBefore = pd.accepted.length;
    const res = await postWebhook(router.url, page());
    expect(res.status).toBe(200);
    // Committed before the 2xx: the incident is in the store the moment the answer arrives.
    const [incident] = await incidents();
    expect(incident).toBeDefined();
    expect((await postWebhook(router.url, page())).status).toBe(200); // re-delivery
    await until(() => pd.accepted.length === pdBefore + 1 && slack.messages('#checkout').length === 1, 10_000, 'trigger');
    expect((await postWebhook(router.url, page('resolved'))).status).toBe(200);
    expect((await postWebhook(router.url, page('resolved'))).status).toBe(200);
    await until(() => pd.accepted.length === pdBefore + 2 && slack.messages('#checkout')[0]!.edited, 10_000, 'resolve');
    await until(async () => (await router.store.outboxDepth()) === 0);
    const events = pd.accepted.slice(pdBefore).map((r) => [r.body?.event_action, r.body?.dedup_key]);
    expect(events).toEqual([
      ['trigger', incident!.id],
      ['resolve', incident!.id],
    ]);
    expect(slack.messages('#checkout')).toHaveLength(1);

    const detail = (await (await fetch(`${router.url}/api/v1/incidents/${incident!.id}`)).json()) as {
      incident: { state: string };
      alerts: unknown[];
      timeline: { kind: string; reason: string }[];
    };
    expect(detail.incident.state).toBe('resolved');
    expect(detail.alerts).toHaveLength(1);
    const kinds = detail.timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['opened', 'routed', 'enqueued', 'deduplicated', 'notified', 'alert-resolved', 'resolved']));
    expect(kinds.filter((k) => k === 'notified')).toHaveLength(4);
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    expect(metrics).toContain('slokit_router_alerts_received_total{status="firing"} 2');
    expect(metrics).toContain('slokit_router_incidents_opened_total{kind="opened"} 1');
    expect(metrics).toContain('slokit_router_notifications_total{target="pagerduty",outcome="delivered"} 2');
    expect(metrics).toContain('slokit_router_outbox_depth 0');
    expect(metrics).toContain('slokit_router_outbox_oldest_pending_seconds 0');
    expect(metrics).toContain('slokit_router_notifications_on_time 1');
    expect(metrics).toMatch(/slokit_router_webhook_duration_seconds_count\{code="200"\} 4/);
  });

  it('deletes an incident resolved longer ago than store.retention on its tick, counts it on /metrics, and pages anew for the alert', async () => {
    let offset = 0;
    await start({ retention: '1d', tickInterval: '100ms' }, { now: () => Date.now() + offset });
    const before = pd.accepted.length;
    expect((await postWebhook(router.url, page())).status).toBe(200);
    await until(() => pd.accepted.length === before + 1, 10_000, 'trigger');
    expect((await postWebhook(router.url, page('resolved'))).status).toBe(200);
    await until(() => pd.accepted.length === before + 2, 10_000, 'resolve');
    await until(async () => (await router.store.outboxDepth()) === 0);
    const [old] = await incidents();
    // A maintenance window that ends in a minute: retention deletes it too, once it ended a day ago.
    const created = await fetch(`${router.url}/api/v1/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ROUTER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['service="payments"'], endsAt: new Date(Date.now() + 60_000).toISOString(), author: 'ana' }),
    });
    expect(created.status).toBe(201);
    const { maintenance } = (await created.json()) as { maintenance: { id: string } };
    const metric = async (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(await (await fetch(`${router.url}/metrics`)).text())?.[1] ?? 'NaN');
    expect(await metric('slokit_router_dedup_index_fingerprints')).toBe(1);
    expect(await metric('slokit_router_store_purged_total{kind="incident"}')).toBe(0);
    expect(await metric('slokit_router_store_purged_total{kind="maintenance_window"}')).toBe(0);
    // A day passes, and a tick: the resolved incident is gone from the API.
    offset = 25 * 3_600_000;
    await until(async () => (await fetch(`${router.url}/api/v1/incidents/${old!.id}`)).status === 404, 5_000, 'the incident deleted');
    expect(await incidents()).toEqual([]);
    expect(await metric('slokit_router_store_purged_total{kind="incident"}')).toBe(1);
    expect(await metric('slokit_router_store_purged_total{kind="alert"}')).toBe(1);
    expect(await metric('slokit_router_store_purged_total{kind="maintenance_window"}')).toBe(1);
    expect((await fetch(`${router.url}/api/v1/maintenance/${maintenance.id}`, { headers: { authorization: `Bearer ${ROUTER_TOKEN}` } })).status).toBe(404);
    expect(await metric('slokit_router_dedup_index_fingerprints')).toBe(0);
    // The list says from when it holds every resolved incident: a longer retention, or none, after
    // the reload does not bring the deleted one back, so the time stays the cutoff that deleted it.
    const deletedBefore = router.store.incidentsPurgedBefore()!;
    expect(deletedBefore).toBeGreaterThan(Date.parse(old!.resolvedAt!));
    expect((await listedRetention(() => Date.now() + offset, 24 * 3_600_000 - 100)).store).toBe('1d');
    reloadWith('  retention: 1d', '  retention: forever');
    expect(await listedRetention(() => Date.now() + offset, undefined)).toEqual({ store: 'forever', keepsResolvedSince: new Date(deletedBefore).toISOString() });
    // The alert firing again is a new incident, paged with its own dedup_key.
    expect((await postWebhook(router.url, page())).status).toBe(200);
    await until(() => pd.accepted.length === before + 3, 10_000, 'second trigger');
    const [fresh] = await incidents();
    expect(fresh!.id).not.toBe(old!.id);
    expect(pd.accepted.at(-1)!.body?.dedup_key).toBe(fresh!.id);
  });

  it('counts each retention purge the store refuses on /metrics, logs it when it begins and ends, and stays ready (no page waits for it)', async () => {
    let offset = 0;
    const lines: { level: number; msg: string }[] = [];
    await start({ retention: '1d', tickInterval: '50ms' }, { now: () => Date.now() + offset, logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }) });
    const before = pd.accepted.length;
    expect((await postWebhook(router.url, page())).status).toBe(200);
    expect((await postWebhook(router.url, page('resolved'))).status).toBe(200);
    await until(() => pd.accepted.length === before + 2, 10_000, 'trigger and resolve');
    await until(async () => (await router.store.outboxDepth()) === 0 && !router.store.bulkOpen);
    const [old] = await incidents();
    const purgeErrors = async () => Number(/^slokit_router_store_errors_total\{operation="retention"\} (\d+)$/m.exec(await (await fetch(`${router.url}/metrics`)).text())?.[1]);
    expect(await purgeErrors()).toBe(0);
    // The store takes no writes (SQLite: "attempt to write a readonly database"), and a day passes.
    router.store.db.pragma('query_only = ON');
    offset = 25 * 3_600_000;
    await until(async () => (await purgeErrors()) >= 3, 5000, 'three refused purges');
    expect((await fetch(`${router.url}/api/v1/incidents/${old!.id}`)).status).toBe(200);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
    router.store.db.pragma('query_only = OFF');
    await until(async () => (await fetch(`${router.url}/api/v1/incidents/${old!.id}`)).status === 404, 5000, 'the incident deleted');
    expect(lines.filter((l) => /retention purge/.test(l.msg)).map((l) => [l.level, l.msg])).toEqual([
      [50, 'retention purge failed; retrying on each tick'],
      [30, 'retention purge goes through again'],
    ]);
  });

  it('checkpoints the WAL after 100 webhook commits with commits held, and counts each pause on /metrics', async () => {
    await start({}, { checkpointEvery: { commits: 100, alerts: 1_000_000 } });
    const pauses = async () => Number(/slokit_router_store_checkpoint_pause_seconds_count (\d+)/.exec(await (await fetch(`${router.url}/metrics`)).text())?.[1]);
    expect(await pauses()).toBe(0);
    const fire = async (id: string) => {
      const body = webhookPayload([{ status: 'firing', labels: { alertname: `Load${id.length % 5}`, severity: 'ticket', instance: id }, fingerprint: `fp-${id}` }]);
      expect((await postWebhook(router.url, body)).status).toBe(200);
    };
    // One at a time: each webhook is its own commit, so 100 of them make exactly one pause. The outbox
    // drains before the 100th: a held checkpoint holds webhook commits, not the outbox marking
    // deliveries done, and it retries only a few times while those land (a busy machine delivering
    // 99 Slack messages can outlast them; the next held checkpoint starts the WAL over then).
    for (let i = 0; i < 99; i++) await fire(`load-${i}`);
    await until(async () => (await router.store.outboxDepth()) === 0, 10_000, 'the first 99 delivered');
    expect(await pauses()).toBe(0);
    await fire('load-99');
    await until(async () => (await pauses()) === 1, 5_000, 'one checkpoint pause');
    // The held checkpoint copied the whole WAL, so a commit after it starts the WAL over from its
    // beginning instead of appending. The webhooks above queued Slack messages, so the outbox was
    // marking deliveries done while the checkpoint ran: it checkpoints again until none did.
    const walBytes = statSync(`${fixture.storePath}-wal`).size;
    expect(walBytes).toBeGreaterThan(100 * 4096);
    // A new incident: its Slack message is sent only once the commit that holds it is on disk.
    const sent = slack.requests.length;
    expect((await postWebhook(router.url, webhookPayload([{ status: 'firing', labels: { alertname: 'Next', severity: 'ticket' }, fingerprint: 'fp-next' }]))).status).toBe(200);
    await until(() => slack.requests.length > sent, 5_000, 'the new incident posted to Slack');
    expect(statSync(`${fixture.storePath}-wal`).size).toBe(walBytes);
  });

  it('gets exactly one event accepted when PagerDuty answers 500, then 429 with Retry-After, then 202', async () => {
    await start();
    const before = pd.requests.length;
    const acceptedBefore = pd.accepted.length;
    pd.respondWith([{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 202 }]);
    await postWebhook(router.url, page());
    await until(() => pd.accepted.length > acceptedBefore, 15_000, 'accepted trigger');
    const [incident] = await incidents();
    await new Promise((r) => setTimeout(r, 300)); // a duplicate send would arrive within a backoff step
    expect(pd.requests.length - before).toBe(3);
    expect(pd.accepted.length - acceptedBefore).toBe(1);
    const retries = pd.requests.slice(before);
    expect(retries[2]!.receivedAt - retries[1]!.receivedAt).toBeGreaterThanOrEqual(950); // Retry-After: 1
    const detail = (await (await fetch(`${router.url}/api/v1/incidents/${incident!.id}`)).json()) as { timeline: { kind: string; reason: string }[] };
    const pdEntries = detail.timeline.filter((e) => /PagerDuty/.test(e.reason) && ['retried', 'notified'].includes(e.kind));
    expect(pdEntries.map((e) => e.kind)).toEqual(['retried', 'retried', 'notified']);
    expect(pdEntries[1]!.reason).toContain('HTTP 429');
  });

  describe('a PagerDuty trigger refused with a 400, or never sent', () => {
    const refused = { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] } };
    interface Detail {
      timeline: { kind: string; reason: string }[];
      notifications: { action: string; target: { kind: string }; state: string; outcome: string | null; attempts: number; lastError: string | null }[];
    }
    const detailOf = async (id: string) => (await (await fetch(`${router.url}/api/v1/incidents/${id}`)).json()) as Detail;
    /** What PagerDuty was sent for the incident and what it answered. */
    const pagerDutySaw = (id: string) => pd.requests.filter((r) => r.body?.dedup_key === id).map((r) => `${String(r.body?.event_action)} ${r.status}`);
    /** Posts `body`, then waits until everything it queued was delivered, given up on or withheld. */
    const settle = async (body: unknown) => {
      expect((await postWebhook(router.url, body)).status).toBe(200);
      await until(async () => (await router.store.outboxDepth()) === 0, 10_000, 'the outbox drained');
    };
    /** The page alert firing from `startsAt`, or resolved five minutes after it. */
    const episode = (status: 'firing' | 'resolved', startsAt: string) => {
      const endsAt = new Date(Date.parse(startsAt) + 5 * 60_000).toISOString();
      return webhookPayload([{ status, labels: sloAlertLabels('page'), fingerprint: 'fp-page-1', startsAt, ...(status === 'resolved' ? { endsAt } : {}) }]);
    };

    it('never sends PagerDuty the resolve, and the incident says why in its timeline, its notifications and the metrics', async () => {
      await start();
      pd.respondWith([refused]);
      await settle(page());
      const [incident] = await incidents();
      await settle(page('resolved'));
      expect(pagerDutySaw(incident!.id)).toEqual(['trigger 400']);
      // Slack, which took the trigger, is told the incident resolved.
      expect(slack.messages('#checkout')[0]!.edited).toBe(true);
      const detail = await detailOf(incident!.id);
      const reason = `PagerDuty refused the trigger (HTTP 400: PagerDuty trigger for incident ${incident!.id}: PagerDuty refused it (400): Event object is invalid: 'payload.summary' is missing or blank)`;
      expect(detail.timeline.filter((e) => e.kind === 'withheld').map((e) => e.reason)).toEqual([
        `resolve to PagerDuty (routing key $TEST_PD_CHECKOUT_KEY) not sent: ${reason}; PagerDuty has no alert of this incident to resolve`,
      ]);
      expect(detail.timeline.some((e) => e.kind === 'notified' && /^resolve to PagerDuty/.test(e.reason))).toBe(false);
      expect(detail.notifications.filter((n) => n.target.kind === 'pagerduty').map((n) => [n.action, n.state, n.outcome, n.attempts, n.lastError?.slice(0, 9)])).toEqual([
        ['trigger', 'failed', null, 1, 'PagerDuty'],
        ['resolve', 'withheld', 'withheld', 0, 'not sent:'],
      ]);
      expect(detail.notifications.find((n) => n.action === 'resolve' && n.target.kind === 'pagerduty')!.lastError).toBe(`not sent: ${reason}`);
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toContain('slokit_router_notifications_total{target="pagerduty",outcome="withheld"} 1');
    });

    it('never sends PagerDuty the resolve of a trigger that was never sent for want of its routing key, and the API shows both as what they are', async () => {
      await start();
      const key = fixture.env['TEST_PD_CHECKOUT_KEY'];
      fixture.env['TEST_PD_CHECKOUT_KEY'] = '';
      await settle(page());
      const [incident] = await incidents();
      // The key is back by the time the incident resolves: a resolve sent now would close nothing.
      fixture.env['TEST_PD_CHECKOUT_KEY'] = key;
      await settle(page('resolved'));
      expect(pagerDutySaw(incident!.id)).toEqual([]);
      const detail = await detailOf(incident!.id);
      const missing = `no PagerDuty routing key for incident ${incident!.id}: environment variable TEST_PD_CHECKOUT_KEY is empty`;
      expect(detail.timeline.filter((e) => /^\w+ to PagerDuty/.test(e.reason) && e.kind !== 'enqueued').map((e) => `${e.kind}: ${e.reason}`)).toEqual([
        `failed: trigger to PagerDuty (routing key $TEST_PD_CHECKOUT_KEY) failed (not sent): ${missing}`,
        `withheld: resolve to PagerDuty (routing key $TEST_PD_CHECKOUT_KEY) not sent: the trigger was never sent (${missing}); PagerDuty has no alert of this incident to resolve`,
      ]);
      expect(detail.notifications.filter((n) => n.target.kind === 'pagerduty').map((n) => [n.action, n.state, n.outcome, n.attempts, n.lastError])).toEqual([
        ['trigger', 'failed', 'never_sent', 1, missing],
        ['resolve', 'withheld', 'withheld', 0, `not sent: the trigger was never sent (${missing})`],
      ]);
      expect(detail.notifications.filter((n) => n.target.kind === 'slack').map((n) => [n.action, n.state, n.outcome])).toEqual([
        ['trigger', 'delivered', null],
        ['resolve', 'delivered', null],
      ]);
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toContain('slokit_router_notifications_total{target="pagerduty",outcome="failed"} 1');
      expect(metrics).toContain('slokit_router_notifications_total{target="pagerduty",outcome="withheld"} 1');
    });

    it('never sends PagerDuty the resolve of a de-escalation (its page alert resolved while its ticket alert fires)', async () => {
      await start();
      pd.respondWith([refused]);
      const ticket = { labels: sloAlertLabels('ticket'), fingerprint: 'fp-ticket-1' };
      await settle(webhookPayload([{ labels: sloAlertLabels('page'), fingerprint: 'fp-page-1' }, ticket]));
      const [incident] = await incidents();
      await settle(webhookPayload([{ status: 'resolved', labels: sloAlertLabels('page'), fingerprint: 'fp-page-1' }, ticket]));
      expect(pagerDutySaw(incident!.id)).toEqual(['trigger 400']);
      const detail = await detailOf(incident!.id);
      expect(detail.timeline.map((e) => e.kind)).toContain('de-escalated');
      expect(detail.timeline.filter((e) => e.kind === 'withheld').map((e) => e.reason.split(':')[0])).toEqual(['resolve to PagerDuty (routing key $TEST_PD_CHECKOUT_KEY) not sent']);
    });

    it("sends PagerDuty the resolve once the reopened incident's trigger was accepted", async () => {
      await start();
      pd.respondWith([refused]);
      await settle(episode('firing', '2026-11-02T03:00:00Z'));
      const [incident] = await incidents();
      await settle(episode('resolved', '2026-11-02T03:00:00Z'));
      await settle(episode('firing', '2026-11-02T03:10:00Z'));
      await settle(episode('resolved', '2026-11-02T03:10:00Z'));
      expect((await incidents()).map((i) => i.id)).toEqual([incident!.id]); // reopened, not a new incident
      expect(pagerDutySaw(incident!.id)).toEqual(['trigger 400', 'trigger 202', 'resolve 202']);
      const outcomes = (await detailOf(incident!.id)).timeline.filter((e) => /to PagerDuty/.test(e.reason) && e.kind !== 'enqueued');
      expect(outcomes.map((e) => `${e.kind} ${e.reason.split(' ')[0]}`)).toEqual(['failed trigger', 'withheld resolve', 'notified trigger', 'notified resolve']);
    });
  });

  it('reads a renewed CA file on reload: deliveries that failed the TLS check go out once the same path holds the right CA', async () => {
    await start({ pagerduty: { server: pd.server, ca: 'not the CA of the PagerDuty mock\n' } });
    const acceptedBefore = pd.accepted.length;
    await postWebhook(router.url, page());
    const [incident] = await incidents();
    const pdTimeline = async () =>
      ((await (await fetch(`${router.url}/api/v1/incidents/${incident!.id}`)).json()) as { timeline: { kind: string; reason: string }[] }).timeline.filter((e) =>
        /PagerDuty/.test(e.reason),
      );
    await until(async () => (await pdTimeline()).some((e) => e.kind === 'retried'), 10_000, 'a retried TLS failure');
    expect(pd.accepted.length).toBe(acceptedBefore);

    writeFileSync(join(fixture.dir, 'pagerduty-ca.pem'), pd.ca);
    expect(router.reload()).toBe(true);
    await until(() => pd.accepted.length === acceptedBefore + 1, 10_000, 'the trigger, with the renewed CA');
    expect((await pdTimeline()).map((e) => e.kind).at(-1)).toBe('notified');
  });

  it('answers a wrong token 401, malformed and oversized bodies 4xx JSON naming the problem, logs each, and stores nothing', async () => {
    const warned: { level: number; msg: string; status: number; error: string; issues?: { field: string }[] }[] = [];
    await start({ bodyLimit: '4kb' }, { logger: pino({ level: 'warn' }, { write: (line: string) => warned.push(JSON.parse(line) as (typeof warned)[number]) }) });
    const wrong = await postWebhook(router.url, page(), 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'unauthorized' });
    const noAuth = await postWebhook(router.url, page(), '');
    expect(noAuth.status).toBe(401);

    const malformed = await postWebhook(router.url, '{"version": "4", "alerts": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'malformed_json' });

    const bad = page() as unknown as { alerts: { status: string }[] };
    bad.alerts[0]!.status = 'burning';
    const schema = await postWebhook(router.url, bad);
    expect(schema.status).toBe(400);
    const body = (await schema.json()) as { issues: { field: string }[] };
    expect(body.issues.map((i) => i.field)).toEqual(['alerts[0].status']);

    const big = webhookPayload(Array.from({ length: 40 }, (_, i) => ({ labels: sloAlertLabels('page', { instance: `i-${i}` }) })));
    const oversized = await postWebhook(router.url, big);
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ error: 'body_too_large' });

    // Alertmanager drops what it gets a 4xx for: every refusal is a warning naming why.
    const refusals = warned.filter((l) => l.msg.startsWith('webhook refused'));
    expect(refusals.map((l) => [l.level, l.status, l.error])).toEqual([
      [40, 401, 'unauthorized'],
      [40, 401, 'unauthorized'],
      [40, 400, 'malformed_json'],
      [40, 400, 'invalid_payload'],
      [40, 413, 'body_too_large'],
    ]);
    expect(refusals[3]!.issues?.map((i) => i.field)).toEqual(['alerts[0].status']);
    expect(await incidents()).toEqual([]);
    expect(router.store.outboxDepth()).toBe(0);
  });

  it('rejects a batch with one fingerprint on different label sets naming alerts[1].fingerprint, and stores nothing; commits an exact repeat', async () => {
    await start();
    const conflicting = webhookPayload([
      { labels: sloAlertLabels('page'), fingerprint: 'fp-same' },
      { labels: sloAlertLabels('page', { instance: 'other' }), fingerprint: 'fp-same' },
    ]);
    const res = await postWebhook(router.url, conflicting);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'invalid_payload',
      issues: [{ field: 'alerts[1].fingerprint', message: 'same fingerprint as alerts[0] with different labels' }],
    });
    expect(await incidents()).toEqual([]);

    const notTime = webhookPayload([{ labels: sloAlertLabels('page'), startsAt: '1' }]);
    const time = await postWebhook(router.url, notTime);
    expect(time.status).toBe(400);
    expect(await time.json()).toMatchObject({ issues: [{ field: 'alerts[0].startsAt', message: 'must be an RFC 3339 timestamp' }] });
    expect(await incidents()).toEqual([]);

    const repeat = webhookPayload([
      { labels: sloAlertLabels('page'), fingerprint: 'fp-same' },
      { labels: sloAlertLabels('page'), fingerprint: 'fp-same' },
    ]);
    const ok = await postWebhook(router.url, repeat);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'committed', alerts: 2, duplicates: 1, incidentsOpened: 1 });
  });

  it('filters incidents by state, service, severity and time, and validates the filter', async () => {
    await start();
    await postWebhook(router.url, page());
    const other = webhookPayload([{ labels: { alertname: 'DiskFull', service: 'search', severity: 'ticket', instance: 'a' } }], { alertname: 'DiskFull' });
    await postWebhook(router.url, other);
    const q = async (query: string) =>
      ((await (await fetch(`${router.url}/api/v1/incidents?${query}`)).json()) as { incidents: { service: string }[] }).incidents.map((i) => i.service);
    expect((await q('')).sort()).toEqual(['checkout', 'search']);
    expect(await q('service=checkout')).toEqual(['checkout']);
    expect(await q('severity=ticket')).toEqual(['search']);
    expect(await q('state=resolved')).toEqual([]);
    expect(await q('since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z')).toEqual([]);
    const invalid = await fetch(`${router.url}/api/v1/incidents?severity=huge`);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: { field: string }[] }).issues[0]!.field).toBe('severity');
    expect((await fetch(`${router.url}/api/v1/incidents/nope`)).status).toBe(404);
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${router.url}/readyz`)).status).toBe(200);
  });

  it('is not ready while the journal cannot be synced (webhooks answer 503), and ready again once a probe goes through, with no webhook sent', async () => {
    let broken = true;
    const lines: { level: number; msg: string; reason?: string; by?: string }[] = [];
    await start({}, {
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
      aroundJournalSync: (sync) =>
        broken ? Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync', errno: -5 })) : sync(),
      readinessProbeMs: { first: 20, max: 40 },
    });
    const readyz = async () => {
      const res = await fetch(`${router.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { failures?: number; reason?: string } };
    };
    const gauge = async () => /^slokit_router_ready (\d)$/m.exec(await (await fetch(`${router.url}/metrics`)).text())?.[1];
    // The incidents only: the list's `retention` moves with the clock.
    const shown = async () => JSON.stringify(((await (await fetch(`${router.url}/api/v1/incidents`)).json()) as { incidents: unknown }).incidents);
    expect(await gauge()).toBe('1');

    expect((await postWebhook(router.url, page())).status).toBe(503);
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    // The webhook's failure, or a probe's already (the first comes 20 ms after it).
    expect(notReady.body).toMatchObject({ error: 'store_failing', reason: expect.stringMatching(/EIO: i\/o error, fdatasync$/) });
    expect(await gauge()).toBe('0');
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
    // The probe syncs the journal as a webhook does: while that fails, so does the probe.
    await until(async () => ((await readyz()).body.failures ?? 0) >= 3, 5000, 'failed probes');
    expect((await readyz()).body.reason).toBe('EIO: i/o error, fdatasync');
    const before = await shown();

    broken = false;
    await until(async () => (await readyz()).status === 200, 5000, 'ready again');
    expect(await gauge()).toBe('1');
    expect(await shown()).toBe(before); // the probe wrote nothing the API shows
    const changes = lines.filter((l) => /^(not )?ready:/.test(l.msg));
    expect(changes.map((l) => [l.level, l.msg.split(':')[0], l.by])).toEqual([
      [50, 'not ready', undefined],
      [30, 'ready', 'probe'],
    ]);
    expect(changes[0]!.reason).toBe('could not make the batch durable (fsync failed): EIO: i/o error, fdatasync');
  });

  it('is not ready while the suppression tick cannot commit (a held page waits), counts each failed tick, and sends the page once a tick goes through', async () => {
    let offset = 0;
    const lines: { level: number; msg: string; operation?: string; by?: string }[] = [];
    await start(
      { tickInterval: '50ms' },
      { now: () => Date.now() + offset, logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }), readinessProbeMs: { first: 20, max: 40 } },
    );
    const auth = { authorization: `Bearer ${ROUTER_TOKEN}` };
    const created = await fetch(`${router.url}/api/v1/maintenance`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['slo_service="checkout"'], endsAt: new Date(Date.now() + 60_000).toISOString(), author: 'ana' }),
    });
    expect(created.status).toBe(201);
    const before = pd.accepted.length;
    expect((await postWebhook(router.url, page())).status).toBe(200);
    const [held] = await incidents();
    const readyz = async () => {
      const res = await fetch(`${router.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { operations?: string[]; message?: string; reason?: string } };
    };
    const tickErrors = async () => Number(/^slokit_router_store_errors_total\{operation="tick"\} (\d+)$/m.exec(await (await fetch(`${router.url}/metrics`)).text())?.[1]);
    expect(await tickErrors()).toBe(0);

    // Another process holds the store's write lock (a backup, an operator's sqlite3 shell in a
    // transaction). The router waits 20 ms for it, not the 5 s busy timeout that would hold the
    // event loop each tick, and fails the same way: SQLITE_BUSY, "database is locked".
    await until(() => !router.store.bulkOpen, 5000, 'the bulk transaction committed');
    router.store.db.pragma('busy_timeout = 20');
    const holder = new Database(fixture.storePath);
    holder.exec('BEGIN IMMEDIATE');
    try {
      // The window ends: the tick would release the page, and cannot commit the release.
      offset = 61_000;
      await until(async () => (await tickErrors()) >= 3, 5000, 'three failed ticks');
      const notReady = await readyz();
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({
        error: 'store_failing',
        operations: ['tick'],
        message: expect.stringMatching(/^the suppression tick cannot commit \(held notifications and storm digests wait for it\) since .* failed\); each tick retries$/),
        reason: 'could not commit the suppression tick: database is locked',
      });
      expect(pd.accepted.length).toBe(before);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await until(async () => (await readyz()).status === 200, 5000, 'ready again');
    await pd.waitFor((r) => r.body?.dedup_key === held!.id && r.body?.event_action === 'trigger', 5000);
    expect(pd.accepted.length).toBe(before + 1);
    const changes = lines.filter((l) => /^(not )?ready:/.test(l.msg));
    expect(changes.map((l) => [l.level, l.msg.split(';')[0], l.operation ?? l.by])).toEqual([
      [50, 'not ready: the suppression tick could not commit', 'tick'],
      [30, 'ready: the store takes writes again', 'tick'],
    ]);
  });
});

describe('incident filter validation', () => {
  const rejected = [
    { query: 'since=1', expectedError: { field: 'since', message: 'must be an RFC 3339 time like 2024-01-01T00:00:00Z' } },
    { query: 'until=2024-01-01', expectedError: { field: 'until', message: 'must be an RFC 3339 time like 2024-01-01T00:00:00Z' } },
    {
      query: 'since=2024-01-01T00:00:00+02:00',
      expectedError: { field: 'since', message: 'must be an RFC 3339 time like 2024-01-01T00:00:00Z (in a URL, send the + of the offset as %2B)' },
    },
    { query: 'limit=0x10', expectedError: { field: 'limit', message: 'must be a whole number from 1 to 1000 in plain decimal' } },
    { query: 'limit=1e2', expectedError: { field: 'limit', message: 'must be a whole number from 1 to 1000 in plain decimal' } },
    { query: 'limit=0', expectedError: { field: 'limit', message: 'must be a whole number from 1 to 1000 in plain decimal' } },
    { query: 'foo=bar', expectedError: { field: 'foo', message: 'unknown query parameter (known: state, service, severity, since, until, limit)' } },
    { query: 'state=open&state=resolved', expectedError: { field: 'state', message: 'given more than once; give it once' } },
    { query: 'since=2026-12-04T00:00:00Z&until=2026-12-01T00:00:00Z', expectedError: { field: 'until', message: 'is before since: nothing can be in that range' } },
  ];
  it.each(rejected)('answers ?$query with 400 naming $expectedError.field', async ({ query, expectedError }) => {
    await withApp(
      () => Promise.reject(new Error('unused')),
      async (url) => {
        const res = await fetch(`${url}/api/v1/incidents?${query}`);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'invalid_query', message: 'invalid incident filter', issues: [expectedError] });
        const good = await fetch(`${url}/api/v1/incidents?since=2024-01-01T00:00:00.123456789%2B02:00&limit=010`);
        expect(good.status).toBe(200);
      },
    );
  });
});

describe('webhook on a failing store', () => {
  it('answers 503 with Retry-After so Alertmanager re-sends the batch', async () => {
    await withApp(
      () => Promise.reject(new StoreError('disk full')),
      async (url) => {
        const res = await postWebhook(url, page(), 'Bearer t');
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toMatchObject({ error: 'store_unavailable' });
      },
    );
  });
});

describe('readiness', () => {
  const failing: StoreFailing = {
    reason: 'could not record the batch: could not append to the journal in /data/router.db.batch-journal: ENOSPC: no space left on device',
    since: Date.parse('2026-11-02T03:00:00Z'),
    failures: 3,
    operations: ['webhook'],
  };

  it('answers /readyz 503 saying why, since when and how often while the store fails, and /healthz 200 (liveness only)', async () => {
    await withApp(
      () => Promise.reject(new Error('unused')),
      async (url) => {
        const res = await fetch(`${url}/readyz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          error: 'store_failing',
          message: 'webhook batches cannot be committed since 2026-11-02T03:00:00.000Z (3 failed); a probe retries the store',
          operations: ['webhook'],
          reason: failing.reason,
          since: '2026-11-02T03:00:00.000Z',
          failures: 3,
        });
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      },
      { storeFailing: () => failing },
    );
  });

  it('answers /readyz 503 draining while draining, whether the store fails or not', async () => {
    for (const storeFailing of [() => failing, () => undefined]) {
      await withApp(
        () => Promise.reject(new Error('unused')),
        async (url) => {
          const res = await fetch(`${url}/readyz`);
          expect(res.status).toBe(503);
          expect(await res.json()).toEqual({ error: 'draining', message: 'shutting down' });
        },
        { storeFailing, draining: () => true },
      );
    }
  });
});
