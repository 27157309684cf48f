import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { startPagerDutyMock, type PagerDutyMock } from '../../test/support/pagerduty-mock.js';
import { startSlackMock } from '../../test/support/slack-mock.js';
import { createPagerDutyNotifier } from '../notify/pagerduty.js';
import { createSlackNotifier } from '../notify/slack.js';
import { DeliveryError, type AttemptContext, type DeliveryReceipt, type Notification, type Notifier, type TargetKind } from '../notify/types.js';
import { RouterMetrics } from '../router-metrics.js';
import { openDatabase } from '../store/open-database.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';

type Script = (n: Notification) => DeliveryReceipt | DeliveryError;

/** A notifier that answers from a script and records what it was asked to send. */
class FakeNotifier implements Notifier {
  readonly sent: Notification[] = [];
  readonly contexts: (AttemptContext | undefined)[] = [];
  constructor(
    readonly kind: TargetKind,
    public script: Script[],
  ) {}
  async deliver(n: Notification, _signal?: AbortSignal, attempt?: AttemptContext): Promise<DeliveryReceipt> {
    this.sent.push(n);
    this.contexts.push(attempt);
    const step = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
    const outcome = step(n);
    if (outcome instanceof DeliveryError) throw outcome;
    return outcome;
  }
}

const ok = (ref?: string): Script => () => ({ status: 202, ...(ref === undefined ? {} : { ref }) });
const fail = (status: number, retryAfterMs?: number): Script => () =>
  new DeliveryError(`HTTP ${status}`, { retryable: status === 429 || status >= 500, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

/** An attempt that got no answer: it may have reached the target. */
const unreachable: Script = () => new DeliveryError('could not reach events.pagerduty.com: ECONNRESET', { retryable: true });
/** An attempt that never left the router: the target's routing key is not set. */
const unsent: Script = () => new DeliveryError('no PagerDuty routing key for incident inc-1: environment variable PD_KEY is not set', { retryable: false, notSent: true });

function notification(id: string, action: Notification['action'], kind: TargetKind): Notification {
  return {
    id,
    incidentId: 'inc-1',
    action,
    target: { kind, destination: kind === 'pagerduty' ? 'PD_KEY' : '#checkout' },
    severity: 'page',
    summary: 'checkout/availability burning',
    details: '',
    service: 'checkout',
    customDetails: {},
    links: [],
    startedAt: '2026-11-02T03:00:00.000Z',
  };
}

describe('OutboxWorker', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let metrics: RouterMetrics;
  let pd: FakeNotifier;
  let slack: FakeNotifier;
  let worker: OutboxWorker;

  beforeEach(() => {
    clock = new FakeClock();
    store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    metrics = new RouterMetrics(() => store.outboxDepth());
    pd = new FakeNotifier('pagerduty', [ok()]);
    slack = new FakeNotifier('slack', [ok('1700000000.000100')]);
    worker = new OutboxWorker({
      store,
      notifiers: { pagerduty: pd, slack },
      clock,
      random: () => 0.5,
      logger: pino({ level: 'silent' }),
      metrics,
      policy: () => ({ baseMs: 1000, maxMs: 60_000, maxAttempts: 5 }),
      concurrency: 4,
      attemptTimeoutMs: 5000,
    });
  });

  /** A worker on this test's store, clock and metrics with `notifiers` (backoff 1s doubling, 5 attempts). */
  const workerWith = (
    notifiers: ConstructorParameters<typeof OutboxWorker>[0]['notifiers'],
    options: { concurrency?: number; attemptTimeoutMs?: number; logger?: Logger } & Pick<OutboxWorkerOptions, 'onStoreError' | 'onRecorded' | 'paused'> = {},
  ) => {
    const { concurrency, attemptTimeoutMs, logger, ...hooks } = options;
    return new OutboxWorker({
      store,
      notifiers,
      clock,
      random: () => 0.5,
      logger: logger ?? pino({ level: 'silent' }),
      metrics,
      policy: () => ({ baseMs: 1000, maxMs: 60_000, maxAttempts: 5 }),
      concurrency: concurrency ?? 4,
      attemptTimeoutMs: attemptTimeoutMs ?? 5000,
      ...hooks,
    });
  };

  it('gets exactly one event accepted through a 500, then a 429 with Retry-After, then a 202', async () => {
    pd.script = [fail(500), fail(429, 7000), ok()];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    expect(await worker.runOnce()).toBe(1); // 500: backoff 0.75 s with random 0.5
    clock.advance(749);
    expect(await worker.runOnce()).toBe(0);
    clock.advance(1);
    expect(await worker.runOnce()).toBe(1); // 429: Retry-After 7 s
    clock.advance(6999);
    expect(await worker.runOnce()).toBe(0);
    clock.advance(1);
    expect(await worker.runOnce()).toBe(1); // 202
    clock.advance(3_600_000);
    expect(await worker.runOnce()).toBe(0);
    expect(pd.sent).toHaveLength(3);
    expect(store.outboxDepth()).toBe(0);
    const timeline = store.timelineOf('inc-1');
    expect(timeline.map((e) => e.kind)).toEqual(['retried', 'retried', 'notified']);
    expect(timeline[1]!.reason).toContain('Retry-After asked for 7s');
    const m = await metrics.registry.getSingleMetricAsString('slokit_router_notifications_total');
    expect(m).toContain('target="pagerduty",outcome="retried"} 2');
    expect(m).toContain('target="pagerduty",outcome="delivered"} 1');
  });

  it('tells the notifier when an earlier attempt may have reached the target: on a retry, and for what was queued before it started', async () => {
    const queuedEarlier = clock.now();
    store.enqueue([notification('n0', 'trigger', 'slack')], queuedEarlier);
    clock.advance(1_000);
    // A worker started after n0 was queued, as after a restart: n0 may have been posted by the process before.
    const restarted = workerWith({ pagerduty: pd, slack });
    pd.script = [fail(503), ok()];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    await restarted.runOnce();
    clock.advance(60_000);
    await restarted.runOnce();
    expect(slack.contexts).toEqual([{ maybeDelivered: true, queuedAt: queuedEarlier }]);
    expect(pd.contexts).toEqual([
      { maybeDelivered: false, queuedAt: queuedEarlier + 1_000 },
      { maybeDelivered: true, queuedAt: queuedEarlier + 1_000 },
    ]);
  });

  it('never sends a resolve before its trigger, even while the trigger is being retried', async () => {
    pd.script = [fail(503), ok()];
    store.enqueue([notification('n1', 'trigger', 'pagerduty'), notification('n2', 'resolve', 'pagerduty')], clock.now());
    await worker.runOnce();
    clock.advance(60_000);
    await worker.runOnce();
    await worker.runOnce();
    expect(pd.sent.map((n) => n.action)).toEqual(['trigger', 'trigger', 'resolve']);
  });

  it('records a 4xx as failed with its reason, counts it, and does not retry it', async () => {
    pd.script = [fail(400), ok()];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    await worker.runOnce();
    clock.advance(3_600_000);
    expect(await worker.runOnce()).toBe(0);
    expect(pd.sent).toHaveLength(1);
    const [failed] = store.timelineOf('inc-1');
    expect(failed).toMatchObject({ kind: 'failed' });
    expect(failed!.reason).toContain('HTTP 400');
    expect(await metrics.registry.getSingleMetricAsString('slokit_router_notifications_total')).toContain('outcome="failed"} 1');
  });

  it('logs each failed attempt with its number and reason, and the last one as permanent', async () => {
    const lines: Record<string, unknown>[] = [];
    const logged = workerWith({ pagerduty: pd, slack }, { logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) }) });
    pd.script = [fail(503), fail(400)];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    await logged.runOnce();
    clock.advance(60_000);
    await logged.runOnce();
    expect(lines.map((l) => [l['msg'], l['attempt'], l['status'], l['reason']])).toEqual([
      ['delivery failed; will retry', 1, 503, 'HTTP 503'],
      ['delivery failed permanently', 2, 400, 'HTTP 400'],
    ]);
    expect(lines[0]).toMatchObject({ incident: 'inc-1', target: 'pagerduty', action: 'trigger', delayMs: 750 });
  });

  it('strips the secrets from what a target answered before it is logged, stored or shown in the timeline', async () => {
    const lines: Record<string, unknown>[] = [];
    const echo = (status: number): Script => () => new DeliveryError(`HTTP ${status}: invalid routing_key R0UT1NG-KEY-42 (token xoxb-SECRET)`, { retryable: status >= 500, status });
    pd.script = [echo(502), echo(400)];
    const guarded = new OutboxWorker({
      store,
      notifiers: { pagerduty: pd, slack },
      clock,
      random: () => 0.5,
      logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
      metrics,
      policy: () => ({ baseMs: 1000, maxMs: 60_000, maxAttempts: 5 }),
      concurrency: 4,
      attemptTimeoutMs: 5000,
      secrets: () => ['R0UT1NG-KEY-42', 'xoxb-SECRET', 'ab'],
    });
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    await guarded.runOnce();
    clock.advance(60_000);
    await guarded.runOnce();
    const shown = JSON.stringify([lines, store.timelineOf('inc-1'), store.outboxOf('inc-1')]);
    expect(shown).not.toContain('R0UT1NG-KEY-42');
    expect(shown).not.toContain('xoxb-SECRET');
    expect(store.outboxOf('inc-1')[0]!.lastError).toBe('HTTP 400: invalid routing_key [redacted] (token [redacted])');
    expect(lines.map((l) => l['reason'])).toEqual(['HTTP 502: invalid routing_key [redacted] (token [redacted])', 'HTTP 400: invalid routing_key [redacted] (token [redacted])']);
  });

  it('shows a notification still waiting past delivery.lateAfter on /metrics as late, and on time again once it is delivered', async () => {
    let reads = 0;
    const watched = new RouterMetrics(() => store.outboxDepth(), {
      processMetrics: false,
      lateness: {
        oldestPendingQueuedAt: () => {
          reads++;
          return store.oldestPendingQueuedAt();
        },
        now: clock.now,
        lateAfterMs: () => 120_000,
      },
    });
    const scrape = async () => {
      const text = await watched.registry.metrics();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { onTime: value('slokit_router_notifications_on_time'), oldest: value('slokit_router_outbox_oldest_pending_seconds') };
    };
    expect(await scrape()).toEqual({ onTime: 1, oldest: 0 });
    pd.script = [fail(503), fail(503), fail(503), ok()];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    await worker.runOnce(); // 503: retried
    clock.advance(60_000);
    await worker.runOnce(); // 503 again
    expect(await scrape()).toEqual({ onTime: 1, oldest: 60 });
    clock.advance(60_001);
    await worker.runOnce(); // a third 503: two minutes and more since it was queued
    expect(await scrape()).toEqual({ onTime: 0, oldest: 120.001 });
    clock.advance(60_000);
    await worker.runOnce(); // delivered
    expect(store.outboxDepth()).toBe(0);
    expect(await scrape()).toEqual({ onTime: 1, oldest: 0 });
    expect(reads).toBe(4); // one outbox read a scrape serves both gauges
  });

  it('threads Slack updates and the resolve on the first message ts', async () => {
    store.addTargets('inc-1', [{ kind: 'slack', destination: '#checkout' }]);
    store.enqueue(
      [notification('n1', 'trigger', 'slack'), notification('n2', 'update', 'slack'), notification('n3', 'resolve', 'slack')],
      clock.now(),
    );
    for (let i = 0; i < 3; i++) await worker.runOnce();
    expect(slack.sent.map((n) => [n.action, n.threadTs])).toEqual([
      ['trigger', undefined],
      ['update', '1700000000.000100'],
      ['resolve', '1700000000.000100'],
    ]);
  });

  it('after a Slack trigger that was given up, delivers the next update without a thread and threads the rest on what it posted', async () => {
    store.addTargets('inc-1', [{ kind: 'slack', destination: '#checkout' }]);
    slack.script = [fail(404), ok('1700000000.000200'), ok('1700000000.000200')];
    store.enqueue(
      [notification('n1', 'trigger', 'slack'), notification('n2', 'update', 'slack'), notification('n3', 'resolve', 'slack')],
      clock.now(),
    );
    for (let i = 0; i < 3; i++) await worker.runOnce();
    expect(slack.sent.map((n) => [n.id, n.action, n.threadTs])).toEqual([
      ['n1', 'trigger', undefined],
      ['n2', 'update', undefined],
      ['n3', 'resolve', '1700000000.000200'],
    ]);
    expect(store.outboxOf('inc-1').map((e) => e.state)).toEqual(['failed', 'delivered', 'delivered']);
  });

  it('keeps delivering to Slack while a PagerDuty attempt hangs', async () => {
    const hanging: Notifier = { kind: 'pagerduty', deliver: () => new Promise<DeliveryReceipt>(() => {}) };
    const w = workerWith({ pagerduty: hanging, slack });
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    w.start();
    store.enqueue([{ ...notification('n2', 'trigger', 'slack'), incidentId: 'inc-2' }], clock.now());
    w.poke();
    for (let i = 0; i < 50 && slack.sent.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(slack.sent.map((n) => n.id)).toEqual(['n2']);
    expect(store.outboxDepth()).toBe(1); // only the hanging PagerDuty trigger is still pending
    await w.stop(10); // aborts the hung attempt; it stays pending for the next start
    expect(store.outboxDepth()).toBe(1);
  });

  it('gives up on a target that keeps failing after the configured attempts', async () => {
    pd.script = [fail(502)];
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    for (let i = 0; i < 10; i++) {
      await worker.runOnce();
      clock.advance(120_000);
    }
    expect(pd.sent).toHaveLength(5);
    expect(store.timelineOf('inc-1').at(-1)!.reason).toContain('gave up after 5 attempts');
  });

  it('keeps a notification rate-limited with a short Retry-After past maxAttempts until it is delivered', async () => {
    // Slack in a storm: 429 with Retry-After 1 s seven times, then accepted. Five attempts would be
    // used up in four seconds; the backoff schedule's shortest span (0.5+1+2+4 s) has not passed.
    slack.script = [...Array.from({ length: 7 }, () => fail(429, 1000)), ok('1700000000.000100')];
    store.enqueue([notification('n1', 'trigger', 'slack')], clock.now());
    for (let i = 0; i < 8; i++) {
      expect(await worker.runOnce()).toBe(1);
      clock.advance(1000);
    }
    expect(slack.sent).toHaveLength(8);
    expect(store.outboxDepth()).toBe(0);
    const kinds = store.timelineOf('inc-1').map((e) => e.kind);
    expect(kinds).toEqual([...Array.from({ length: 7 }, () => 'retried'), 'notified']);
    expect(store.outboxOf('inc-1')[0]!.state).toBe('delivered');
  });

  it('gives up on a target that keeps answering 429 once both the attempts and the backoff span are spent', async () => {
    slack.script = [fail(429, 1000)];
    store.enqueue([notification('n1', 'trigger', 'slack')], clock.now());
    for (let i = 0; i < 20; i++) {
      await worker.runOnce();
      clock.advance(1000);
    }
    // Attempts at 0..8 s: the one at 8 s is the first at or past the 7.5 s span with 5 attempts made.
    expect(slack.sent).toHaveLength(9);
    const last = store.timelineOf('inc-1').at(-1)!;
    expect(last.kind).toBe('failed');
    expect(last.reason).toContain('gave up after 9 attempts over 8s: HTTP 429');
  });

  it('records an attempt that outlives delivery.attemptTimeout as "no answer within" the timeout, for Slack and PagerDuty alike', async () => {
    const slackMock = await startSlackMock();
    const pdMock = await startPagerDutyMock();
    try {
      slackMock.respondWith([{ status: 200, hang: true }]);
      pdMock.respondWith([{ status: 202, hang: true }]);
      // As in production (defaultNotifiers): each notifier's own timeout is delivery.attemptTimeout too.
      const w = workerWith(
        {
          slack: createSlackNotifier({ token: () => slackMock.token, slackApiUrl: slackMock.url, timeoutMs: 1000 }),
          pagerduty: createPagerDutyNotifier({ routingKey: () => 'R'.repeat(32), server: pdMock.server, extraCa: pdMock.ca, timeoutMs: 1000 }),
        },
        { attemptTimeoutMs: 1000 },
      );
      store.enqueue([notification('n1', 'trigger', 'slack'), { ...notification('n2', 'trigger', 'pagerduty'), incidentId: 'inc-2' }], clock.now());
      const round = w.runOnce();
      await slackMock.waitFor(() => true, 5000);
      await pdMock.waitFor(() => true, 5000);
      clock.advance(1000);
      expect(await round).toBe(2);
      const reasons = [...store.timelineOf('inc-1'), ...store.timelineOf('inc-2')].map((e) => `${e.kind}: ${e.reason}`);
      expect(reasons).toEqual([
        'retried: trigger to Slack #checkout attempt 1 failed (timeout: no answer within 1000 ms (delivery.attemptTimeout)); retrying: backoff 1s',
        'retried: trigger to PagerDuty (routing key $PD_KEY) attempt 1 failed (timeout: no answer within 1000 ms (delivery.attemptTimeout)); retrying: backoff 1s',
      ]);
      expect(store.outboxDepth()).toBe(2);
    } finally {
      await slackMock.close();
      await pdMock.close();
    }
  });

  it('frees the slot of a notifier that ignores its signal once the attempt timeout passes', async () => {
    const deaf: Notifier = { kind: 'pagerduty', deliver: () => new Promise<DeliveryReceipt>(() => {}) };
    const w = workerWith({ pagerduty: deaf }, { concurrency: 1 });
    store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
    const round = w.runOnce();
    clock.advance(5000);
    expect(await round).toBe(1);
    expect(store.timelineOf('inc-1').map((e) => e.reason)).toEqual([
      'trigger to PagerDuty (routing key $PD_KEY) attempt 1 failed (timeout: no answer within 5000 ms (delivery.attemptTimeout)); retrying: backoff 1s',
    ]);
  });

  it('does not send again at once what the store could not record as sent: waits 1 s between tries, counts each, and records it once the store takes writes', async () => {
    const errors: unknown[] = [];
    let recorded = 0;
    const w = workerWith({ slack }, { onStoreError: (error) => errors.push(error), onRecorded: () => recorded++ });
    store.enqueue([notification('n1', 'trigger', 'slack')], clock.now());
    // The store takes no writes: SQLite answers "attempt to write a readonly database".
    store.db.pragma('query_only = ON');
    expect(await w.runOnce()).toBe(1);
    // Posted, but still pending: sending it again now would post a second Slack message at once, and
    // again each round.
    expect(await w.runOnce()).toBe(0);
    clock.advance(999);
    expect(await w.runOnce()).toBe(0);
    clock.advance(1);
    expect(await w.runOnce()).toBe(1);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['SQLITE_READONLY', 'SQLITE_READONLY']);
    expect(await metrics.registry.getSingleMetricAsString('slokit_router_store_errors_total')).toContain('operation="outbox"} 2');
    expect(store.outboxOf('inc-1').map((e) => [e.state, e.attempts])).toEqual([['pending', 0]]);
    store.db.pragma('query_only = OFF');
    clock.advance(1000);
    expect(await w.runOnce()).toBe(1);
    expect(store.outboxOf('inc-1').map((e) => [e.state, e.attempts])).toEqual([['delivered', 1]]);
    expect(slack.sent.map((n) => n.id)).toEqual(['n1', 'n1', 'n1']);
    expect(recorded).toBe(1);
  });

  it('starts no attempt while paused (the service pauses it while the store cannot record outcomes)', async () => {
    let paused = true;
    const w = workerWith({ slack }, { paused: () => paused });
    store.enqueue([notification('n1', 'trigger', 'slack')], clock.now());
    expect(await w.runOnce()).toBe(0);
    expect(slack.sent).toEqual([]);
    paused = false;
    expect(await w.runOnce()).toBe(1);
    expect(store.outboxDepth()).toBe(0);
  });

  describe('a PagerDuty resolve after a trigger PagerDuty refused or never got', () => {
    /** PagerDuty's answer to an event it will never take. */
    const invalid = { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] } };
    const pagerDutyOn = (mock: PagerDutyMock) =>
      createPagerDutyNotifier({ routingKey: () => 'R'.repeat(32), server: mock.server, extraCa: mock.ca, timeoutMs: 5000 });
    /** A notifier on `mock` whose routing key is `key.value` at each attempt (an env var set, emptied or unset). */
    const pagerDutyWithKey = (mock: PagerDutyMock, key: { value: string | undefined }) =>
      createPagerDutyNotifier({ routingKey: () => key.value, server: mock.server, extraCa: mock.ca, timeoutMs: 5000 });
    /** The event actions the mock received for inc-1 and what it answered. */
    const received = (mock: PagerDutyMock) => mock.requests.filter((r) => r.body?.dedup_key === 'inc-1').map((r) => `${String(r.body?.event_action)} ${r.status}`);
    /** Runs the worker until nothing is due within the next minute (the backoff here is seconds). */
    const drain = async (w: OutboxWorker) => {
      for (let i = 0; i < 10 && store.outboxDepth() > 0; i++) {
        await w.runOnce();
        clock.advance(60_000);
      }
    };

    it('is not sent when PagerDuty answered the trigger 400: the timeline, the outbox and the metrics say why, and it is not retried', async () => {
      const mock = await startPagerDutyMock();
      try {
        mock.respondWith([invalid]);
        const w = workerWith({ pagerduty: pagerDutyOn(mock) });
        store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
        await w.runOnce();
        store.enqueue([notification('n2', 'resolve', 'pagerduty')], clock.now());
        await drain(w);
        clock.advance(3_600_000);
        expect(await w.runOnce()).toBe(0);
        expect(received(mock)).toEqual(['trigger 400']);
        const refusal = "PagerDuty trigger for incident inc-1: PagerDuty refused it (400): Event object is invalid: 'payload.summary' is missing or blank";
        expect(store.timelineOf('inc-1').map((e) => `${e.kind}: ${e.reason}`)).toEqual([
          `failed: trigger to PagerDuty (routing key $PD_KEY) failed (HTTP 400): ${refusal}`,
          `withheld: resolve to PagerDuty (routing key $PD_KEY) not sent: PagerDuty refused the trigger (HTTP 400: ${refusal}); PagerDuty has no alert of this incident to resolve`,
        ]);
        expect(store.outboxOf('inc-1').map((e) => [e.notification.action, e.state, e.attempts, e.lastError])).toEqual([
          ['trigger', 'failed', 1, refusal],
          ['resolve', 'failed', 0, `not sent: PagerDuty refused the trigger (HTTP 400: ${refusal})`],
        ]);
        const m = await metrics.registry.getSingleMetricAsString('slokit_router_notifications_total');
        expect(m).toContain('target="pagerduty",outcome="failed"} 1');
        expect(m).toContain('target="pagerduty",outcome="withheld"} 1');
      } finally {
        await mock.close();
      }
    });

    it.each([
      {
        name: 'its routing key was unset when the trigger was due (and is set by the time the resolve is)',
        missing: "no PagerDuty routing key for incident inc-1: environment variable PD_KEY is not set",
        before: (mock: PagerDutyMock, key: { value: string | undefined }) => {
          key.value = undefined;
          return { pagerduty: pagerDutyWithKey(mock, key) };
        },
      },
      {
        name: 'its routing key was empty when the trigger was due (and is set by the time the resolve is)',
        missing: 'no PagerDuty routing key for incident inc-1: environment variable PD_KEY is empty',
        before: (mock: PagerDutyMock, key: { value: string | undefined }) => {
          key.value = '';
          return { pagerduty: pagerDutyWithKey(mock, key) };
        },
      },
      {
        name: 'a reload had taken its notifier away when the trigger was due (and brought it back by the time the resolve is)',
        missing: 'no pagerduty notifier configured',
        before: () => ({}),
      },
    ])('is not sent when the trigger was never sent because $name: PagerDuty holds nothing to resolve', async ({ missing, before }) => {
      const mock = await startPagerDutyMock();
      try {
        const key: { value: string | undefined } = { value: 'R'.repeat(32) };
        const w = workerWith(before(mock, key));
        store.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
        await w.runOnce();
        key.value = 'R'.repeat(32);
        w.reconfigure({ notifiers: { pagerduty: pagerDutyWithKey(mock, key) }, attemptTimeoutMs: 5000 });
        store.enqueue([notification('n2', 'resolve', 'pagerduty')], clock.now());
        await drain(w);
        clock.advance(3_600_000);
        expect(await w.runOnce()).toBe(0);
        expect(received(mock)).toEqual([]);
        expect(store.timelineOf('inc-1').map((e) => `${e.kind}: ${e.reason}`)).toEqual([
          `failed: trigger to PagerDuty (routing key $PD_KEY) failed (not sent): ${missing}`,
          `withheld: resolve to PagerDuty (routing key $PD_KEY) not sent: the trigger was never sent (${missing}); PagerDuty has no alert of this incident to resolve`,
        ]);
        expect(store.outboxOf('inc-1').map((e) => [e.notification.action, e.state, e.outcome, e.attempts, e.lastError])).toEqual([
          ['trigger', 'failed', 'never_sent', 1, missing],
          ['resolve', 'failed', 'withheld', 0, `not sent: the trigger was never sent (${missing})`],
        ]);
        const m = await metrics.registry.getSingleMetricAsString('slokit_router_notifications_total');
        expect(m).toContain('target="pagerduty",outcome="failed"} 1');
        expect(m).toContain('target="pagerduty",outcome="withheld"} 1');
      } finally {
        await mock.close();
      }
    });

    it('is sent when a later trigger to the same service was accepted (the incident reopened)', async () => {
      const mock = await startPagerDutyMock();
      try {
        mock.respondWith([invalid]);
        const w = workerWith({ pagerduty: pagerDutyOn(mock) });
        store.enqueue([notification('n1', 'trigger', 'pagerduty'), notification('n2', 'resolve', 'pagerduty')], clock.now());
        await drain(w);
        store.enqueue([notification('n3', 'trigger', 'pagerduty'), notification('n4', 'resolve', 'pagerduty')], clock.now());
        await drain(w);
        expect(received(mock)).toEqual(['trigger 400', 'trigger 202', 'resolve 202']);
        expect(store.outboxOf('inc-1').map((e) => e.state)).toEqual(['failed', 'failed', 'delivered', 'delivered']);
        expect(store.timelineOf('inc-1').map((e) => e.kind)).toEqual(['failed', 'withheld', 'notified', 'notified']);
      } finally {
        await mock.close();
      }
    });

    it('is sent when the trigger was given up after 429s or 5xx: PagerDuty may have taken one of them', async () => {
      for (const status of [429, 503]) {
        const mock = await startPagerDutyMock();
        try {
          mock.respondWith(Array.from({ length: 5 }, () => ({ status })));
          const w = workerWith({ pagerduty: pagerDutyOn(mock) });
          store.enqueue([notification(`t${status}`, 'trigger', 'pagerduty'), notification(`r${status}`, 'resolve', 'pagerduty')], clock.now());
          await drain(w);
          expect(received(mock).slice(-2)).toEqual([`trigger ${status}`, 'resolve 202']);
          expect(store.timelineOf('inc-1').map((e) => e.kind).slice(-2)).toEqual(['failed', 'notified']);
        } finally {
          await mock.close();
        }
      }
    });

    it('is decided once the trigger settled, not when the resolve was queued: a trigger retried after a 503 and then refused withholds it', async () => {
      const mock = await startPagerDutyMock();
      try {
        mock.respondWith([{ status: 503 }, invalid]);
        const w = workerWith({ pagerduty: pagerDutyOn(mock) });
        store.enqueue([notification('n1', 'trigger', 'pagerduty'), notification('n2', 'resolve', 'pagerduty')], clock.now());
        await drain(w);
        expect(received(mock)).toEqual(['trigger 503', 'trigger 400']);
        expect(store.timelineOf('inc-1').map((e) => e.kind)).toEqual(['retried', 'failed', 'withheld']);
      } finally {
        await mock.close();
      }
    });

    it.each([
      { name: 'refused', firstNotifiers: (mock: PagerDutyMock) => ({ pagerduty: pagerDutyOn(mock) }), pagerDutyGot: ['trigger 400'] },
      { name: 'never sent (no notifier)', firstNotifiers: () => ({}), pagerDutyGot: [] },
    ])('is withheld the same way by a process started after the trigger was $name', async ({ firstNotifiers, pagerDutyGot }) => {
      const mock = await startPagerDutyMock();
      const dir = mkdtempSync(join(tmpdir(), 'slokit-outbox-'));
      const path = join(dir, 'router.db');
      try {
        mock.respondWith([invalid]);
        const before = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
        const first = new OutboxWorker({
          store: before,
          notifiers: firstNotifiers(mock),
          clock,
          random: () => 0.5,
          logger: pino({ level: 'silent' }),
          metrics: undefined,
          policy: () => ({ baseMs: 1000, maxMs: 60_000, maxAttempts: 5 }),
          concurrency: 4,
          attemptTimeoutMs: 5000,
        });
        before.enqueue([notification('n1', 'trigger', 'pagerduty')], clock.now());
        await first.runOnce();
        before.enqueue([notification('n2', 'resolve', 'pagerduty')], clock.now());
        before.db.close(); // stopped before the resolve was due

        store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
        await drain(workerWith({ pagerduty: pagerDutyOn(mock) }));
        expect(received(mock)).toEqual(pagerDutyGot);
        expect(store.timelineOf('inc-1').map((e) => e.kind)).toEqual(['failed', 'withheld']);
        store.db.close();
      } finally {
        await mock.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.each([
      {
        name: 'an accepted trigger, then an escalation trigger refused: the first page is still open there, the resolve is sent',
        queued: ['trigger', 'trigger', 'resolve'],
        answers: [ok(), fail(400), ok()],
        sent: ['trigger', 'trigger', 'resolve'],
      },
      {
        name: 'an episode accepted and resolved, then a reopen refused: nothing is open there, the resolve is withheld',
        queued: ['trigger', 'resolve', 'trigger', 'resolve'],
        answers: [ok(), ok(), fail(400)],
        sent: ['trigger', 'resolve', 'trigger'],
      },
      {
        name: 'an accepted trigger whose resolve was refused, then a reopen refused: the first page is still open there, the resolve is sent',
        queued: ['trigger', 'resolve', 'trigger', 'resolve'],
        answers: [ok(), fail(400), fail(400), ok()],
        sent: ['trigger', 'resolve', 'trigger', 'resolve'],
      },
      {
        name: 'a trigger given up after five 502s: PagerDuty may have taken one, the resolve is sent',
        queued: ['trigger', 'resolve'],
        answers: [...Array.from({ length: 5 }, () => fail(502)), ok()],
        sent: [...Array.from({ length: 5 }, () => 'trigger'), 'resolve'],
      },
      {
        name: 'a trigger given up after five network errors (no status): PagerDuty may have taken one, the resolve is sent',
        queued: ['trigger', 'resolve'],
        answers: [...Array.from({ length: 5 }, () => unreachable), ok()],
        sent: [...Array.from({ length: 5 }, () => 'trigger'), 'resolve'],
      },
      {
        name: 'a trigger that got no answer, then found no routing key: the first attempt may have reached PagerDuty, the resolve is sent',
        queued: ['trigger', 'resolve'],
        answers: [unreachable, unsent, ok()],
        sent: ['trigger', 'trigger', 'resolve'],
      },
      {
        name: 'an accepted trigger, then an update never sent (no routing key): the page is still open there, the resolve is sent',
        queued: ['trigger', 'update', 'resolve'],
        answers: [ok(), unsent, ok()],
        sent: ['trigger', 'update', 'resolve'],
      },
      {
        name: 'an episode accepted and resolved, then a reopen never sent (no routing key): nothing is open there, the resolve is withheld',
        queued: ['trigger', 'resolve', 'trigger', 'resolve'],
        answers: [ok(), ok(), unsent],
        sent: ['trigger', 'resolve', 'trigger'],
      },
    ] as const)('follows what PagerDuty holds: $name', async ({ queued, answers, sent }) => {
      pd.script = [...answers];
      store.enqueue(
        queued.map((action, i) => notification(`n${i}`, action, 'pagerduty')),
        clock.now(),
      );
      await drain(worker);
      expect(pd.sent.map((n) => n.action)).toEqual(sent);
      expect(store.outboxDepth()).toBe(0);
    });
  });
});
