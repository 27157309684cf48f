import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeDownBatches, sloAlertLabels, webhookPayload } from '../test/support/alertmanager-payload.js';
import { restoreCrashImage, takeCrashImage } from '../test/support/crash-image.js';
import { startPagerDutyMock, type PagerDutyMock } from '../test/support/pagerduty-mock.js';
import { postWebhook, routerFixture, until, type RouterFixture } from '../test/support/router-fixture.js';
import { startSlackMock, type SlackMock } from '../test/support/slack-mock.js';
import { defaultNotifiers } from './default-notifiers.js';
import { startRouterService, type RouterService } from './router-service.js';
import { BatchJournal } from './store/batch-journal.js';
import { DeliveryError, type Notifier } from './notify/types.js';

/**
 * Webhook batches are durable in the journal before their 2xx and reach the SQLite store in bulk
 * commits later. These tests take a crash image of the store's files (what SIGKILL or a power cut
 * leaves: the files as written, without the open transaction) while the router runs, and start a
 * router on it.
 */
describe('the batch journal across a crash', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture | undefined;
  const routers: RouterService[] = [];
  let lines: { level: number; msg: string; replayed?: number; skipped?: number; seq?: number }[] = [];
  let snapshots: string[] = [];

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterEach(async () => {
    for (const r of routers.splice(0)) await r.drain();
    fixture?.cleanup();
    fixture = undefined;
    for (const s of snapshots.splice(0)) rmSync(s, { recursive: true, force: true });
    lines = [];
  });
  afterAll(async () => {
    await pd.close();
    await slack.close();
  });

  const start = async (f: RouterFixture, bulkCommit = { maxAgeMs: 60_000, maxAlerts: 1_000_000 }, more: Partial<Parameters<typeof startRouterService>[0]> = {}) => {
    const r = await startRouterService({
      configPath: f.configPath,
      env: f.env,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }),
      port: 0,
      notifiers: (c) => defaultNotifiers(c, f.env),
      bulkCommit,
      ...more,
    });
    routers.push(r);
    return r;
  };

  const segmentsIn = (d: string) => readdirSync(d).filter((n) => n.endsWith('.log'));

  const crashImage = (storePath: string) => {
    const image = takeCrashImage(storePath);
    snapshots.push(image);
    return image;
  };
  const restore = restoreCrashImage;

  /**
   * A crash of `a` now: its store directory as on disk is kept, `a` stops, the image goes back in place
   * and a new router starts on it (what a restart after SIGKILL or a power cut sees).
   */
  const crashAndRestart = async (a: RouterService, f: RouterFixture, storePath: string, bulkCommit?: { maxAgeMs: number; maxAlerts: number }) => {
    const image = crashImage(storePath);
    await a.drain();
    routers.splice(routers.indexOf(a), 1);
    restore(image, storePath);
    lines = [];
    return start(f, bulkCommit);
  };
  const replayLine = () => lines.find((l) => l.msg.includes('applied webhook batches from the journal'));

  interface Detail {
    alerts: { fingerprint: string; receiveCount: number }[];
    notifications: { state: string }[];
    timeline: { kind: string }[];
  }
  const detail = async (r: RouterService, id: string) => (await (await fetch(`${r.url}/api/v1/incidents/${id}`)).json()) as Detail;
  const incidentsIn = async (r: RouterService) =>
    ((await (await fetch(`${r.url}/api/v1/incidents`)).json()) as { incidents: { id: string; title: string }[] }).incidents;
  const firstIncident = async (r: RouterService) => (await incidentsIn(r))[0]!.id;
  /** Waits until every notification of the incident is delivered and recorded (each outcome commits what is open). */
  const deliveriesRecorded = (r: RouterService, id: string) =>
    until(
      async () => {
        const n = (await detail(r, id)).notifications;
        return n.length > 0 && n.every((x) => x.state === 'delivered');
      },
      10_000,
      'the deliveries recorded',
    );

  const page = (fingerprint: string, status: 'firing' | 'resolved' = 'firing') =>
    webhookPayload([{ status, labels: { ...sloAlertLabels('page'), instance: fingerprint }, fingerprint }]);

  it('applies acknowledged batches the store had not committed, and pages no one twice', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    const triggers = () => pd.accepted.filter((r) => r.body?.event_action === 'trigger').length;
    const before = triggers();
    const a = await start(fixture);
    expect((await postWebhook(a.url, page('fp-1'))).status).toBe(200);
    // The new incident's page goes out only once the commit that holds it is on disk.
    await until(() => triggers() === before + 1, 10_000, 'the first page');
    const incident = await firstIncident(a);
    await deliveriesRecorded(a, incident);
    // Alertmanager re-sends the firing alert four times: each answered and in the journal, and with
    // nothing to notify, none of them in a store commit yet.
    for (let i = 0; i < 4; i++) expect((await postWebhook(a.url, page('fp-1'))).status).toBe(200);
    expect((await detail(a, incident)).alerts[0]!.receiveCount).toBe(5); // the router reads its own open transaction

    const b = await crashAndRestart(a, fixture, storePath);
    expect(replayLine()).toMatchObject({ replayed: 4, skipped: 0 });
    const replayed = await detail(b, incident);
    expect(replayed.alerts.map((x) => [x.fingerprint, x.receiveCount])).toEqual([['fp-1', 5]]);
    expect(replayed.timeline.filter((e) => e.kind === 'deduplicated')).toHaveLength(4);
    // Resolving resolves the incident once, on the same dedup_key; no second trigger.
    expect((await postWebhook(b.url, page('fp-1', 'resolved'))).status).toBe(200);
    await until(() => pd.accepted.some((r) => r.body?.event_action === 'resolve' && r.body?.dedup_key === incident), 10_000, 'the resolve');
    expect(triggers()).toBe(before + 1);
  });

  it('keeps the journal to a few segments under steady load: each checkpoint lets go of what the store holds', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const journalDir = `${join(dirname(fixture.configPath), 'data', 'router.db')}.batch-journal`;
    const a = await start(fixture, { maxAgeMs: 20, maxAlerts: 1_000_000 }, { journalSegmentBytes: 4096, checkpointEvery: { commits: 25, alerts: 1_000_000 } });
    const repeat = page('fp-steady');
    let most = 0;
    // 300 webhooks of ~0.7 KiB: 50 segments' worth. Repeats: nothing to notify, so only the
    // checkpoints make the store durable.
    for (let i = 0; i < 300; i++) {
      expect((await postWebhook(a.url, repeat)).status).toBe(200);
      most = Math.max(most, segmentsIn(journalDir).length);
    }
    expect(most).toBeLessThanOrEqual(12);
    expect(segmentsIn(journalDir).length).toBeLessThanOrEqual(12);
  });

  it('with store.synchronous: normal, journals and replays the same way, without the fdatasyncs', async () => {
    fixture = routerFixture({ pagerduty: pd, slack, synchronous: 'normal' });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    const a = await start(fixture);
    expect((await postWebhook(a.url, page('fp-n'))).status).toBe(200);
    const incident = await firstIncident(a);
    await deliveriesRecorded(a, incident);
    for (let i = 0; i < 3; i++) expect((await postWebhook(a.url, page('fp-n'))).status).toBe(200);
    const b = await crashAndRestart(a, fixture, storePath);
    expect(replayLine()).toMatchObject({ replayed: 3, skipped: 0 });
    expect((await detail(b, incident)).alerts[0]!.receiveCount).toBe(4);
  });

  it('skips, naming it, a journaled body that no longer parses or validates, and starts', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const journalDir = `${join(dirname(fixture.configPath), 'data', 'router.db')}.batch-journal`;
    const { journal } = BatchJournal.open(journalDir, { afterSeq: 0, preallocate: false });
    journal.append([
      { at: Date.now(), body: Buffer.from('{"version":"4","alerts":[{"labels":{}}]}') },
      { at: Date.now(), body: Buffer.from(JSON.stringify(page('fp-ok'))) },
    ]);
    journal.close();
    const r = await start(fixture);
    expect(replayLine()).toMatchObject({ replayed: 1, skipped: 1 });
    expect(lines.find((l) => l.msg === 'could not apply a journal record at start; skipped')).toMatchObject({ seq: 1 });
    expect(await firstIncident(r)).toBeDefined();
  });

  it('leaves no journal to replay after a clean stop', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const journalDir = `${join(dirname(fixture.configPath), 'data', 'router.db')}.batch-journal`;
    const a = await start(fixture);
    expect((await postWebhook(a.url, page('fp-clean'))).status).toBe(200);
    expect(segmentsIn(journalDir)).toHaveLength(1);
    await a.drain();
    routers.splice(0);
    expect(segmentsIn(journalDir)).toEqual([]);
    lines = [];
    await start(fixture);
    expect(lines.some((l) => l.msg.includes('journal'))).toBe(false);
  });

  it('counts replayed alerts in the alert volume watch: a surge cut in two by a crash is still recorded', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    let t = Date.UTC(2026, 11, 1, 8, 0);
    const clock = { now: () => t };
    const nodes = nodeDownBatches();
    const stormRecords = async (r: RouterService) =>
      ((await (await fetch(`${r.url}/api/v1/incidents?service=checkout`)).json()) as { incidents: { title: string }[] }).incidents.filter((i) =>
        i.title.startsWith('Early storm warning'),
      );
    // Two quiet hours (one new alert every 10 minutes), learnt and saved by a clean stop.
    const a = await start(fixture, undefined, clock);
    for (let m = 0; m < 120; m += 10) {
      t += 10 * 60_000;
      expect((await postWebhook(a.url, nodes(1))).status).toBe(200);
    }
    await a.drain();
    routers.splice(0);
    // Maintenance on checkout: its new alerts are held, so nothing to send makes the store commit them.
    const b = await start(fixture, undefined, clock);
    // Nor a delivery left from `a` (each delivery's write commits the store): on a loaded machine one
    // still running when the batch below came committed it before the crash, and nothing was replayed.
    await until(() => b.store.outboxDepth() === 0, 10_000, 'the deliveries left from the first router');
    const maintenance = await fetch(`${b.url}/api/v1/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.env['TEST_ROUTER_TOKEN']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['service="checkout"'], endsAt: new Date(t + 60 * 60_000).toISOString(), author: 'ana' }),
    });
    expect(maintenance.status).toBe(201);
    // Six new alerts in one minute (under the 10 a warning needs), acknowledged, then a crash.
    t += 60_000;
    expect((await postWebhook(b.url, nodes(6))).status).toBe(200);
    const image = crashImage(storePath);
    await b.drain();
    routers.splice(0);
    restore(image, storePath);
    lines = [];
    const c = await start(fixture, undefined, clock);
    expect(replayLine()).toMatchObject({ replayed: 1, skipped: 0 });
    // Six more in the same minute: twelve in all, a surge (recorded, not posted: maintenance).
    expect((await postWebhook(c.url, nodes(6))).status).toBe(200);
    await until(async () => (await stormRecords(c)).length === 1, 5_000, 'the storm warning recorded');
    expect((await stormRecords(c))[0]!.title).toMatch(/checkout: 12 alerts in a minute/);
  });

  it('goes on after a replay: the replayed segment is deleted once the store holds it, and new batches take later seqs', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    const journalDir = `${storePath}.batch-journal`;
    const a = await start(fixture);
    const ticket = webhookPayload([{ labels: { alertname: 'DiskFull', severity: 'ticket', instance: 'db-1' }, fingerprint: 'd-1' }], { alertname: 'DiskFull' });
    expect((await postWebhook(a.url, ticket)).status).toBe(200);
    const incident = await firstIncident(a);
    await deliveriesRecorded(a, incident);
    expect((await postWebhook(a.url, ticket)).status).toBe(200);
    expect(segmentsIn(journalDir)).toHaveLength(1);

    const b = await crashAndRestart(a, fixture, storePath, { maxAgeMs: 50, maxAlerts: 1_000_000 });
    expect(replayLine()?.replayed).toBe(1);
    // Replayed and made durable at start: the segment that held it is gone.
    expect(segmentsIn(journalDir)).toEqual([]);
    expect((await postWebhook(b.url, ticket)).status).toBe(200);
    // The new batch takes the next seq, in a segment named after it.
    expect(segmentsIn(journalDir)).toEqual(['journal-0000000000000003.log']);
    expect((await detail(b, incident)).alerts[0]!.receiveCount).toBe(3);
  });
  it('lets go only of the segments the store held when its fsync began: batches acknowledged during that fsync survive a crash', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    const journalDir = `${storePath}.batch-journal`;
    // The store's WAL fsync runs, and its end (what lets the journal go) waits here while held.
    let holding = false;
    const held: (() => void)[] = [];
    const aroundStoreSync = (sync: () => Promise<void>) =>
      sync().then(() => (holding ? new Promise<void>((resolve) => held.push(resolve)) : undefined));
    // Deliveries wait too, so no delivery outcome commits the store again before the crash.
    let failDeliveries: (() => void) | undefined;
    const stalled = new Promise<void>((resolve) => (failDeliveries = resolve));
    const stall: Notifier['deliver'] = async () => {
      await stalled;
      throw new DeliveryError('the router was killed', { retryable: true });
    };
    const a = await start(fixture, undefined, {
      journalSegmentBytes: 64, // a segment per record: the journal can let go of one batch and keep the next
      aroundStoreSync,
      notifiers: () => ({ pagerduty: { kind: 'pagerduty', deliver: stall }, slack: { kind: 'slack', deliver: stall } }),
    });
    // A new incident: its page must be durable in the store before it is sent, so the store commits
    // (journal record 1 applied) and fsyncs its WAL, held here.
    holding = true;
    expect((await postWebhook(a.url, page('fp-1'))).status).toBe(200);
    await until(() => held.length === 1, 10_000, 'the store fsync after the first batch');
    // Two repeats acknowledged while that fsync runs: records 2 and 3, in the store's open transaction only.
    for (let i = 0; i < 2; i++) expect((await postWebhook(a.url, page('fp-1'))).status).toBe(200);
    expect(segmentsIn(journalDir)).toEqual(['journal-0000000000000001.log', 'journal-0000000000000002.log', 'journal-0000000000000003.log']);
    holding = false;
    held[0]!();
    // The store is durable up to record 1: that segment goes, the later ones stay.
    await until(() => !segmentsIn(journalDir).includes('journal-0000000000000001.log'), 10_000, 'the first segment let go');
    expect(segmentsIn(journalDir)).toEqual(['journal-0000000000000002.log', 'journal-0000000000000003.log']);
    const image = crashImage(storePath);
    failDeliveries!();
    await a.drain();
    routers.splice(routers.indexOf(a), 1);
    restore(image, storePath);
    lines = [];
    const b = await start(fixture);
    expect(replayLine()).toMatchObject({ replayed: 2, skipped: 0 });
    expect((await detail(b, await firstIncident(b))).alerts[0]!.receiveCount).toBe(3);
  });
  it('a crash after Slack took a message and before the router recorded it: the restarted router finds that message and posts no second one', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const storePath = join(dirname(fixture.configPath), 'data', 'router.db');
    const a = await start(fixture);
    // Slack carries out the next call at once and answers it two seconds later: the crash comes between.
    slack.respondWith([{ answerAfterMs: 2_000 }]);
    const ticket = (status: 'firing' | 'resolved') =>
      webhookPayload([{ status, labels: { alertname: 'CertExpiry', severity: 'ticket', instance: 'edge-7' }, fingerprint: 'cert-7' }], { alertname: 'CertExpiry' });
    expect((await postWebhook(a.url, ticket('firing'))).status).toBe(200);
    const incident = await firstIncident(a);
    const ours = () => slack.posted('#alerts').filter((m) => (m.metadata as { event_payload?: { incident_id?: string } } | undefined)?.event_payload?.incident_id === incident);
    await until(() => ours().length === 1, 10_000, 'Slack to take the message');
    expect((await detail(a, incident)).notifications.map((n) => n.state)).toEqual(['pending']);

    const b = await crashAndRestart(a, fixture, storePath);
    await deliveriesRecorded(b, incident);
    expect(ours()).toHaveLength(1);
    // The restarted router kept the message's ts: the resolve edits that message and replies under it.
    expect((await postWebhook(b.url, ticket('resolved'))).status).toBe(200);
    await until(() => ours().length === 2, 10_000, 'the resolve reply');
    const [message] = slack.messages('#alerts').filter((m) => m.ts === ours()[0]!.ts);
    expect(message).toMatchObject({ edited: true, text: expect.stringContaining('Resolved') });
    expect(message!.replies).toHaveLength(1);
  });
  const maintenanceOn = (r: RouterService) => (comment: string) =>
    fetch(`${r.url}/api/v1/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture!.env['TEST_ROUTER_TOKEN']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['service="checkout"'], endsAt: new Date(Date.now() + 3_600_000).toISOString(), author: 'ana', comment }),
    });

  /** A webhook alert of the checkout service, which the window {@link beforeDiskFills} opens holds. */
  const held = (n: number, labels: Record<string, string> = {}) =>
    webhookPayload([{ labels: { alertname: `DiskFull${n}`, severity: 'ticket', service: 'checkout', ...labels }, fingerprint: `d-${n}` }], { alertname: `DiskFull${n}` });

  /**
   * A router whose fatal exits are recorded, a maintenance window holding the checkout service (so
   * nothing is sent and only the bulk transaction holds its batches), one such batch acknowledged, and
   * `fill()` to fill the disk: the store may grow no further.
   */
  const beforeDiskFills = async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const fatal: unknown[] = [];
    const r = await start(fixture, undefined, { onFatal: (error) => fatal.push(error) });
    const maintenance = maintenanceOn(r);
    expect((await maintenance('deploy')).status).toBe(201);
    expect((await postWebhook(r.url, held(1))).status).toBe(200);
    expect(r.store.bulkOpen).toBe(true);
    const fill = () => r.store.db.pragma(`max_page_count = ${r.store.db.pragma('page_count', { simple: true }) as number}`);
    return { r, fatal, maintenance, fill };
  };

  it('commits the bulk transaction before a write other than a webhook\'s, so that write failing on a full disk loses no acknowledged batch', async () => {
    const { r, fatal, maintenance, fill } = await beforeDiskFills();
    // A second window's row no longer fits. The batch above was committed before it.
    fill();
    expect((await maintenance('x'.repeat(8000))).status).toBe(503);
    expect(fatal).toEqual([]);
    expect(r.store.bulkOpen).toBe(false);
    const committed = r.store.db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE fingerprint = 'd-1'").get() as { n: number };
    expect(committed.n).toBe(1);
    expect((await incidentsIn(r)).map((i) => i.title)).toEqual([expect.stringContaining('DiskFull')]);
  });

  it('exits, for the journal to replay them, when a webhook fails on a full disk and the acknowledged batches of the bulk transaction cannot go back in', async () => {
    const { r, fatal, fill } = await beforeDiskFills();
    fill();
    expect((await postWebhook(r.url, held(2, { big: 'x'.repeat(20_000) }))).status).toBe(503);
    expect(fatal).toHaveLength(1);
    expect(lines.find((l) => l.level === 60)?.msg).toBe('the store lost a transaction of acknowledged batches; they are in the journal and replay on restart');
  });

  it('rolls back the bulk transaction when a webhook group fails in it, puts its acknowledged batches back, and refuses only the failing batch', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const fatal: unknown[] = [];
    const r = await start(fixture, undefined, { onFatal: (error) => fatal.push(error) });
    // Held by a window, so no delivery's record commits the bulk transaction while the test runs.
    expect((await maintenanceOn(r)('deploy')).status).toBe(201);
    const one = (name: string, fingerprint: string) =>
      webhookPayload([{ labels: { alertname: name, severity: 'ticket', service: 'checkout', instance: fingerprint }, fingerprint }], { alertname: name });
    // A store write that throws for one alert: a bug, as far as the pipeline can tell.
    const saveAlert = r.store.saveAlert.bind(r.store);
    r.store.saveAlert = (a) => {
      if (a.fingerprint === 'poison') throw new Error('a bug in the store');
      saveAlert(a);
    };
    expect((await postWebhook(r.url, one('Earlier', 'e-1'))).status).toBe(200);
    expect((await postWebhook(r.url, one('Earlier', 'e-2'))).status).toBe(200);
    expect(r.store.bulkOpen).toBe(true);
    // Sent together, they are one group: the good one is answered 200, the poisoned one alone 503.
    const [good, bad] = await Promise.all([postWebhook(r.url, one('Neighbour', 'n-1')), postWebhook(r.url, one('Poisoned', 'poison'))]);
    expect([good!.status, bad!.status]).toEqual([200, 503]);
    expect(fatal).toEqual([]);
    const incidents = await incidentsIn(r);
    expect(incidents.map((i) => i.title).sort()).toEqual([expect.stringContaining('Earlier'), expect.stringContaining('Neighbour')]);
    // The earlier batches went back in once each: one incident, both alerts, opened once, joined once.
    const earlier = await detail(r, incidents.find((i) => i.title.includes('Earlier'))!.id);
    expect(earlier.alerts.map((a) => a.fingerprint).sort()).toEqual(['e-1', 'e-2']);
    const kinds = earlier.timeline.map((t) => t.kind);
    expect([kinds.filter((k) => k === 'opened').length, kinds.filter((k) => k === 'grouped').length]).toEqual([1, 1]);
    // The indexes were rolled back with it: a repeat of e-1 is a duplicate of the alert it has, not a new one.
    const repeat = (await (await postWebhook(r.url, one('Earlier', 'e-1'))).json()) as { duplicates: number };
    expect(repeat.duplicates).toBe(1);
    // And what the store holds is what it commits.
    await r.drain();
    routers.splice(routers.indexOf(r), 1);
    const after = await start(fixture);
    expect((await incidentsIn(after)).map((i) => i.title).sort()).toEqual([expect.stringContaining('Earlier'), expect.stringContaining('Neighbour')]);
  });
});
