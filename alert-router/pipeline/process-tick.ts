import type { Notification } from '../notify/types.js';
import { applySuppression } from './apply-suppression.js';
import type { IncidentEvent } from './correlate.js';
import { whyNotPaged } from './dependency.js';
import { enqueue } from './enqueue.js';
import { maintenanceFor, maintenanceSubject, describeWindow } from './maintenance.js';
import { notice } from './notice.js';
import type { PipelineDeps, PipelinePort, PipelineSettings } from './process-batch.js';
import { dueDigests, digestText } from './storm.js';
import { DEFAULT_SUPPRESSION, type Hold, type SuppressionReason } from './suppression-types.js';
import { route } from './route.js';
import type { Incident, IncidentTarget, TimelineEntry } from './types.js';

/** What one tick did, for metrics, logs and replay. */
export interface TickOutcome {
  released: number;
  digests: number;
  notifications: Notification[];
  suppressed: Partial<Record<SuppressionReason, number>>;
}

/**
 * Why a hold ends now, or undefined while it still applies. `active`: ids of the windows active now.
 * `parentUnpaged`: for a page held under a cause, why that cause no longer holds back a page
 * (dependency.ts `whyNotPaged`), undefined while it does.
 */
function releaseReason(hold: Hold, incident: Incident, parent: Incident | undefined, now: number, active: ReadonlySet<string>, parentUnpaged: string | undefined): string | undefined {
  switch (hold.reason) {
    case 'maintenance':
      if (hold.until !== undefined && hold.until <= now) return 'the maintenance window ended';
      // Ended early: its window is no longer active, and ending it wrote how into the hold's detail.
      return hold.windowId !== undefined && !active.has(hold.windowId) ? hold.detail : undefined;
    case 'flapping':
      return hold.until !== undefined && hold.until <= now ? 'stable again' : undefined;
    case 'dependency':
    case 'grouped':
      if (incident.state === 'resolved') return 'resolved while linked; it never paged on its own';
      if (parent === undefined || parent.state === 'resolved') return `incident ${hold.parentId} it was linked to resolved while this one still fires`;
      // A page stays folded into its cause only while the cause's own page is open (a cause that
      // re-fired into a maintenance window, or while flapping, has a resolved PagerDuty incident).
      if (parentUnpaged !== undefined) return `incident ${hold.parentId} it was linked to no longer holds back a page (${parentUnpaged}) while this one still fires`;
      return undefined;
  }
}

/**
 * True when an open page is routed to a PagerDuty service whose last event for it is not a trigger (or
 * that has none): what its targets were told is not a page.
 */
function pageNotSent(incident: Incident, labels: Record<string, string>, targets: IncidentTarget[], settings: PipelineSettings, port: PipelinePort): boolean {
  if (incident.severity !== 'page') return false;
  const pagerduty = route(incident, labels, settings.routing, settings.catalog).targets.filter((t) => t.kind === 'pagerduty');
  return pagerduty.some((t) => !targets.some((k) => k.kind === t.kind && k.destination === t.destination) || port.lastAction(incident.id, t) !== 'trigger');
}

/**
 * True when an open ticket has a PagerDuty service whose last event for it is the trigger and that
 * tickets do not route to: its page ended while it was held, and PagerDuty was not told.
 */
function pageStillOpen(incident: Incident, labels: Record<string, string>, targets: IncidentTarget[], settings: PipelineSettings, port: PipelinePort): boolean {
  if (incident.severity !== 'ticket') return false;
  const routed = route(incident, labels, settings.routing, settings.catalog).targets;
  return targets.some(
    (t) => t.kind === 'pagerduty' && !routed.some((r) => r.kind === t.kind && r.destination === t.destination) && port.lastAction(incident.id, t) === 'trigger',
  );
}

/**
 * Time-driven work: releases holds whose time has come (a maintenance window ended, a dependency
 * resolved, a flapping alert went stable) by sending the incident's state then when it differs from
 * what its targets were last told; sends each target's storm digest once its interval has passed; and
 * resolves a digest once every incident it listed has resolved. The service runs it on an interval;
 * tests and replay advance a fake clock and call it. The caller provides the transaction.
 */
export function processTick(port: PipelinePort, settings: PipelineSettings, deps: PipelineDeps): TickOutcome {
  const now = deps.now();
  const sup = settings.suppression ?? DEFAULT_SUPPRESSION;
  const out: TickOutcome = { released: 0, digests: 0, notifications: [], suppressed: {} };
  const emit = (notifications: Notification[], timeline: TimelineEntry[]) => {
    port.appendTimeline(timeline);
    if (notifications.length > 0) {
      port.enqueue(notifications, now);
      out.notifications.push(...notifications);
    }
  };
  const windows = port.suppression.activeMaintenance(now);
  const active = new Set(windows.map((w) => w.id));

  for (const hold of port.suppression.holds()) {
    const incident = port.incidentById(hold.incidentId);
    if (incident === undefined) {
      port.suppression.clearHold(hold.incidentId);
      continue;
    }
    const parent = hold.parentId === undefined ? undefined : port.incidentById(hold.parentId);
    const parentUnpaged =
      parent !== undefined && incident.state === 'open' && incident.severity === 'page'
        ? whyNotPaged(parent, port.targets(parent.id), (t) => port.lastAction(parent.id, t))
        : undefined;
    const why = releaseReason(hold, incident, parent, now, active, parentUnpaged);
    if (why === undefined) continue;
    const source = port.suppression.firingLabelsOf(incident.id) ?? { labels: {}, annotations: {} };
    // Maintenance comes first (docs: precedence): whatever held the incident, a window that covers it
    // now holds it instead, until the window ends (a cause that resolved, a flap gone stable, during a
    // window on the dependent: nothing is sent into the window).
    if (incident.state === 'open') {
      const next = maintenanceFor(windows, maintenanceSubject(source.labels, incident.service), now);
      if (next !== undefined) {
        port.suppression.setHold({ ...hold, reason: 'maintenance', parentId: undefined, until: next.endsAt, detail: `in ${describeWindow(next)}`, windowId: next.id });
        const still = hold.reason === 'maintenance' ? 'it is still held' : `it is held by maintenance now (it was held: ${hold.reason})`;
        port.appendTimeline([{ incidentId: incident.id, at: now, kind: 'suppressed', reason: `${why}, but ${still}: ${describeWindow(next)}`, data: { reason: 'maintenance' } }]);
        continue;
      }
    }
    port.suppression.clearHold(incident.id);
    out.released++;
    const notified = port.suppression.notifiedState(incident.id);
    const targets = port.targets(incident.id);
    const base = { fingerprint: '', labels: source.labels, annotations: source.annotations };
    const timeline: TimelineEntry[] = [];
    const notifications: Notification[] = [];
    /** enqueue's notifications for the released incident, as if it were `before` and these events came. */
    const enqueueReleased = (before: Incident, events: IncidentEvent[]) =>
      enqueue({ before, after: incident, events, targets, lastAction: (target) => port.lastAction(incident.id, target), routing: settings.routing, catalog: settings.catalog, now, newId: deps.newId });
    if (incident.state === 'open' && notified !== 'open') {
      const reason = `released (${hold.reason}): ${why}; still firing, so notified now`;
      timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason, data: { reason: hold.reason } });
      const events: IncidentEvent[] = [{ ...base, kind: targets.length === 0 ? 'opened' : 'reopened', reason }];
      const enqueued = enqueueReleased({ ...incident, state: 'resolved' }, events);
      const relinkable = hold.reason === 'maintenance' || hold.reason === 'flapping';
      // The release itself passes storm control (a long window ending can release many at once).
      const result = applySuppression(incident, events, enqueued, false, {
        port: port.suppression,
        targets: (id) => port.targets(id),
        lastAction: (id, target) => port.lastAction(id, target),
        incident: (id) => port.incidentById(id),
        // A page released from a maintenance window or flap damping while a cause it depends on pages
        // is linked under that cause like any new incident; one released because its cause resolved
        // or stopped holding it back is not linked again.
        settings: relinkable ? sup : { ...sup, dependencies: { ...sup.dependencies, enabled: false }, grouping: { ...sup.grouping, keys: [] } },
        catalog: settings.catalog,
        windows: [],
        now,
        newId: deps.newId,
      });
      if (result.newTargets.length > 0) port.addTargets(incident.id, result.newTargets);
      for (const [r, n] of Object.entries(result.suppressed)) out.suppressed[r as SuppressionReason] = (out.suppressed[r as SuppressionReason] ?? 0) + n;
      timeline.push(...result.timeline);
      notifications.push(...result.notifications);
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
      const enqueued = enqueueReleased(incident, [{ ...base, kind: 'escalated', reason }]);
      if (enqueued.newTargets.length > 0) port.addTargets(incident.id, enqueued.newTargets);
      timeline.push(...enqueued.timeline);
      notifications.push(...enqueued.notifications);
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
      timeline.push({ incidentId: incident.id, at: now, kind: 'released', reason: `released (${hold.reason}): ${why}; its targets already know its state (${incident.state}), nothing to send`, data: { reason: hold.reason } });
    }
    emit(notifications, timeline);
  }

  if (sup.storm.enabled || port.suppression.undigested().length > 0) {
    for (const items of dueDigests(port.suppression.undigested(), now, sup.storm.digestIntervalMs)) {
      const target = items[0]!.target;
      const text = digestText(items);
      const where = target.kind === 'slack' ? target.destination : `$${target.destination}`;
      const digest: Incident = {
        id: deps.newId(),
        key: `storm:${target.kind}:${target.destination}:${now}`,
        state: 'open',
        severity: text.severity,
        title: `${text.title} for ${where}`,
        service: 'alert-router',
        slo: undefined,
        team: undefined,
        groupLabels: {},
        openedAt: now,
        resolvedAt: undefined,
        updatedAt: now,
        reopenCount: 0,
        firingAlerts: items.length,
        firingPages: 0,
      };
      port.saveIncident(digest);
      port.addTargets(digest.id, [target]);
      port.suppression.markDigested(items.map((i) => i.seq), digest.id);
      port.suppression.setNotifiedState(digest.id, 'open');
      const n = notice({
        incident: digest,
        target,
        action: 'trigger',
        details: text.details,
        labels: {},
        annotations: {},
        customDetails: { incidents: items.map((i) => ({ incidentId: i.incidentId, title: i.title, severity: i.severity })) },
        catalog: settings.catalog,
        now,
        newId: deps.newId,
        why: `storm digest of ${items.length} incidents`,
      });
      const timeline: TimelineEntry[] = [
        { incidentId: digest.id, at: now, kind: 'opened', reason: `storm digest for ${target.kind} ${where}: ${items.length} incidents held back since ${new Date(items[0]!.at).toISOString()}` },
        n.timeline,
        ...items.map((i) => ({ incidentId: i.incidentId, at: now, kind: 'digested' as const, reason: `listed in storm digest ${digest.id} sent to ${target.kind} ${where}`, data: { digestId: digest.id } })),
      ];
      out.digests++;
      emit([n.notification], timeline);
    }
  }

  for (const digest of port.suppression.openDigests()) {
    const members = port.suppression.digestMembers(digest.id);
    if (!members.every((id) => port.incidentById(id)?.state === 'resolved')) continue;
    const resolved: Incident = { ...digest, state: 'resolved', resolvedAt: now, updatedAt: now, firingAlerts: 0, firingPages: 0 };
    port.saveIncident(resolved);
    port.suppression.setNotifiedState(digest.id, 'resolved');
    const timeline: TimelineEntry[] = [{ incidentId: digest.id, at: now, kind: 'resolved', reason: `every one of the ${members.length} incidents it listed has resolved` }];
    const notifications: Notification[] = [];
    for (const t of port.targets(digest.id)) {
      const n = notice({ incident: resolved, target: t, action: 'resolve', details: `all ${members.length} incidents resolved`, labels: {}, annotations: {}, catalog: settings.catalog, now, newId: deps.newId, why: 'every listed incident resolved' });
      notifications.push(n.notification);
      timeline.push(n.timeline);
    }
    emit(notifications, timeline);
  }
  return out;
}
