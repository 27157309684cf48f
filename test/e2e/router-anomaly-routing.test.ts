import Database from 'better-sqlite3';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultNotifiers } from '../../alert-router/default-notifiers.js';
import { startRouterService, type RouterService } from '../../alert-router/router-service.js';
import { sloAlertLabels, webhookPayload } from '../support/alertmanager-payload.js';
import { startPagerDutyMock, type PagerDutyEventBody, type PagerDutyMock } from '../support/pagerduty-mock.js';
import { backfillOpenMetrics, freeLoopbackPort, startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { postWebhook, ROUTER_TOKEN, routerFixture, until, type RouterFixture } from '../support/router-fixture.js';
import { startSlackMock, type SlackMock } from '../support/slack-mock.js';

/**
 * The router with `anomaly` configured, against a real Prometheus holding a week of backfilled 5m
 * error ratios for the two SLOs of the test catalog:
 * - checkout-availability: 0.05% all week, 0.6% for the last 20 minutes. Its ticket looks ordinary
 *   (a slow burn) but is far outside the SLO's own history: escalated to a page.
 * - payments-latency: 2% every day within an hour of this time of day, 0.04% otherwise. Its page is
 *   what this SLO does at this hour: marked recurring.
 * The router runs 10 minutes behind the wall clock, so the backfilled week ends at its "now" (the
 * TSDB's head takes samples only after the blocks).
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SKEW = 10 * 60_000;
const routerNow = () => Date.now() - SKEW;
const dataEnd = Math.floor(routerNow() / 60_000) * 60_000;

function series(id: string, value: (t: number) => number): string {
  const lines: string[] = [];
  for (let t = dataEnd - 7 * DAY - 2 * HOUR; t <= dataEnd; t += 60_000) {
    lines.push(`slo:sli_error:ratio_rate5m{slo_id="${id}",slo_window="5m"} ${value(t)} ${t / 1000}`);
  }
  return lines.join('\n');
}

/** Within an hour of `dataEnd`'s time of day, on any day. */
const nearThisHour = (t: number) => {
  const d = Math.abs((((t - dataEnd) % DAY) + DAY) % DAY);
  return Math.min(d, DAY - d) <= HOUR;
};

const ticket = () => webhookPayload([{ labels: sloAlertLabels('ticket'), fingerprint: 'fp-checkout-ticket' }], { alertname: 'SLOErrorBudgetBurnTicket' });
const paymentsPage = () =>
  webhookPayload([
    {
      labels: sloAlertLabels('page', { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' }),
      fingerprint: 'fp-payments-page',
    },
  ]);

/** `payload.custom_details.anomaly` of a PagerDuty event, as the router sent it. */
function anomalyOf(event: PagerDutyEventBody): Record<string, unknown> | undefined {
  return (event.payload?.custom_details as Record<string, Record<string, unknown> | undefined> | undefined)?.['anomaly'];
}

interface IncidentDetail {
  incident: { id: string; severity: string; anomaly: Record<string, unknown> | null };
  timeline: { kind: string; reason: string }[];
}

describe('the router scores SLO incidents against a real Prometheus', () => {
  let prom: PrometheusInstance;
  let tsdb: string;
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture | undefined;
  let router: RouterService | undefined;

  beforeAll(async () => {
    tsdb = await mkdtemp(join(tmpdir(), 'slokit-anomaly-router-'));
    const checkout = series('checkout-availability', (t) => (t > dataEnd - 20 * 60_000 ? 0.006 : 0.0005 * (1 + 0.2 * Math.sin(t / 7e6))));
    const payments = series('payments-latency', (t) => (nearThisHour(t) ? 0.02 * (1 + 0.1 * Math.sin(t / 5e5)) : 0.0004));
    await backfillOpenMetrics(`# TYPE slo:sli_error:ratio_rate5m gauge\n${checkout}\n${payments}\n# EOF\n`, tsdb);
    prom = await startPrometheus({ tsdbPath: tsdb, extraArgs: ['--query.lookback-delta=6m'] });
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterEach(async () => {
    await router?.drain();
    router = undefined;
    fixture?.cleanup();
    fixture = undefined;
  });
  afterAll(async () => {
    await prom?.stop();
    await pd?.close();
    await slack?.close();
    await rm(tsdb, { recursive: true, force: true });
  });

  async function start(prometheusUrl: string, timeout = '2s', logged: string[] = []): Promise<RouterService> {
    fixture = routerFixture({ pagerduty: pd, slack, anomaly: { prometheusUrl, timeout } });
    const f = fixture;
    router = await startRouterService({
      configPath: f.configPath,
      env: f.env,
      logger: pino({ level: 'error' }, { write: (line: string) => logged.push((JSON.parse(line) as { msg: string }).msg) }),
      notifiers: (c) => defaultNotifiers(c, f.env),
      now: routerNow,
    });
    return router;
  }
  const detail = async (r: RouterService, service: string): Promise<IncidentDetail> => {
    const list = (await (await fetch(`${r.url}/api/v1/incidents?service=${service}`)).json()) as { incidents: { id: string }[] };
    return (await (await fetch(`${r.url}/api/v1/incidents/${list.incidents[0]!.id}`)).json()) as IncidentDetail;
  };
  const metric = async (r: RouterService, line: string) => {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    return Number(text.split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1] ?? 0);
  };

  it('escalates an ordinary-looking ticket far outside its own week to a page, with the score on the incident, PagerDuty and Slack', async () => {
    const r = await start(prom.url);
    const before = pd.accepted.length;
    expect((await postWebhook(r.url, ticket())).status).toBe(200);
    await until(() => pd.accepted.length > before && slack.messages('#checkout').length === 1, 10_000, 'the escalated page and the Slack message');
    const page = pd.accepted.at(-1)!.body!;
    expect(page.event_action).toBe('trigger');
    expect(page.payload?.severity).toBe('critical');
    const anomaly = anomalyOf(page) as { score: number; sentence: string; recurring: boolean };
    expect(anomaly.score).toBeGreaterThanOrEqual(0.8);
    expect(anomaly.recurring).toBe(false);
    expect(anomaly.sentence).toMatch(/^error ratio \d+σ above its usual for \w+ \d\d:\d\d UTC \(0\.60% vs 0\.0\d+%\)$/);
    // The ticket's Slack message waited for the score and shows it.
    const first = JSON.stringify(slack.messages('#checkout')[0]!.blocks);
    expect(first).toContain('*Anomaly*');
    expect(first).toContain(anomaly.sentence);

    // The escalation edits the ticket's first message to the page, and says why in the thread.
    // (chat.update first, then the reply: wait for both.)
    await until(
      () => slack.messages('#checkout')[0]!.text.startsWith(':rotating_light:') && JSON.stringify(slack.messages('#checkout')[0]!.replies).includes('escalated'),
      10_000,
      'the first message edited to the page and the reply saying why',
    );

    const d = await detail(r, 'checkout');
    expect(d.incident.severity).toBe('page');
    expect(d.incident.anomaly).toMatchObject({ score: anomaly.score, action: 'escalate', sentence: anomaly.sentence });
    const kinds = d.timeline.map((e) => e.kind);
    expect(kinds.indexOf('scored')).toBeGreaterThan(kinds.indexOf('opened'));
    expect(d.timeline.find((e) => e.kind === 'escalated')?.reason).toMatch(/^severity ticket → page: anomaly score [01]\.\d\d ≥ 0\.8: error ratio/);
    expect(await metric(r, 'slokit_router_anomaly_scores_total{outcome="scored"}')).toBe(1);
    expect(await metric(r, 'slokit_router_anomaly_decisions_total{action="escalate"}')).toBe(1);

    // Alertmanager re-sends the ticket: no second page, no second score.
    expect((await postWebhook(r.url, ticket())).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pd.accepted.length).toBe(before + 1);
    expect(await metric(r, 'slokit_router_anomaly_scores_total{outcome="scored"}')).toBe(1);

    // The resolve rewrites the first Slack message as "Resolved": the score stays on it.
    const resolved = webhookPayload([{ status: 'resolved', labels: sloAlertLabels('ticket'), fingerprint: 'fp-checkout-ticket' }], { alertname: 'SLOErrorBudgetBurnTicket' });
    expect((await postWebhook(r.url, resolved)).status).toBe(200);
    await until(() => slack.messages('#checkout')[0]!.text.includes('Resolved'), 10_000, 'the Slack message marked resolved');
    const edited = JSON.stringify(slack.messages('#checkout')[0]!.blocks);
    expect(edited).toContain('Resolved');
    expect(edited).toContain(anomaly.sentence);
  });

  it('marks a page recurring when its burn is what this SLO does at this hour every day', async () => {
    const r = await start(prom.url);
    const before = pd.accepted.length;
    expect((await postWebhook(r.url, paymentsPage())).status).toBe(200);
    await until(() => pd.accepted.length > before, 10_000, 'the page');
    const page = pd.accepted.at(-1)!.body!;
    expect(page.payload?.summary).toMatch(/^\[recurring\] payments\/latency/);
    expect(anomalyOf(page)).toMatchObject({ recurring: true });
    expect((anomalyOf(page) as { sentence: string }).sentence).toMatch(/^error ratio within its usual range for /);
    const d = await detail(r, 'payments');
    expect(d.incident.severity).toBe('page');
    expect(d.incident.anomaly).toMatchObject({ action: 'mark-recurring', recurring: true });
    expect(await metric(r, 'slokit_router_anomaly_decisions_total{action="mark-recurring"}')).toBe(1);
  });

  it('delivers at once without a score when Prometheus refuses the connection, and counts it', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const r = await start(closed, '5s');
    const before = pd.accepted.length;
    const sent = Date.now();
    await postWebhook(r.url, webhookPayload([{ labels: sloAlertLabels('page'), fingerprint: 'fp-refused' }]));
    await until(() => pd.accepted.length > before, 10_000, 'the page');
    expect(Date.now() - sent).toBeLessThan(3_000); // did not wait out the 5s timeout
    expect(anomalyOf(pd.accepted.at(-1)!.body!)).toBeUndefined();
    expect(await metric(r, 'slokit_router_anomaly_scores_total{outcome="unreachable"}')).toBe(1);
    const d = await detail(r, 'checkout');
    expect(d.incident.anomaly).toMatchObject({ action: 'none', missing: 'prometheus-unavailable', failure: 'unreachable' });
    expect(d.timeline.find((e) => e.kind === 'scored')?.reason).toMatch(/^no anomaly score: .*the notifications go out without one$/);
  });

  it('waits no longer than anomaly.timeout for a Prometheus that never answers', async () => {
    const sockets: Socket[] = [];
    const hung: Server = createServer((s) => sockets.push(s)); // accepts, reads nothing, answers nothing
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const r = await start(`http://127.0.0.1:${(hung.address() as { port: number }).port}`, '400ms');
      const before = pd.accepted.length;
      const sent = Date.now();
      await postWebhook(r.url, webhookPayload([{ labels: sloAlertLabels('page'), fingerprint: 'fp-hung' }]));
      await until(() => pd.accepted.length > before, 10_000, 'the page');
      const waited = Date.now() - sent;
      expect(waited).toBeGreaterThanOrEqual(350);
      expect(waited).toBeLessThan(2_500);
      expect(anomalyOf(pd.accepted.at(-1)!.body!)).toBeUndefined();
      expect(await metric(r, 'slokit_router_anomaly_scores_total{outcome="timeout"}')).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('lets the score of a webhook that was still being read when the drain began land before the store closes', async () => {
    const sockets: Socket[] = [];
    const hung: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const logged: string[] = [];
      const r = await start(`http://127.0.0.1:${(hung.address() as { port: number }).port}`, '400ms', logged);
      const body = JSON.stringify(webhookPayload([{ labels: sloAlertLabels('page'), fingerprint: 'fp-draining' }]));
      const answered = new Promise<number>((resolve, reject) => {
        const req = request(`${r.url}/api/v1/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ROUTER_TOKEN}`, 'content-length': Buffer.byteLength(body), connection: 'close' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 200);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const drained = r.drain();
      expect(await answered).toBe(200);
      await drained;
      router = undefined;
      expect(logged).toEqual([]);
      const db = new Database(fixture!.storePath, { readonly: true });
      try {
        expect(db.prepare("SELECT reason FROM timeline WHERE kind = 'scored'").pluck().all()).toEqual([expect.stringMatching(/^no anomaly score: .*400 ms/)]);
      } finally {
        db.close();
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('scores an SLO incident replayed from the journal after a power cut, as the live webhook would have been', async () => {
    const r = await start(prom.url);
    const f = fixture!;
    const dataDir = join(dirname(f.configPath), 'data');
    const journalDir = join(dataDir, 'router.db.batch-journal');
    // A power cut loses what was not fsynced: the store's WAL as it was before the webhook, the
    // journal (fsynced before the 2xx) with it.
    const storeBefore = await mkdtemp(join(tmpdir(), 'slokit-power-cut-store-'));
    const journalAfter = await mkdtemp(join(tmpdir(), 'slokit-power-cut-journal-'));
    try {
      await cp(dataDir, storeBefore, { recursive: true });
      expect((await postWebhook(r.url, ticket())).status).toBe(200);
      await cp(journalDir, journalAfter, { recursive: true });
      await r.drain();
      router = undefined;
      await rm(dataDir, { recursive: true, force: true });
      await cp(storeBefore, dataDir, { recursive: true });
      await rm(journalDir, { recursive: true, force: true });
      await cp(journalAfter, journalDir, { recursive: true });

      const pagesBefore = pd.accepted.length;
      router = await startRouterService({
        configPath: f.configPath,
        env: f.env,
        logger: pino({ level: 'error' }),
        notifiers: (c) => defaultNotifiers(c, f.env),
        now: routerNow,
      });
      const c = router;
      await until(() => pd.accepted.length > pagesBefore, 10_000, 'the escalated page of the replayed ticket');
      const page = pd.accepted.at(-1)!.body!;
      expect(page.event_action).toBe('trigger');
      expect(page.payload?.severity).toBe('critical');
      expect(anomalyOf(page)).toMatchObject({ recurring: false });
      expect(await metric(c, 'slokit_router_anomaly_scores_total{outcome="scored"}')).toBe(1);
      expect((await detail(c, 'checkout')).timeline.map((e) => e.kind)).toContain('escalated');
    } finally {
      await rm(storeBefore, { recursive: true, force: true });
      await rm(journalAfter, { recursive: true, force: true });
    }
  });
});
