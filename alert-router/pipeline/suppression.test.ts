import { describe, expect, it } from 'vitest';
import { MINUTE, simulation } from '../../test/support/router-simulation.js';
import { sloAlertLabels, webhookPayload } from '../../test/support/alertmanager-payload.js';
import { parseMatcher } from './matcher.js';

const T0 = Date.parse('2026-11-02T03:00:00Z');

describe('dependency correlation', () => {
  it('adds dependents to the shared dependency’s incident instead of paging, and pages them on their own when it resolves first', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS payments/authorisations', 'trigger slack #payments-alerts payments/authorisations']);

    s.clock.advance(2 * MINUTE);
    const checkout = s.slo('checkout-availability', 'firing', T0);
    expect(checkout.suppressed).toEqual({ dependency: 2 });
    // No checkout page: payments' PagerDuty incident gets an event on its dedup_key, its Slack thread a reply.
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS payments/authorisations', 'update slack #payments-alerts payments/authorisations']);
    const payments = s.sim.sent[0]!.notification.incidentId;
    expect(s.sim.sent.slice(-2).every((x) => x.notification.incidentId === payments)).toBe(true);
    expect(s.sim.sent.at(-1)!.notification.details).toContain('checkout depends on payments');

    // storefront → checkout → payments: linked to the root cause, not to checkout.
    s.clock.advance(MINUTE);
    s.slo('storefront-probe-availability', 'firing', T0);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS payments/authorisations', 'update slack #payments-alerts payments/authorisations']);
    const [storefront] = s.sim.store.listIncidents({ limit: 1, service: 'storefront' });
    expect(s.sim.store.timelineOf(storefront!.id).find((e) => e.kind === 'linked')?.reason).toContain(`likely caused by incident ${payments}`);

    // Payments recovers while checkout and storefront still fire: each is now notified on its own.
    s.clock.advance(5 * MINUTE);
    s.slo('payments-authorisations', 'resolved', T0);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
    s.advance(5_000);
    expect(s.sent()).toEqual([
      'trigger pagerduty PD_KEY_CHECKOUT checkout/availability',
      'trigger slack #checkout-oncall checkout/availability',
      'trigger pagerduty PD_KEY_WEB storefront/probe-availability',
      'trigger slack #web-oncall storefront/probe-availability',
    ]);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });

  /**
   * checkout pages and resolves on its own, payments opens, and checkout fires again within the reopen
   * window: it reopens, linked to payments. Returns what that batch held back; what was sent so far is read.
   */
  const reopenUnderPayments = (s: ReturnType<typeof simulation>) => {
    s.slo('checkout-availability', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0);
    expect(s.sent()).toEqual([
      'trigger pagerduty PD_KEY_CHECKOUT checkout/availability',
      'trigger slack #checkout-oncall checkout/availability',
      'resolve pagerduty PD_KEY_CHECKOUT checkout/availability',
      'resolve slack #checkout-oncall checkout/availability',
    ]);
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'firing', T0);
    s.sent();
    s.clock.advance(MINUTE);
    return s.slo('checkout-availability', 'firing', T0 + 3 * MINUTE).suppressed;
  };

  it('shows a dependent that reopens under its cause as firing again in its own Slack message, and still pages it on its own when the cause resolves first', () => {
    const s = simulation();
    expect(reopenUnderPayments(s)).toEqual({ dependency: 1 });
    expect(s.sent()).toEqual([
      'update slack #checkout-oncall checkout/availability',
      'trigger pagerduty PD_KEY_PAYMENTS payments/authorisations',
      'update slack #payments-alerts payments/authorisations',
    ]);
    // Its own message no longer reads "Resolved": the edit back to firing, and a thread reply saying why nobody is paged.
    const own = s.sim.sent.find((x) => x.notification.target.destination === '#checkout-oncall' && x.notification.action === 'update')!.notification;
    expect(own.reopened).toBe(true);
    expect(own.details).toMatch(/^linked: likely caused by .*payments.*; held under it, notified on its own if it still fires when that resolves/);

    // payments recovers first: checkout, still firing, pages on its own (PagerDuty never heard of this episode).
    s.clock.advance(5 * MINUTE);
    s.slo('payments-authorisations', 'resolved', T0);
    s.sent();
    s.advance(5_000);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
  });

  it('edits a dependent that reopened under its cause back to "Resolved" when it resolves first, and tells PagerDuty nothing', () => {
    const s = simulation();
    reopenUnderPayments(s);
    s.sent();
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0 + 3 * MINUTE);
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    s.clock.advance(5 * MINUTE);
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
  });

  it('never pages a dependent that recovers before its dependency, and does not page it when the dependency resolves later', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0);
    s.sent();
    s.advance(5_000);
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
  });

  /**
   * payments flaps: its first fire is out of the 15m window by the time five more changes come, so the
   * fifth is a resolve, which goes out marked [flapping]; its re-fire after that is held. Returns when
   * that re-fire started.
   */
  const flapIntoHeldRefire = (s: ReturnType<typeof simulation>): number => {
    s.slo('payments-authorisations', 'firing', T0);
    s.clock.advance(16 * MINUTE);
    let startsAt = T0;
    for (const status of ['resolved', 'firing', 'resolved', 'firing', 'resolved', 'firing'] as const) {
      s.clock.advance(MINUTE);
      if (status === 'firing') startsAt = s.clock.now();
      s.slo('payments-authorisations', status, startsAt);
    }
    expect(s.sent().slice(-2)).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
    return startsAt;
  };

  it('links a ticket to a cause that re-fired while flapping with a thread reply only, not an event that would reopen its PagerDuty incident', () => {
    const s = simulation();
    const startsAt = flapIntoHeldRefire(s);
    s.clock.advance(MINUTE);
    expect(s.slo('checkout-availability', 'firing', T0, 'ticket').suppressed).toEqual({ dependency: 1 });
    expect(s.sent()).toEqual(['update slack #payments-alerts payments/authorisations']);
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', startsAt);
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(30 * MINUTE);
    const pd = s.sim.sent.filter((x) => x.notification.target.kind === 'pagerduty');
    expect(pd.at(-1)!.notification.action).toBe('resolve');
  });

  it('pages a dependent on its own when its cause re-fired while flapping, and leaves no PagerDuty incident of the cause open', () => {
    const s = simulation();
    const startsAt = flapIntoHeldRefire(s);

    // checkout now pages. payments is open again, but its PagerDuty incident is resolved: an event on its
    // dedup_key would reopen it, and nothing would resolve it once payments settles as resolved.
    s.clock.advance(MINUTE);
    const checkout = s.slo('checkout-availability', 'firing', T0);
    expect(checkout.suppressed).toEqual({});
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(incident!.id).find((e) => e.kind === 'linked')?.reason).toContain(
      'not held: that incident has not paged (its PagerDuty incident is resolved and was not paged again (its re-fire is held: flapping, or a maintenance window))',
    );

    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', startsAt);
    s.slo('checkout-availability', 'resolved', T0);
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
    const pd = s.sim.sent.filter((x) => x.notification.target.kind === 'pagerduty' && x.notification.target.destination === 'PD_KEY_PAYMENTS');
    expect(pd.at(-1)!.notification.action).toBe('resolve');
  });

  it('releases a held dependent to page on its own when its cause re-fires into a maintenance window', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.sim.addMaintenance({ matchers: ['service="payments"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 60 * MINUTE, author: 'ana', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', T0);
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'firing', s.clock.now());
    s.sent();
    // payments' PagerDuty incident is resolved and its re-fire is held for an hour: checkout must not wait with it.
    s.advance(5_000);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(checkout!.id).find((e) => e.kind === 'released')?.reason).toMatch(
      /no longer holds back a page \(its PagerDuty incident is resolved and was not paged again.*\) while this one still fires; still firing, so notified now$/,
    );
  });

  it('pages an incident whose escalation to page came while it was flapping, once it is stable', () => {
    const s = simulation({ flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    s.slo('payments-authorisations', 'firing', T0, 'ticket');
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', T0, 'ticket');
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'firing', s.clock.now(), 'ticket'); // the 3rd change: flapping, sent marked
    expect(s.sent()).toEqual(['trigger slack #payments-alerts payments/authorisations', 'resolve slack #payments-alerts payments/authorisations', 'update slack #payments-alerts payments/authorisations']);
    s.clock.advance(MINUTE);
    const page = s.slo('payments-authorisations', 'firing', s.clock.now(), 'page');
    expect(page.suppressed).toEqual({ flapping: 2 });
    s.advance(9 * MINUTE);
    expect(s.sent()).toEqual([]);
    s.advance(2 * MINUTE); // stable for 10m: the page goes out, as the escalation it was
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS payments/authorisations', 'update slack #payments-alerts payments/authorisations']);
    expect(s.sim.sent.at(-1)!.notification.escalated).toBe(true);
  });

  it('pages a dependent on its own when its dependency’s open incident is only a ticket, and records the link as context', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0, 'ticket');
    expect(s.sent()).toEqual(['trigger slack #payments-alerts payments/authorisations']);
    const [payments] = s.sim.store.listIncidents({ limit: 1, service: 'payments' });

    s.clock.advance(2 * MINUTE);
    const checkout = s.slo('checkout-availability', 'firing', T0, 'page');
    expect(checkout.suppressed).toEqual({});
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.at(-2)!.notification.details).toContain(`likely related: payments/authorisations: SLOErrorBudgetBurnTicket payments-authorisations (incident ${payments!.id}, ticket) is open`);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    const linked = s.sim.store.timelineOf(incident!.id).find((e) => e.kind === 'linked');
    expect(linked?.reason).toContain(`likely caused by incident ${payments!.id}`);
    expect(linked?.reason).toContain('not held: that incident has not paged (it is a ticket: Slack only, no PagerDuty incident)');
    expect(s.sim.store.timelineOf(payments!.id).find((e) => e.kind === 'linked')?.reason).toContain('it pages on its own, since this incident has not paged');
    expect(s.sim.store.suppression.holdOf(incident!.id)).toBeUndefined();

    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual([]);
    s.slo('checkout-availability', 'resolved', T0, 'page');
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });

  it('pages a linked ticket-level dependent on its own when it escalates to page while its dependency is only a ticket', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0, 'ticket');
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    // A ticket under a ticket: folded into the dependency's Slack thread.
    expect(s.sent()).toEqual(['trigger slack #payments-alerts payments/authorisations', 'update slack #payments-alerts payments/authorisations']);

    s.clock.advance(MINUTE);
    const page = s.slo('checkout-availability', 'firing', T0 + MINUTE, 'page');
    expect(page.suppressed).toEqual({});
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(checkout!.id).find((e) => e.kind === 'released')?.reason).toContain(
      'released (dependency): escalated to page while linked to incident',
    );
    expect(s.sim.store.suppression.holdOf(checkout!.id)).toBeUndefined();

    // The dependency resolving later sends checkout nothing twice.
    s.clock.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', T0, 'ticket');
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve slack #payments-alerts payments/authorisations']);
  });

  it('keeps a linked dependent’s escalation to page folded into its dependency’s page', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0, 'page');
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.sent();
    s.clock.advance(MINUTE);
    const page = s.slo('checkout-availability', 'firing', T0 + MINUTE, 'page');
    expect(page.suppressed).toEqual({ dependency: 2 });
    expect(s.sent()).toEqual([]);
  });

  it('pages a dependent normally when its dependency opened longer ago than the correlation window', () => {
    const s = simulation({ dependencies: { enabled: true, windowMs: 10 * MINUTE } });
    s.slo('payments-authorisations', 'firing', T0);
    s.sent();
    s.clock.advance(11 * MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
  });
});

describe('maintenance windows', () => {
  it('holds matching alerts, notifies one still firing when the window ends, and never notifies one that ended inside it', () => {
    const s = simulation();
    s.sim.addMaintenance({ matchers: ['service="payments"'], startsAt: T0, endsAt: T0 + 30 * MINUTE, author: 'ana', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    const held = s.slo('payments-authorisations', 'firing', T0);
    expect(held.suppressed).toEqual({ maintenance: 2 });
    s.alert({ alertname: 'PaymentsQueueSlow', service: 'payments', severity: 'ticket' }, 'firing', T0);
    s.clock.advance(MINUTE);
    s.alert({ alertname: 'PaymentsQueueSlow', service: 'payments', severity: 'ticket' }, 'resolved', T0);
    s.advance(10 * MINUTE);
    expect(s.sent()).toEqual([]);
    const [incident] = s.sim.store.listIncidents({ limit: 10, service: 'payments', state: 'open' });
    expect(s.sim.store.timelineOf(incident!.id).find((e) => e.kind === 'suppressed')?.reason).toContain('maintenance window');
    expect(s.sim.store.timelineOf(incident!.id).find((e) => e.kind === 'suppressed')?.reason).toContain('"db upgrade"');

    s.advance(18 * MINUTE); // 03:30: the window ends
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS payments/authorisations', 'trigger slack #payments-alerts payments/authorisations']);
  });

  it('notifies held alerts that still fire on the next tick after a window is ended early, saying who ended it', () => {
    const s = simulation();
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.alert({ alertname: 'CheckoutQueueSlow', service: 'checkout', severity: 'ticket' }, 'firing', T0);
    s.clock.advance(MINUTE);
    s.alert({ alertname: 'CheckoutQueueSlow', service: 'checkout', severity: 'ticket' }, 'resolved', T0);
    expect(s.sent()).toEqual([]);

    s.clock.advance(MINUTE);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'));
    s.advance(5_000);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout', state: 'open' });
    expect(s.sim.store.timelineOf(incident!.id).find((e) => e.kind === 'released')?.reason).toBe(
      `released (maintenance): maintenance window ${w.id} {service="checkout"} was ended early at 2026-11-02T03:03:00.000Z by ana (planned until 2026-11-02T05:00:00.000Z); still firing, so notified now`,
    );
    s.advance(120 * MINUTE);
    expect(s.sent()).toEqual([]);
  });

  it('pages at once, without a hold, when a page of an incident a window held comes after the window was ended early and before the next tick', () => {
    const s = simulation();
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0);
    s.advance(MINUTE);
    expect(s.sent()).toEqual([]);
    s.sim.newTimeline();

    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'));
    s.clock.advance(1_000);
    s.slo('checkout-availability', 'firing', s.clock.now());
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.slice(-2).map((x) => x.at)).toEqual([s.clock.now(), s.clock.now()]);
    const rows = s.sim.newTimeline().map((e) => `${e.kind}: ${e.reason}`);
    expect(rows.filter((r) => r.startsWith('suppressed'))).toEqual([]);
    expect(rows[0]).toBe(
      `released: released (maintenance): maintenance window ${w.id} {service="checkout"} was ended early at 2026-11-02T03:03:00.000Z by ana (planned until 2026-11-02T05:00:00.000Z); it was never notified and has resolved, nothing to send`,
    );
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
  });

  it('pages at once when an incident a window held escalates to page after the window’s end and before the next tick', () => {
    const s = simulation();
    s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 10 * MINUTE, author: 'ops', comment: '' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.advance(9 * MINUTE - 5_000); // the last tick before the window ends
    s.clock.advance(7_000);
    s.slo('checkout-availability', 'firing', s.clock.now(), 'page');
    // As the tick would have: the ticket is notified, then its escalation pages.
    expect(s.sent()).toEqual(['trigger slack #checkout-oncall checkout/availability', 'trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    const rows = s.sim.store.timelineOf(incident!.id).map((e) => `${e.kind}: ${e.reason}`);
    expect(rows.filter((r) => r.startsWith('suppressed'))).toEqual([expect.stringMatching(/^suppressed: trigger for slack #checkout-oncall held: in maintenance window/)]);
    expect(rows).toContain('released: released (maintenance): the maintenance window ended; still firing, so notified now');
  });

  /** checkout/availability's page, held by a window that is ended early at 03:03 (the next tick at 03:03:05). */
  const heldPageWindowEnded = (s: ReturnType<typeof simulation>) => {
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.advance(MINUTE);
    s.clock.advance(MINUTE);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'));
    s.clock.advance(1_000);
    return w;
  };

  it('sends nothing when the page a window held resolves after the window was ended early and before the next tick', () => {
    const s = simulation();
    const w = heldPageWindowEnded(s);
    expect(s.sent()).toEqual([]);
    s.sim.newTimeline();

    s.slo('checkout-availability', 'resolved', T0);
    expect(s.sent()).toEqual([]);
    const rows = s.sim.newTimeline().map((e) => `${e.kind}: ${e.reason}`);
    expect(rows.filter((r) => r.startsWith('enqueued') || r.startsWith('suppressed'))).toEqual([]);
    expect(rows.at(-1)).toBe(
      `released: released (maintenance): maintenance window ${w.id} {service="checkout"} was ended early at 2026-11-02T03:03:00.000Z by ana (planned until 2026-11-02T05:00:00.000Z); it was never notified and has resolved, nothing to send`,
    );
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
  });

  it('sends Slack only its resolve, once, when a ticket it was told of escalated to page in a window and resolves after the window was ended early', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    expect(s.sent()).toEqual(['trigger slack #checkout-oncall checkout/availability']);
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 120 * MINUTE, author: 'ops', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0, 'page');
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'));
    s.clock.advance(1_000);

    s.slo('checkout-availability', 'resolved', T0, 'page');
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(incident!.id).findLast((e) => e.kind === 'released')?.reason).toBe(
      `released (maintenance): maintenance window ${w.id} {service="checkout"} was ended early at 2026-11-02T03:02:05.000Z by ana (planned until 2026-11-02T05:00:00.000Z); resolved meanwhile, so the resolve goes to every target sent the trigger`,
    );
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
  });

  it('sends only the ticket when a batch that releases a held page after its window was ended early also resolves the page alert', () => {
    const s = simulation();
    const w = heldPageWindowEnded(s);
    s.sim.newTimeline();
    s.sim.webhook(
      webhookPayload([
        { labels: sloAlertLabels('ticket'), fingerprint: 'fp-checkout-availability-ticket' },
        { status: 'resolved', labels: sloAlertLabels('page'), fingerprint: 'fp-checkout-availability-page', endsAt: new Date(s.clock.now()).toISOString() },
      ]),
    );
    expect(s.sent()).toEqual(['trigger slack #checkout-oncall checkout/availability']);
    const rows = s.sim.newTimeline().map((e) => `${e.kind}: ${e.reason}`);
    expect(rows.filter((r) => r.startsWith('released') || r.startsWith('enqueued'))).toEqual([
      `released: released (maintenance): maintenance window ${w.id} {service="checkout"} was ended early at 2026-11-02T03:03:00.000Z by ana (planned until 2026-11-02T05:00:00.000Z); still firing, so notified now`,
      'enqueued: trigger for slack #checkout-oncall: opened (ticket)',
    ]);
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
  });

  it('still pages at once when one of two page alerts a window held resolves after the window was ended early', () => {
    const s = simulation();
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: '' });
    const node = (instance: string, status: 'firing' | 'resolved') => s.alert({ alertname: 'CheckoutDown', service: 'checkout', instance, severity: 'page' }, status, T0, `fp-${instance}`);
    s.clock.advance(MINUTE);
    node('a', 'firing');
    node('b', 'firing');
    s.advance(MINUTE);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'));
    s.clock.advance(1_000);

    node('a', 'resolved');
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT CheckoutDown', 'trigger slack #checkout-oncall CheckoutDown', 'update slack #checkout-oncall CheckoutDown']);
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
  });

  it.each([false, true])('never holds an alert of a window cancelled before it started, when its planned start comes (after a restart: %s)', (restart) => {
    const s = simulation();
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0 + 30 * MINUTE, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: 'db upgrade' });
    s.clock.advance(MINUTE);
    expect(s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(w.id, s.clock.now(), 'ana'))).toBe(true);
    if (restart) s.sim.restart();
    s.advance(30 * MINUTE); // 03:31: inside the window as planned
    s.sim.newTimeline();
    s.slo('checkout-availability', 'firing', s.clock.now());
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    expect(s.sim.newTimeline().filter((e) => e.kind === 'suppressed')).toEqual([]);
    s.advance(120 * MINUTE);
    expect(s.sent()).toEqual([]);
  });

  it('keeps holding an alert that another window still covers when one window is ended early', () => {
    const s = simulation();
    const short = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 120 * MINUTE, author: 'ops', comment: '' });
    s.sim.addMaintenance({ matchers: ['slo_name="availability"'], startsAt: T0, endsAt: T0 + 30 * MINUTE, author: 'bo', comment: '' });
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0);
    s.clock.advance(MINUTE);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(short.id, s.clock.now()));
    s.advance(5_000);
    expect(s.sent()).toEqual([]);
    const [incident] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(incident!.id).at(-1)).toMatchObject({
      kind: 'suppressed',
      reason: expect.stringMatching(new RegExp(`^maintenance window ${short.id} \\{service="checkout"\\} was ended early at .*, but it is still held: maintenance window sim-\\d+ \\{slo_name="availability"\\}`)),
    });
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
  });

  it('sends nothing into a window when a dependent held under its cause is released by the cause resolving; pages when the window ends', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'firing', T0); // held under payments
    s.advance(5_000);
    s.sent();
    const w = s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 60 * MINUTE, author: 'ana', comment: 'deploy' });
    s.advance(MINUTE);
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.timelineOf(checkout!.id).at(-1)).toMatchObject({
      kind: 'suppressed',
      reason: expect.stringContaining(`still fires, but it is held by maintenance now (it was held: dependency): maintenance window ${w.id}`),
    });
    s.advance(60 * MINUTE); // the window ends: checkout still fires, and pages now
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
  });

  it('sends nothing into a window when a flapping incident goes stable inside it', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0);
    s.clock.advance(16 * MINUTE);
    let startsAt = T0;
    for (const status of ['resolved', 'firing', 'resolved', 'firing', 'resolved', 'firing'] as const) {
      s.advance(MINUTE);
      if (status === 'firing') startsAt = s.clock.now();
      s.slo('checkout-availability', status, startsAt);
    }
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.suppression.holdOf(checkout!.id)?.reason).toBe('flapping');
    s.sent();
    s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 60 * MINUTE, author: 'ana', comment: 'deploy' });
    s.advance(15 * MINUTE); // stable, inside the window
    expect(s.sent()).toEqual([]);
    expect(s.sim.store.suppression.holdOf(checkout!.id)?.reason).toBe('maintenance');
  });

  it('links a dependent released from a window under its cause when that cause is paging, instead of paging it', () => {
    const s = simulation();
    s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: T0, endsAt: T0 + 10 * MINUTE, author: 'ana', comment: '' });
    s.slo('checkout-availability', 'firing', T0); // held by the window
    s.advance(MINUTE);
    s.slo('payments-authorisations', 'firing', T0); // pages
    s.advance(10 * MINUTE); // the window ends with payments' page open
    const sent = s.sent();
    expect(sent.filter((l) => l.includes('PD_KEY_CHECKOUT'))).toEqual([]);
    expect(sent).toContain('trigger pagerduty PD_KEY_PAYMENTS payments/authorisations');
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.suppression.holdOf(checkout!.id)).toMatchObject({ reason: 'dependency' });
    // Payments resolves, checkout still fires: it pages on its own now.
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(5_000);
    expect(s.sent().filter((l) => l.includes('PD_KEY_CHECKOUT'))).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability']);
  });

  it('delivers the resolve of an alert notified before the window began', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0);
    expect(s.sent()).toHaveLength(2);
    s.clock.advance(MINUTE);
    s.sim.addMaintenance({ matchers: ['slo_service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 60 * MINUTE, author: 'bo', comment: '' });
    s.clock.advance(MINUTE);
    s.slo('checkout-latency', 'firing', T0); // joins nothing new: its own incident, held
    s.slo('checkout-availability', 'resolved', T0);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });
});

describe('flap damping', () => {
  it('sends one "flapping" notification, then nothing until the alert is stable, then its final state', () => {
    const s = simulation({ flapping: { enabled: true, maxChanges: 4, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    const flip = (status: 'firing' | 'resolved') => {
      s.clock.advance(MINUTE);
      s.slo('checkout-availability', status, s.clock.now());
    };
    s.slo('checkout-availability', 'firing', T0); // change 1
    flip('resolved'); // 2
    flip('firing'); // 3
    flip('resolved'); // 4
    expect(s.sent()).toHaveLength(8); // trigger ×2, resolve ×2, reopen (PD trigger + Slack update), resolve ×2
    flip('firing'); // 5: more than 4 changes in 15m
    const flapping = s.sent();
    expect(flapping).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.at(-1)!.notification.summary).toMatch(/^\[flapping\]/);
    flip('resolved');
    flip('firing');
    flip('resolved');
    s.advance(9 * MINUTE);
    expect(s.sent()).toEqual([]);
    s.advance(2 * MINUTE); // stable for 10m since the last change
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual([]);
  });

  it('keeps a dependent that flaps under a cause that paged folded under it: one page for one problem', () => {
    const s = simulation();
    s.slo('payments-authorisations', 'firing', T0);
    s.sent();
    let startsAt = T0;
    for (const status of ['firing', 'resolved', 'firing', 'resolved', 'firing', 'resolved', 'firing'] as const) {
      s.advance(MINUTE);
      if (status === 'firing') startsAt = s.clock.now();
      s.slo('checkout-availability', status, startsAt);
    }
    s.advance(15 * MINUTE);
    // Nothing reaches checkout's own PagerDuty service while payments' page is open.
    expect(s.sim.sent.filter(({ notification: n }) => n.target.kind === 'pagerduty' && n.target.destination === 'PD_KEY_CHECKOUT')).toEqual([]);
    const [checkout] = s.sim.store.listIncidents({ limit: 1, service: 'checkout' });
    expect(s.sim.store.suppression.holdOf(checkout!.id)).toMatchObject({ reason: 'dependency' });
    // When payments resolves with checkout still firing, checkout pages on its own, once.
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(5_000);
    expect(s.sent().filter((l) => l.includes('PD_KEY_CHECKOUT'))).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability']);
  });
});

describe('storm control', () => {
  it('rolls incidents past the per-minute limit into one digest per target that lists every one, and resolves it when all have', () => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 3, digestIntervalMs: 2 * MINUTE, earlyWarning: true } });
    const node = (i: number, status: 'firing' | 'resolved') => s.alert({ alertname: `Node${i}Down`, instance: `node-${i}`, severity: 'ticket' }, status, T0);
    for (let i = 1; i <= 7; i++) {
      s.clock.advance(5_000);
      node(i, 'firing');
    }
    expect(s.sent()).toEqual(['trigger slack #alerts Node1Down', 'trigger slack #alerts Node2Down', 'trigger slack #alerts Node3Down']);
    s.advance(MINUTE);
    expect(s.sent()).toEqual([]);
    s.advance(MINUTE + 30_000);
    const digest = s.sim.sent.at(-1)!.notification;
    expect(s.sent()).toEqual(['trigger slack #alerts Alert storm']);
    for (let i = 4; i <= 7; i++) expect(digest.details).toContain(`Node${i}Down`);
    for (let i = 1; i <= 7; i++) node(i, 'resolved');
    expect(s.sent()).toEqual(['resolve slack #alerts Node1Down', 'resolve slack #alerts Node2Down', 'resolve slack #alerts Node3Down']);
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve slack #alerts Alert storm']);
  });

  it('does not count the digest it sent among the incidents sent to the target in the last minute', () => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 3, digestIntervalMs: 2 * MINUTE, earlyWarning: false } });
    const node = (i: number) => s.alert({ alertname: `Node${i}Down`, instance: `node-${i}`, severity: 'ticket' }, 'firing', T0);
    for (let i = 1; i <= 5; i++) {
      s.clock.advance(5_000);
      node(i);
    }
    s.advance(2 * MINUTE + 30_000);
    expect(s.sent()).toEqual(['trigger slack #alerts Node1Down', 'trigger slack #alerts Node2Down', 'trigger slack #alerts Node3Down', 'trigger slack #alerts Alert storm']);
    // Within a minute of the digest, three new incidents: the limit's three, none held back.
    for (let i = 6; i <= 8; i++) {
      s.clock.advance(5_000);
      node(i);
    }
    expect(s.sent()).toEqual(['trigger slack #alerts Node6Down', 'trigger slack #alerts Node7Down', 'trigger slack #alerts Node8Down']);
    // The fourth is the storm again, and its reason counts the three.
    s.clock.advance(5_000);
    node(9);
    expect(s.sent()).toEqual([]);
    const [node9] = s.sim.store.listIncidents({ limit: 20 }).filter((i) => i.title.startsWith('Node9Down'));
    expect(s.sim.store.timelineOf(node9!.id).map((e) => `${e.kind}: ${e.reason}`)).toContain(
      'suppressed: trigger for slack #alerts held: storm: 3 incidents sent in the last minute for slack #alerts (limit 3); listed in the next digest',
    );
  });

  /**
   * Disk1–4 each fire a page and a ticket alert on checkout, storm control at 2 a minute: Disk3 and
   * Disk4 go to the PagerDuty and Slack digests, sent two minutes later.
   */
  const diskStorm = () => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: true } });
    const alert = (i: number, severity: 'page' | 'ticket', status: 'firing' | 'resolved', startsAt = T0) =>
      s.alert({ alertname: `Disk${i}Full`, service: 'checkout', instance: `node-${i}`, severity }, status, startsAt, `fp-disk-${i}-${severity}`);
    for (let i = 1; i <= 4; i++) {
      s.clock.advance(1_000);
      alert(i, 'page', 'firing');
      alert(i, 'ticket', 'firing');
    }
    s.advance(2 * MINUTE);
    return { s, alert };
  };

  it('takes an incident that de-escalates to ticket off its PagerDuty digest, which resolves once no page is left, and lists it in no later digest unless it pages again', () => {
    const { s, alert } = diskStorm();
    expect(s.sent().filter((l) => l.includes('Alert storm'))).toEqual(['trigger pagerduty PD_KEY_CHECKOUT Alert storm', 'trigger slack #checkout-oncall Alert storm']);
    const digestOf = (kind: string) => s.sim.sent.find(({ notification: n }) => n.action === 'trigger' && n.target.kind === kind && n.summary.startsWith('Alert storm'))!.notification;
    const pagerduty = digestOf('pagerduty');
    expect(pagerduty.details).toContain('Disk3Full');
    expect(pagerduty.details).toContain('Disk4Full');

    // The storm goes on while Disk3's page resolves and its ticket still fires.
    for (let i = 5; i <= 9; i++) {
      s.clock.advance(1_000);
      alert(i, 'page', 'firing');
    }
    alert(3, 'page', 'resolved');
    s.advance(5_000);
    expect(s.sent().filter((l) => l.includes('Disk3Full') || l.includes('Alert storm'))).toEqual([]);
    // Disk4 is still a page: the PagerDuty digest stays open until it is gone too.
    alert(4, 'page', 'resolved');
    alert(4, 'ticket', 'resolved');
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT Alert storm']);
    expect(s.sim.store.incidentById(pagerduty.incidentId)).toMatchObject({ state: 'resolved' });
    const [disk3] = s.sim.store.listIncidents({ limit: 20, state: 'open' }).filter((i) => i.title.startsWith('Disk3Full'));
    expect(disk3).toMatchObject({ severity: 'ticket' });
    expect(s.sim.store.timelineOf(pagerduty.incidentId).find((e) => e.kind === 'resolved')?.reason).toBe(
      `none of the 2 incidents it listed is a page for pagerduty $PD_KEY_CHECKOUT any more: 1 resolved, 1 de-escalated to ticket (incident ${disk3!.id}), and tickets are not routed there`,
    );
    // Slack takes tickets too: its digest keeps Disk3 until it resolves, and the ticket is not announced there again.
    const slack = digestOf('slack').incidentId;
    expect(s.sim.store.incidentById(slack)).toMatchObject({ state: 'open' });
    expect(s.sim.store.timelineOf(disk3!.id).map((e) => `${e.kind}: ${e.reason}`)).toContain(
      `suppressed: trigger for slack #checkout-oncall held: de-escalated to ticket, and already listed in storm digest ${slack}, which keeps it until it resolves`,
    );

    s.advance(3 * MINUTE);
    const later = s.sim.sent.filter(({ notification: n }) => n.action === 'trigger' && n.summary.startsWith('Alert storm')).slice(2);
    expect(later.map(({ notification: n }) => n.target.kind).sort()).toEqual(['pagerduty', 'slack']);
    for (const { notification: n } of later) {
      expect(n.details).toContain('Disk9Full');
      expect(n.details).not.toContain('Disk3Full');
    }
    expect(s.sim.store.timelineOf(disk3!.id).filter((e) => e.kind === 'digested')).toHaveLength(2);

    // Paging again, it is news to PagerDuty.
    s.advance(2 * MINUTE);
    s.sent();
    alert(3, 'page', 'firing', s.clock.now());
    expect(s.sent()).toContain('trigger pagerduty PD_KEY_CHECKOUT Disk3Full');
  });

  it('counts an incident listed for a digest twice in the last minute (a ticket, then its page) once', () => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: false } });
    const queue = (i: number, severity: 'page' | 'ticket') =>
      s.alert({ alertname: `Queue${i}Slow`, service: 'checkout', instance: `q-${i}`, severity }, 'firing', T0, `fp-queue-${i}-${severity}`);
    for (let i = 1; i <= 3; i++) {
      s.clock.advance(1_000);
      queue(i, 'ticket');
    }
    queue(3, 'page'); // a page now: news to the Slack digest that lists it as a ticket, and listed again
    queue(4, 'ticket');
    const [queue4] = s.sim.store.listIncidents({ limit: 10 }).filter((i) => i.title.startsWith('Queue4'));
    expect(s.sim.store.timelineOf(queue4!.id).map((e) => `${e.kind}: ${e.reason}`)).toContain(
      'suppressed: trigger for slack #checkout-oncall held: storm: 2 incidents sent and 1 listed for its digest in the last minute for slack #checkout-oncall (limit 2); listed in the next digest',
    );
  });

  it('resolves a PagerDuty digest of tickets once a reload stops routing tickets there, saying so rather than calling them de-escalated', () => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: false } });
    const running = s.sim.settings.routing.routes;
    s.sim.settings.routing.routes = [{ name: 'everything', matchers: [parseMatcher('severity=~"page|ticket"')], pagerduty: 'owner', slack: 'owner', continue: false }];
    for (let i = 1; i <= 4; i++) {
      s.clock.advance(1_000);
      s.alert({ alertname: `Queue${i}Slow`, service: 'checkout', instance: `q-${i}`, severity: 'ticket' }, 'firing', T0, `fp-queue-${i}`);
    }
    s.advance(2 * MINUTE);
    expect(s.sent().filter((l) => l.includes('Alert storm'))).toEqual(['trigger pagerduty PD_KEY_CHECKOUT Alert storm', 'trigger slack #checkout-oncall Alert storm']);
    const [digest] = s.sim.sent.filter(({ notification: n }) => n.target.kind === 'pagerduty' && n.summary.startsWith('Alert storm')).map(({ notification: n }) => n.incidentId);
    const listed = s.sim.store.listIncidents({ limit: 10, state: 'open' }).filter((i) => i.title.startsWith('Queue3') || i.title.startsWith('Queue4')).map((i) => i.id).sort();

    s.sim.settings.routing.routes = running; // the reload: tickets go to Slack only
    s.advance(5_000);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT Alert storm']);
    expect(s.sim.store.timelineOf(digest!).find((e) => e.kind === 'resolved')?.reason).toBe(
      `none of the 2 incidents it listed is for pagerduty $PD_KEY_CHECKOUT any more: 0 resolved, 2 tickets no longer routed there (incident ${listed.join(', ')}); tickets are not routed there now`,
    );
  });

  /**
   * The disk storm, then Disk3's page alert resolves (a ticket now, still in both digests while Disk4
   * pages) and fires again, in a maintenance window on node-3 or not.
   */
  const pagesAgainInDigest = (held: boolean) => {
    const { s, alert } = diskStorm();
    const digests = s.sim.sent.filter(({ notification: n }) => n.summary.startsWith('Alert storm')).map(({ notification: n }) => n.incidentId);
    expect(digests).toHaveLength(2);
    alert(3, 'page', 'resolved');
    s.advance(5 * MINUTE);
    s.sent();
    if (held) s.sim.addMaintenance({ matchers: ['instance="node-3"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 10 * MINUTE, author: 'ops', comment: '' });
    alert(3, 'page', 'firing', s.clock.now());
    s.advance(11 * MINUTE);
    const [disk3] = s.sim.store.listIncidents({ limit: 20, state: 'open' }).filter((i) => i.title.startsWith('Disk3Full'));
    return { s, alert, digests, disk3: disk3! };
  };

  for (const held of [false, true]) {
    it(`keeps a page its open PagerDuty digest lists in that digest when it pages again after de-escalating${held ? ' in a maintenance window' : ''}: one page for one problem, and the digest resolves after it`, () => {
      const { s, alert, digests, disk3 } = pagesAgainInDigest(held);
      expect(disk3.severity).toBe('page');
      expect(s.sent()).toEqual([]);
      const what = held ? 'released while still firing' : 'escalated to page';
      expect(s.sim.store.timelineOf(disk3.id).map((e) => `${e.kind}: ${e.reason}`)).toEqual(
        expect.arrayContaining([
          `suppressed: trigger for pagerduty $PD_KEY_CHECKOUT held: ${what}, and already listed in storm digest ${digests[0]}, which keeps it until it resolves`,
          `suppressed: trigger for slack #checkout-oncall held: ${what}, and already listed in storm digest ${digests[1]}, which keeps it until it resolves`,
        ]),
      );
      // Disk4 going leaves Disk3 paging: both digests stay open, and close when Disk3 resolves.
      alert(4, 'page', 'resolved');
      alert(4, 'ticket', 'resolved');
      s.advance(5_000);
      expect(s.sent()).toEqual([]);
      alert(3, 'page', 'resolved', s.clock.now());
      alert(3, 'ticket', 'resolved');
      s.advance(5_000);
      expect(s.sent().sort()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT Alert storm', 'resolve slack #checkout-oncall Alert storm']);
    });
  }

  it.each([false, true])('tells Slack on its own when a ticket its Slack digest lists escalates to page (in a maintenance window: %s): the digest listed it as a ticket', (held) => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: false } });
    const ticket = (i: number) => s.alert({ alertname: `Queue${i}Slow`, service: 'checkout', instance: `q-${i}`, severity: 'ticket' }, 'firing', T0, `fp-queue-${i}`);
    for (let i = 1; i <= 3; i++) {
      s.clock.advance(1_000);
      ticket(i);
    }
    s.advance(2 * MINUTE);
    expect(s.sent()).toEqual(['trigger slack #checkout-oncall Queue1Slow', 'trigger slack #checkout-oncall Queue2Slow', 'trigger slack #checkout-oncall Alert storm']);
    s.advance(MINUTE);
    if (held) s.sim.addMaintenance({ matchers: ['instance="q-3"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 10 * MINUTE, author: 'ops', comment: '' });
    s.alert({ alertname: 'Queue3Slow', service: 'checkout', instance: 'q-3', severity: 'page' }, 'firing', s.clock.now(), 'fp-queue-3-page');
    s.advance(held ? 11 * MINUTE : 5_000);
    expect(s.sent().sort()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT Queue3Slow', 'trigger slack #checkout-oncall Queue3Slow']);
  });

  /**
   * 30 checkout pages a maintenance window held (opened in it, or tickets Slack was told of that
   * escalated to page in it), released when it ends at 04:00 with storm control at 5 a minute: what
   * PagerDuty got in that tick, and two minutes later.
   */
  const windowEndsOnPages = (escalated: boolean) => {
    const s = simulation({ storm: { enabled: true, maxPerMinute: 5, digestIntervalMs: 2 * MINUTE, earlyWarning: false } });
    const disk = (i: number, severity: 'page' | 'ticket', status: 'firing' | 'resolved' = 'firing') =>
      s.alert({ alertname: `Disk${i}Full`, service: 'checkout', instance: `node-${i}`, severity }, status, T0, `fp-disk-${i}-${severity}`);
    if (escalated) {
      for (let i = 1; i <= 30; i++) {
        s.clock.advance(15_000); // 4 a minute: each ticket is sent alone
        disk(i, 'ticket');
      }
      expect(s.sent()).toHaveLength(30);
    }
    s.sim.addMaintenance({ matchers: ['service="checkout"'], startsAt: s.clock.now(), endsAt: T0 + 60 * MINUTE, author: 'ops', comment: 'disk migration' });
    for (let i = 1; i <= 30; i++) {
      s.clock.advance(1_000);
      disk(i, 'page');
    }
    s.advance(T0 + 60 * MINUTE - s.clock.now());
    const atEnd = s.sent().filter((l) => l.includes('pagerduty'));
    s.advance(2 * MINUTE);
    const digests = s.sim.sent.filter(({ notification: n }) => n.target.kind === 'pagerduty' && n.summary.startsWith('Alert storm'));
    const disks = s.sim.store.listIncidents({ limit: 50, state: 'open' }).filter((i) => i.title.startsWith('Disk'));
    return { s, disk, atEnd, digests, disks };
  };

  for (const escalated of [false, true]) {
    it(`pages at most the per-minute limit when a window that held 30 pages ${escalated ? 'escalated from tickets' : 'opened'} in it ends, and digests the rest`, () => {
      const { s, disk, atEnd, digests, disks } = windowEndsOnPages(escalated);
      expect(atEnd).toEqual([1, 2, 3, 4, 5].map((i) => `trigger pagerduty PD_KEY_CHECKOUT Disk${i}Full`));
      expect(digests).toHaveLength(1);
      const [{ notification: digest }] = digests as [(typeof digests)[number]];
      expect(digest.summary).toContain('Alert storm: 25 incidents opened');
      for (let i = 6; i <= 30; i++) expect(digest.details).toContain(`Disk${i}Full node-${i} (page, incident`);
      const disk30 = disks.find((i) => i.title.startsWith('Disk30Full'))!;
      expect(s.sim.store.timelineOf(disk30.id).map((e) => `${e.kind}: ${e.reason}`)).toContain(
        'suppressed: trigger for pagerduty $PD_KEY_CHECKOUT held: storm: 5 incidents sent and 24 listed for its digest in the last minute for pagerduty PD_KEY_CHECKOUT (limit 5); listed in the next digest',
      );
      // PagerDuty was told of Disk30 by the digest only: its resolve goes to Slack, and the digest resolves once all have.
      s.sent();
      for (let i = 1; i <= 30; i++) disk(i, 'page', 'resolved');
      s.advance(5_000);
      const pagerduty = s.sent().filter((l) => l.includes('pagerduty'));
      expect(pagerduty).toEqual([...[1, 2, 3, 4, 5].map((i) => `resolve pagerduty PD_KEY_CHECKOUT Disk${i}Full`), 'resolve pagerduty PD_KEY_CHECKOUT Alert storm']);
    });
  }
});

describe('time-window grouping of non-SLO alerts', () => {
  it('threads alerts that share the configured labels into the first one’s incident across Alertmanager groups', () => {
    const s = simulation({ grouping: { keys: ['cluster'], windowMs: 5 * MINUTE } });
    s.alert({ alertname: 'DiskFull', cluster: 'eu-1', severity: 'ticket' }, 'firing', T0);
    s.clock.advance(MINUTE);
    const second = s.alert({ alertname: 'NodeNotReady', cluster: 'eu-1', severity: 'ticket' }, 'firing', T0);
    expect(second.suppressed).toEqual({ grouped: 1 });
    s.alert({ alertname: 'NodeMemoryPressure', cluster: 'us-1', severity: 'ticket' }, 'firing', T0);
    expect(s.sent()).toEqual(['trigger slack #alerts DiskFull', 'update slack #alerts DiskFull', 'trigger slack #alerts NodeMemoryPressure']);
  });

  it('pages a page that shares the labels of an open ticket on its own instead of threading it there', () => {
    const s = simulation({ grouping: { keys: ['cluster'], windowMs: 5 * MINUTE } });
    s.alert({ alertname: 'DiskFull', cluster: 'eu-1', service: 'checkout', severity: 'ticket' }, 'firing', T0);
    s.clock.advance(MINUTE);
    const page = s.alert({ alertname: 'NodeNotReady', cluster: 'eu-1', service: 'checkout', severity: 'page' }, 'firing', T0);
    expect(page.suppressed).toEqual({});
    expect(s.sent()).toEqual(['trigger slack #checkout-oncall DiskFull', 'trigger pagerduty PD_KEY_CHECKOUT NodeNotReady', 'trigger slack #checkout-oncall NodeNotReady']);
  });
});
