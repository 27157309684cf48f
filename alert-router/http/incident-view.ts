import type { AlertRecord, Incident, TimelineEntry } from '../pipeline/types.js';
import type { OutboxEntry } from '../store/sqlite-store.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** An incident as the API shows it: ISO times, nulls instead of absent fields. */
export function incidentView(i: Incident) {
  return {
    id: i.id,
    key: i.key,
    state: i.state,
    severity: i.severity,
    title: i.title,
    service: i.service,
    slo: i.slo ?? null,
    team: i.team ?? null,
    groupLabels: i.groupLabels,
    openedAt: iso(i.openedAt),
    resolvedAt: iso(i.resolvedAt),
    updatedAt: iso(i.updatedAt),
    reopenCount: i.reopenCount,
  };
}

export function alertView(a: AlertRecord) {
  return {
    fingerprint: a.fingerprint,
    status: a.status,
    severity: a.severity,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    generatorURL: a.generatorURL ?? null,
    firstReceivedAt: iso(a.firstReceivedAt),
    lastReceivedAt: iso(a.lastReceivedAt),
    receiveCount: a.receiveCount,
  };
}

export function timelineView(e: TimelineEntry) {
  return { at: iso(e.at), kind: e.kind, reason: e.reason, ...(e.data === undefined ? {} : { data: e.data }) };
}

/**
 * A notification as the API shows it. One withheld on purpose is `state: 'withheld'`, never a plain
 * `failed` (the store keeps it failed, with its outcome); `outcome` is how one that was not delivered
 * ended where the state does not say it all (`withheld`, or `never_sent`: failed without any attempt
 * leaving the router), null otherwise.
 */
export function notificationView(o: OutboxEntry) {
  return {
    id: o.notification.id,
    action: o.notification.action,
    target: o.notification.target,
    state: o.outcome === 'withheld' ? 'withheld' : o.state,
    outcome: o.outcome ?? null,
    attempts: o.attempts,
    createdAt: iso(o.createdAt),
    nextAttemptAt: o.state === 'pending' ? iso(o.nextAttemptAt) : null,
    deliveredAt: iso(o.deliveredAt),
    lastStatus: o.lastStatus ?? null,
    lastError: o.lastError ?? null,
  };
}
