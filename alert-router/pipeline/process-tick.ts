import type { Notification } from '../notify/types.js';
import { whyNotPaged } from './dependency.js';
import { maintenanceHoldOver } from './maintenance.js';
import { notice } from './notice.js';
import type { PipelineDeps, PipelinePort, PipelineSettings } from './process-batch.js';
import { releaseHold } from './release-hold.js';
import { route } from './route.js';
import { DIGEST_KEY_PREFIX, dueDigests, digestText, goneFromDigest } from './storm.js';
import { DEFAULT_SUPPRESSION, type Hold, type SuppressionReason } from './suppression-types.js';
import type { Incident, TimelineEntry } from './types.js';

/**
 * A digest's resolve, as its `resolved` row, its text and its notice's reason: every listed incident
 * resolved, or (PagerDuty) each one left resolved, de-escalated to a ticket (the digest listed it as a
 * page) or a ticket no longer routed to that service (the digest listed it as a ticket: a reload
 * changed the routes, or its alerts' labels no longer match them).
 */
function digestResolution(gone: readonly { id: string; why: 'resolved' | 'de-escalated' | 'unrouted' }[], pagerduty: string | undefined): [string, string, string] {
  const n = gone.length;
  const ids = (why: string) => gone.filter((g) => g.why === why).map((g) => g.id);
  const deEscalated = ids('de-escalated');
  const unrouted = ids('unrouted');
  if (deEscalated.length === 0 && unrouted.length === 0) return [`every one of the ${n} incidents it listed has resolved`, `all ${n} incidents resolved`, 'every listed incident resolved'];
  const resolved = `${n - deEscalated.length - unrouted.length} resolved`;
  if (unrouted.length === 0) {
    const count = `${resolved}, ${deEscalated.length} de-escalated to ticket`;
    return [
      `none of the ${n} incidents it listed is a page for pagerduty $${pagerduty} any more: ${count} (incident ${deEscalated.join(', ')}), and tickets are not routed there`,
      `none of the ${n} incidents is a page any more: ${count}`,
      'no listed incident is a page any more',
    ];
  }
  const parts = [resolved];
  if (deEscalated.length > 0) parts.push(`${deEscalated.length} de-escalated to ticket (incident ${deEscalated.join(', ')})`);
  parts.push(`${unrouted.length} ticket${unrouted.length === 1 ? '' : 's'} no longer routed there (incident ${unrouted.join(', ')})`);
  return [
    `none of the ${n} incidents it listed is for pagerduty $${pagerduty} any more: ${parts.join(', ')}; tickets are not routed there now`,
    `none of the ${n} incidents is for this service any more: ${parts.join(', ')}`,
    'no listed incident is routed to this service any more',
  ];
}

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
      return maintenanceHoldOver(hold, now, active);
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
 * Time-driven work: releases holds whose time has come (a maintenance window ended, a dependency
 * resolved, a flapping alert went stable) by sending the incident's state then when it differs from
 * what its targets were last told; sends each target's storm digest once its interval has passed; and
 * resolves a digest once every incident it listed has resolved (or, on PagerDuty, is no longer a page
 * there: storm.ts `goneFromDigest`). The service runs it on an interval; tests and replay advance a
 * fake clock and call it. The caller provides the transaction.
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
    const release = releaseHold(hold, incident, why, windows, port, settings, deps);
    if (release.released) out.released++;
    out.notifications.push(...release.notifications);
    for (const [r, n] of Object.entries(release.suppressed)) out.suppressed[r as SuppressionReason] = (out.suppressed[r as SuppressionReason] ?? 0) + n;
  }

  if (sup.storm.enabled || port.suppression.undigested().length > 0) {
    for (const items of dueDigests(port.suppression.undigested(), now, sup.storm.digestIntervalMs)) {
      const target = items[0]!.target;
      const text = digestText(items);
      const where = target.kind === 'slack' ? target.destination : `$${target.destination}`;
      const digest: Incident = {
        id: deps.newId(),
        key: `${DIGEST_KEY_PREFIX}${target.kind}:${target.destination}:${now}`,
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
    const [target] = port.targets(digest.id);
    const pagerduty = target?.kind === 'pagerduty' ? target.destination : undefined;
    /** Whether a ticket's latest firing alert routes it to the digest's PagerDuty service. */
    const routedThere = (member: Incident) =>
      route(member, port.suppression.firingLabelsOf(member.id)?.labels ?? {}, settings.routing, settings.catalog).targets.some((t) => t.kind === 'pagerduty' && t.destination === pagerduty);
    const members = port.suppression.digestMembers(digest.id);
    const gone: { id: string; why: 'resolved' | 'de-escalated' | 'unrouted' }[] = [];
    for (const { incidentId: id, severity } of members) {
      const member = port.incidentById(id);
      const why = member === undefined ? undefined : goneFromDigest(member, severity, pagerduty !== undefined, () => routedThere(member));
      if (why === undefined) break;
      gone.push({ id, why });
    }
    if (gone.length < members.length) continue;
    const resolved: Incident = { ...digest, state: 'resolved', resolvedAt: now, updatedAt: now, firingAlerts: 0, firingPages: 0 };
    port.saveIncident(resolved);
    port.suppression.setNotifiedState(digest.id, 'resolved');
    const [reason, details, why] = digestResolution(gone, pagerduty);
    const timeline: TimelineEntry[] = [{ incidentId: digest.id, at: now, kind: 'resolved', reason }];
    const notifications: Notification[] = [];
    for (const t of port.targets(digest.id)) {
      const n = notice({ incident: resolved, target: t, action: 'resolve', details, labels: {}, annotations: {}, catalog: settings.catalog, now, newId: deps.newId, why });
      notifications.push(n.notification);
      timeline.push(n.timeline);
    }
    emit(notifications, timeline);
  }
  return out;
}
