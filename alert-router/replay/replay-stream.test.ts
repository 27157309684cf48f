import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleSettings } from '../../test/support/router-simulation.js';
import { parseStream, replayStream } from './replay-stream.js';

const FIXTURE = new URL('../../test/fixtures/router-replay.jsonl', import.meta.url);

describe('replay of the example stream (test/fixtures/router-replay.jsonl)', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const truth = (JSON.parse(text.split('\n')[0]!) as { truth: { real: string[]; noise: string[] } }).truth;
  const { sim, report } = replayStream(parseStream(text), exampleSettings(), { tickIntervalMs: 5_000, settleMs: 2 * 3_600_000 });

  it('takes 79 alerts in and sends 45 notifications, holding back the rest for a stated reason', () => {
    expect(report.alertsIn).toBe(79);
    expect(report.notificationsOut).toBe(45);
    expect(report.suppressedByReason).toEqual({ dependency: 5, flapping: 6, maintenance: 3, storm: 15 });
  });

  it('notifies every real incident at least once, alone or listed in a storm digest', () => {
    const listed = new Set(
      sim.sent.flatMap(({ notification: n }) => [n.incidentId, ...((n.customDetails['incidents'] as { incidentId: string }[] | undefined) ?? []).map((i) => i.incidentId)]),
    );
    for (const fp of truth.real) {
      const alert = sim.store.latestAlert(fp);
      expect(alert, fp).toBeDefined();
      expect(listed.has(alert!.incidentId), `${fp} was never notified`).toBe(true);
    }
    // And the noise never paged on its own: maintenance symptoms and dependents that recovered with their cause.
    const paged = new Set(sim.sent.filter((s) => s.notification.action === 'trigger').map((s) => s.notification.incidentId));
    for (const fp of ['fp-pg-repl', 'fp-pg-conn', 'fp-co-avail', 'fp-co-lat']) expect(paged.has(sim.store.latestAlert(fp)!.incidentId), fp).toBe(false);
  });

  it('delivers a resolve to every target that was sent a trigger, after it', () => {
    const open = new Map<string, number>();
    for (const { at, notification: n } of sim.sent) {
      const k = `${n.incidentId} ${n.target.kind} ${n.target.destination}`;
      if (n.action === 'trigger' && !open.has(k)) open.set(k, at);
      if (n.action === 'resolve') open.delete(k);
    }
    expect([...open.keys()]).toEqual([]);
  });
});

describe('replay with a config that scores anomalies', () => {
  it('sends first notifications when their webhook arrives, not at the next tick: replay asks no Prometheus', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const plain = replayStream(parseStream(text), exampleSettings(), { tickIntervalMs: 5_000, settleMs: 2 * 3_600_000 });
    const scoring = replayStream(parseStream(text), { ...exampleSettings(), anomaly: { holdMs: 600 } }, { tickIntervalMs: 5_000, settleMs: 2 * 3_600_000 });
    const sent = (r: typeof plain) => r.sim.sent.map(({ at, notification: n }) => `${new Date(at).toISOString()} ${n.action} ${n.target.kind} ${n.target.destination}`);
    expect(sent(scoring)).toEqual(sent(plain));
  });
});

describe('parseStream', () => {
  const maintenance = (m: Record<string, unknown>) => JSON.stringify({ at: '2024-01-01T00:00:00Z', maintenance: m });
  it.each([
    { text: '{"at":"3000","webhook":{}}', expected: 'line 1: "at" is not an RFC 3339 time like 2024-01-01T00:00:00Z' },
    { text: `\n${maintenance({ matchers: ['service="a"'], endsAt: '2024-01-01', author: 'me' })}`, expected: 'line 2: "maintenance.endsAt" is not an RFC 3339 time' },
    { text: maintenance({ matchers: 'service="a"', endsAt: '2024-01-02T00:00:00Z', author: 'me' }), expected: 'line 1: "maintenance.matchers" must be a non-empty list' },
    { text: maintenance({ matchers: ['service="a"'], endsAt: '2024-01-02T00:00:00Z' }), expected: 'line 1: "maintenance.author" must be a string' },
  ])('names the line and field of $expected', ({ text, expected }) => {
    expect(() => parseStream(text)).toThrow(expected);
  });

  it('reads a maintenance window that starts when it is recorded unless it says otherwise', () => {
    const [event] = parseStream(maintenance({ matchers: ['service="a"'], endsAt: '2024-01-01T01:00:00Z', author: 'me' }));
    expect(event).toMatchObject({ kind: 'maintenance', window: { startsAt: Date.UTC(2024, 0, 1), endsAt: Date.UTC(2024, 0, 1, 1), comment: '' } });
  });
});
