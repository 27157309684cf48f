import type { Notification, NotificationAction } from '../notify/types.js';
import { applySuppression } from './apply-suppression.js';
import type { CatalogSlo } from '../../src/slo/catalog.js';
import type { CatalogIndex } from './catalog-index.js';
import { correlate, type IncidentEvent } from './correlate.js';
import { dedup } from './dedup.js';
import { enqueue } from './enqueue.js';
import { transitiveDependencies } from './dependency.js';
import { isFlapping } from './flap.js';
import { keepScoreOnSlackEdits } from './keep-score.js';
import { maintenanceHoldOver } from './maintenance.js';
import { releaseHold } from './release-hold.js';
import type { RoutingTable, Target } from './route.js';
import { DEFAULT_SUPPRESSION, type FiringLabels, type Hold, type MaintenanceWindow, type SuppressionPort, type SuppressionReason, type SuppressionSettings } from './suppression-types.js';
import type { AlertRecord, Incident, IncidentTarget, IncomingBatch, Severity, TimelineEntry } from './types.js';

/**
 * What the pipeline reads and writes. The store implements it inside one transaction per commit group,
 * tests with plain maps. Reads must see the writes made earlier in the same batch.
 */
export interface PipelinePort {
  latestAlert(fingerprint: string): AlertRecord | undefined;
  /** The incident's latest received alert of `severity` that is firing, if any. */
  firingAlertOf(incidentId: string, severity: Severity): AlertRecord | undefined;
  latestIncidentByKey(key: string): Incident | undefined;
  incidentById(id: string): Incident | undefined;
  targets(incidentId: string): readonly IncidentTarget[];
  /** The action last queued (in the outbox, in any state) for the incident to this target, if any. */
  lastAction(incidentId: string, target: Target): NotificationAction | undefined;
  /**
   * The severity of the incident's latest queued notification of its own state (the outbox, any target;
   * not a notice that a dependent was linked under it), if any: what its targets were last told it is (a
   * hold keeps an escalation or de-escalation from them).
   */
  lastSeverity(incidentId: string): Severity | undefined;
  saveAlert(alert: AlertRecord): void;
  saveIncident(incident: Incident): void;
  addTargets(incidentId: string, targets: Target[]): void;
  appendTimeline(entries: TimelineEntry[]): void;
  /** Adds notifications to the outbox, due at `notBefore` (default `now`). */
  enqueue(notifications: Notification[], now: number, notBefore?: number): void;
  /** The data of the incident's latest anomaly score (`scored` timeline entry), if it was scored. */
  latestScore(incidentId: string): Record<string, unknown> | undefined;
  /** Maintenance windows, holds, flap history and digests (suppression stages). */
  readonly suppression: SuppressionPort;
}

/** Settings the stages read; swapped whole on config reload. */
export interface PipelineSettings {
  routing: RoutingTable;
  catalog: CatalogIndex;
  reopenWindowMs: number;
  /** Correlation and suppression thresholds; the documented defaults when absent. */
  suppression?: SuppressionSettings;
  /**
   * Anomaly scoring (config `anomaly`): the batch that opens or reopens an SLO incident, or escalates
   * it to page, queues its notifications `holdMs` in the future and lists the incident in `outcome.toScore`; the score, once
   * in (apply-anomaly.ts), makes them due at once. Absent: nothing waits.
   */
  anomaly?: { holdMs: number };
}

export interface PipelineDeps {
  now: () => number;
  newId: () => string;
}

/** Counts for metrics and the webhook's answer. */
export interface BatchOutcome {
  alerts: number;
  firing: number;
  resolved: number;
  duplicates: number;
  unseenResolves: number;
  opened: number;
  reopened: number;
  resolvedIncidents: number;
  notifications: Notification[];
  /** Notifications held back or rolled into a digest, by reason. */
  suppressed: Partial<Record<SuppressionReason, number>>;
  /** SLO incidents this batch opened or reopened, to be scored (only with `settings.anomaly`). */
  toScore: ScoreRequest[];
  /** Alerts that fired (new or again, not repeats) by their incident's service: the volume watch's input. */
  newAlerts: Record<string, number>;
}

/** An SLO incident whose notifications wait for its anomaly score. */
export interface ScoreRequest {
  incidentId: string;
  slo: CatalogSlo;
  severity: Incident['severity'];
  /**
   * The outbox ids this batch queued held for this score: the only rows it annotates and releases (a
   * later episode's rows wait for their own score; an earlier episode's resolve is not this one's).
   */
  held: string[];
}

/** One incident a batch touched: as it was, as it is, and why. */
export interface Touched {
  before: Incident | undefined;
  after: Incident;
  events: IncidentEvent[];
}

/**
 * Timeline entries for correlate's events. A batch of 100 alerts joining one incident is one decision
 * ("grouped", listing the 100 fingerprints), not 100 rows: the same for deduplicated alerts. The store
 * writes the count before the reason (store/timeline-rows.ts, `listedReason`), and lets the alerts of
 * later webhooks join a `grouped` entry while their bulk transaction is open.
 */
function coalesce(incidentId: string, at: number, events: IncidentEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const bulk = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind === 'grouped' || e.kind === 'deduplicated') {
      const seen = bulk.get(e.kind);
      if (seen !== undefined) {
        seen.push(e.fingerprint);
        continue;
      }
      const fingerprints = [e.fingerprint];
      bulk.set(e.kind, fingerprints);
      out.push({ incidentId, at, kind: e.kind, reason: e.reason, data: { fingerprints } });
    } else {
      out.push({ incidentId, at, kind: e.kind, reason: e.reason, data: { fingerprint: e.fingerprint } });
    }
  }
  return out;
}

/** Adds a stage's counts of notifications held back, by reason, to the batch's. */
function addSuppressed(outcome: BatchOutcome, suppressed: Partial<Record<SuppressionReason, number>>): void {
  for (const [reason, n] of Object.entries(suppressed)) outcome.suppressed[reason as SuppressionReason] = (outcome.suppressed[reason as SuppressionReason] ?? 0) + n;
}

/** The outcome of a batch of `alerts` alerts before any stage has counted anything. */
export function emptyOutcome(alerts: number): BatchOutcome {
  return { alerts, firing: 0, resolved: 0, duplicates: 0, unseenResolves: 0, opened: 0, reopened: 0, resolvedIncidents: 0, notifications: [], suppressed: {}, toScore: [], newAlerts: {} };
}

/**
 * Runs one batch through ingest → dedup → correlate → route → enqueue → suppression (apply-suppression.ts),
 * writing each stage's decisions through the port. The caller provides the transaction.
 */
export function processBatch(batch: IncomingBatch, port: PipelinePort, settings: PipelineSettings, deps: PipelineDeps): BatchOutcome {
  const now = deps.now();
  const outcome = emptyOutcome(batch.alerts.length);
  const suppression = settings.suppression ?? DEFAULT_SUPPRESSION;
  const flapping = new Set<string>();
  const touched = new Map<string, Touched>();
  const byKey = new Map<string, string>();
  /** A de-escalation in this batch: the pass below that undoes a moot one runs only then. */
  let deEscalations = false;
  const current = (id: string) => touched.get(id)?.after ?? port.incidentById(id);
  /** The maintenance windows active now, read once and only when needed. */
  let windows: MaintenanceWindow[] | undefined;
  const activeWindows = () => (windows ??= port.suppression.activeMaintenance(now));
  // A maintenance hold whose window is over (ended early with DELETE, or its end passed) lasts until the
  // next tick; an alert of its incident that comes first releases it in this batch, as that tick would
  // have: its page is not held, for a reason that is no longer true. Noted here with the incident and
  // the labels it had before this batch's alerts, released once they are all in (below).
  const lapsed = new Map<string, { hold: Hold; before: Incident; why: string; source: FiringLabels | undefined }>();
  const noteLapsedHold = (incident: Incident) => {
    if (touched.has(incident.id) || lapsed.has(incident.id)) return;
    const hold = port.suppression.holdOf(incident.id);
    if (hold?.reason !== 'maintenance') return;
    const why = maintenanceHoldOver(hold, now, new Set(activeWindows().map((w) => w.id)));
    if (why !== undefined) lapsed.set(incident.id, { hold, before: incident, why, source: port.suppression.firingLabelsOf(incident.id) });
  };

  for (const alert of batch.alerts) {
    if (alert.status === 'firing') outcome.firing++;
    else outcome.resolved++;
    const stored = port.latestAlert(alert.fingerprint);
    const decision = dedup(alert, stored);
    let incident: Incident | undefined;
    if (decision.kind === 'fire' || decision.kind === 'refire') {
      const id = byKey.get(alert.incidentKey);
      incident = id !== undefined ? current(id) : port.latestIncidentByKey(alert.incidentKey);
    } else if (decision.kind !== 'unseen-resolve') {
      incident = current(decision.previous.incidentId);
    }
    // Only an alert that changes the incident: a re-delivery stays silent, and the tick releases it.
    if (incident !== undefined && (decision.kind === 'fire' || decision.kind === 'refire' || decision.kind === 'resolve')) noteLapsedHold(incident);
    const result = correlate(alert, decision, {
      incident,
      now,
      reopenWindowMs: settings.reopenWindowMs,
      newIncidentId: deps.newId,
      catalog: settings.catalog,
      firingAlertOf: (id, severity) => port.firingAlertOf(id, severity),
    });
    if (decision.kind === 'duplicate' || decision.kind === 'stale') outcome.duplicates++;
    if (decision.kind === 'unseen-resolve') outcome.unseenResolves++;
    if (result.alert !== undefined) port.saveAlert(result.alert);
    if (suppression.flapping.enabled && result.incident !== undefined && (decision.kind === 'fire' || decision.kind === 'refire' || decision.kind === 'resolve')) {
      const changes = port.suppression.recordChange(alert.fingerprint, now, now - suppression.flapping.windowMs, stored);
      if (isFlapping(changes, suppression.flapping.maxChanges)) flapping.add(result.incident.id);
    }
    if (result.incident === undefined) continue;
    const after = result.incident;
    if (decision.kind === 'fire' || decision.kind === 'refire') outcome.newAlerts[after.service] = (outcome.newAlerts[after.service] ?? 0) + 1;
    let entry = touched.get(after.id);
    if (entry === undefined) {
      entry = { before: incident?.id === after.id ? incident : undefined, after, events: [] };
      touched.set(after.id, entry);
    }
    entry.after = after;
    entry.events.push(...result.events);
    byKey.set(after.key, after.id);
    for (const e of result.events) {
      if (e.kind === 'opened') outcome.opened++;
      if (e.kind === 'reopened') outcome.reopened++;
      if (e.kind === 'resolved') outcome.resolvedIncidents++;
      if (e.kind === 'de-escalated') deEscalations = true;
    }
  }

  // A page whose page alert resolved before its ticket alert in the same batch did not become a ticket
  // for anyone: it resolved. Its record keeps the page (reviews and `?severity=page` find it), and the
  // timeline has no de-escalation that nobody was told of.
  for (const t of deEscalations ? touched.values() : []) {
    if (t.after.state === 'resolved' && t.before?.state === 'open' && t.before.severity === 'page' && t.after.severity === 'ticket' && t.events.some((e) => e.kind === 'de-escalated')) {
      t.after = { ...t.after, severity: 'page' };
      t.events = t.events.filter((e) => e.kind !== 'de-escalated');
    }
  }

  // The lapsed holds are released before this batch notifies anything, as the tick would have before
  // its alerts came: the incident's state before them is sent, then their change (a ticket notified,
  // then its escalation pages). Unless the batch ends what that release would announce (the incident
  // resolved, or a page de-escalated to ticket): the release then sends the state after the batch, as
  // a tick after it would have (nothing to targets never told, the resolve or de-escalation to those
  // told, once), and the batch sends nothing of its own. PagerDuty is not paged for a page already over.
  const settled = new Set<string>();
  for (const [id, { hold, before, why, source }] of lapsed) {
    const t = touched.get(id);
    const over = t !== undefined && before.state === 'open' && (t.after.state === 'resolved' || (before.severity === 'page' && t.after.severity === 'ticket'));
    if (over) {
      port.saveIncident(t.after);
      port.appendTimeline(coalesce(id, now, t.events));
      settled.add(id);
    }
    const release = over ? releaseHold(hold, t.after, why, activeWindows(), port, settings, deps) : releaseHold(hold, before, why, activeWindows(), port, settings, deps, source);
    outcome.notifications.push(...release.notifications);
    addSuppressed(outcome, release.suppressed);
  }

  // A shared dependency's incident is handled before its dependents', so one batch carrying both links them.
  const ordered = settled.size === 0 ? [...touched.values()] : [...touched.values()].filter((t) => !settled.has(t.after.id));
  if (ordered.length > 1 && suppression.dependencies.enabled) {
    const depth = new Map(ordered.map((t) => [t.after.id, transitiveDependencies(settings.catalog, t.after.service).length] as const));
    ordered.sort((a, b) => depth.get(a.after.id)! - depth.get(b.after.id)!);
  }
  for (const t of ordered) {
    const slo = settings.anomaly === undefined || t.after.slo === undefined ? undefined : settings.catalog.slo(t.after.service, t.after.slo);
    // An alert-driven escalation to page is scored too: the page is what the score (and its
    // `[recurring]` mark) is for, and the ticket's score, taken when it opened, says nothing of it.
    const score = slo !== undefined && t.events.some((e) => e.kind === 'opened' || e.kind === 'reopened' || (e.kind === 'escalated' && t.after.severity === 'page'));
    const held = notifyIncident(t, outcome, {
      port,
      settings,
      flapping: flapping.has(t.after.id),
      current,
      windows: activeWindows(),
      now,
      newId: deps.newId,
      notBefore: score ? now + settings.anomaly!.holdMs : now,
    });
    if (score) outcome.toScore.push({ incidentId: t.after.id, slo, severity: t.after.severity, held: held.map((n) => n.id) });
  }
  return outcome;
}

/** What {@link notifyIncident} needs besides the incident. */
export interface NotifyContext {
  port: PipelinePort;
  settings: PipelineSettings;
  /** The incident flapped in this batch. */
  flapping: boolean;
  /** An incident as of this batch. */
  current: (id: string) => Incident | undefined;
  windows: readonly MaintenanceWindow[];
  now: number;
  newId: () => string;
  /** When the incident's own notifications become due (`now` unless they wait for an anomaly score). */
  notBefore: number;
}

/**
 * Route, enqueue and suppression for one incident a batch (or a later decision, such as an anomaly
 * escalation) changed: saves the incident, writes the timeline, queues what may be sent and counts it
 * into `outcome`. Returns the incident's own notifications it queued (due at `ctx.notBefore`); those
 * for other incidents (a notice to a linked cause) are due at once.
 */
export function notifyIncident(t: Touched, outcome: BatchOutcome, ctx: NotifyContext): Notification[] {
  const { before, after, events } = t;
  const { port, settings, now } = ctx;
  port.saveIncident(after);
  const timeline = coalesce(after.id, now, events);
  const enqueued = enqueue({
    before,
    after,
    events,
    targets: before === undefined ? [] : port.targets(after.id),
    lastAction: (target) => port.lastAction(after.id, target),
    routing: settings.routing,
    catalog: settings.catalog,
    now,
    newId: ctx.newId,
  });
  const result = applySuppression(after, events, enqueued, ctx.flapping, {
    port: port.suppression,
    targets: (id) => port.targets(id),
    lastAction: (id, target) => port.lastAction(id, target),
    incident: ctx.current,
    settings: settings.suppression ?? DEFAULT_SUPPRESSION,
    catalog: settings.catalog,
    windows: ctx.windows,
    now,
    newId: ctx.newId,
  });
  addSuppressed(outcome, result.suppressed);
  if (result.newTargets.length > 0) port.addTargets(after.id, result.newTargets);
  port.appendTimeline([...timeline, ...result.timeline]);
  if (result.notifications.length === 0) return result.notifications;
  // Those that wait for a score of their own (an escalation's) get it, or go without: an earlier
  // episode's or severity's score would not be about them.
  if (ctx.notBefore === now) keepScoreOnSlackEdits(result.notifications, after.id, port);
  outcome.notifications.push(...result.notifications);
  const own = result.notifications.filter((n) => n.incidentId === after.id);
  if (own.length === result.notifications.length || ctx.notBefore === now) {
    port.enqueue(result.notifications, now, ctx.notBefore);
  } else {
    port.enqueue(own, now, ctx.notBefore);
    port.enqueue(result.notifications.filter((n) => n.incidentId !== after.id), now);
  }
  return own;
}
