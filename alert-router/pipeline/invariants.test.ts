/**
 * What the router promises whatever Alertmanager sends, checked on random sequences of webhooks
 * (fast-check, shrunk to the shortest failing sequence): SLO burn alerts of either or both tiers for
 * services that depend on each other, plain alerts, re-deliveries of the last webhook or of an older
 * one (a lagging HA peer), maintenance windows set and ended early, restarts (the store's in-memory
 * state rebuilt from its tables), retention deleting what resolved long enough ago, PagerDuty or Slack unreachable for a while (deliveries retried),
 * anomaly scores (anomalous, usual, missing, late), and time passing with the service's tick, through the production pipeline (the simulator: in-memory
 * store, a notifier that records what it delivers). A failure prints the seed and the shortest
 * sequence to replay; `INVARIANT_RUNS=N` runs N sequences per property instead of 300.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Notification } from '../notify/types.js';
import { ZERO_TIME } from '../../test/support/alertmanager-payload.js';
import { MINUTE, simulation } from '../../test/support/router-simulation.js';
import type { BurnAssessment } from '../anomaly/burn-enricher.js';
import type { ScoreRequest } from './process-batch.js';
import type { SuppressionSettings } from './suppression-types.js';

const T0 = Date.parse('2026-11-02T03:00:00Z');

/**
 * The shortest retention the pipeline allows for: longer than the reopen window (15m) and the
 * correlation windows (dependencies 1h). The config's floor is 1d; the sequences span a few hours.
 */
const RETENTION_MS = 61 * MINUTE;

/** checkout depends on payments and catalog; storefront on checkout and catalog (alert-router/catalog.json). */
const SLOS = ['checkout-availability', 'payments-authorisations', 'catalog-read-latency', 'storefront-probe-availability'] as const;

type Status = 'firing' | 'resolved';
type Slo = (typeof SLOS)[number];
type Op =
  | { kind: 'slo'; slo: Slo; severity: 'page' | 'ticket' | 'both'; status: Status }
  | { kind: 'alert'; alertname: 'DiskFull' | 'NodeDown'; instance: 'node-a' | 'node-b' | 'both'; cluster: 'eu-1' | 'us-1'; severity: 'page' | 'ticket'; status: Status }
  | { kind: 'redeliver'; back: number }
  | { kind: 'maintenance'; service: 'checkout' | 'payments'; minutes: number }
  | { kind: 'end-maintenance' }
  | { kind: 'restart' }
  | { kind: 'outage'; target: 'pagerduty' | 'slack'; minutes: number }
  | { kind: 'score'; burn: 'anomalous' | 'usual' | 'missing' }
  | { kind: 'purge' }
  | { kind: 'advance'; ms: number };

const status = fc.constantFrom<Status>('firing', 'resolved');
const severity = fc.constantFrom<'page' | 'ticket'>('page', 'ticket');

/**
 * Operations on a small cast (one to three of the SLOs, plain alerts on two instances), so a sequence returns to
 * the same incidents often: the states worth checking come from the same alert firing, resolving,
 * reopening and escalating, not from many alerts each touched once. `withHolds` adds maintenance
 * windows and unreachable targets, which delay notifications on purpose (not for the strict property,
 * which checks after every step); `withScores`, anomaly scores.
 */
const sequences = (withHolds: boolean, withScores = false): fc.Arbitrary<Op[]> =>
  fc.shuffledSubarray([...SLOS], { minLength: 1, maxLength: 3 }).chain((cast) => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({ kind: fc.constant('slo' as const), slo: fc.constantFrom(...cast), severity: fc.constantFrom<'page' | 'ticket' | 'both'>('page', 'ticket', 'both'), status }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('alert' as const),
          alertname: fc.constantFrom('DiskFull' as const, 'NodeDown' as const),
          // 'both': one webhook with both instances, as Alertmanager groups them by alertname.
          instance: fc.constantFrom('node-a' as const, 'node-b' as const, 'both' as const),
          cluster: fc.constantFrom('eu-1' as const, 'us-1' as const),
          severity,
          status,
        }),
      },
      // 0: Alertmanager's retry of the last webhook, or its HA peer's copy; more: a lagging peer's older one.
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), back: fc.oneof(fc.constant(0), fc.nat({ max: 10 })) }) },
      {
        weight: withHolds ? 1 : 0,
        arbitrary: fc.record({ kind: fc.constant('maintenance' as const), service: fc.constantFrom('checkout' as const, 'payments' as const), minutes: fc.integer({ min: 1, max: 60 }) }),
      },
      { weight: withHolds ? 1 : 0, arbitrary: fc.constant({ kind: 'end-maintenance' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
      // An hour passes, then retention deletes what resolved more than RETENTION_MS ago, as the service's tick does.
      { weight: 1, arbitrary: fc.constant({ kind: 'purge' as const }) },
      // PagerDuty or Slack unreachable for a while: deliveries wait and are retried (only where the
      // properties allow for delivery delay).
      {
        weight: withHolds ? 1 : 0,
        arbitrary: fc.record({ kind: fc.constant('outage' as const), target: fc.constantFrom('pagerduty' as const, 'slack' as const), minutes: fc.integer({ min: 1, max: 30 }) }),
      },
      // The anomaly score of the oldest SLO incident waiting for one (see `run`).
      { weight: withScores ? 2 : 0, arbitrary: fc.record({ kind: fc.constant('score' as const), burn: fc.constantFrom('anomalous' as const, 'usual' as const, 'missing' as const) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 20 * MINUTE }) }) },
    );
    // 'max': lengths spread up to 40 (the default size keeps arrays near ten).
    return fc.array(op, { minLength: 1, maxLength: 40, size: 'max' });
  });

/**
 * An anomaly assessment as the enricher and policy would give it for `burn`: far outside its usual (a
 * ticket escalates), within it (a page is marked recurring), or no score at all.
 */
function assessment(burn: 'anomalous' | 'usual' | 'missing', severity: 'page' | 'ticket'): BurnAssessment {
  if (burn === 'missing') return { anomaly: undefined, decision: { action: 'none', reason: 'not enough history to score the burn' }, missing: 'no-history' };
  const anomalous = burn === 'anomalous';
  const sentence = anomalous ? 'error ratio 9σ above its usual for Monday 03:00 UTC (4.00% vs 0.10%)' : 'error ratio 0.4σ above its usual for Monday 03:00 UTC (0.12% vs 0.10%)';
  const anomaly = { score: anomalous ? 0.97 : 0.08, z: anomalous ? 9 : 0.4, current: anomalous ? 0.04 : 0.0012, usual: 0.001, days: 7, sentence };
  if (anomalous && severity === 'ticket') return { anomaly, decision: { action: 'escalate', reason: `anomaly score 0.97 ≥ 0.9: ${sentence}` } };
  if (!anomalous && severity === 'page') return { anomaly, decision: { action: 'mark-recurring', reason: `recurring: ${sentence}` } };
  return { anomaly, decision: { action: 'none', reason: sentence } };
}

interface Sent {
  action: Notification['action'];
  incidentId: string;
  target: string;
  /**
   * What the receiver shows of the incident after it: a trigger or a resolve sets it; a Slack update
   * that edits the first message (a reopen, an escalation) shows it firing again; any other update is a
   * thread reply and changes nothing.
   */
  shows: 'firing' | 'resolved' | undefined;
}

/** What a notification makes its receiver show (see {@link Sent.shows}). */
function shows(n: Notification): Sent['shows'] {
  if (n.action === 'trigger') return 'firing';
  if (n.action === 'resolve') return 'resolved';
  return n.reopened === true || n.escalated === true ? 'firing' : undefined;
}

/** Per incident and target (`incidentId kind destination`), what it shows after everything sent. */
function shown(sent: Sent[]): Map<string, Sent['shows']> {
  const out = new Map<string, Sent['shows']>();
  for (const x of sent) {
    const k = `${x.incidentId} ${x.target}`;
    out.set(k, x.shows ?? out.get(k));
  }
  return out;
}

const sentOf = (n: Notification): Sent => ({ action: n.action, incidentId: n.incidentId, target: `${n.target.kind} ${n.target.destination}`, shows: shows(n) });

type Simulator = ReturnType<typeof simulation>['sim'];

/**
 * What PagerDuty and Slack show of each incident now (one target of each kind per incident in the
 * example catalog), and whether a page alert of it fires.
 */
function receivers(sim: Simulator) {
  const byKind = new Map<string, Sent['shows']>();
  for (const [k, v] of shown(sim.sent.map(({ notification: n }) => sentOf(n)))) byKind.set(k.split(' ', 2).join(' '), v);
  const firing = sim.store.db.prepare("SELECT 1 FROM alerts WHERE incident_id = ? AND status = 'firing' AND severity = 'page'");
  return {
    pd: (id: string) => byKind.get(`${id} pagerduty`),
    slack: (id: string) => byKind.get(`${id} slack`),
    firingPage: (id: string) => firing.get(id) !== undefined,
  };
}

/** Services whose owner has a PagerDuty service in the example catalog (catalog's team has none). */
const PAGED_SERVICES = new Set(['checkout', 'payments', 'storefront']);

/**
 * With nothing to hold a notification back (every suppression stage off, no maintenance), what each
 * receiver shows matches the incident now: an open incident with a firing page alert has paged its
 * owner's PagerDuty, every open incident has its Slack message showing it firing, and no receiver
 * shows a resolved one firing.
 */
function liveProblems(sim: Simulator): string[] {
  const out: string[] = [];
  const r = receivers(sim);
  for (const i of sim.store.listIncidents({ limit: 1000 })) {
    const firingPage = r.firingPage(i.id);
    const pd = r.pd(i.id);
    const slack = r.slack(i.id);
    if (i.state === 'open') {
      if (firingPage && PAGED_SERVICES.has(i.service) && pd !== 'firing') out.push(`${i.title}: a page alert fires, PagerDuty shows ${pd ?? 'nothing'}`);
      if (slack !== 'firing') out.push(`${i.title}: open, Slack shows ${slack ?? 'nothing'}`);
    } else {
      if (pd === 'firing') out.push(`${i.title}: resolved, PagerDuty shows it firing`);
      if (slack === 'firing') out.push(`${i.title}: resolved, Slack shows it firing`);
    }
  }
  return out;
}

/**
 * With the suppression stages on, checked once a tick has run: an open incident with a firing page alert
 * whose owner has PagerDuty is paged, or held for a reason that pages someone else or is deliberate (a
 * maintenance window, flap damping, a storm digest, a cause whose own PagerDuty incident is open); and
 * a resolved incident shows firing only while flap damping holds its final state.
 */
function missedPages(sim: Simulator): string[] {
  const out: string[] = [];
  const { pd, slack, firingPage } = receivers(sim);
  const holdOf = sim.store.db.prepare('SELECT reason, parent_id AS parentId FROM holds WHERE incident_id = ?');
  const digested = sim.store.db.prepare('SELECT 1 FROM digest_items WHERE incident_id = ?');
  for (const i of sim.store.listIncidents({ limit: 1000 })) {
    const hold = holdOf.get(i.id) as { reason: string; parentId: string | null } | undefined;
    const deliberate = hold?.reason === 'maintenance' || hold?.reason === 'flapping' || digested.get(i.id) !== undefined;
    if (i.key.startsWith('storm')) continue;
    if (i.state === 'open') {
      // Not held: its own Slack message shows it firing. (Held as linked, its cause's thread has it; a
      // linked reopen leaves its own message showing the earlier episode resolved.)
      if (!deliberate && hold === undefined && slack(i.id) !== 'firing') out.push(`${i.title}: open and not held, Slack shows ${slack(i.id) ?? 'nothing'}`);
      // A page alert fires, or a ticket was escalated to page by its anomaly score.
      if ((!firingPage(i.id) && i.severity !== 'page') || !PAGED_SERVICES.has(i.service) || pd(i.id) === 'firing' || deliberate) continue;
      if (hold !== undefined && hold.parentId !== null && pd(hold.parentId) === 'firing') continue;
      out.push(`${i.title}: a page alert fires and nobody is paged (${hold === undefined ? 'no hold' : `held: ${hold.reason} under ${hold.parentId ?? 'nothing'}, whose PagerDuty shows ${pd(hold.parentId ?? '') ?? 'nothing'}`})`);
    } else if (hold?.reason !== 'flapping') {
      if (pd(i.id) === 'firing') out.push(`${i.title}: resolved, PagerDuty shows it firing`);
      if (slack(i.id) === 'firing') out.push(`${i.title}: resolved, Slack shows it firing`);
    }
  }
  return out;
}

/** Drives one sequence and returns what a user of PagerDuty and Slack would have seen, plus the store. */
function run(ops: Op[], suppression: Partial<SuppressionSettings>, strict = false, anomaly?: { holdMs: number }, bulk = false) {
  const s = simulation(suppression, anomaly, { bulk });
  /** SLO incidents waiting for their anomaly score, oldest first, and when the last webhook came. */
  const toScore: ScoreRequest[] = [];
  let lastWebhookAt = 0;
  const webhook = (body: unknown) => {
    const outcome = s.sim.webhook(body);
    toScore.push(...outcome.toScore);
    lastWebhookAt = s.clock.now();
    return outcome;
  };
  /** Per alert (by its labels): when its current episode started, while it fires. */
  const firingSince = new Map<string, number>();
  const labelsOf = new Map<string, Record<string, string>>();
  /** Every webhook body sent, in order. */
  const bodies: unknown[] = [];
  const windows: string[] = [];
  const problems: string[] = [];
  /** Until when each kind of target is unreachable (epoch ms). */
  const downUntil = new Map<string, number>();
  s.sim.unreachable = (target) => (downUntil.get(target.kind) ?? 0) > s.clock.now();

  const send = (alerts: Record<string, string>[], st: Status): void => {
    // Alertmanager's timestamps move on between two webhooks.
    s.clock.advance(1_000);
    const now = s.clock.now();
    const items = alerts.map((labels) => {
      const key = JSON.stringify(labels);
      labelsOf.set(key, labels);
      const startsAt = firingSince.get(key) ?? now;
      if (st === 'firing') firingSince.set(key, startsAt);
      else firingSince.delete(key);
      return {
        status: st,
        labels,
        annotations: { summary: labels['alertname'] },
        startsAt: new Date(startsAt).toISOString(),
        endsAt: st === 'firing' ? ZERO_TIME : new Date(now).toISOString(),
        generatorURL: 'http://prometheus:9090/graph',
      };
    });
    const body = {
      version: '4',
      groupKey: `{}:{alertname="${alerts[0]!['alertname']}"}`,
      truncatedAlerts: 0,
      status: st,
      receiver: 'slokit',
      groupLabels: { alertname: alerts[0]!['alertname'] },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: items,
    };
    bodies.push(body);
    webhook(body);
  };

  for (const o of ops) {
    if (o.kind === 'slo') {
      const [service = '', ...rest] = o.slo.split('-');
      const tier = (severity: 'page' | 'ticket') => ({
        alertname: severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket',
        slo_id: o.slo,
        slo_service: service,
        slo_name: rest.join('-'),
        severity,
      });
      send(o.severity === 'both' ? [tier('page'), tier('ticket')] : [tier(o.severity)], o.status);
    } else if (o.kind === 'alert') {
      const instances = o.instance === 'both' ? ['node-a', 'node-b'] : [o.instance];
      send(
        instances.map((instance) => ({ alertname: o.alertname, instance, cluster: o.cluster, service: 'checkout', severity: o.severity })),
        o.status,
      );
    } else if (o.kind === 'redeliver') {
      const body = bodies[bodies.length - 1 - o.back];
      if (body === undefined) continue;
      // The same body again, later: every alert in it has been seen in this state or a later one.
      const before = s.sim.sent.length;
      const outcome = webhook(body);
      const extra = s.sim.sent.slice(before).map(({ notification: n }) => `${n.action} ${n.target.kind}`);
      if (extra.length > 0) problems.push(`re-delivering the webhook ${o.back} back sent ${extra.join(', ')}`);
      if (outcome.opened + outcome.reopened > 0) problems.push(`re-delivering the webhook ${o.back} back opened an incident`);
    } else if (o.kind === 'maintenance') {
      const now = s.clock.now();
      windows.push(s.sim.addMaintenance({ matchers: [`service="${o.service}"`], startsAt: now, endsAt: now + o.minutes * MINUTE, author: 'ana', comment: 'upgrade' }).id);
    } else if (o.kind === 'end-maintenance') {
      const id = windows.shift();
      if (id !== undefined) s.sim.store.transaction(() => s.sim.store.suppression.endMaintenance(id, s.clock.now(), 'ana'));
    } else if (o.kind === 'restart') {
      s.sim.restart();
    } else if (o.kind === 'purge') {
      // An hour passes (ticks every 5 minutes), then retention runs.
      for (let t = 0; t < RETENTION_MS; t += 5 * MINUTE) s.advance(5 * MINUTE);
      s.sim.store.transaction(() => s.sim.store.purgeResolved(s.clock.now() - RETENTION_MS, 2_000));
      // Alertmanager re-delivers within minutes, never a webhook older than the retention (at least a
      // day in config): a purged alert that fires again is a new alert, paged anew (docs: Retention).
      bodies.length = 0;
    } else if (o.kind === 'outage') {
      downUntil.set(o.target, s.clock.now() + o.minutes * MINUTE);
    } else if (o.kind === 'score') {
      // Scored late (after anomaly.timeout) is as the service does it too: the held notifications
      // have gone out without it, and an escalation still applies.
      const request = toScore.shift();
      if (request !== undefined) s.sim.score(request, assessment(o.burn, request.severity));
    } else {
      s.advance(o.ms);
      // A delivery retried during an outage goes out at most 30 s after it ends.
      const settled = Math.max(downUntil.get('pagerduty') ?? 0, downUntil.get('slack') ?? 0) + 30_000;
      // Notifications held for a score go out by anomaly.timeout (holdMs) at the latest.
      if (!strict && s.clock.now() >= settled && s.clock.now() >= lastWebhookAt + (anomaly?.holdMs ?? 0)) problems.push(...missedPages(s.sim));
    }
    problems.push(...storeProblems(s.sim.store.db));
    if (strict) problems.push(...liveProblems(s.sim));
  }

  // Everything recovers, and time passes (maintenance ends, flap damping's stable time, storm digests,
  // dependency holds).
  for (const [key] of [...firingSince]) send([labelsOf.get(key)!], 'resolved');
  for (let i = 0; i < 36; i++) s.advance(5 * MINUTE);
  problems.push(...storeProblems(s.sim.store.db));

  const sent: Sent[] = s.sim.sent.map(({ notification: n }) => sentOf(n));
  return { sent, problems, openIncidents: s.sim.store.listIncidents({ limit: 1000, state: 'open' }) };
}

/** Incidents whose state disagrees with their alerts (storm digests aside), and incident keys with two open incidents. */
function storeProblems(db: import('better-sqlite3').Database): string[] {
  const out: string[] = [];
  const doubles = db.prepare("SELECT key, COUNT(*) AS n FROM incidents WHERE state = 'open' GROUP BY key HAVING n > 1").all() as { key: string; n: number }[];
  for (const d of doubles) out.push(`${d.n} open incidents for one key ${d.key}`);
  const stale = db
    // A storm digest (key `storm:…`) has no alerts of its own: it resolves when the incidents it lists have.
    .prepare(
      "SELECT id, title FROM incidents i WHERE state = 'open' AND key NOT LIKE 'storm:%' AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id AND a.status = 'firing')",
    )
    .all() as { id: string; title: string }[];
  for (const i of stale) out.push(`incident ${i.title} is open with no firing alert`);
  const early = db
    .prepare("SELECT id, title FROM incidents i WHERE state = 'resolved' AND EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id AND a.status = 'firing')")
    .all() as { id: string; title: string }[];
  for (const i of early) out.push(`incident ${i.title} is resolved with an alert still firing`);
  return out;
}

/**
 * Per incident and target, what was sent must make sense to its receiver: PagerDuty gets a resolve only
 * for an incident it was triggered for (a second trigger on an open dedup_key is PagerDuty's dedup, not a
 * second page); Slack gets one message per incident (the trigger) and replies or its edit after it.
 * And once everything has recovered, every receiver told of an incident shows it resolved.
 */
function deliveryProblems(sent: Sent[]): string[] {
  const out: string[] = [];
  const byTarget = new Map<string, Sent[]>();
  for (const x of sent) {
    const k = `${x.incidentId} ${x.target}`;
    byTarget.set(k, [...(byTarget.get(k) ?? []), x]);
  }
  for (const [k, xs] of byTarget) {
    const actions = xs.map((x) => x.action);
    if (k.includes(' pagerduty ')) {
      let open = false;
      for (const a of actions) {
        if (a === 'update') out.push(`${k}: an update sent to PagerDuty (${actions.join(',')})`);
        if (a === 'resolve' && !open) out.push(`${k}: a resolve before any trigger, or two resolves (${actions.join(',')})`);
        open = a === 'trigger' ? true : a === 'resolve' ? false : open;
      }
    } else {
      if (actions[0] !== 'trigger') out.push(`${k}: the first Slack action is ${actions[0]}, not the message (${actions.join(',')})`);
      if (actions.filter((a) => a === 'trigger').length > 1) out.push(`${k}: two Slack messages for one incident (${actions.join(',')})`);
    }
    if (shown(xs).get(k) !== 'resolved') out.push(`${k}: shows ${shown(xs).get(k) ?? 'nothing'} after everything recovered (${actions.join(',')})`);
  }
  return out;
}

function check(ops: Op[], suppression: Partial<SuppressionSettings>, strict = false, anomaly?: { holdMs: number }, bulk = false): void {
  const { sent, problems, openIncidents } = run(ops, suppression, strict, anomaly, bulk);
  expect([...new Set(problems)]).toEqual([]);
  expect(deliveryProblems(sent)).toEqual([]);
  expect(openIncidents.map((i) => i.title)).toEqual([]);
}

describe('pipeline invariants on random webhook sequences', () => {
  const runs = { numRuns: Number(process.env.INVARIANT_RUNS ?? 300) };
  it('with the default suppression: no stuck page, no second message, no double incident, re-deliveries silent', () => {
    fc.assert(
      fc.property(sequences(true), (ops) => check(ops, {})),
      runs,
    );
  });

  const tight: Partial<SuppressionSettings> = {
    grouping: { keys: ['cluster'], windowMs: 5 * MINUTE },
    storm: { enabled: true, maxPerMinute: 2, digestIntervalMs: 2 * MINUTE, earlyWarning: true },
    flapping: { enabled: true, maxChanges: 2, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE },
  };

  it('with label grouping and tight storm and flap limits', () => {
    fc.assert(
      fc.property(sequences(true), (ops) => check(ops, tight)),
      runs,
    );
  });

  // As the service runs webhooks with its journal: what the store stages until the bulk commits (the
  // latest incident per key, targets, holds, the alerts a grouped timeline row lists) is what the
  // pipeline decides on.
  it.each([
    { setup: 'the default suppression', suppression: {} },
    { setup: 'label grouping and tight storm and flap limits', suppression: tight },
  ])('with $setup, webhooks in one bulk transaction until a notification or another write commits it', ({ suppression }) => {
    fc.assert(
      fc.property(sequences(true), (ops) => check(ops, suppression, false, undefined, true)),
      runs,
    );
  });

  it('with anomaly scoring: escalations by score, recurring pages, missing and late scores', () => {
    fc.assert(
      fc.property(sequences(true, true), (ops) => check(ops, {}, false, { holdMs: 30_000 })),
      runs,
    );
  });

  it('with every suppression stage off and no maintenance: also, after every step, each receiver shows what the incident is now', () => {
    const suppression: Partial<SuppressionSettings> = {
      dependencies: { enabled: false, windowMs: 60 * MINUTE },
      storm: { enabled: false, maxPerMinute: 10, digestIntervalMs: 2 * MINUTE, earlyWarning: false },
      flapping: { enabled: false, maxChanges: 4, windowMs: 15 * MINUTE, stableMs: 10 * MINUTE },
    };
    fc.assert(
      fc.property(sequences(false), (ops) => check(ops, suppression, true)),
      runs,
    );
  });
});
