import { describe, expect, it } from 'vitest';
import { MINUTE, simulation } from '../../test/support/router-simulation.js';

/** The incident's timeline as `kind: reason` lines. */
function timeline(s: ReturnType<typeof simulation>, id: string): string[] {
  return s.sim.store.timelineOf(id).map((e) => `${e.kind}: ${e.reason}`);
}

describe('an SLO incident whose page tier resolves while its ticket tier fires', () => {
  it('becomes a ticket: PagerDuty is resolved at once, Slack is told, and the final resolve goes to Slack only', () => {
    const s = simulation();
    const t0 = s.clock.now();
    s.slo('checkout-availability', 'firing', t0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    s.slo('checkout-availability', 'firing', t0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['update slack #checkout-oncall checkout/availability']);

    s.slo('checkout-availability', 'resolved', t0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['update slack #checkout-oncall checkout/availability', 'resolve pagerduty PD_KEY_CHECKOUT checkout/availability']);
    const [incident] = s.sim.store.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({ state: 'open', severity: 'ticket', firingAlerts: 1, firingPages: 0 });
    expect(s.sim.store.listIncidents({ limit: 10, severity: 'page' })).toEqual([]);
    const update = s.sim.sent.at(-2)!.notification;
    // Told from the ticket alert that still fires, and marked to edit the first message to the ticket.
    expect(update).toMatchObject({ action: 'update', severity: 'ticket', deescalated: true });
    expect(update.customDetails['labels']).toMatchObject({ severity: 'ticket', alertname: 'SLOErrorBudgetBurnTicket' });
    expect(timeline(s, incident!.id)).toEqual(
      expect.arrayContaining([
        'de-escalated: severity page → ticket: the last page alert resolved; 1 ticket alert still firing',
        'enqueued: resolve for pagerduty (routing key from $PD_KEY_CHECKOUT): de-escalated to ticket: the last page alert resolved, and tickets are not routed to this PagerDuty service',
      ]),
    );

    s.slo('checkout-availability', 'resolved', t0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    expect(s.sim.store.incidentById(incident!.id)).toMatchObject({ state: 'resolved', firingAlerts: 0, firingPages: 0 });
  });

  it('pages again when the fast burn comes back, and resolves PagerDuty once more when everything ends', () => {
    const s = simulation();
    const t0 = s.clock.now();
    s.slo('checkout-availability', 'firing', t0, 'page');
    s.slo('checkout-availability', 'firing', t0, 'ticket');
    s.slo('checkout-availability', 'resolved', t0, 'page');
    s.advance(MINUTE);
    s.sent();
    const t1 = s.clock.now();
    s.slo('checkout-availability', 'firing', t1, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.at(-1)!.notification).toMatchObject({ severity: 'page', escalated: true });
    // The page resolves first (a de-escalation: PagerDuty resolved, Slack told), then the ticket: the
    // incident's resolve goes to Slack only, PagerDuty already had its resolve.
    s.slo('checkout-availability', 'resolved', t1, 'page');
    s.slo('checkout-availability', 'resolved', t0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent().sort()).toEqual([
      'resolve pagerduty PD_KEY_CHECKOUT checkout/availability',
      'resolve slack #checkout-oncall checkout/availability',
      'update slack #checkout-oncall checkout/availability',
    ]);
    expect(s.sim.sent.filter(({ notification: n }) => n.target.kind === 'pagerduty').map(({ notification: n }) => n.action)).toEqual(['trigger', 'resolve', 'trigger', 'resolve']);
  });

  it('does not de-escalate while another page alert of the incident fires, nor when a ticket alert resolves', () => {
    const s = simulation();
    const t0 = s.clock.now();
    s.alert({ alertname: 'DiskFull', severity: 'page', instance: 'a' }, 'firing', t0, 'fp-a');
    s.alert({ alertname: 'DiskFull', severity: 'page', instance: 'b' }, 'firing', t0, 'fp-b');
    s.alert({ alertname: 'DiskFull', severity: 'ticket', instance: 'c' }, 'firing', t0, 'fp-c');
    s.alert({ alertname: 'DiskFull', severity: 'ticket', instance: 'c' }, 'resolved', t0, 'fp-c');
    s.alert({ alertname: 'DiskFull', severity: 'page', instance: 'a' }, 'resolved', t0, 'fp-a');
    s.advance(MINUTE);
    const [incident] = s.sim.store.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({ state: 'open', severity: 'page', firingAlerts: 1, firingPages: 1 });
    expect(timeline(s, incident!.id).filter((l) => l.startsWith('de-escalated'))).toEqual([]);
  });

  it('resolves as usual when the page and the ticket resolve in one batch', () => {
    const s = simulation();
    const t0 = s.clock.now();
    s.slo('checkout-availability', 'firing', t0, 'page');
    s.slo('checkout-availability', 'firing', t0, 'ticket');
    s.advance(MINUTE);
    s.sent();
    s.sim.webhook({
      version: '4',
      groupKey: '{}:{}',
      truncatedAlerts: 0,
      status: 'resolved',
      receiver: 'slokit',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: (['page', 'ticket'] as const).map((severity) => ({
        status: 'resolved',
        labels: {
          alertname: severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket',
          slo_id: 'checkout-availability',
          slo_service: 'checkout',
          slo_name: 'availability',
          severity,
        },
        annotations: {},
        startsAt: new Date(t0).toISOString(),
        endsAt: new Date(s.clock.now()).toISOString(),
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: `fp-checkout-availability-${severity}`,
      })),
    });
    s.advance(MINUTE);
    expect(s.sent().sort()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
    // It never was a ticket for anyone: the record keeps the page, the timeline has no de-escalation.
    const [incident] = s.sim.store.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({ state: 'resolved', severity: 'page' });
    expect(timeline(s, incident!.id).filter((l) => l.startsWith('de-escalated'))).toEqual([]);
    // The Slack message is rewritten from the page alert's resolve.
    expect(s.sim.sent.at(-1)!.notification.customDetails['labels']).toMatchObject({ severity: 'page' });
  });
});

describe('a de-escalation that a hold keeps back', () => {
  it('under flap damping: once stable, PagerDuty is resolved and Slack edited to the ticket', () => {
    const s = simulation({ flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    const t0 = s.clock.now();
    s.slo('checkout-availability', 'firing', t0, 'page');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'firing', t0, 'ticket');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', t0, 'page');
    s.advance(MINUTE);
    const t1 = s.clock.now();
    s.slo('checkout-availability', 'firing', t1, 'page'); // flapping: paged once more, marked
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', t1, 'page'); // the de-escalation, held
    s.sent();
    s.advance(11 * MINUTE);
    expect(s.sent().sort()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.find(({ notification: n }) => n.action === 'update' && n.target.kind === 'slack' && n.deescalated === true)).toBeDefined();
    const [incident] = s.sim.store.listIncidents({ limit: 1 });
    expect(timeline(s, incident!.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^released: released \(flapping\): stable again; it de-escalated to ticket while held, and PagerDuty still has the page open, so it is resolved now$/)]),
    );
    s.slo('checkout-availability', 'resolved', t0, 'ticket');
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
  });

  it('in a maintenance window: PagerDuty is resolved at once, and the window\'s end does not tell Slack the incident fired again', () => {
    const s = simulation();
    const t0 = s.clock.now();
    s.slo('checkout-availability', 'firing', t0, 'page');
    s.advance(MINUTE);
    s.sent();
    s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 30 * MINUTE, author: 'ana', comment: '' });
    s.slo('checkout-availability', 'firing', t0, 'ticket');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', t0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability']);
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual([]);
    const [incident] = s.sim.store.listIncidents({ limit: 1 });
    expect(timeline(s, incident!.id).filter((l) => l.includes('reopened') || l.includes('notified now'))).toEqual([]);
    s.slo('checkout-availability', 'resolved', t0, 'ticket');
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
  });
});
