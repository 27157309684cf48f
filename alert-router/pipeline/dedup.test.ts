import { describe, expect, it } from 'vitest';
import { sloAlertLabels, webhookPayload, type AlertSpec } from '../../test/support/alertmanager-payload.js';
import { MINUTE, simulation } from '../../test/support/router-simulation.js';
import { dedup } from './dedup.js';
import type { AlertRecord, IncomingAlert } from './types.js';

const T0 = Date.parse('2026-11-02T03:00:00Z');

function incoming(status: 'firing' | 'resolved', startsAt = T0, endsAt?: number): IncomingAlert {
  return {
    fingerprint: 'fp1',
    status,
    labels: { alertname: 'X' },
    annotations: {},
    startsAt,
    endsAt,
    generatorURL: undefined,
    severity: 'page',
    incidentKey: 'alert:{alertname="X"}',
    groupLabels: { alertname: 'X' },
  };
}

function stored(status: 'firing' | 'resolved', endsAt?: number): AlertRecord {
  return {
    fingerprint: 'fp1',
    incidentId: 'inc-1',
    status,
    severity: 'page',
    labels: { alertname: 'X' },
    annotations: {},
    startsAt: T0,
    endsAt,
    generatorURL: undefined,
    firstReceivedAt: T0,
    lastReceivedAt: T0,
    receiveCount: 1,
  };
}

describe('dedup', () => {
  const cases: { name: string; input: [IncomingAlert, AlertRecord | undefined]; expected: string }[] = [
    { name: 'a firing alert never seen opens something', input: [incoming('firing'), undefined], expected: 'fire' },
    { name: 'a repeat of a firing alert is a duplicate', input: [incoming('firing'), stored('firing')], expected: 'duplicate' },
    { name: 'a resolve of a firing alert resolves it', input: [incoming('resolved', T0, T0 + 60_000), stored('firing')], expected: 'resolve' },
    { name: 'a second resolve is a duplicate', input: [incoming('resolved', T0, T0 + 60_000), stored('resolved', T0 + 60_000)], expected: 'duplicate' },
    {
      name: 'a firing copy older than the stored resolve is a late re-delivery',
      input: [incoming('firing', T0), stored('resolved', T0 + 60_000)],
      expected: 'stale',
    },
    { name: 'a new firing episode after the resolve re-fires', input: [incoming('firing', T0 + 120_000), stored('resolved', T0 + 60_000)], expected: 'refire' },
    { name: 'a resolve never seen firing touches nothing', input: [incoming('resolved'), undefined], expected: 'unseen-resolve' },
    {
      name: 'a resolve of an earlier episode, after a later one fired, is a late re-delivery',
      input: [incoming('resolved', T0 - 22 * 60_000, T0 - 20 * 60_000), stored('firing')],
      expected: 'stale',
    },
    {
      name: 'a resolve that started earlier but ended after the stored episode started resolves it (merged startsAt)',
      input: [incoming('resolved', T0 - 30_000, T0 + 60_000), stored('firing')],
      expected: 'resolve',
    },
    { name: 'a resolve of a later episode than the stored firing resolves it', input: [incoming('resolved', T0 + 60_000, T0 + 120_000), stored('firing')], expected: 'resolve' },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(dedup(...input).kind).toBe(expected);
  });
});

describe('dedup across firing episodes', () => {
  it('ignores a lagging HA peer’s resolve of an earlier episode instead of resolving the episode firing now', () => {
    const s = simulation();
    const at = (ms: number) => new Date(ms).toISOString();
    const send = (spec: AlertSpec) => s.sim.webhook(webhookPayload([{ labels: sloAlertLabels('page'), fingerprint: 'fp-x', ...spec }]));
    send({ startsAt: at(T0) });
    s.clock.advance(2 * MINUTE);
    send({ status: 'resolved', startsAt: at(T0), endsAt: at(T0 + 2 * MINUTE) });
    s.clock.advance(20 * MINUTE); // past the 15m reopen window: a new incident
    send({ startsAt: at(T0 + 22 * MINUTE) });
    expect(s.sent()).toEqual([
      'trigger pagerduty PD_KEY_CHECKOUT checkout/availability',
      'trigger slack #checkout-oncall checkout/availability',
      'resolve pagerduty PD_KEY_CHECKOUT checkout/availability',
      'resolve slack #checkout-oncall checkout/availability',
      'trigger pagerduty PD_KEY_CHECKOUT checkout/availability',
      'trigger slack #checkout-oncall checkout/availability',
    ]);
    const [current] = s.sim.store.listIncidents({ limit: 1 });
    s.sim.newTimeline();

    s.clock.advance(10_000);
    const late = send({ status: 'resolved', startsAt: at(T0), endsAt: at(T0 + 2 * MINUTE) });
    expect(late.duplicates).toBe(1);
    expect(late.resolvedIncidents).toBe(0);
    expect(s.sent()).toEqual([]);
    expect(s.sim.store.incidentById(current!.id)).toMatchObject({ state: 'open', firingAlerts: 1 });
    const rows = s.sim.newTimeline();
    expect(rows.map((e) => [e.incidentId, e.kind])).toEqual([[current!.id, 'deduplicated']]);
    expect(rows[0]!.reason).toContain('before the stored firing episode started at 2026-11-02T03:22:00.000Z: late re-delivery, ignored');

    s.clock.advance(MINUTE);
    send({ status: 'resolved', startsAt: at(T0 + 22 * MINUTE), endsAt: at(T0 + 23 * MINUTE) });
    expect(s.sent()).toEqual(['resolve pagerduty PD_KEY_CHECKOUT checkout/availability', 'resolve slack #checkout-oncall checkout/availability']);
  });
});
