import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { sloAlertLabels, webhookPayload, type AlertSpec } from '../../test/support/alertmanager-payload.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { CatalogIndex } from '../pipeline/catalog-index.js';
import { parseMatcher } from '../pipeline/matcher.js';
import { normalise } from '../pipeline/normalise.js';
import { processBatch, type PipelineSettings } from '../pipeline/process-batch.js';
import { deliverAllDue } from '../replay/simulator.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const RETENTION = 90 * DAY;

const settings: PipelineSettings = {
  catalog: new CatalogIndex(routerCatalog()),
  reopenWindowMs: 15 * MINUTE,
  routing: {
    routes: [{ name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'owner', slack: 'owner', continue: false }],
    pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' },
    defaultPagerdutyKeyEnv: undefined,
    defaultSlackChannel: '#alerts',
  },
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('retention: SqliteStore.purgeResolved', () => {
  let clock: FakeClock;
  let path: string;
  let store: SqliteStore;
  let ids: number;
  const run = (alerts: AlertSpec[]) =>
    store.transaction(() => processBatch(normalise(webhookPayload(alerts)), store, settings, { now: clock.now, newId: () => `id-${++ids}` }));
  const deliverAll = () => deliverAllDue(store, clock.now());
  const purge = (budget = 10_000) => store.transaction(() => store.purgeResolved(clock.now() - RETENTION, budget));
  const page = (status: 'firing' | 'resolved' = 'firing'): AlertSpec => ({ labels: sloAlertLabels('page'), fingerprint: 'fp-page', status });
  const other = (status: 'firing' | 'resolved' = 'firing'): AlertSpec => ({
    labels: { alertname: 'DiskFull', severity: 'page', service: 'checkout', instance: 'db-1' },
    fingerprint: 'fp-disk',
    status,
  });
  const rowsOf = (table: string, id: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE incident_id = ?`).get(id) as { n: number }).n;

  beforeEach(() => {
    clock = new FakeClock();
    const dir = mkdtempSync(join(tmpdir(), 'slokit-retention-'));
    dirs.push(dir);
    path = join(dir, 'router.db');
    store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    ids = 0;
  });

  it('deletes an incident resolved before the cutoff with every row of it, and keeps open and recently resolved ones', () => {
    run([page()]);
    deliverAll();
    const old = store.listIncidents({ limit: 10 })[0]!;
    clock.advance(MINUTE);
    run([page('resolved')]);
    deliverAll();
    clock.advance(DAY);
    run([other()]); // opened 91 days before the purge, still open then
    deliverAll();
    const open = store.listIncidents({ limit: 10, state: 'open' })[0]!;
    clock.advance(RETENTION);
    expect(rowsOf('incident_targets', old.id)).toBeGreaterThan(0);
    expect(rowsOf('notified_state', old.id)).toBe(1);

    expect(store.indexedFingerprints).toBe(2);
    expect(purge()).toMatchObject({ incidents: 1, alerts: 1 });
    expect(store.indexedFingerprints).toBe(1); // fp-disk's
    expect(store.incidentById(old.id)).toBeUndefined();
    expect(store.listIncidents({ limit: 10 }).map((i) => i.id)).toEqual([open.id]);
    for (const table of ['alerts', 'timeline', 'incident_targets', 'outbox', 'notified_state']) expect(rowsOf(table, old.id)).toBe(0);
    expect(purge()).toEqual({ incidents: 0, alerts: 0, maintenanceWindows: 0, rows: 0 });

    // The same alert firing again is a new problem: a new incident, paged again.
    const again = run([page()]);
    expect(again.opened).toBe(1);
    expect(again.notifications.map((n) => `${n.action}:${n.target.kind}`)).toEqual(['trigger:pagerduty', 'trigger:slack']);
    expect(again.notifications[0]!.incidentId).not.toBe(old.id);
  });

  it('keeps an incident resolved before the cutoff while a notification of it is pending, or it is held, and deletes it after', () => {
    run([page()]);
    deliverAll();
    const incident = store.listIncidents({ limit: 10 })[0]!;
    run([page('resolved')]); // its resolves are queued, not delivered
    clock.advance(RETENTION + DAY);
    expect(store.outboxDepth()).toBe(2);
    expect(purge().incidents).toBe(0);
    deliverAll();
    store.transaction(() =>
      store.suppression.setHold({ incidentId: incident.id, reason: 'dependency', detail: 'test', since: clock.now(), until: undefined, parentId: undefined }),
    );
    expect(purge().incidents).toBe(0);
    store.transaction(() => store.suppression.clearHold(incident.id));
    expect(purge().incidents).toBe(1);
    expect(store.incidentById(incident.id)).toBeUndefined();
  });

  it('keeps an incident a storm digest lists until the digest is sent and has resolved', () => {
    run([page()]);
    run([page('resolved')]);
    deliverAll();
    const member = store.listIncidents({ limit: 10 })[0]!;
    const target = { kind: 'slack' as const, destination: '#checkout' };
    store.transaction(() => store.suppression.addDigestItem({ target, incidentId: member.id, title: member.title, severity: member.severity, at: clock.now() }));
    clock.advance(RETENTION + DAY);
    expect(purge().incidents).toBe(0); // listed, digest not sent
    run([other()]); // stands in for the digest's own incident, open
    deliverAll();
    const digest = store.listIncidents({ limit: 10, state: 'open' })[0]!;
    const [item] = store.suppression.undigested();
    store.transaction(() => store.suppression.markDigested([item!.seq], digest.id));
    expect(purge().incidents).toBe(0); // the digest is open
    run([other('resolved')]);
    deliverAll();
    expect(purge().incidents).toBe(1);
    expect(store.incidentById(member.id)).toBeUndefined();
    expect(store.suppression.digestMembers(digest.id)).toEqual([]);
    expect(store.incidentById(digest.id)).toBeDefined(); // resolved just now
  });

  it('deletes an incident with more rows than the budget over several calls, its incident row last', () => {
    const alerts = Array.from({ length: 30 }, (_, i): AlertSpec => ({ labels: sloAlertLabels('page'), fingerprint: `fp-${i}` }));
    run(alerts);
    run(alerts.map((a) => ({ ...a, status: 'resolved' as const })));
    deliverAll();
    const incident = store.listIncidents({ limit: 10 })[0]!;
    clock.advance(RETENTION + DAY);
    const calls: { incidents: number; rows: number }[] = [];
    while (store.incidentById(incident.id) !== undefined && calls.length < 50) calls.push(purge(10));
    expect(calls.every((c) => c.rows <= 10 + 20)).toBe(true); // the budget, plus the few rows of the incident's last step
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.slice(0, -1).every((c) => c.incidents === 0)).toBe(true);
    expect(calls.at(-1)!.incidents).toBe(1);
    expect(rowsOf('alerts', incident.id)).toBe(0);
    expect(rowsOf('timeline', incident.id)).toBe(0);
    expect(store.indexedFingerprints).toBe(0);
  });

  it('stops after the incident that makes it overdue, and still deletes one incident a call when every call is overdue at once', () => {
    for (let i = 0; i < 3; i++) {
      const alert = { labels: { alertname: `Disk${i}`, severity: 'page', service: 'checkout', instance: 'db-1' }, fingerprint: `fp-disk-${i}` };
      run([alert]);
      run([{ ...alert, status: 'resolved' }]);
      clock.advance(MINUTE);
    }
    deliverAll();
    clock.advance(RETENTION + DAY);
    const alwaysOverdue = () => store.transaction(() => store.purgeResolved(clock.now() - RETENTION, 10_000, () => true));
    expect(alwaysOverdue()).toMatchObject({ incidents: 1, alerts: 1 });
    expect(alwaysOverdue()).toMatchObject({ incidents: 1, alerts: 1 });
    expect(store.listIncidents({ limit: 10 })).toHaveLength(1);
    let asked = 0;
    expect(store.transaction(() => store.purgeResolved(clock.now() - RETENTION, 10_000, () => ++asked > 5))).toMatchObject({ incidents: 1 });
    expect(store.listIncidents({ limit: 10 })).toEqual([]);
  });

  it('deletes maintenance windows that ended before the cutoff, oldest first within the budget, unless a hold still names one', () => {
    const window = (id: string, startsAt: number, endsAt: number) => ({
      id,
      matchers: [parseMatcher('service="checkout"')],
      startsAt,
      endsAt,
      author: 'sre',
      comment: `window ${id}`,
      createdAt: startsAt,
    });
    const start = clock.now();
    store.transaction(() => {
      store.suppression.addMaintenance(window('w-held', start, start + 3 * MINUTE));
      store.suppression.addMaintenance(window('w-recent', start, start + RETENTION + 2 * DAY));
      store.suppression.addMaintenance(window('w-older', start, start + 2 * MINUTE));
      store.suppression.addMaintenance(window('w-oldest', start, start + MINUTE));
    });
    run([other()]);
    const held = store.listIncidents({ limit: 10 })[0]!;
    store.transaction(() =>
      store.suppression.setHold({ incidentId: held.id, reason: 'maintenance', detail: 'test', since: start, until: start + 3 * MINUTE, parentId: undefined, windowId: 'w-held' }),
    );
    clock.advance(RETENTION + DAY);
    const ids = () => store.suppression.listMaintenance(clock.now(), true).map((w) => w.id).sort();

    expect(purge(1)).toMatchObject({ incidents: 0, maintenanceWindows: 1, rows: 1 });
    expect(ids()).toEqual(['w-held', 'w-older', 'w-recent']);
    expect(purge()).toMatchObject({ maintenanceWindows: 1 });
    expect(ids()).toEqual(['w-held', 'w-recent']);
    store.transaction(() => store.suppression.clearHold(held.id));
    expect(purge()).toMatchObject({ maintenanceWindows: 1 });
    expect(ids()).toEqual(['w-recent']);
    expect(store.suppression.maintenanceById('w-held')).toBeUndefined();
  });

  it('keeps the latest cutoff that deleted an incident across a restart, and never lowers it (a clock stepped back)', () => {
    run([page(), other()]);
    run([page('resolved'), other('resolved')]);
    deliverAll();
    clock.advance(RETENTION + DAY);
    expect(store.transaction(() => store.purgeResolved(clock.now() - 2 * RETENTION, 10_000)).incidents).toBe(0);
    expect(store.incidentsPurgedBefore()).toBeUndefined();
    // One incident of the two (the call is overdue after it), under now − retention.
    const cutoff = clock.now() - RETENTION;
    expect(store.transaction(() => store.purgeResolved(cutoff, 10_000, () => true)).incidents).toBe(1);
    expect(store.incidentsPurgedBefore()).toBe(cutoff);
    store.db.close();
    store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(store.incidentsPurgedBefore()).toBe(cutoff);
    // The clock steps back a minute: the next purge deletes the other under an earlier cutoff.
    expect(store.transaction(() => store.purgeResolved(cutoff - MINUTE, 10_000)).incidents).toBe(1);
    expect(store.listIncidents({ limit: 10 })).toEqual([]);
    expect(store.incidentsPurgedBefore()).toBe(cutoff);
  });

  it('says when it began holding incidents, once: its first start, or the first incident an older build left', () => {
    const began = clock.now();
    store.noteBegan(began);
    expect(store.incidentsHeldSince()).toBe(began);
    clock.advance(DAY);
    store.noteBegan(clock.now());
    expect(store.incidentsHeldSince()).toBe(began);

    // A store an older build kept, with incidents and without the time it began.
    const older = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    const firstOpened = clock.now();
    store = older;
    run([page()]);
    clock.advance(DAY);
    run([other()]);
    expect(older.incidentsHeldSince()).toBeUndefined();
    older.noteBegan(clock.now());
    expect(older.incidentsHeldSince()).toBe(firstOpened);
  });

  it('answers after a restart as before it: the purged alerts are new', () => {
    run([page()]);
    run([page('resolved')]);
    deliverAll();
    clock.advance(RETENTION + DAY);
    expect(purge().incidents).toBe(1);
    store.db.close();
    store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(store.latestAlert('fp-page')).toBeUndefined();
    expect(run([page()]).opened).toBe(1);
  });
});
