import { describe, expect, it } from 'vitest';
import { aNotification } from './notification-fixture.js';
import { buildPagerDutyEvent, PAGERDUTY_EVENT_MAX_BYTES, PAGERDUTY_SUMMARY_MAX } from './pagerduty-event.js';

const context = { routingKey: 'R0UTINGKEY0000000000000000000001', source: 'slokit-alert-router' };

describe('buildPagerDutyEvent', () => {
  it('triggers with the incident id as dedup key and the alert facts PagerDuty shows', () => {
    expect(buildPagerDutyEvent(aNotification(), context)).toEqual({
      routing_key: context.routingKey,
      event_action: 'trigger',
      dedup_key: 'inc-checkout-availability-1',
      payload: {
        summary: 'checkout/availability burning error budget 15.8× (page)',
        source: 'slokit-alert-router',
        severity: 'critical',
        timestamp: '2026-11-03T10:00:00.000Z',
        component: 'checkout',
        group: 'payments',
        class: 'availability',
        custom_details: {
          details: 'Fast-burn tier (1h/5m) fired: 15.8× over 1h, 16.2× over 5m.',
          labels: { alertname: 'SLOBurnRateHigh', slo_service: 'checkout', slo_name: 'availability' },
          burnRates: { '5m': 16.2, '1h': 15.8 },
        },
      },
      links: [
        { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
        { href: 'https://grafana.example.com/d/slo-checkout-availability', text: 'Dashboard' },
      ],
    });
  });

  it.each([
    { input: 'trigger' as const, expected: 'trigger' },
    { input: 'update' as const, expected: 'trigger' },
    { input: 'resolve' as const, expected: 'resolve' },
  ])('sends event_action $expected for a $input', ({ input, expected }) => {
    const event = buildPagerDutyEvent(aNotification({ action: input }), context);
    expect(event.event_action).toBe(expected);
    expect(event.dedup_key).toBe('inc-checkout-availability-1');
  });

  it('marks tickets as warnings', () => {
    expect(buildPagerDutyEvent(aNotification({ severity: 'ticket' }), context).payload.severity).toBe('warning');
  });

  it('classes an incident without an SLO by its alertname and leaves out an unknown team', () => {
    const { slo: _slo, team: _team, ...rest } = aNotification();
    const payload = buildPagerDutyEvent(rest, context).payload;
    expect(payload.class).toBe('SLOBurnRateHigh');
    expect(payload).not.toHaveProperty('group');
  });

  it('cuts a long summary to PagerDuty’s 1024-character limit with an ellipsis', () => {
    const summary = buildPagerDutyEvent(aNotification({ summary: 'x'.repeat(5000) }), context).payload.summary;
    expect(summary).toHaveLength(PAGERDUTY_SUMMARY_MAX);
    expect(summary.endsWith('x…')).toBe(true);
  });

  it('never splits an emoji when cutting the summary', () => {
    const summary = buildPagerDutyEvent(aNotification({ summary: `${'x'.repeat(1022)}🔥🔥` }), context).payload.summary;
    expect(summary).toBe(`${'x'.repeat(1022)}…`);
  });

  it('resolves with the routing key, the action and the dedup key only', () => {
    expect(buildPagerDutyEvent(aNotification({ action: 'resolve' }), context)).toEqual({
      routing_key: context.routingKey,
      event_action: 'resolve',
      dedup_key: 'inc-checkout-availability-1',
    });
  });

  it('leaves out links that are not absolute http(s) URLs', () => {
    const links = [
      { href: '/d/slokit-svc-checkout/checkout?var-slo=availability', text: 'Dashboard' },
      { href: '', text: 'Runbook' },
      { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
    ];
    expect(buildPagerDutyEvent(aNotification({ links }), context).links).toEqual([
      { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
    ]);
  });

  it('keeps a trigger for a 5000-alert batch within PagerDuty’s 512 KB, with its labels and burn rates', () => {
    const events = Array.from({ length: 5000 }, (_, i) => ({ kind: 'grouped', fingerprint: `fp-${i}`, reason: `first time alert fp-${i} is seen firing; joined open incident (same alertname and group labels {})` }));
    const notification = aNotification({
      details: events.map((e) => `grouped: ${e.reason}`).join('\n'),
      customDetails: { ...aNotification().customDetails, events },
    });
    const event = buildPagerDutyEvent(notification, context);

    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(PAGERDUTY_EVENT_MAX_BYTES);
    expect(event.payload.custom_details).toMatchObject({
      labels: { alertname: 'SLOBurnRateHigh', slo_service: 'checkout', slo_name: 'availability' },
      burnRates: { '5m': 16.2, '1h': 15.8 },
      truncated: expect.stringContaining('left out: events'),
    });
    expect((event.payload.custom_details as { details: string }).details).toMatch(/^grouped: first time alert fp-0 /);
  });
});
