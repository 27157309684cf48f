import { describe, expect, it } from 'vitest';
import { routerCatalog } from '../../test/support/router-catalog.js';
import { aCheckoutIncident, aGeneratedSloAlert, type GeneratedAlert } from '../notify/generated-alert-fixture.js';
import { buildPagerDutyEvent } from '../notify/pagerduty-event.js';
import { buildSlackResolved, buildSlackTrigger } from '../notify/slack-message.js';
import { CatalogIndex } from './catalog-index.js';
import type { IncidentEvent } from './correlate.js';
import { enqueue, type EnqueueInput } from './enqueue.js';
import { parseMatcher } from './matcher.js';

const OPENED = Date.parse('2026-11-02T03:00:00Z');

function anEvent(kind: IncidentEvent['kind'], alert: GeneratedAlert, fingerprint = 'fp-page'): IncidentEvent {
  return { kind, reason: `${kind} for the test`, fingerprint, labels: alert.labels, annotations: alert.annotations };
}

function input(overrides: Partial<EnqueueInput>): EnqueueInput {
  let ids = 0;
  return {
    before: undefined,
    after: aCheckoutIncident(),
    events: [],
    targets: [],
    // A known target was last sent the trigger, unless a test says otherwise.
    lastAction: () => 'trigger',
    routing: {
      routes: [{ name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'owner', slack: 'owner', continue: false }],
      pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' },
      defaultPagerdutyKeyEnv: undefined,
      defaultSlackChannel: '#alerts',
    },
    catalog: new CatalogIndex(routerCatalog()),
    now: OPENED,
    newId: () => `n-${++ids}`,
    ...overrides,
  };
}

describe('enqueue: what the person on call is told', () => {
  it('carries the burn rates a generated page alert renders into PagerDuty’s custom_details and Slack’s Burn rate field', () => {
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const [pd, slack] = enqueue(input({ events: [anEvent('opened', page)] })).notifications;

    const event = buildPagerDutyEvent(pd!, { routingKey: 'key', source: 'slokit-alert-router' });
    expect(event.payload.custom_details).toMatchObject({ burnRates: { '1h': 15.8, '5m': 16.2, '6h': 3.1, '30m': 4 } });
    const fields = (buildSlackTrigger(slack!).blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toContain('*Burn rate*\n15.8× over 1h · 16.2× over 5m · 3.1× over 6h · 4× over 30m');
  });

  it("shows what fired in a trigger (the alert's description), and what changed in an update", () => {
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const [pd, slack] = enqueue(input({ events: [anEvent('opened', page)] })).notifications;
    expect(page.annotations['description']).toContain('1h 15.8×, 5m 16.2×: FIRING');
    expect(pd!.details).toBe(page.annotations['description']);
    expect(slack!.details).toBe(page.annotations['description']);
    expect(pd!.customDetails['events']).toEqual([{ kind: 'opened', fingerprint: 'fp-page', reason: 'opened for the test' }]);

    const [update] = enqueue(
      input({
        before: aCheckoutIncident(),
        after: aCheckoutIncident({ firingAlerts: 2, updatedAt: OPENED + 60_000 }),
        events: [anEvent('grouped', page, 'fp-page-2')],
        targets: [{ kind: 'slack', destination: '#checkout', ref: '1700000000.000100' }],
      }),
    ).notifications;
    expect(update!.action).toBe('update');
    expect(update!.details).toBe('grouped: grouped for the test');
  });

  it('sums a page up in one line naming the SLO once, how fast it burns and the severity once', () => {
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const summaries = enqueue(input({ events: [anEvent('opened', page)] })).notifications.map((n) => n.summary);
    expect(summaries).toEqual([
      'checkout/availability is burning its error budget fast, 15.8× over 1h (page)',
      'checkout/availability is burning its error budget fast, 15.8× over 1h (page)',
    ]);
  });

  it('tells the channel that had the ticket of the escalation to a page, when pages route to PagerDuty only', () => {
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const result = enqueue(
      input({
        before: aCheckoutIncident({ severity: 'ticket' }),
        after: aCheckoutIncident({ severity: 'page' }),
        targets: [{ kind: 'slack', destination: '#checkout', ref: '1700000000.000100' }],
        events: [anEvent('escalated', page)],
        // No routes: the owner fallback, pages to PagerDuty and tickets to Slack.
        routing: { routes: [], pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' }, defaultPagerdutyKeyEnv: undefined, defaultSlackChannel: '#alerts' },
      }),
    );
    expect(result.notifications.map((n) => [n.action, n.target.kind, n.target.destination, n.escalated ?? false])).toEqual([
      ['trigger', 'pagerduty', 'PD_KEY_CHECKOUT', false],
      ['update', 'slack', '#checkout', true],
    ]);
    expect(result.newTargets).toEqual([{ kind: 'pagerduty', destination: 'PD_KEY_CHECKOUT' }]);
    expect(result.timeline.at(-1)!.reason).toContain('update for slack #checkout: escalated; the first message is edited to the new severity (the page itself is routed elsewhere)');
  });

  it('on a de-escalation with the owner fallback, resolves PagerDuty and triggers the ticket in Slack, which had not heard of the page', () => {
    const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['2.1', '2.4', '1.9', '2.0']);
    const result = enqueue(
      input({
        before: aCheckoutIncident({ severity: 'page', firingAlerts: 2, firingPages: 1 }),
        after: aCheckoutIncident({ severity: 'ticket', firingAlerts: 1, firingPages: 0 }),
        targets: [{ kind: 'pagerduty', destination: 'PD_KEY_CHECKOUT', ref: undefined }],
        events: [anEvent('alert-resolved', aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['0.5', '0.1', '3.1', '4.0'])), anEvent('de-escalated', ticket, 'fp-ticket')],
        routing: { routes: [], pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' }, defaultPagerdutyKeyEnv: undefined, defaultSlackChannel: '#alerts' },
      }),
    );
    expect(result.notifications.map((n) => [n.action, n.target.kind, n.severity])).toEqual([
      ['trigger', 'slack', 'ticket'],
      ['resolve', 'pagerduty', 'ticket'],
    ]);
    expect(result.notifications[0]!.summary).toContain('(ticket)');
    expect(result.newTargets).toEqual([{ kind: 'slack', destination: expect.any(String) }]);
  });

  it('sends no de-escalation when the page became a ticket and resolved in the same batch', () => {
    const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['2.1', '2.4', '1.9', '2.0']);
    const result = enqueue(
      input({
        before: aCheckoutIncident({ severity: 'page', firingAlerts: 2, firingPages: 1 }),
        after: aCheckoutIncident({ severity: 'ticket', state: 'resolved', resolvedAt: OPENED + 60_000, firingAlerts: 0, firingPages: 0 }),
        targets: [{ kind: 'pagerduty', destination: 'PD_KEY_CHECKOUT', ref: undefined }],
        events: [anEvent('de-escalated', ticket, 'fp-ticket'), anEvent('resolved', ticket, 'fp-ticket')],
        routing: { routes: [], pagerdutyServices: { 'checkout-oncall': 'PD_KEY_CHECKOUT' }, defaultPagerdutyKeyEnv: undefined, defaultSlackChannel: '#alerts' },
      }),
    );
    expect(result.notifications.map((n) => [n.action, n.target.kind])).toEqual([['resolve', 'pagerduty']]);
  });

  it('says which tier a thread reply is about when a ticket alert joins a page', () => {
    const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['2.1', '2.4', '1.9', '2.0']);
    const [update] = enqueue(
      input({
        before: aCheckoutIncident(),
        after: aCheckoutIncident({ firingAlerts: 2 }),
        targets: [{ kind: 'slack', destination: '#checkout', ref: '1700000000.000100' }],
        events: [anEvent('grouped', ticket, 'fp-ticket')],
      }),
    ).notifications;
    expect(update).toMatchObject({ action: 'update', severity: 'page' });
    expect(update!.summary).toMatch(/ \(ticket tier; the incident is a page\)$/);
    expect(update!.summary).not.toMatch(/\(page\)$/);
  });

  it('resolves only the targets whose last word was not already the resolve, and says why it skips one', () => {
    const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['3.4', '3.6', '1.2', '1.5']);
    const targets = [
      { kind: 'pagerduty' as const, destination: 'PD_KEY_CHECKOUT', ref: 'inc-1' },
      { kind: 'slack' as const, destination: '#checkout', ref: '1700000000.000100' },
    ];
    // The page of the first episode resolved; the incident reopened as a ticket (a Slack update only), and now resolves.
    const out = enqueue(
      input({
        before: aCheckoutIncident({ severity: 'ticket' }),
        after: aCheckoutIncident({ severity: 'ticket', state: 'resolved', resolvedAt: OPENED + 60_000, firingAlerts: 0 }),
        events: [anEvent('alert-resolved', ticket, 'fp-ticket'), anEvent('resolved', ticket, 'fp-ticket')],
        targets,
        lastAction: (t) => (t.kind === 'pagerduty' ? 'resolve' : 'update'),
      }),
    );
    expect(out.notifications.map((n) => `${n.action} ${n.target.kind}`)).toEqual(['resolve slack']);
    expect(out.timeline.find((e) => e.kind === 'routed')?.reason).toBe(
      "no resolve for pagerduty (routing key from $PD_KEY_CHECKOUT): it was already sent this incident's resolve, and nothing since (this episode was not routed there)",
    );

    // Reopened and resolved in one batch: the trigger made in this batch counts, not the outbox's resolve.
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const both = enqueue(
      input({
        before: aCheckoutIncident({ state: 'resolved', resolvedAt: OPENED }),
        after: aCheckoutIncident({ state: 'resolved', resolvedAt: OPENED + 60_000, firingAlerts: 0 }),
        events: [anEvent('reopened', page), anEvent('alert-resolved', page), anEvent('resolved', page)],
        targets,
        lastAction: () => 'resolve',
      }),
    );
    expect(both.notifications.map((n) => `${n.action} ${n.target.kind}`)).toEqual(['trigger pagerduty', 'update slack', 'resolve pagerduty', 'resolve slack']);
  });

  it('tells the resolve from the page alert when the ticket alert resolved after it in the same batch', () => {
    const page = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    const ticket = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['3.4', '3.6', '1.2', '1.5']);
    const out = enqueue(
      input({
        before: aCheckoutIncident({ firingAlerts: 2 }),
        after: aCheckoutIncident({ state: 'resolved', resolvedAt: OPENED + 60_000, firingAlerts: 0 }),
        events: [anEvent('alert-resolved', page), anEvent('alert-resolved', ticket, 'fp-ticket'), anEvent('resolved', ticket, 'fp-ticket')],
        targets: [
          { kind: 'pagerduty', destination: 'PD_KEY_CHECKOUT', ref: 'inc-1' },
          { kind: 'slack', destination: '#checkout', ref: '1700000000.000100' },
        ],
      }),
    );
    const slack = out.notifications.find((n) => n.target.kind === 'slack')!;
    expect(slack.action).toBe('resolve');
    expect(buildSlackResolved(slack, '2026-11-02T03:01:00.000Z').text).toBe(
      ':white_check_mark: Resolved: checkout/availability is burning its error budget fast, 15.8× over 1h (page)',
    );
  });
});
