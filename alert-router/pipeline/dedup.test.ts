import { describe, expect, it } from 'vitest';
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
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(dedup(...input).kind).toBe(expected);
  });
});
