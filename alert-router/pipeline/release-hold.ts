import type { Notification } from '../notify/types.js';
import { applySuppression } from './apply-suppression.js';
import type { IncidentEvent } from './correlate.js';
import { enqueue, type EnqueueResult } from './enqueue.js';
import { keepScoreOnSlackEdits } from './keep-score.js';
import { describeWindow, maintenanceFor, maintenanceSubject } from './maintenance.js';
import { notice } from './notice.js';
import type { PipelineDeps, PipelinePort, PipelineSettings } from './process-batch.js';
import { route } from './route.js';
import { DEFAULT_SUPPRESSION, type FiringLabels, type Hold, type MaintenanceWindow, type SuppressionReason, type SuppressionSettings } from './suppression-types.js';
import type { Incident, IncidentTarget, TimelineEntry } from './types.js';

/** What releasing one hold did; its notifications are queued and its timeline written. */
export interface HoldRelease {
  /** False when a maintenance window covers the still-firing incident: that window holds it now. */
  released: boolean;
  notifications: Notification[];
  suppressed: Partial<Record<SuppressionReason, number>>;
}

/**
 * True when an open page was last told to its targets as a ticket and is routed to a PagerDuty service
 * whose last event for it is not a trigger (or that has none): it escalated while held. One told as a
 * page is not: its PagerDuty service was told by a storm digest, or a reload routed it to a new one
 * (told of the incident at its next routed change, as without a hold).
 */
function pageNotSent(incident: Incident, labels: Record<string, string>, targets: readonly IncidentTarget[], settings: PipelineSettings, port: PipelinePort): boolean {
  if (incident.severity !== 'page' || port.lastSeverity(incident.id) !== 'ticket') return false;
  const pagerduty = route(incident, labels, settings.routing, settings.catalog).targets.filter((t) => t.kind === 'pagerduty');
  return pagerduty.some((t) => !targets.some((k) => k.kind === t.kind && k.destination === t.destination) || port.lastAction(incident.id, t) !== 'trigger');
}

/**
 * True when an open ticket was last told to its targets as a page and has a PagerDuty service whose
 * last event for it is the trigger and that tickets do not route to: its page ended while it was held,
 * and PagerDuty was not told. One told as a ticket is not (a reload stopped routing tickets there).
 */
function pageStillOpen(incident: Incident, labels: Record<string, string>, targets: readonly IncidentTarget[], settings: PipelineSettings, port: PipelinePort): boolean {
  if (incident.severity !== 'ticket' || port.lastSeverity(incident.id) !== 'page') return false;
  const routed = route(incident, labels, settings.routing, settings.catalog).targets;
  return targets.some(
    (t) => t.kind === 'pagerduty' && !routed.some((r) => r.kind === t.kind && r.destination === t.destination) && port.lastAction(incident.id, t) === 'trigger',
  );
}

/**
 * Ends a hold for `why` (the tick's release reason, or a maintenance window found over by a batch) and
 * sends the incident's state then when it differs from what its targets were last told: still firing
 * and not notified → triggered (through storm control, and linked under a cause that pages when a
 * window or flap damping held it); resolved meanwhile → resolved where triggered; escalated while
 * held → paged (through storm control too); de-escalated while held → resolved on PagerDuty. A window that covers the still-firing
 * incident now holds it instead. `windows`: the maintenance windows active now. `firing`: the labels it
 * is told and routed by (default: its latest firing alert's now; a batch that releases the incident as
 * it was before its alerts passes those it had then). The caller provides the transaction.
 */
export function releaseHold(
  hold: Hold,
  incident: Incident,
  why: string,
  windows: readonly MaintenanceWindow[],
  port: PipelinePort,
  settings: PipelineSettings,
  deps: PipelineDeps,
  firing: FiringLabels | undefined = port.suppression.firingLabelsOf(incident.id),
): HoldRelease {
  const now = deps.now();
  const sup = settings.suppression ?? DEFAULT_SUPPRESSION;
  const source = firing ?? { labels: {}, annotations: {} };
  // Maintenance comes first (docs: precedence): whatever held the incident, a window that covers it
  // now holds it instead, until the window ends (a cause that resolved, a flap gone stable, during a
  // window on the dependent: nothing is sent into the window).
  if (incident.state === 'open') {
    const next = maintenanceFor(windows, maintenanceSubject(source.labels, incident.service), now);
    if (next !== undefined) {
      port.suppression.setHold({ ...hold, reason: 'maintenance', parentId: undefined, until: next.endsAt, detail: `in ${describeWindow(next)}`, windowId: next.id });
      const still = hold.reason === 'maintenance' ? 'it is still held' : `it is held by maintenance now (it was held: ${hold.reason})`;
      port.appendTimeline([{ incidentId: incident.id, at: now, kind: 'suppressed', reason: `${why}, but ${still}: ${describeWindow(next)}`, data: { reason: 'maintenance' } }]);
      return { released: false, notifications: [], suppressed: {} };
    }
  }
  port.suppression.clearHold(incident.id);
  const notified = port.suppression.notifiedState(incident.id);
  const targets = port.targets(incident.id);
  const base = { fingerprint: '', labels: source.labels, annotations: source.annotations };
  const timeline: TimelineEntry[] = [];
  const notifications: Notification[] = [];
  let suppressed: HoldRelease['suppressed'] = {};
  /** enqueue's notifications for the released incident, as if it were `before` and these events came. */
  const enqueueReleased = (before: Incident, events: IncidentEvent[]) =>
    enqueue({ before, after: incident, events, targets, lastAction: (target) => port.lastAction(incident.id, target), routing: settings.routing, catalog: settings.catalog, now, newId: deps.newId });
  // A release's triggers pass storm control as a new incident's do: a long window ending releases many
  // at once, opened or escalated to page while held, and a target gets maxPerMinute of them alone and
  // the rest in its digest.
  const passGate = (events: IncidentEvent[], enqueued: EnqueueResult, gateSettings: SuppressionSettings) => {
    const result = applySuppression(incident, events, enqueued, false, {
      port: port.suppression,
      targets: (id) => port.targets(id),
      lastAction: (id, target) => port.lastAction(id, target),
      incident: (id) => port.incidentById(id),
      settings: gateSettings,
      catalog: settings.catalog,
      windows: [],
      now,
      newId: deps.newId,
      released: true,
    });
    if (result.newTargets.length > 0) port.addTargets(incident.id, result.newTargets);
    suppressed = result.suppressed;
    timeline.push(...result.timeline);
    notifications.push(...result.notifications);
  };
  if (incident.state === 'open' && notified !== 'open') {
    const reason = `released (${hold.reason}): ${why}; still firing, so notified now`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
    const events: IncidentEvent[] = [{ ...base, kind: targets.length === 0 ? 'opened' : 'reopened', reason }];
    const enqueued = enqueueReleased({ ...incident, state: 'resolved' }, events);
    const relinkable = hold.reason === 'maintenance' || hold.reason === 'flapping';
    // A page released from a maintenance window or flap damping while a cause it depends on pages is
    // linked under that cause like any new incident; one released because its cause resolved or
    // stopped holding it back is not linked again.
    passGate(events, enqueued, relinkable ? sup : { ...sup, dependencies: { ...sup.dependencies, enabled: false }, grouping: { ...sup.grouping, keys: [] } });
  } else if (incident.state === 'resolved' && notified === 'open') {
    const reason = `released (${hold.reason}): ${why}; resolved meanwhile, so the resolve goes to every target sent the trigger`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
    // Not to a target already told it resolved (an earlier episode's page, this one a ticket).
    for (const t of targets.filter((target) => port.lastAction(incident.id, target) !== 'resolve')) {
      const n = notice({ incident, target: t, action: 'resolve', details: reason, ...source, catalog: settings.catalog, now, newId: deps.newId, why: reason });
      notifications.push(n.notification);
      timeline.push(n.timeline);
    }
    port.suppression.setNotifiedState(incident.id, 'resolved');
  } else if (incident.state === 'open' && pageNotSent(incident, source.labels, targets, settings, port)) {
    // Notified, but as a ticket: its escalation to page came while held. Sent now, as an escalation.
    const reason = `released (${hold.reason}): ${why}; it escalated to page while held, and PagerDuty was not told, so it is paged now`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
    const events: IncidentEvent[] = [{ ...base, kind: 'escalated', reason }];
    passGate(events, enqueueReleased(incident, events), sup);
  } else if (incident.state === 'open' && pageStillOpen(incident, source.labels, targets, settings, port)) {
    // A ticket now, but PagerDuty's last word was the page's trigger: it de-escalated while held
    // (flap damping holds resolves too). Sent now, as the de-escalation it was.
    const reason = `released (${hold.reason}): ${why}; it de-escalated to ticket while held, and PagerDuty still has the page open, so it is resolved now`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
    const enqueued = enqueueReleased({ ...incident, severity: 'page' }, [{ ...base, kind: 'de-escalated', reason }]);
    if (enqueued.newTargets.length > 0) port.addTargets(incident.id, enqueued.newTargets);
    timeline.push(...enqueued.timeline);
    notifications.push(...enqueued.notifications);
  } else if (hold.reason === 'flapping' && incident.state === 'open') {
    const reason = `released (flapping): ${why}; still firing`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
    for (const t of targets.filter((x) => x.kind === 'slack')) {
      const n = notice({ incident, target: t, action: 'update', summary: `[stable] ${incident.title} (${incident.severity})`, details: reason, ...source, catalog: settings.catalog, now, newId: deps.newId, why: reason });
      notifications.push(n.notification);
      timeline.push(n.timeline);
    }
  } else {
    const known = notified === undefined ? 'it was never notified and has resolved' : `its targets already know its state (${incident.state})`;
    timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason: `released (${hold.reason}): ${why}; ${known}, nothing to send`, data: { reason: hold.reason } });
  }
  port.appendTimeline(timeline);
  keepScoreOnSlackEdits(notifications, incident.id, port);
  if (notifications.length > 0) port.enqueue(notifications, now);
  return { released: true, notifications, suppressed };
}
