/**
 * A crash changes nothing anyone sees: random sequences of webhooks run twice through the production
 * router (`startRouterService`, real SQLite store and batch journal, PagerDuty and Slack mocks), once
 * straight through and once with crashes at random points, and both end with the same incidents,
 * alerts, timelines and outbox, the same PagerDuty events and the same Slack messages.
 *
 * One webhook at a time, each answered before the next is sent, so both runs see the same order.
 * A crash is what SIGKILL leaves: the store's directory as it is on disk at one instant (the open bulk
 * transaction lost, acknowledged batches in the journal only), then a new router started on it. Crashes
 * come right after a 2xx (the batch's notifications queued, perhaps not yet committed or delivered) or
 * once everything was delivered. Deliveries stop at the crash: the test holds new attempts at a gate,
 * waits for the ones under way to finish and be recorded, takes the image, and the old router's held
 * attempts then fail without reaching the mocks. So the one repeat this test does not ask about is a
 * delivery that reached PagerDuty or Slack just before the crash, with its outcome not yet written:
 * PagerDuty dedups it and the Slack notifier finds the earlier message (journal-recovery.test.ts covers
 * that case; docs/alert-router.md, "Delivery").
 *
 * Bulk commits every 60 s (most batches only in the journal at a crash), every 100 ms (production) or
 * every 5 ms; WAL checkpoints at the production cadence or after every commit (so a crash can come
 * while one runs, or after it let go of journal segments); journal segments of the production size or
 * of a record or two (so batches span segments, recycled ones among them).
 *
 * The second property sends webhooks several at a time, reloads the config while they are being
 * answered (a route that sends tickets to #alerts, added or taken out), and crashes while they are
 * being answered (0–4 ms after they were sent) or after: then the order the router took them in is its own, so instead
 * of a straight run it checks what must hold whatever the order. Every acknowledged alert is in the
 * store (each alert's receive count is at least its acknowledged copies and at most the copies sent:
 * an answer the crash cut may or may not have been committed), every notification in the outbox was
 * delivered, and PagerDuty and Slack each got exactly what the outbox says it delivered: no event lost,
 * none twice. Answers the crash did not cut are 200.
 *
 * `CRASH_RUNS=N` runs N sequences per property instead of 12; a failure prints the seed and the
 * shortest failing sequence.
 */
import fc from 'fast-check';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels, webhookPayload, type AlertSpec } from '../test/support/alertmanager-payload.js';
import { restoreCrashImage, takeCrashImage } from '../test/support/crash-image.js';
import { startPagerDutyMock, type PagerDutyMock } from '../test/support/pagerduty-mock.js';
import { postWebhook, routerFixture, until, type RouterFixture } from '../test/support/router-fixture.js';
import { startSlackMock, type SlackMessage, type SlackMock } from '../test/support/slack-mock.js';
import { defaultNotifiers } from './default-notifiers.js';
import { DeliveryError, type Notifier, type TargetKind } from './notify/types.js';
import { startRouterService, type RouterService } from './router-service.js';

/** Who the alerts are: both tiers of two SLOs (checkout depends on payments) and a plain alert. */
const CAST = {
  'checkout-page-a': sloAlertLabels('page', { instance: 'a' }),
  'checkout-page-b': sloAlertLabels('page', { instance: 'b' }),
  'checkout-ticket': sloAlertLabels('ticket'),
  'payments-page': sloAlertLabels('page', { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' }),
  'payments-ticket': sloAlertLabels('ticket', { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' }),
  'node-down': { alertname: 'NodeDown', service: 'checkout', instance: 'node-1', severity: 'ticket' },
} as const;
type Who = keyof typeof CAST;

const T0 = Date.parse('2026-11-02T03:00:00Z');
const HOUR = 3_600_000;

interface AlertEvent {
  who: Who;
  status: 'firing' | 'resolved';
  /** Which firing episode: its startsAt is an hour after the previous one's. */
  episode: number;
}
interface Step {
  alerts: AlertEvent[];
  /** A crash right after the 2xx, after everything it queued was delivered, or none. */
  crash: 'none' | 'after-2xx' | 'after-delivery';
}

const iso = (ms: number) => new Date(ms).toISOString();

function payload(events: AlertEvent[]) {
  const alerts: AlertSpec[] = events.map((e) => {
    const startsAt = T0 + e.episode * HOUR;
    return {
      status: e.status,
      labels: { ...CAST[e.who] },
      fingerprint: `fp-${e.who}`,
      startsAt: iso(startsAt),
      ...(e.status === 'resolved' ? { endsAt: iso(startsAt + 20 * 60_000) } : {}),
    };
  });
  return webhookPayload(alerts, { alertname: CAST[events[0]!.who].alertname });
}

/** One to three alerts, each fingerprint at most once, as Alertmanager sends a group. */
const group: fc.Arbitrary<AlertEvent[]> = fc.uniqueArray(
  fc.record({
    who: fc.constantFrom(...(Object.keys(CAST) as Who[])),
    status: fc.constantFrom<'firing' | 'resolved'>('firing', 'firing', 'resolved'),
    episode: fc.integer({ min: 0, max: 2 }),
  }),
  { minLength: 1, maxLength: 3, selector: (e) => e.who },
);

const step: fc.Arbitrary<Step> = fc.record({
  alerts: group,
  crash: fc.constantFrom<Step['crash']>('none', 'none', 'none', 'none', 'after-2xx', 'after-delivery'),
});

/** Webhooks sent at once, and a crash while they are answered (after 0–4 ms), after them, or none. */
interface Wave {
  posts: AlertEvent[][];
  crash: 'none' | 'during' | 'after';
  delayMs: number;
  /** A config reload (SIGHUP) while they are answered: tickets go to #alerts, or back to their owner. */
  reload: boolean;
}
const wave: fc.Arbitrary<Wave> = fc.record({
  posts: fc.array(group, { minLength: 1, maxLength: 4 }),
  crash: fc.constantFrom<Wave['crash']>('none', 'none', 'during', 'during', 'after'),
  delayMs: fc.integer({ min: 0, max: 4 }),
  reload: fc.constantFrom(false, false, false, true),
});

const TICKET_ROUTE = "routes:\n  - name: tickets\n    matchers: ['severity=\"ticket\"']\n    slack: '#alerts'\n";

/** Adds the route that sends tickets to #alerts, or takes it out again. */
function toggleTicketRoute(configPath: string): void {
  const text = readFileSync(configPath, 'utf8');
  writeFileSync(configPath, text.includes(TICKET_ROUTE) ? text.replace(TICKET_ROUTE, 'routes:\n') : text.replace('routes:\n', TICKET_ROUTE));
}

/** One alert as sent: when (a logical clock over the whole run) and, once answered 200, when that was. */
interface Copy {
  fingerprint: string;
  status: 'firing' | 'resolved';
  sentAt: number;
  ackedAt?: number;
}

/**
 * How many times the store may have received `fingerprint`, given what was sent and acknowledged.
 * Every firing copy processed counts, and a resolve counts once the alert was seen firing (before
 * that it resolves nothing and is not stored). So at least: the acknowledged firing copies, and the
 * acknowledged resolves sent after a firing copy was acknowledged. At most: every copy sent.
 */
function receiveBounds(copies: Copy[], fingerprint: string): { atLeast: number; atMost: number } {
  const mine = copies.filter((c) => c.fingerprint === fingerprint);
  const acked = mine.filter((c) => c.ackedAt !== undefined);
  const firstFiringAck = Math.min(...acked.filter((c) => c.status === 'firing').map((c) => c.ackedAt!));
  const atLeast = acked.filter((c) => c.status === 'firing' || c.sentAt > firstFiringAck).length;
  return { atLeast, atMost: mine.length };
}

/** How the store commits: bulk transactions by age, a checkpoint after every commit, journal segments of a record or two. */
interface StoreCadence {
  bulkAgeMs: number;
  checkpointEveryCommit: boolean;
  smallSegments: boolean;
}
const cadence: fc.Arbitrary<StoreCadence> = fc.record({
  bulkAgeMs: fc.constantFrom(60_000, 100, 5),
  checkpointEveryCommit: fc.boolean(),
  smallSegments: fc.boolean(),
});

/**
 * Wraps the real notifiers so deliveries can be stopped at a crash: once `close`d, new attempts wait;
 * once `kill`ed, they fail (retryable) without reaching the target, as if the process had died.
 */
class DeliveryGate {
  private closed = false;
  private killed = false;
  /** Attempts past the gate, not yet answered. */
  passing = 0;
  private waiting: (() => void)[] = [];

  wrap(notifiers: Partial<Record<TargetKind, Notifier>>): Partial<Record<TargetKind, Notifier>> {
    const out: Partial<Record<TargetKind, Notifier>> = {};
    for (const [kind, n] of Object.entries(notifiers) as [TargetKind, Notifier][]) {
      out[kind] = {
        kind: n.kind,
        deliver: async (notification, signal) => {
          while (this.closed && !this.killed) await new Promise<void>((resolve) => this.waiting.push(resolve));
          if (this.killed) throw new DeliveryError('the router was killed', { retryable: true });
          this.passing++;
          try {
            return await n.deliver(notification, signal);
          } finally {
            this.passing--;
          }
        },
      };
    }
    return out;
  }

  close(): void {
    this.closed = true;
  }

  kill(): void {
    this.killed = true;
    for (const w of this.waiting.splice(0)) w();
  }
}

interface Running {
  service: RouterService;
  gate: DeliveryGate;
}

/**
 * `promise`, or a failure naming `what` once `ms` pass: a router that never finishes starting,
 * draining or answering fails the run with where it stopped, instead of the test's timeout.
 */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a user sees at the end: the API's incidents, PagerDuty's events and Slack's channels. */
interface Seen {
  incidents: Record<string, unknown>;
  pagerduty: Record<string, string[]>;
  slack: Record<string, string[]>;
  errors: string[];
}

/** Delivery outcomes of one step come in the order the targets answered: sorted within each run of them. */
function deliveriesInOrder(rows: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const isOutcome = (row: string) => /^(notified|retried|failed|withheld): /.test(row);
  for (const row of rows) {
    if (isOutcome(row)) {
      run.push(row);
      continue;
    }
    out.push(...run.sort(), row);
    run = [];
  }
  return [...out, ...run.sort()];
}

/** The Slack channels the test catalog and config post to. */
const CHANNELS = ['#checkout', '#payments', '#alerts'];

/** One incident as the API shows it: `GET /api/v1/incidents/:id`, the fields these properties read. */
interface IncidentShown {
  incident: { id: string; key: string; state: string; severity: string; reopenCount: number; title: string };
  alerts: { fingerprint: string; status: string; severity: string; receiveCount: number }[];
  timeline: { kind: string; reason: string }[];
  notifications: { action: string; target: { kind: string; destination: string }; state: string; attempts: number }[];
}

/** Every incident the router at `url` holds, each as its detail endpoint shows it. */
async function incidentsShown(url: string): Promise<IncidentShown[]> {
  const get = async <T,>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;
  const { incidents } = await get<{ incidents: { id: string }[] }>('/api/v1/incidents?limit=1000');
  return Promise.all(incidents.map(({ id }) => get<IncidentShown>(`/api/v1/incidents/${id}`)));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('a crash changes nothing anyone sees', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  const fixtures: RouterFixture[] = [];
  const images: string[] = [];

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterAll(async () => {
    await pd.close();
    await slack.close();
    for (const f of fixtures) f.cleanup();
    for (const i of images) rmSync(i, { recursive: true, force: true });
  });

  /**
   * A router on a fresh store with the given cadence, and the means to crash it: `crash` takes the
   * image, cuts every connection (answers not yet written are never received, as after SIGKILL) and
   * starts a new router on the image.
   */
  async function harness(store: StoreCadence) {
    const fixture = routerFixture({ pagerduty: pd, slack, tickInterval: '1h' });
    fixtures.push(fixture);
    const errors: string[] = [];
    const pdFrom = pd.accepted.length;
    const slackFrom = Object.fromEntries(CHANNELS.map((c) => [c, slack.messages(c).length]));

    const start = async (): Promise<Running> => {
      const gate = new DeliveryGate();
      const service = await startRouterService({
        configPath: fixture.configPath,
        env: fixture.env,
        logger: pino({ level: 'error' }, { write: (line: string) => errors.push((JSON.parse(line) as { msg: string }).msg) }),
        port: 0,
        notifiers: (c) => gate.wrap(defaultNotifiers(c, fixture.env)),
        bulkCommit: { maxAgeMs: store.bulkAgeMs, maxAlerts: 1_000_000 },
        ...(store.checkpointEveryCommit ? { checkpointEvery: { commits: 1, alerts: 1 } } : {}),
        ...(store.smallSegments ? { journalSegmentBytes: 2048 } : {}),
      });
      return { service, gate };
    };
    /** Everything queued is delivered and its outcome recorded. */
    const settle = async (r: Running) => {
      for (let quiet = 0; quiet < 2; ) {
        await until(() => r.gate.passing === 0 && r.service.store.outboxDepth() === 0, 10_000, 'every notification delivered');
        await sleep(15);
        quiet = r.gate.passing === 0 && r.service.store.outboxDepth() === 0 ? quiet + 1 : 0;
      }
    };
    /** Stops deliveries: new attempts wait at the gate, and those under way finish and are recorded. */
    const holdDeliveries = async (r: Running) => {
      r.gate.close();
      await until(() => r.gate.passing === 0, 10_000, 'the deliveries under way');
      await sleep(15); // their outcomes are written in the continuation
    };
    /** Crashes `r` now (its deliveries held first) and starts a router on what it left on disk. */
    const crash = async (r: Running): Promise<Running> => {
      // One synchronous step, so the router writes nothing in between: no new connections, the files
      // as they are, then no answer written after them.
      r.service.server.close();
      const image = takeCrashImage(fixture.storePath);
      r.service.server.closeAllConnections();
      images.push(image);
      r.gate.kill();
      await within(30_000, 'draining the crashed router', r.service.drain());
      restoreCrashImage(image, fixture.storePath);
      return within(30_000, 'starting a router on the crash image', start());
    };
    return {
      start,
      settle,
      holdDeliveries,
      crash,
      seen: (r: Running) => seen(r.service, pdFrom, slackFrom, errors),
      errors: () => errors,
      configPath: fixture.configPath,
      /** This run's Slack messages in `channel`, oldest first. */
      slackMessages: (channel: string) => slack.messages(channel).slice(slackFrom[channel] ?? 0),
    };
  }

  /** Runs `steps` on a new router; with `crashes`, crashes where the steps say. Returns what was seen. */
  async function run(steps: Step[], crashes: boolean, store: StoreCadence): Promise<Seen> {
    const h = await harness(store);
    let r = await within(30_000, 'starting the router', h.start());
    try {
      for (const s of steps) {
        const res = await within(30_000, 'the answer to a webhook', postWebhook(r.service.url, payload(s.alerts)));
        expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
        if (crashes && s.crash === 'after-2xx') {
          await h.holdDeliveries(r);
          r = await h.crash(r);
        }
        await h.settle(r);
        if (crashes && s.crash === 'after-delivery') {
          await h.holdDeliveries(r);
          r = await h.crash(r);
          await h.settle(r);
        }
      }
      return await h.seen(r);
    } finally {
      await within(30_000, 'draining the router', r.service.drain());
    }
  }

  async function seen(service: RouterService, pdFrom: number, slackFrom: Record<string, number>, errors: string[]): Promise<Seen> {
    const incidents = await incidentsShown(service.url);
    const keyOf = new Map(incidents.map((d) => [d.incident.id, d.incident.key]));
    expect(new Set(keyOf.values()).size, 'one incident per key').toBe(incidents.length);
    /** Ids as the incidents' keys, and no digits: times and durations differ between the two runs. */
    const plain = (text: string) => text.replace(UUID, (id) => keyOf.get(id) ?? 'id').replace(/\d+(\.\d+)?/g, '#');
    const byKey: Record<string, unknown> = {};
    for (const d of incidents) {
      byKey[d.incident.key] = {
        state: d.incident.state,
        severity: d.incident.severity,
        reopenCount: d.incident.reopenCount,
        title: d.incident.title,
        alerts: d.alerts.map((a) => `${a.fingerprint} ${a.status} ${a.severity} ×${a.receiveCount}`).sort(),
        timeline: deliveriesInOrder(d.timeline.map((e) => `${e.kind}: ${plain(e.reason)}`)),
        notifications: d.notifications.map((n) => `${n.target.kind} ${n.target.destination} ${n.action} ${n.state} after ${n.attempts}`),
      };
    }
    const pagerduty: Record<string, string[]> = {};
    for (const e of pd.accepted.slice(pdFrom)) {
      const key = keyOf.get(String(e.body?.dedup_key)) ?? `unknown dedup_key ${String(e.body?.dedup_key)}`;
      (pagerduty[key] ??= []).push(`${String(e.body?.event_action)} ${plain(JSON.stringify(e.body?.payload ?? null))}`);
    }
    const message = (m: SlackMessage) => `${m.edited ? 'edited ' : ''}${plain(m.text)} [${m.replies.map((x) => plain(x.text)).join(' | ')}]`;
    const slackSeen: Record<string, string[]> = {};
    for (const [channel, from] of Object.entries(slackFrom)) {
      // Messages of different incidents may be posted in either order within a step.
      slackSeen[channel] = slack.messages(channel).slice(from).map(message).sort();
    }
    return { incidents: byKey, pagerduty, slack: slackSeen, errors };
  }

  it('ends with the same incidents, timelines, outbox, PagerDuty events and Slack messages as a run without crashes', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), cadence, async (steps, store) => {
        const straight = await run(steps, false, store);
        const crashed = await run(steps, true, store);
        expect(straight.errors).toEqual([]);
        expect(crashed.errors).toEqual([]);
        expect(crashed.incidents).toEqual(straight.incidents);
        expect(crashed.pagerduty).toEqual(straight.pagerduty);
        expect(crashed.slack).toEqual(straight.slack);
      }),
      { numRuns: Number(process.env.CRASH_RUNS ?? 12) },
    );
  });

  it('under concurrent webhooks and crashes at any moment, keeps every acknowledged alert and delivers every notification once', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wave, { minLength: 1, maxLength: 8 }), cadence, async (waves, store) => {
        const h = await harness(store);
        let r = await within(30_000, 'starting the router', h.start());
        let clock = 0;
        const copies: Copy[] = [];
        const refused: string[] = [];
        try {
          for (const w of waves) {
            // Deliveries wait while the webhooks are answered, so the crash can come at any moment.
            if (w.crash === 'during') await h.holdDeliveries(r);
            const url = r.service.url;
            const answered = w.posts.map(async (alerts) => {
              const sentAt = ++clock;
              const mine: Copy[] = alerts.map((a) => ({ fingerprint: `fp-${a.who}`, status: a.status, sentAt }));
              copies.push(...mine);
              try {
                const res = await postWebhook(url, payload(alerts));
                const body = await res.text();
                if (res.status === 200) {
                  const at = ++clock;
                  for (const c of mine) c.ackedAt = at;
                } else refused.push(`${res.status} ${body}`);
              } catch (error) {
                // Cut by the crash before its answer: not acknowledged. Without a crash, a failure.
                if (w.crash !== 'during') refused.push(`no answer: ${String(error)}`);
              }
            });
            if (w.reload || w.crash === 'during') await sleep(w.delayMs);
            if (w.reload) {
              toggleTicketRoute(h.configPath);
              expect(r.service.reload(), 'the reload took the new config').toBe(true);
            }
            if (w.crash === 'during') r = await h.crash(r);
            await within(30_000, 'the answers to the webhooks', Promise.all(answered));
            if (w.crash === 'after') {
              await h.holdDeliveries(r);
              r = await h.crash(r);
            }
            await h.settle(r);
          }

          expect(refused).toEqual([]);
          const received = new Map<string, number>();
          const delivered = { slackTriggers: new Map<string, number>(), slackReplies: new Map<string, number>() };
          for (const d of await incidentsShown(r.service.url)) {
            const id = d.incident.id;
            for (const a of d.alerts) received.set(a.fingerprint, (received.get(a.fingerprint) ?? 0) + a.receiveCount);
            expect(d.notifications.filter((n) => n.state !== 'delivered'), `incident ${id}: every notification delivered`).toEqual([]);
            // PagerDuty got each of the incident's events once: as many as the outbox delivered, per action.
            const pdOutbox = d.notifications.filter((n) => n.target.kind === 'pagerduty').map((n) => n.action);
            const pdSeen = pd.accepted.filter((e) => e.body?.dedup_key === id).map((e) => String(e.body?.event_action));
            expect(pdSeen, `PagerDuty events for incident ${id}`).toEqual(pdOutbox);
            for (const n of d.notifications.filter((x) => x.target.kind === 'slack')) {
              const m = n.action === 'trigger' ? delivered.slackTriggers : delivered.slackReplies;
              m.set(n.target.destination, (m.get(n.target.destination) ?? 0) + 1);
            }
          }
          for (const fingerprint of new Set(copies.map((c) => c.fingerprint))) {
            const { atLeast, atMost } = receiveBounds(copies, fingerprint);
            const got = received.get(fingerprint) ?? 0;
            expect(got, `${fingerprint}: received at least the ${atLeast} acknowledged copies`).toBeGreaterThanOrEqual(atLeast);
            expect(got, `${fingerprint}: received at most the ${atMost} copies sent`).toBeLessThanOrEqual(atMost);
          }
          // Slack: one message per delivered trigger, one reply per delivered update or resolve.
          for (const channel of CHANNELS) {
            const messages = h.slackMessages(channel);
            expect(messages.length, `${channel}: messages`).toBe(delivered.slackTriggers.get(channel) ?? 0);
            expect(messages.reduce((n, m) => n + m.replies.length, 0), `${channel}: thread replies`).toBe(delivered.slackReplies.get(channel) ?? 0);
          }
          expect(h.errors()).toEqual([]);
        } finally {
          await within(30_000, 'draining the router', r.service.drain());
        }
      }),
      { numRuns: Number(process.env.CRASH_RUNS ?? 12) },
    );
  });
});
