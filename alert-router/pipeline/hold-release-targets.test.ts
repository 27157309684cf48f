import { describe, expect, it } from 'vitest';
import { MINUTE, simulation } from '../../test/support/router-simulation.js';
import { parseMatcher } from './matcher.js';

/**
 * What each target hears when a hold ends after the incident changed under it. The router keeps one
 * "what its targets were told" per incident (`notified_state`); these scenarios pin that every target
 * still gets exactly what it needs, from its own history (the outbox, storm digests).
 */

const T0 = Date.parse('2026-11-02T03:00:00Z');

/** The incident's timeline as `kind: reason` lines. */
function timeline(s: ReturnType<typeof simulation>, service: string): string[] {
  const [incident] = s.sim.store.listIncidents({ limit: 1, service });
  return s.sim.store.timelineOf(incident!.id).map((e) => `${e.kind}: ${e.reason}`);
}

/** A maintenance window on `service` from now for `minutes`. */
function maintenance(s: ReturnType<typeof simulation>, service: string, minutes: number) {
  return s.sim.addMaintenance({ matchers: [`service="${service}"`], startsAt: s.clock.now(), endsAt: s.clock.now() + minutes * MINUTE, author: 'ana', comment: '' });
}

/** checkout/availability's ticket told to Slack, then its page held by a 30-minute maintenance window. */
function ticketEscalatedInWindow(s: ReturnType<typeof simulation>) {
  s.slo('checkout-availability', 'firing', T0, 'ticket');
  s.advance(MINUTE);
  expect(s.sent()).toEqual(['trigger slack #checkout-oncall checkout/availability']);
  maintenance(s, 'checkout', 30);
  s.slo('checkout-availability', 'firing', T0 + MINUTE, 'page');
  s.advance(MINUTE);
  expect(s.sent()).toEqual([]);
}

describe('a ticket told to Slack only, that escalates to page while held and resolves before the hold ends', () => {
  it('in a maintenance window: Slack gets its resolve at once, PagerDuty nothing, and the window’s end sends nothing', () => {
    const s = simulation();
    ticketEscalatedInWindow(s);
    s.slo('checkout-availability', 'resolved', T0 + MINUTE, 'page');
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual([]);
    expect(timeline(s, 'checkout').at(-1)).toBe('released: released (maintenance): the maintenance window ended; its targets already know its state (resolved), nothing to send');
  });

  it('under flap damping: once stable, the resolve goes to Slack only (PagerDuty never had the page)', () => {
    const s = simulation({ flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(MINUTE);
    const t1 = s.clock.now();
    s.slo('checkout-availability', 'firing', t1, 'ticket'); // the 3rd change: flapping, sent marked
    s.advance(MINUTE);
    s.sent();
    const t2 = s.clock.now();
    s.slo('checkout-availability', 'firing', t2, 'page');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', t2, 'page');
    s.slo('checkout-availability', 'resolved', t1, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual([]);
    s.advance(15 * MINUTE);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.filter(({ notification: n }) => n.target.kind === 'pagerduty')).toEqual([]);
  });

  it('linked under its cause: the reopen’s Slack message gets the resolve, PagerDuty nothing, and the cause’s resolve sends it nothing more', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(MINUTE);
    s.slo('payments-authorisations', 'firing', T0);
    s.advance(MINUTE);
    s.sent();
    s.slo('checkout-availability', 'firing', s.clock.now(), 'ticket'); // reopens, linked under payments
    s.advance(MINUTE);
    expect(s.sent()).toContain('update slack #checkout-oncall checkout/availability');
    s.slo('checkout-availability', 'firing', s.clock.now(), 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual([]);
    s.slo('checkout-availability', 'resolved', T0, 'page');
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve slack #checkout-oncall checkout/availability']);
    s.slo('payments-authorisations', 'resolved', T0);
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_PAYMENTS payments/authorisations', 'resolve slack #payments-alerts payments/authorisations']);
    expect(s.sim.sent.filter(({ notification: n }) => n.target.destination === 'PD_KEY_CHECKOUT')).toEqual([]);
  });

  it('still paging when the window ends: PagerDuty is paged then, Slack told of the escalation, and both get the resolve', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.advance(MINUTE);
    s.sent();
    maintenance(s, 'checkout', 30);
    s.slo('checkout-availability', 'firing', T0 + MINUTE, 'page');
    s.advance(31 * MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    expect(s.sim.sent.at(-1)!.notification).toMatchObject({ severity: 'page', escalated: true });
    s.slo('checkout-availability', 'resolved', T0 + MINUTE, 'page');
    s.slo('checkout-availability', 'resolved', T0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent().filter((l) => l.startsWith('resolve')).sort()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });
});

describe('an incident a storm digest lists, held by a maintenance window an alert of it met', () => {
  const storm = { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: true };

  it('is not paged on its own when the window ends: the digest told PagerDuty and Slack it fires, and keeps it until it resolves', () => {
    const s = simulation({ storm });
    const node = (i: number, status: 'firing' | 'resolved', instance = `node-${i}`) =>
      s.alert({ alertname: `Node${i}Down`, service: 'checkout', instance, severity: 'page' }, status, T0, `fp-${instance}`);
    for (let i = 1; i <= 3; i++) {
      s.clock.advance(1_000);
      node(i, 'firing');
    }
    s.advance(3 * MINUTE);
    expect(s.sent().filter((l) => l.includes('Node3Down') || l.includes('Alert storm'))).toEqual([
      'trigger pagerduty PD_KEY_CHECKOUT Alert storm',
      'trigger slack #checkout-oncall Alert storm',
    ]);
    const digests = s.sim.sent.slice(-2).map(({ notification: n }) => n.incidentId);
    maintenance(s, 'checkout', 30);
    node(3, 'firing', 'node-3b'); // joins Node3Down inside the window: held
    s.advance(31 * MINUTE);
    expect(s.sent()).toEqual([]);
    const [node3] = s.sim.store.listIncidents({ limit: 10 }).filter((i) => i.title.startsWith('Node3Down'));
    const rows = s.sim.store.timelineOf(node3!.id).map((e) => `${e.kind}: ${e.reason}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        `suppressed: trigger for pagerduty $PD_KEY_CHECKOUT held: released while still firing, and already listed in storm digest ${digests[0]}, which keeps it until it resolves`,
        `suppressed: trigger for slack #checkout-oncall held: released while still firing, and already listed in storm digest ${digests[1]}, which keeps it until it resolves`,
      ]),
    );

    // Everything resolves: each digest resolves once, Node3Down has no resolve of its own to send.
    for (let i = 1; i <= 3; i++) node(i, 'resolved');
    node(3, 'resolved', 'node-3b');
    s.advance(5_000);
    expect(s.sent().sort()).toEqual([
      'resolve pagerduty PD_KEY_CHECKOUT Alert storm',
      'resolve pagerduty PD_KEY_CHECKOUT Node1Down',
      'resolve pagerduty PD_KEY_CHECKOUT Node2Down',
      'resolve slack #checkout-oncall Alert storm',
      'resolve slack #checkout-oncall Node1Down',
      'resolve slack #checkout-oncall Node2Down',
    ]);
  });

  it('whose PagerDuty service has it in a digest and whose Slack channel was told the page: the window’s end neither pages it nor tells Slack it escalated', () => {
    const s = simulation({ storm, dependencies: { enabled: false, windowMs: 0 } });
    // Every page goes to one PagerDuty service, each owner's own Slack channel: only PagerDuty storms.
    s.sim.settings.routing.routes = [{ name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'PD_CHECKOUT', slack: 'owner', continue: false }];
    for (const service of ['checkout', 'payments', 'storefront']) {
      s.clock.advance(1_000);
      s.alert({ alertname: `${service}Down`, service, severity: 'page' }, 'firing', T0, `fp-${service}`);
    }
    s.advance(3 * MINUTE);
    expect(s.sent().filter((l) => l.includes('storefront') || l.includes('Alert storm'))).toEqual([
      'trigger slack #web-oncall storefrontDown',
      'trigger pagerduty PD_KEY_CHECKOUT Alert storm',
    ]);
    maintenance(s, 'storefront', 30);
    s.alert({ alertname: 'storefrontDown', service: 'storefront', instance: 'b', severity: 'page' }, 'firing', T0, 'fp-storefront-b');
    s.advance(31 * MINUTE);
    expect(s.sent()).toEqual([]);
    expect(timeline(s, 'storefront').filter((l) => l.includes('escalated'))).toEqual([]);
    expect(timeline(s, 'storefront').at(-1)).toBe('released: released (maintenance): the maintenance window ended; its targets already know its state (open), nothing to send');
  });
});

describe('a config reload that changes an incident’s routes while a maintenance window holds it', () => {
  type Routes = ReturnType<typeof simulation>['sim']['settings']['routing']['routes'];
  /**
   * A second alert joins checkout/availability's incident (already told to its targets) inside a
   * 30-minute maintenance window, `reload` swaps the routes, and the window ends; then both alerts
   * resolve. Returns what the window's end sent and the resolves sent after.
   */
  const reloadWhileHeld = (s: ReturnType<typeof simulation>, severity: 'page' | 'ticket', reload: (routes: Routes) => Routes) => {
    maintenance(s, 'checkout', 30);
    const other = { alertname: 'CheckoutErrors', slo_id: 'checkout-availability', slo_service: 'checkout', slo_name: 'availability', severity };
    s.alert(other, 'firing', T0, 'fp-errors');
    s.sim.settings.routing.routes = reload(s.sim.settings.routing.routes);
    s.advance(31 * MINUTE);
    const atEnd = s.sent();
    s.slo('checkout-availability', 'resolved', T0, severity);
    s.alert(other, 'resolved', T0, 'fp-errors');
    s.advance(MINUTE);
    return { atEnd, resolves: s.sent().filter((l) => l.startsWith('resolve')) };
  };

  it('adding a route for pages: the window’s end does not page the service it already paged again, nor tell Slack the incident escalated', () => {
    const s = simulation();
    s.slo('checkout-availability', 'firing', T0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const incidents = { name: 'incidents', matchers: [parseMatcher('slo_service="checkout"')], pagerduty: 'PD_PAYMENTS', slack: '#incidents', continue: true };
    const { atEnd, resolves } = reloadWhileHeld(s, 'page', (routes) => [incidents, ...routes]);
    expect(atEnd).toEqual([]);
    expect(timeline(s, 'checkout').filter((l) => l.includes('escalated'))).toEqual([]);
    // Its resolve goes to the targets it was told on.
    expect(resolves).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });

  it('dropping the route that sent tickets to PagerDuty: the window’s end does not resolve PagerDuty nor tell Slack the incident de-escalated', () => {
    const s = simulation();
    const tickets = { name: 'tickets', matchers: [parseMatcher('severity="ticket"')], pagerduty: 'PD_PAYMENTS', slack: 'owner', continue: false };
    s.sim.settings.routing.routes = [...s.sim.settings.routing.routes, tickets];
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_PAYMENTS checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    const { atEnd, resolves } = reloadWhileHeld(s, 'ticket', (routes) => routes.filter((r) => r !== tickets));
    expect(atEnd).toEqual([]);
    expect(timeline(s, 'checkout').filter((l) => l.includes('de-escalated'))).toEqual([]);
    // PagerDuty, told of the incident, still gets its resolve when it ends.
    expect(resolves).toEqual(['resolve pagerduty PD_KEY_PAYMENTS checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });

  it('adding a route while an incident never notified is held: the window’s end triggers the routes of the running config, and each gets the resolve', () => {
    const s = simulation();
    maintenance(s, 'checkout', 30);
    s.slo('checkout-availability', 'firing', T0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual([]);
    s.sim.settings.routing.routes = [
      { name: 'incidents', matchers: [parseMatcher('slo_service="checkout"')], pagerduty: undefined, slack: '#incidents', continue: true },
      ...s.sim.settings.routing.routes,
    ];
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual(['trigger slack #incidents checkout/availability', 'trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'trigger slack #checkout-oncall checkout/availability']);
    s.slo('checkout-availability', 'resolved', T0, 'page');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability', 'resolve slack #incidents checkout/availability']);
  });
});

describe('a held cause that a dependent is linked under: the “also affecting” notice is not news of its severity', () => {
  it('a ticket that escalated in a maintenance window, told of a dependent meanwhile: the window’s end pages PagerDuty', () => {
    const s = simulation();
    ticketEscalatedInWindow(s);
    // storefront depends on checkout: linked under it, its Slack thread gets a reply (at page severity).
    s.slo('storefront-probe-availability', 'firing', s.clock.now(), 'ticket');
    s.advance(MINUTE);
    expect(s.sent()).toEqual(['update slack #checkout-oncall checkout/availability']);
    s.advance(30 * MINUTE);
    expect(s.sent()).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
  });

  it('a page that de-escalated under flap damping, told of a dependent meanwhile: once stable, PagerDuty is resolved', () => {
    const s = simulation({ flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    s.slo('checkout-availability', 'firing', T0, 'ticket');
    s.slo('checkout-availability', 'firing', T0, 'page');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'resolved', T0, 'page');
    s.advance(MINUTE);
    s.slo('checkout-availability', 'firing', s.clock.now(), 'page'); // the 3rd change: flapping, sent marked
    s.advance(MINUTE);
    s.sent();
    s.slo('checkout-availability', 'resolved', s.clock.now(), 'page'); // held: a ticket now
    s.advance(MINUTE);
    s.slo('storefront-probe-availability', 'firing', s.clock.now(), 'ticket');
    s.advance(MINUTE);
    // An event on its dedup_key and a thread reply, at the ticket severity it has now.
    expect(s.sent().filter((l) => l.includes('checkout'))).toEqual(['trigger pagerduty PD_KEY_CHECKOUT checkout/availability', 'update slack #checkout-oncall checkout/availability']);
    s.advance(15 * MINUTE);
    expect(s.sent().filter((l) => l.includes('checkout'))).toEqual([
      'update slack #checkout-oncall checkout/availability',
      'resolve pagerduty PD_KEY_CHECKOUT checkout/availability',
    ]);
  });
});
