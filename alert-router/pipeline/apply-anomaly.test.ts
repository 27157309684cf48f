import { describe, expect, it } from 'vitest';
import { ZERO_TIME } from '../../test/support/alertmanager-payload.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { exampleSettings, MINUTE } from '../../test/support/router-simulation.js';
import type { BurnAssessment } from '../anomaly/burn-enricher.js';
import { PipelineSimulator } from '../replay/simulator.js';
import { applyAnomaly } from './apply-anomaly.js';
import type { PipelineSettings, ScoreRequest } from './process-batch.js';
import type { SuppressionSettings } from './suppression-types.js';

const HOLD = 600;

const scored = (score: number, z: number, action: BurnAssessment['decision']['action']): BurnAssessment => ({
  anomaly: { score, z, current: 0.006, usual: 0.0005, days: 7, sentence: `error ratio ${z}σ above its usual for Monday 03:00 UTC` },
  decision: { action, reason: `anomaly score ${score.toFixed(2)}: error ratio ${z}σ above its usual` },
});
const unreachable: BurnAssessment = {
  anomaly: undefined,
  decision: { action: 'none', reason: 'no anomaly score: Prometheus at http://127.0.0.1:1 is unreachable (ECONNREFUSED)' },
  missing: 'prometheus-unavailable',
  failure: 'unreachable',
};

/**
 * The pipeline with `anomaly` on (the service's hold), on a fake clock: scores are applied by hand,
 * the outbox is delivered as the worker would.
 */
function scoring(suppression: Partial<SuppressionSettings> = {}) {
  const clock = new FakeClock();
  const settings: PipelineSettings = { ...exampleSettings(suppression), anomaly: { holdMs: HOLD } };
  const sim = new PipelineSimulator(settings, clock.now);
  type Alert = [severity: 'page' | 'ticket', status: 'firing' | 'resolved', startsAt: number];
  /** One webhook with the SLO's alerts. */
  const batch = (id: string, ...alerts: Alert[]) => {
    const [service = '', name = ''] = id.split('-');
    const alertname = (severity: Alert[0]) => (severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket');
    const status = alerts.some(([, st]) => st === 'firing') ? 'firing' : 'resolved';
    return sim.webhook({
      version: '4',
      groupKey: `{}:{slo_id="${id}"}`,
      truncatedAlerts: 0,
      status,
      receiver: 'slokit',
      groupLabels: { slo_id: id },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: alerts.map(([severity, st, startsAt]) => ({
        status: st,
        labels: { alertname: alertname(severity), slo_id: id, slo_service: service, slo_name: name, severity },
        annotations: {},
        startsAt: new Date(startsAt).toISOString(),
        endsAt: st === 'firing' ? ZERO_TIME : new Date(clock.now()).toISOString(),
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: `fp-${id}-${severity}`,
      })),
    });
  };
  const slo = (id: string, severity: Alert[0], status: Alert[1], startsAt: number) => batch(id, [severity, status, startsAt]);
  let seen = 0;
  return {
    clock,
    sim,
    slo,
    batch,
    apply(request: ScoreRequest, assessment: BurnAssessment) {
      const applied = sim.store.transaction(() => applyAnomaly(request, assessment, sim.store, settings, { now: clock.now, newId: sim.newId }));
      sim.tick();
      return applied;
    },
    /** Moves the clock and delivers what came due, as the outbox worker would. */
    advance(ms: number) {
      clock.advance(ms);
      sim.tick();
    },
    /** Sent since the last call: `action target [score]`. */
    sent(): string[] {
      const out = sim.sent.slice(seen).map(({ notification: n }) => {
        const a = n.customDetails['anomaly'] as { score: number } | undefined;
        return `${n.action} ${n.target.kind}${a === undefined ? '' : ` ${a.score}`}`;
      });
      seen = sim.sent.length;
      return out;
    },
  };
}

describe('applying an anomaly score', () => {
  it('pages PagerDuty again when a ticket escalates in a later episode, after the escalated page of an earlier one resolved', () => {
    const s = scoring();
    const t0 = s.clock.now();
    const first = s.slo('checkout-availability', 'ticket', 'firing', t0);
    expect(s.apply(first.toScore[0]!, scored(0.97, 12, 'escalate')).action).toBe('escalate');
    expect(s.sent()).toEqual(['trigger slack 0.97', 'trigger pagerduty 0.97', 'update slack 0.97']);
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'ticket', 'resolved', t0);
    // Slack's resolve rewrites the first message, so it carries the score that message showed.
    expect(s.sent()).toEqual(['resolve pagerduty', 'resolve slack 0.97']);

    // It fires again within the reopen window, as a ticket, and scores as far outside its week again.
    s.clock.advance(MINUTE);
    const again = s.slo('checkout-availability', 'ticket', 'firing', s.clock.now());
    expect(again.reopened).toBe(1);
    expect(s.apply(again.toScore[0]!, scored(0.95, 10, 'escalate')).action).toBe('escalate');
    expect(s.sent()).toEqual(['update slack 0.95', 'trigger pagerduty 0.95', 'update slack 0.95']);
  });

  it('keeps the score on the Slack update that rewrites the first message when the incident de-escalates to ticket', () => {
    const s = scoring();
    const t0 = s.clock.now();
    // A page to de-escalate from: both alerts fire in the first batch.
    const first = s.batch('checkout-availability', ['ticket', 'firing', t0], ['page', 'firing', t0]);
    s.apply(first.toScore[0]!, scored(0.3, 2, 'none'));
    s.sent();
    s.clock.advance(MINUTE);
    s.slo('checkout-availability', 'page', 'resolved', t0);
    expect(s.sent()).toEqual(['update slack 0.3', 'resolve pagerduty']);
  });

  /** A ticket scored 0.3 and told to Slack, then, a minute on, its page alert: the escalation's batch. */
  const escalation = (s: ReturnType<typeof scoring>) => {
    const first = s.slo('checkout-availability', 'ticket', 'firing', s.clock.now());
    s.apply(first.toScore[0]!, scored(0.3, 2, 'none'));
    expect(s.sent()).toEqual(['trigger slack 0.3']);
    s.clock.advance(MINUTE);
    return s.slo('checkout-availability', 'page', 'firing', s.clock.now());
  };

  it("scores the page a ticket escalates to: PagerDuty's trigger and Slack's rewrite wait for that score, and carry it", () => {
    const s = scoring();
    const up = escalation(s);
    expect(up.toScore).toEqual([expect.objectContaining({ severity: 'page' })]);
    expect(s.sent()).toEqual([]);
    // Within its usual for the time of day: a recurring page, said so in its summary.
    expect(s.apply(up.toScore[0]!, scored(0.1, 1, 'mark-recurring')).action).toBe('mark-recurring');
    expect(s.sent()).toEqual(['trigger pagerduty 0.1', 'update slack 0.1']);
    const page = s.sim.sent.find(({ notification: n }) => n.target.kind === 'pagerduty')!.notification;
    expect(page.summary).toMatch(/^\[recurring\] /);
    const rows = s.sim.store.timelineOf(up.toScore[0]!.incidentId).filter((e) => e.kind === 'scored');
    expect(rows).toHaveLength(2);
  });

  it('sends the escalation unscored when its score does not come within the hold, not with the ticket\'s', () => {
    const s = scoring();
    escalation(s);
    s.advance(HOLD - 1);
    expect(s.sent()).toEqual([]);
    s.advance(1);
    expect(s.sent()).toEqual(['trigger pagerduty', 'update slack']);
  });

  it("keeps the score on Slack's resolve when a maintenance window ended early and one batch resolves the incident it held", () => {
    const s = scoring();
    const t0 = s.clock.now();
    const first = s.slo('checkout-availability', 'ticket', 'firing', t0);
    s.apply(first.toScore[0]!, scored(0.3, 2, 'none'));
    expect(s.sent()).toEqual(['trigger slack 0.3']);
    const window = s.sim.addMaintenance({ matchers: ['slo_service="checkout"'], startsAt: s.clock.now(), endsAt: s.clock.now() + 30 * MINUTE, author: 'ops', comment: '' });
    s.clock.advance(MINUTE);
    const t1 = s.clock.now();
    s.slo('checkout-availability', 'page', 'firing', t1); // its escalation, held by the window
    expect(s.sent()).toEqual([]);
    s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(window.id, s.clock.now(), 'ops'));
    s.clock.advance(MINUTE);
    s.batch('checkout-availability', ['page', 'resolved', t1], ['ticket', 'resolved', t0]);
    expect(s.sent()).toEqual(['resolve slack 0.3']);
  });

  it("keeps the score on Slack's resolve that flap damping held until the incident was stable", () => {
    const s = scoring({ flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE } });
    const t0 = s.clock.now();
    const first = s.slo('checkout-availability', 'ticket', 'firing', t0);
    s.apply(first.toScore[0]!, scored(0.3, 2, 'none'));
    expect(s.sent()).toEqual(['trigger slack 0.3']);
    s.advance(MINUTE);
    s.slo('checkout-availability', 'ticket', 'resolved', t0);
    s.advance(MINUTE);
    const again = s.slo('checkout-availability', 'ticket', 'firing', s.clock.now()); // the 3rd change: flapping
    s.apply(again.toScore[0]!, scored(0.4, 3, 'none'));
    s.advance(MINUTE);
    s.slo('checkout-availability', 'ticket', 'resolved', s.clock.now() - MINUTE);
    s.sent();
    s.advance(15 * MINUTE);
    expect(s.sent()).toEqual(['resolve slack 0.4']);
  });

  it("releases only the notifications held for its own episode: a reopen's wait for their own score", () => {
    const s = scoring();
    const t0 = s.clock.now();
    const first = s.slo('checkout-availability', 'ticket', 'firing', t0);
    s.clock.advance(100);
    s.slo('checkout-availability', 'ticket', 'resolved', t0);
    s.clock.advance(100);
    const again = s.slo('checkout-availability', 'ticket', 'firing', s.clock.now());
    expect(again.toScore).toHaveLength(1);

    // The first episode's score lands: its held trigger goes out with it (the resolve behind it), the reopen keeps waiting.
    s.apply(first.toScore[0]!, scored(0.3, 2, 'none'));
    expect(s.sent()).toEqual(['trigger slack 0.3', 'resolve slack']);
    s.apply(again.toScore[0]!, scored(0.5, 6, 'none'));
    expect(s.sent()).toEqual(['update slack 0.5']);
  });

  it('queues the notice to a linked cause at once: only the scored incident waits for its score', () => {
    const s = scoring();
    const cause = s.slo('payments-authorisations', 'page', 'firing', s.clock.now());
    s.apply(cause.toScore[0]!, scored(0.9, 11, 'none'));
    expect(s.sent()).toEqual(['trigger pagerduty 0.9', 'trigger slack 0.9']);
    // checkout depends on payments, which paged: checkout's ticket is linked to it, and payments' channel told.
    s.clock.advance(MINUTE);
    const dependent = s.slo('checkout-availability', 'ticket', 'firing', s.clock.now());
    expect(dependent.suppressed).toEqual({ dependency: 1 });
    expect(s.sent()).toEqual(['trigger pagerduty', 'update slack']);
  });

  it('says once that there is no score when Prometheus could not be asked', () => {
    const s = scoring();
    const opened = s.slo('checkout-availability', 'page', 'firing', s.clock.now());
    s.apply(opened.toScore[0]!, unreachable);
    expect(s.sent()).toEqual(['trigger pagerduty', 'trigger slack']);
    const row = s.sim.store.timelineOf(opened.toScore[0]!.incidentId).find((e) => e.kind === 'scored');
    expect(row?.reason).toBe('no anomaly score: Prometheus at http://127.0.0.1:1 is unreachable (ECONNREFUSED); the notifications go out without one');
  });
});
