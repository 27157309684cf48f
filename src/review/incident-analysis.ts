import type { Bucket, IncidentReview } from './review-model.js';
import type { ReviewPeriod } from './review-period.js';

/** An incident as the alert-router's API gives it, reduced to what a review reads. */
export interface RouterIncident {
  id: string;
  title: string;
  service: string;
  slo: string | undefined;
  severity: 'page' | 'ticket';
  openedAtMs: number;
  resolvedAtMs: number | undefined;
  notifications: RouterNotification[];
}

export interface RouterNotification {
  action: 'trigger' | 'update' | 'resolve';
  target: 'pagerduty' | 'slack';
  state: string;
  createdAtMs: number;
  deliveredAtMs: number | undefined;
}

/**
 * What an incident cost and how fast it was caught, from 5m buckets of the SLI around it.
 * The burn's start is the first of the unbroken run of 5m buckets above the budget's error ratio
 * (burn rate over 1) that holds the first notification (or the opening when nothing was sent);
 * the budget spent counts errors from there to the resolve, within the period only (an incident
 * that began before the period spent the earlier part from the previous period's budget); the
 * whole budget spent counts them across the period's edges, so `buckets` reach to the resolve.
 * `budgetEvents` is the period's budget in events (budget × the period's total).
 * Before `heldFromMs`, where Prometheus's retention begins, the SLI is gone: a burn that runs back
 * out of the buckets there has no known start (see {@link IncidentReview.sliHeldFromMs}).
 */
export function analyseIncident(
  incident: RouterIncident,
  buckets: readonly Bucket[],
  stepMs: number,
  errorBudget: number,
  budgetEvents: number,
  period: ReviewPeriod,
  heldFromMs = -Infinity,
): IncidentReview {
  // Detected when someone was told: a trigger that failed (or still waits in the outbox) told nobody.
  const delivered = incident.notifications.filter((n) => n.action === 'trigger' && n.state === 'delivered' && n.deliveredAtMs !== undefined);
  const firstNotificationAtMs = delivered.map((n) => n.deliveredAtMs!).sort((a, b) => a - b)[0];
  const paged = delivered.some((n) => n.target === 'pagerduty');
  const endMs = Math.min(incident.resolvedAtMs ?? period.endMs, period.endMs);
  const sorted = [...buckets].sort((a, b) => a.startMs - b.startMs);
  const burning = (b: Bucket) => b.total > 0 && b.errors / b.total > errorBudget;

  const anchor = firstNotificationAtMs ?? incident.openedAtMs;
  let i = sorted.findLastIndex((b) => b.startMs < anchor);
  let burnStartMs: number | undefined;
  while (i >= 0 && burning(sorted[i]!)) {
    burnStartMs = sorted[i]!.startMs;
    i--;
  }
  // Out of buckets at the retention's edge, the SLI stops there, not the burn: it may have begun (and
  // been detected, or spent all its budget) in the hours Prometheus no longer holds.
  const sliHeldFromMs = i < 0 && (burnStartMs ?? anchor) - stepMs < heldFromMs ? heldFromMs : undefined;
  const burnFrom = burnStartMs ?? incident.openedAtMs;
  const errorsBetween = (from: number, to: number) =>
    sorted.filter((b) => b.startMs + stepMs > from && b.startMs < to).reduce((n, b) => n + b.errors, 0);
  const errors = errorsBetween(Math.max(burnFrom, period.startMs), endMs);
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    openedAtMs: incident.openedAtMs,
    resolvedAtMs: incident.resolvedAtMs,
    durationMs: endMs - incident.openedAtMs,
    openAtPeriodEnd: incident.resolvedAtMs === undefined || incident.resolvedAtMs > period.endMs,
    budgetSpent: budgetEvents > 0 ? errors / budgetEvents : 0,
    wholeBudgetSpent:
      incident.resolvedAtMs === undefined || sliHeldFromMs !== undefined
        ? undefined
        : budgetEvents > 0
          ? errorsBetween(burnFrom, incident.resolvedAtMs) / budgetEvents
          : 0,
    paged,
    firstNotificationAtMs,
    burnStartMs: sliHeldFromMs === undefined ? burnStartMs : undefined,
    timeToDetectMs:
      firstNotificationAtMs === undefined || burnStartMs === undefined || sliHeldFromMs !== undefined ? undefined : firstNotificationAtMs - burnStartMs,
    sliHeldFromMs,
  };
}
