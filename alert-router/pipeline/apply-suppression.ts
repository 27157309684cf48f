import type { Notification, NotificationAction } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { IncidentEvent } from './correlate.js';
import { likelyCause, transitiveDependencies, whyNotPaged } from './dependency.js';
import type { EnqueueResult } from './enqueue.js';
import { gate, type GateInput } from './suppress.js';
import type { MaintenanceWindow, SuppressionPort, SuppressionReason, SuppressionSettings } from './suppression-types.js';
import type { Incident, IncidentTarget } from './types.js';

const MINUTE = 60_000;

/** The port reads the gate needs, plus the target lookup for a cause's targets. */
export interface SuppressionContext {
  port: SuppressionPort;
  targets: (incidentId: string) => readonly IncidentTarget[];
  /** The action last queued for an incident to a target (the outbox), if any: is a cause's PagerDuty incident open. */
  lastAction: (incidentId: string, target: IncidentTarget) => NotificationAction | undefined;
  /** An incident as of this batch (a linked incident's cause). */
  incident: (incidentId: string) => Incident | undefined;
  settings: SuppressionSettings;
  catalog: CatalogIndex;
  windows: readonly MaintenanceWindow[];
  now: number;
  newId: () => string;
  /** Set by a hold's release (release-hold.ts): see suppress.ts `GateInput.released`. */
  released?: boolean;
}

/** A cause's targets a linked dependent is announced to (suppress.ts `GateInput.cause.targets`). */
function announced(cause: Incident, targets: readonly IncidentTarget[], ctx: SuppressionContext): IncidentTarget[] {
  return targets.filter((t) => t.kind !== 'pagerduty' || ctx.lastAction(cause.id, t) === 'trigger');
}

function findCause(after: Incident, events: IncidentEvent[], ctx: SuppressionContext): GateInput['cause'] {
  const lead = events.find((e) => e.kind === 'opened' || e.kind === 'reopened');
  if (lead === undefined) return undefined;
  const { settings, port, now } = ctx;
  if (settings.dependencies.enabled) {
    const deps = transitiveDependencies(ctx.catalog, after.service);
    if (deps.length > 0) {
      const cause = likelyCause(after, port.openIncidentsOf(deps, now - settings.dependencies.windowMs), (id) => port.holdOf(id));
      if (cause !== undefined) {
        const targets = ctx.targets(cause.id);
        return {
          incident: cause,
          reason: 'dependency',
          why: `${after.service} depends on ${cause.service} (catalog dependsOn, transitive)`,
          targets: announced(cause, targets, ctx),
          unpaged: whyNotPaged(cause, targets, (t) => ctx.lastAction(cause.id, t)),
        };
      }
    }
  }
  const keys = settings.grouping.keys;
  if (keys.length > 0 && after.key.startsWith('alert:') && keys.every((k) => lead.labels[k] !== undefined)) {
    const shared = keys.map((k) => `${k}="${lead.labels[k]}"`).join(', ');
    const candidates = port.openIncidentsByKeyPrefix('alert:', now - settings.grouping.windowMs).filter((c) => {
      if (c.id === after.id) return false;
      const labels = port.firingLabelsOf(c.id)?.labels;
      return labels !== undefined && keys.every((k) => labels[k] === lead.labels[k]);
    });
    const cause = likelyCause(after, candidates, (id) => port.holdOf(id));
    if (cause !== undefined) {
      const targets = ctx.targets(cause.id);
      return {
        incident: cause,
        reason: 'grouped',
        why: `shares {${shared}} with it and opened within ${Math.round(settings.grouping.windowMs / MINUTE)}m (grouping.keys)`,
        targets: announced(cause, targets, ctx),
        unpaged: whyNotPaged(cause, targets, (t) => ctx.lastAction(cause.id, t)),
      };
    }
  }
  return undefined;
}

/** The incident a linked one is held under, and why it does not hold back a page (an escalation to page re-asks). */
function parentOf(parentId: string, ctx: SuppressionContext): { incident: Incident | undefined; unpaged: string | undefined } {
  const incident = ctx.incident(parentId);
  return { incident, unpaged: whyNotPaged(incident, ctx.targets(parentId), (t) => ctx.lastAction(parentId, t)) };
}

/**
 * Runs the suppression gate on enqueue's result for one incident and writes its decisions (hold, digest,
 * notified state) through the port. Returns what may be enqueued now.
 */
export function applySuppression(
  after: Incident,
  events: IncidentEvent[],
  enqueued: EnqueueResult,
  flapping: boolean,
  ctx: SuppressionContext,
): EnqueueResult & { suppressed: Partial<Record<SuppressionReason, number>> } {
  const { port, now } = ctx;
  const hold = port.holdOf(after.id);
  // What the targets were told matters only to link a just-(re)opened incident to a cause (gate step 4),
  // so the common batch (alerts joining an open incident) skips the read.
  const opens = hold === undefined && events.some((e) => e.kind === 'opened' || e.kind === 'reopened');
  const notified = opens ? port.notifiedState(after.id) : undefined;
  const result = gate({
    after,
    events,
    notifications: enqueued.notifications,
    newTargets: enqueued.newTargets,
    hold,
    notified,
    windows: ctx.windows,
    flapping,
    cause: opens && notified !== 'open' ? findCause(after, events, ctx) : undefined,
    parent: hold?.parentId !== undefined && after.severity === 'page' && events.some((e) => e.kind === 'escalated') ? parentOf(hold.parentId, ctx) : undefined,
    openedLastMinute: (t) => port.openedForTargetSince(t.kind, t.destination, now - MINUTE),
    listedIn: (t) => {
      const listing = port.openDigestListing(after.id, t.kind, t.destination);
      if (listing === null) return undefined;
      return { where: listing.digestId === undefined ? 'the next storm digest' : `storm digest ${listing.digestId}`, severity: listing.severity };
    },
    released: ctx.released === true,
    settings: ctx.settings,
    catalog: ctx.catalog,
    now,
    newId: ctx.newId,
  });
  if (result.hold === null) port.clearHold(after.id);
  else if (result.hold !== undefined) port.setHold(result.hold);
  for (const d of result.digest) port.addDigestItem(d);
  const own = result.notifications.filter((n: Notification) => n.incidentId === after.id);
  // Linked just now, its own notifications only show its state in Slack (a reopen's edit): they notify
  // nobody, so what its targets were told stays, and the hold's release notifies it on its own.
  const linkedNow = result.hold !== undefined && result.hold !== null && result.hold.parentId !== undefined;
  // A resolve while the incident is open is a de-escalation's (PagerDuty resolved, the ticket goes on,
  // even when a hold kept Slack's news back): the incident was not told it is over.
  if (own.length > 0 && !linkedNow) port.setNotifiedState(after.id, after.state === 'open' ? 'open' : own.some((n) => n.action === 'resolve') ? 'resolved' : after.state);
  // enqueue's `enqueued` rows for notifications the gate held back would be untrue: drop them.
  const sent = new Set(result.notifications.map((n) => n.id));
  const timeline = enqueued.timeline.filter((e) => e.kind !== 'enqueued' || sent.has(String(e.data?.['notificationId'])));
  return { notifications: result.notifications, newTargets: result.newTargets, timeline: [...timeline, ...result.timeline], suppressed: result.suppressed };
}
