import { ANNOTATIONS } from '../../src/slo/conventions.js';
import { burnRatesOf } from '../notify/burn-rates.js';
import type { Notification, NotificationAction } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { IncidentEvent } from './correlate.js';
import { severityOf } from './normalise.js';
import { describeTarget, summaryOf } from './notice.js';
import { route, type RoutingTable, type Target } from './route.js';
import type { Incident, IncidentTarget, TimelineEntry } from './types.js';

export interface EnqueueInput {
  /** The incident before this batch touched it (undefined when the batch opened it). */
  before: Incident | undefined;
  after: Incident;
  /** Everything correlate (and later stages) decided about this incident in this batch, in order. */
  events: IncidentEvent[];
  /** Targets the incident was routed to before this batch. */
  targets: readonly IncidentTarget[];
  /**
   * The action last queued for this incident to `target` before this batch (the outbox, delivered or
   * not), or undefined when none was. A target whose last word was the resolve is not sent another.
   */
  lastAction: (target: Target) => NotificationAction | undefined;
  routing: RoutingTable;
  catalog: CatalogIndex;
  now: number;
  newId: () => string;
}

export interface EnqueueResult {
  notifications: Notification[];
  /** Targets to remember for the incident (new ones only). */
  newTargets: Target[];
  timeline: TimelineEntry[];
}

const key = (t: Target) => `${t.kind}\u0000${t.destination}`;

/**
 * A thread reply told from an SLO alert of the other tier (a ticket alert joining a page) describes
 * that tier's burn: it says so, rather than reading as a slow burn "(page)".
 */
function updateSummary(action: NotificationAction, incident: Incident, source: IncidentEvent, summary: string): string {
  const suffix = `(${incident.severity})`;
  const tier = severityOf(source.labels);
  if (action !== 'update' || incident.slo === undefined || tier === incident.severity || !summary.endsWith(suffix)) return summary;
  return `${summary.slice(0, -suffix.length)}(${tier} tier; the incident is a ${incident.severity})`;
}

/**
 * Route + enqueue stage for one incident and one batch: at most one notification per target per batch,
 * however many alerts the batch carried. Opening or reopening triggers every routed target (a reopen
 * is a Slack update that edits the first message back to firing), escalation
 * triggers the targets the higher severity adds and PagerDuty again (it may have been resolved with an
 * earlier episode: a page that reopened as a ticket) and updates every Slack channel already told of
 * the incident, routed for the new severity or not; a de-escalation (page → ticket, still open) routes the
 * ticket (a new target is triggered), updates the Slack channels already told and resolves the PagerDuty
 * services tickets do not route to; other changes become one Slack thread reply, and
 * resolving resolves every target the incident was sent to, except one already told it resolved (a
 * page that resolved, then reopened as a ticket PagerDuty never heard of). Pure.
 */
export function enqueue(input: EnqueueInput): EnqueueResult {
  const { after, events, now } = input;
  const notifications: Notification[] = [];
  const timeline: TimelineEntry[] = [];
  const known = new Map(input.targets.map((t) => [key(t), t] as const));
  const newTargets: Target[] = [];
  const significant = events.filter((e) => e.kind !== 'deduplicated');
  if (significant.length === 0) return { notifications, newTargets, timeline };

  const wasOpen = input.before?.state === 'open';
  // A page that is a ticket after this batch, still open: its last page alert resolved while ticket alerts fire.
  const deEscalated =
    wasOpen && after.state === 'open' && input.before?.severity === 'page' && after.severity === 'ticket'
      ? significant.findLast((e) => e.kind === 'de-escalated')
      : undefined;
  const lead = significant.find((e) => e.kind === 'opened' || e.kind === 'reopened' || e.kind === 'escalated') ?? deEscalated;
  const last = significant[significant.length - 1]!;
  // Built on the first notification: most batches (alerts joining an open incident) notify nobody.
  let details: string | undefined;
  /** What each target was queued in this batch (not in the outbox yet). */
  const made = new Map<string, NotificationAction>();
  /** `edit`: a Slack update that also rewrites the first message (back to firing, or to the new severity). */
  const make = (target: Target, action: NotificationAction, why: string, source: IncidentEvent, edit?: 'reopened' | 'escalated' | 'de-escalated') => {
    made.set(key(target), action);
    details ??= significant.map((e) => `${e.kind}: ${e.reason}`).join('\n');
    const burn = burnRatesOf(source.annotations);
    // A trigger (the first message, the page) tells what fired: the alert's own description (which
    // tier, every window's burn rate) when it has one. The router's reasons stay in
    // custom_details.events and the timeline; updates, whose thread reply must say what changed, keep them.
    const description = source.annotations[ANNOTATIONS.description]?.trim();
    const shown = action === 'trigger' && description !== undefined && description !== '' ? description : details;
    const n: Notification = {
      id: input.newId(),
      incidentId: after.id,
      action,
      target: { kind: target.kind, destination: target.destination },
      severity: after.severity,
      summary: updateSummary(action, after, source, summaryOf(after, source.labels, source.annotations, burn)),
      details: shown,
      service: after.service,
      customDetails: {
        incidentKey: after.key,
        state: after.state,
        labels: source.labels,
        annotations: source.annotations,
        ...(burn === undefined ? {} : { burnRates: burn.rates }),
        events: significant.map((e) => ({ kind: e.kind, fingerprint: e.fingerprint, reason: e.reason })),
      },
      links: input.catalog.links(source.labels, source.annotations),
      startedAt: new Date(after.openedAt).toISOString(),
      ...(after.slo === undefined ? {} : { slo: after.slo }),
      ...(after.team === undefined ? {} : { team: after.team }),
      ...(edit === 'reopened' ? { reopened: true } : {}),
      ...(edit === 'escalated' ? { escalated: true } : {}),
      ...(edit === 'de-escalated' ? { deescalated: true } : {}),
    };
    notifications.push(n);
    timeline.push({
      incidentId: after.id,
      at: now,
      kind: 'enqueued',
      reason: `${action} for ${describeTarget(target)}: ${why}`,
      data: { notificationId: n.id, action, target: target.kind, destination: target.destination },
    });
  };

  if (lead !== undefined) {
    const decision = route(after, lead.labels, input.routing, input.catalog);
    timeline.push({
      incidentId: after.id,
      at: now,
      kind: 'routed',
      reason: decision.targets.length === 0 ? `${decision.reasons.join('; ')}; nobody to notify` : decision.reasons.join('; '),
      data: { severity: after.severity, targets: decision.targets },
    });
    for (const t of decision.targets) {
      const existing = known.get(key(t));
      if (existing === undefined) {
        newTargets.push(t);
        known.set(key(t), { ...t, ref: undefined });
        make(t, 'trigger', `${lead.kind} (${after.severity})`, lead);
      } else if (!wasOpen) {
        // Reopened: PagerDuty needs a fresh trigger under the same dedup_key; Slack continues its thread
        // and edits the first message, which the resolve marked "Resolved", back to firing.
        if (t.kind === 'pagerduty') make(t, 'trigger', lead.kind, lead);
        else make(t, 'update', `${lead.kind}; the first message is edited back to firing`, lead, 'reopened');
      } else if (t.kind === 'slack') {
        // An escalation or a de-escalation also edits the first message to the new severity.
        if (lead.kind === 'escalated' || lead.kind === 'de-escalated') make(t, 'update', `${lead.kind}; the first message is edited to the new severity`, lead, lead.kind);
        else make(t, 'update', lead.kind, lead);
      } else if (lead.kind === 'escalated') {
        // A known PagerDuty target of an escalation was sent an earlier episode's page, since resolved
        // (or a ticket route's lower severity): trigger again under the same dedup_key, at page severity.
        make(t, 'trigger', `escalated (${after.severity}); PagerDuty was told of an earlier episode or a lower severity`, lead);
      }
    }
    if ((lead.kind === 'escalated' || lead.kind === 'de-escalated') && wasOpen) {
      // A channel told of the incident hears of its new severity even when that severity routes
      // elsewhere (the owner fallback sends pages to PagerDuty only): its first message would go on
      // showing the old one.
      for (const t of input.targets) {
        if (t.kind === 'slack' && !made.has(key(t))) {
          make(t, 'update', `${lead.kind}; the first message is edited to the new severity (the ${after.severity} itself is routed elsewhere)`, lead, lead.kind);
        }
      }
    }
    if (lead.kind === 'de-escalated') {
      // The page's condition is over: a PagerDuty service that tickets do not route to is resolved now,
      // not when the slow burn ends days later. A page that comes back triggers it again.
      for (const t of input.targets) {
        if (t.kind !== 'pagerduty' || made.has(key(t)) || decision.targets.some((d) => key(d) === key(t))) continue;
        if (input.lastAction(t) === 'resolve') continue;
        make(t, 'resolve', `de-escalated to ${after.severity}: the last page alert resolved, and ${after.severity}s are not routed to this PagerDuty service`, lead);
      }
    }
  } else if (after.state === 'open') {
    for (const t of known.values()) {
      if (t.kind === 'slack') make(t, 'update', significant.map((e) => e.kind).join(', '), last);
    }
  }
  if (after.state === 'resolved' && (wasOpen || lead !== undefined)) {
    // Slack's resolve rewrites the first message: tell it from an alert of the incident's severity (the
    // page tier's, not a ticket that resolved after it) when one resolved in this batch.
    const closing = significant.findLast((e) => severityOf(e.labels) === after.severity) ?? last;
    for (const t of known.values()) {
      if ((made.get(key(t)) ?? input.lastAction(t)) === 'resolve') {
        timeline.push({
          incidentId: after.id,
          at: now,
          kind: 'routed',
          reason: `no resolve for ${describeTarget(t)}: it was already sent this incident's resolve, and nothing since (this episode was not routed there)`,
          data: { target: t.kind, destination: t.destination },
        });
        continue;
      }
      make(t, 'resolve', 'every alert has resolved', closing);
    }
  }
  return { notifications, newTargets, timeline };
}
