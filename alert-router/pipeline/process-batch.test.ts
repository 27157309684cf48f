import { beforeEach, describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { sloAlertLabels, webhookPayload, type AlertSpec } from '../../test/support/alertmanager-payload.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { openDatabase } from '../store/open-database.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { CatalogIndex } from './catalog-index.js';
import { parseMatcher } from './matcher.js';
import { normalise } from './normalise.js';
import { processBatch, type PipelineSettings } from './process-batch.js';

const MINUTE = 60_000;

function settings(): PipelineSettings {
  return {
    catalog: new CatalogIndex(routerCatalog()),
    reopenWindowMs: 15 * MINUTE,
    routing: {
      routes: [
        { name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'owner', slack: 'owner', continue: false },
      ],
      pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' },
      defaultPagerdutyKeyEnv: undefined,
      defaultSlackChannel: '#alerts',
    },
  };
}

describe('processBatch: dedup, incidents, routing and enqueue', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let ids: number;
  const run = (alerts: AlertSpec[], groupLabels?: Record<string, string>) =>
    store.transaction(() =>
      processBatch(normalise(webhookPayload(alerts, groupLabels)), store, settings(), {
        now: clock.now,
        newId: () => `id-${++ids}`,
      }),
    );
  const page = (extra: AlertSpec = {}): AlertSpec => ({ labels: sloAlertLabels('page'), fingerprint: 'fp-page', ...extra });
  const ticket = (extra: AlertSpec = {}): AlertSpec => ({ labels: sloAlertLabels('ticket'), fingerprint: 'fp-ticket', ...extra });

  beforeEach(() => {
    clock = new FakeClock();
    store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    ids = 0;
  });

  it('opens one incident for a page alert and pages the SLO owner in PagerDuty and Slack', () => {
    const out = run([page()]);
    expect(out.opened).toBe(1);
    expect(out.notifications.map((n) => [n.action, n.target.kind, n.target.destination])).toEqual([
      ['trigger', 'pagerduty', 'PD_KEY_CHECKOUT'],
      ['trigger', 'slack', '#checkout'],
    ]);
    const n = out.notifications[0]!;
    expect(n.links.map((l) => l.text)).toEqual(['Runbook', 'Dashboard']);
    expect(n.slo).toBe('availability');
    expect(store.outboxDepth()).toBe(2);
  });

  it('never notifies twice for repeats, HA duplicates and re-deliveries of a firing alert', () => {
    run([page()]);
    clock.advance(MINUTE);
    const again = run([page(), page()]);
    clock.advance(4 * 60 * MINUTE);
    const repeat = run([page()]);
    expect(again.notifications).toHaveLength(0);
    expect(repeat.notifications).toHaveLength(0);
    expect(again.duplicates + repeat.duplicates).toBe(3);
    const [incident] = store.listIncidents({ limit: 10 });
    const dedups = store.timelineOf(incident!.id).filter((e) => e.kind === 'deduplicated');
    // One entry per batch, listing every duplicate it carried.
    expect(dedups.map((e) => (e.data?.['fingerprints'] as string[]).length)).toEqual([2, 1]);
    expect(dedups[0]!.reason).toMatch(/^2 alerts: firing alert: already firing/);
  });

  it('puts the page and ticket tiers of one SLO in one incident whose severity is the highest', () => {
    const first = run([ticket()]);
    expect(first.notifications.map((n) => `${n.action}:${n.target.kind}`)).toEqual(['trigger:slack']);
    clock.advance(MINUTE);
    const second = run([page()]);
    expect(second.opened).toBe(0);
    expect(store.listIncidents({ limit: 10 })).toHaveLength(1);
    expect(store.listIncidents({ limit: 10 })[0]!.severity).toBe('page');
    // Escalation pages PagerDuty now and continues the existing Slack thread.
    expect(second.notifications.map((n) => `${n.action}:${n.target.kind}`)).toEqual(['trigger:pagerduty', 'update:slack']);
  });

  it('resolves the incident only when all of its alerts have resolved, once per target; PagerDuty when the page tier resolves', () => {
    run([page(), ticket()]);
    clock.advance(10 * MINUTE);
    const partly = run([page({ status: 'resolved' })]);
    expect(partly.resolvedIncidents).toBe(0);
    // The page is over, the ticket goes on: PagerDuty is resolved now, Slack's message becomes the ticket.
    expect(partly.notifications.map((n) => `${n.action}:${n.target.kind}`)).toEqual(['update:slack', 'resolve:pagerduty']);
    expect(store.listIncidents({ limit: 10 })[0]).toMatchObject({ state: 'open', severity: 'ticket' });
    const all = run([ticket({ status: 'resolved' })]);
    expect(all.resolvedIncidents).toBe(1);
    expect(all.notifications.map((n) => `${n.action}:${n.target.kind}`)).toEqual(['resolve:slack']);
    expect(run([ticket({ status: 'resolved' })]).notifications).toHaveLength(0);
  });

  it('reopens a resolved incident when it fires again within the window, and opens a new one after it', () => {
    run([page()]);
    run([page({ status: 'resolved' })]);
    const [first] = store.listIncidents({ limit: 10 });
    clock.advance(5 * MINUTE);
    const again = run([page({ startsAt: '2026-11-02T03:30:00Z' })]);
    expect(again.reopened).toBe(1);
    expect(again.notifications.map((n) => `${n.action}:${n.target.kind}:${n.incidentId}`)).toEqual([
      `trigger:pagerduty:${first!.id}`,
      `update:slack:${first!.id}`,
    ]);
    // The resolve marked Slack's first message "Resolved": the reopen's update edits it back to firing.
    expect(again.notifications.map((n) => n.reopened)).toEqual([undefined, true]);
    const queued = store.outboxOf(first!.id).find((e) => e.notification.id === again.notifications[1]!.id);
    expect(queued?.notification.reopened).toBe(true);
    run([page({ status: 'resolved', startsAt: '2026-11-02T03:30:00Z', endsAt: '2026-11-02T03:40:00Z' })]);
    clock.advance(60 * MINUTE);
    const later = run([page({ startsAt: '2026-11-02T05:00:00Z' })]);
    expect(later.opened).toBe(1);
    expect(store.listIncidents({ limit: 10 })).toHaveLength(2);
  });

  it('groups other alerts by alertname and group labels into one notification per batch', () => {
    const alerts = ['a', 'b', 'c'].map((i) => ({ labels: { alertname: 'DiskFull', cluster: 'eu', instance: i, severity: 'ticket' } }));
    const out = run(alerts, { alertname: 'DiskFull', cluster: 'eu' });
    expect(out.opened).toBe(1);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]!.target).toEqual({ kind: 'slack', destination: '#alerts' });
    const other = run([{ labels: { alertname: 'DiskFull', cluster: 'us', instance: 'a', severity: 'ticket' } }], { alertname: 'DiskFull', cluster: 'us' });
    expect(other.opened).toBe(1);
  });

  it('records why it routed where it did in the incident timeline', () => {
    run([page()]);
    const [incident] = store.listIncidents({ limit: 10 });
    const timeline = store.timelineOf(incident!.id);
    expect(timeline.map((e) => e.kind)).toEqual(['opened', 'routed', 'enqueued', 'enqueued']);
    expect(timeline[1]!.reason).toContain('route "pages" matched {severity="page"}');
    expect(timeline[1]!.reason).toContain('PagerDuty service "checkout-oncall"');
  });

  it('ignores a resolve for an alert it never saw firing', () => {
    const out = run([page({ status: 'resolved' })]);
    expect(out.unseenResolves).toBe(1);
    expect(out.notifications).toHaveLength(0);
    expect(store.listIncidents({ limit: 10 })).toHaveLength(0);
  });
});
