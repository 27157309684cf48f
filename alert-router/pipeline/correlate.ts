import type { CatalogIndex } from './catalog-index.js';
import type { DedupDecision } from './dedup.js';
import { maxSeverity, severityRank, type AlertRecord, type Incident, type IncomingAlert, type Severity, type TimelineKind } from './types.js';

/** One change correlate made to an incident, for the timeline and for the stages after it. */
export interface IncidentEvent {
  kind: Extract<TimelineKind, 'opened' | 'reopened' | 'grouped' | 'deduplicated' | 'escalated' | 'de-escalated' | 'alert-resolved' | 'resolved'>;
  reason: string;
  fingerprint: string;
  /** Labels of the alert that caused the event (routing matches on them). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What correlate needs to know beyond the alert and its dedup decision. */
export interface CorrelateContext {
  /**
   * For fire/refire: the latest incident with the alert's key. For the others: the incident the stored
   * alert belongs to.
   */
  incident: Incident | undefined;
  now: number;
  /** A resolved incident that fires again within this many ms reopens instead of opening a new one. */
  reopenWindowMs: number;
  newIncidentId: () => string;
  catalog: CatalogIndex;
  /**
   * An alert of the incident of `severity` that is firing (the latest received), for a de-escalation:
   * what the incident is now about, routed and summed up from it.
   */
  firingAlertOf: (incidentId: string, severity: Severity) => Pick<AlertRecord, 'fingerprint' | 'labels' | 'annotations'> | undefined;
}

export interface CorrelateResult {
  /** The incident after this alert, or undefined when the alert touches none (an unseen resolve). */
  incident: Incident | undefined;
  /** The alert row to store, or undefined when nothing about it changes. */
  alert: AlertRecord | undefined;
  events: IncidentEvent[];
}

function titleOf(alert: IncomingAlert, catalog: CatalogIndex): Pick<Incident, 'title' | 'service' | 'slo' | 'team'> {
  const owner = catalog.ownership(alert.labels);
  const summary = alert.annotations['summary'];
  const slo = owner.slo?.name ?? alert.labels['slo_name'];
  let title: string;
  if (slo !== undefined) {
    // Generated summaries already name the SLO ("checkout/availability is burning ... (page)", or
    // "checkout-availability: the SLI has had no data for 15m"): name it once, and leave the
    // severity to the incident, which can escalate.
    const name = `${owner.service}/${slo}`;
    const id = alert.labels['slo_id'];
    let said = (summary ?? '').trim().replace(/\s*\((?:page|ticket)\)$/, '');
    if (id !== undefined && said.startsWith(`${id}: `)) said = said.slice(id.length + 2);
    title = said === '' ? `${name}: error budget burning` : said.startsWith(name) ? said : `${name}: ${said}`;
  } else {
    title = `${alert.labels['alertname'] ?? 'alert'}${summary === undefined ? '' : `: ${summary}`}`;
  }
  return { title, service: owner.service, slo, team: owner.team };
}

function describeKey(alert: IncomingAlert): string {
  return alert.incidentKey.startsWith('slo:')
    ? `same SLO ${alert.incidentKey.slice(4)}`
    : `same alertname and group labels ${alert.incidentKey.slice(6)}`;
}

function newRecord(alert: IncomingAlert, incidentId: string, now: number, previous: AlertRecord | undefined): AlertRecord {
  return {
    fingerprint: alert.fingerprint,
    incidentId,
    status: alert.status,
    severity: alert.severity,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
    firstReceivedAt: previous?.incidentId === incidentId ? previous.firstReceivedAt : now,
    lastReceivedAt: now,
    receiveCount: previous?.incidentId === incidentId ? previous.receiveCount + 1 : 1,
  };
}

function fire(alert: IncomingAlert, decision: DedupDecision, ctx: CorrelateContext): CorrelateResult {
  const { incident, now } = ctx;
  const previous = decision.kind === 'refire' ? decision.previous : undefined;
  const base = { fingerprint: alert.fingerprint, labels: alert.labels, annotations: alert.annotations };
  if (incident !== undefined && incident.state === 'open') {
    const severity = maxSeverity(incident.severity, alert.severity);
    // The common case (an alert joining an open incident), once per alert of a batch: plain literals,
    // not spreads, which cost ~10% of a 100-alert batch's CPU when profiled.
    const after: Incident = {
      id: incident.id,
      key: incident.key,
      state: incident.state,
      severity,
      title: incident.title,
      service: incident.service,
      slo: incident.slo,
      team: incident.team,
      groupLabels: incident.groupLabels,
      openedAt: incident.openedAt,
      resolvedAt: incident.resolvedAt,
      updatedAt: now,
      reopenCount: incident.reopenCount,
      firingAlerts: incident.firingAlerts + 1,
      firingPages: incident.firingPages + (alert.severity === 'page' ? 1 : 0),
    };
    const events: IncidentEvent[] = [
      {
        kind: 'grouped',
        reason: `${decision.reason}; joined open incident (${describeKey(alert)})`,
        fingerprint: alert.fingerprint,
        labels: alert.labels,
        annotations: alert.annotations,
      },
    ];
    if (severityRank[severity] > severityRank[incident.severity]) {
      events.push({ ...base, kind: 'escalated', reason: `severity ${incident.severity} → ${severity}: a ${alert.severity} alert joined` });
    }
    return { incident: after, alert: newRecord(alert, incident.id, now, previous), events };
  }
  if (incident !== undefined && incident.resolvedAt !== undefined && now - incident.resolvedAt <= ctx.reopenWindowMs) {
    const after: Incident = {
      ...incident,
      state: 'open',
      severity: alert.severity,
      resolvedAt: undefined,
      updatedAt: now,
      reopenCount: incident.reopenCount + 1,
      firingAlerts: 1,
      firingPages: alert.severity === 'page' ? 1 : 0,
    };
    const agoS = Math.round((now - incident.resolvedAt) / 1000);
    return {
      incident: after,
      alert: newRecord(alert, incident.id, now, previous),
      events: [
        {
          ...base,
          kind: 'reopened',
          reason: `${decision.reason}; re-fired ${agoS}s after the incident resolved, within the ${Math.round(ctx.reopenWindowMs / 1000)}s reopen window`,
        },
      ],
    };
  }
  const id = ctx.newIncidentId();
  const opened: Incident = {
    id,
    key: alert.incidentKey,
    state: 'open',
    severity: alert.severity,
    ...titleOf(alert, ctx.catalog),
    groupLabels: alert.groupLabels,
    openedAt: now,
    resolvedAt: undefined,
    updatedAt: now,
    reopenCount: 0,
    firingAlerts: 1,
    firingPages: alert.severity === 'page' ? 1 : 0,
  };
  const why = incident === undefined ? 'no incident with this key' : 'the last incident with this key resolved outside the reopen window';
  return {
    incident: opened,
    alert: newRecord(alert, id, now, previous),
    events: [{ ...base, kind: 'opened', reason: `${decision.reason}; ${why}` }],
  };
}

/**
 * Correlate stage: attaches an alert to its incident, opening, reopening, escalating or resolving the
 * incident as needed. Pure: returns the new incident and alert rows and the events that explain them.
 */
export function correlate(alert: IncomingAlert, decision: DedupDecision, ctx: CorrelateContext): CorrelateResult {
  const base = { fingerprint: alert.fingerprint, labels: alert.labels, annotations: alert.annotations };
  switch (decision.kind) {
    case 'fire':
    case 'refire':
      return fire(alert, decision, ctx);
    case 'unseen-resolve':
      return { incident: undefined, alert: undefined, events: [] };
    case 'duplicate':
    case 'stale': {
      const previous = decision.previous;
      const touched: AlertRecord = { ...previous, lastReceivedAt: ctx.now, receiveCount: previous.receiveCount + 1 };
      return {
        incident: ctx.incident,
        alert: touched,
        events: ctx.incident === undefined ? [] : [{ ...base, kind: 'deduplicated', reason: `${alert.status} alert: ${decision.reason}; no notification` }],
      };
    }
    case 'resolve': {
      const previous = decision.previous;
      const resolved: AlertRecord = {
        ...previous,
        status: 'resolved',
        endsAt: alert.endsAt ?? ctx.now,
        annotations: alert.annotations,
        lastReceivedAt: ctx.now,
        receiveCount: previous.receiveCount + 1,
      };
      const incident = ctx.incident;
      if (incident === undefined) return { incident: undefined, alert: resolved, events: [] };
      const otherFiring = Math.max(0, incident.firingAlerts - 1);
      if (incident.state === 'open' && otherFiring === 0) {
        return {
          incident: { ...incident, state: 'resolved', resolvedAt: ctx.now, updatedAt: ctx.now, firingAlerts: 0, firingPages: 0 },
          alert: resolved,
          events: [
            { ...base, kind: 'alert-resolved', reason: decision.reason },
            { ...base, kind: 'resolved', reason: 'every alert of the incident has resolved' },
          ],
        };
      }
      // Only a firing alert counts: a repeat of a resolve, or a resolve of an alert whose incident had
      // already resolved, changes no count that is not already 0.
      const wasFiringPage = previous.status === 'firing' && previous.severity === 'page';
      const pages = Math.max(0, incident.firingPages - (wasFiringPage ? 1 : 0));
      const events: IncidentEvent[] = [
        {
          ...base,
          kind: 'alert-resolved',
          reason: `${decision.reason}; ${otherFiring} other alert${otherFiring === 1 ? '' : 's'} still firing`,
        },
      ];
      let severity = incident.severity;
      if (incident.state === 'open' && incident.severity === 'page' && wasFiringPage && pages === 0) {
        // The fast burn is over and the slow one goes on: the incident is a ticket again, told from a
        // ticket alert that still fires (the page tier's labels would route and read as a page).
        severity = 'ticket';
        const ticket = ctx.firingAlertOf(incident.id, 'ticket');
        events.push({
          kind: 'de-escalated',
          reason: `severity page → ticket: the last page alert resolved; ${otherFiring} ticket alert${otherFiring === 1 ? '' : 's'} still firing`,
          fingerprint: ticket?.fingerprint ?? alert.fingerprint,
          labels: ticket?.labels ?? { ...alert.labels, severity: 'ticket' },
          annotations: ticket?.annotations ?? alert.annotations,
        });
      }
      return {
        incident: { ...incident, severity, updatedAt: ctx.now, firingAlerts: otherFiring, firingPages: pages },
        alert: resolved,
        events,
      };
    }
  }
}
