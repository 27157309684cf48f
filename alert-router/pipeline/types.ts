/**
 * The router's domain model, shared by the pure pipeline stages and the store that persists them.
 * Times are epoch milliseconds; the HTTP layer renders them as ISO 8601.
 */

export type Severity = 'page' | 'ticket';
export type AlertStatus = 'firing' | 'resolved';
export type IncidentState = 'open' | 'resolved';

/** An alert as the pipeline sees it after ingest: validated, fingerprinted, times parsed. */
export interface IncomingAlert {
  /** Alertmanager's fingerprint, or a hash of the sorted label set when absent. */
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** Undefined while firing (Alertmanager sends 0001-01-01T00:00:00Z). */
  endsAt: number | undefined;
  generatorURL: string | undefined;
  severity: Severity;
  /** The incident this alert belongs to; SLO alerts key on their SLO, others on alertname + group labels. */
  incidentKey: string;
  /** The labels that make up the incident key, shown on the incident. */
  groupLabels: Record<string, string>;
}

/** One Alertmanager webhook delivery after ingest. */
export interface IncomingBatch {
  receiver: string;
  groupKey: string;
  alerts: IncomingAlert[];
  /** Alerts Alertmanager dropped from the payload (max_alerts). */
  truncatedAlerts: number;
}

/** What the store remembers about one alert inside one incident. */
export interface AlertRecord {
  fingerprint: string;
  incidentId: string;
  status: AlertStatus;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | undefined;
  generatorURL: string | undefined;
  firstReceivedAt: number;
  lastReceivedAt: number;
  /** Deliveries of this alert seen, duplicates included. */
  receiveCount: number;
}

export interface Incident {
  /** Stable id; PagerDuty's dedup_key. */
  id: string;
  key: string;
  state: IncidentState;
  /** Highest severity of any alert that fired while the incident was open. */
  severity: Severity;
  title: string;
  service: string;
  slo: string | undefined;
  team: string | undefined;
  groupLabels: Record<string, string>;
  openedAt: number;
  resolvedAt: number | undefined;
  updatedAt: number;
  reopenCount: number;
  /** Alerts of the incident firing now; it resolves when this reaches 0. */
  firingAlerts: number;
  /**
   * Of those, the ones of page severity: when the last resolves while others fire, a page incident
   * de-escalates to ticket.
   */
  firingPages: number;
}

/** A target an incident was routed to, with what later messages need (Slack's first message ts). */
export interface IncidentTarget {
  kind: 'pagerduty' | 'slack';
  destination: string;
  ref: string | undefined;
}

export type TimelineKind =
  | 'opened'
  | 'reopened'
  | 'grouped'
  | 'deduplicated'
  | 'escalated'
  /** The last page alert resolved while ticket alerts fire: the incident is a ticket again. */
  | 'de-escalated'
  | 'alert-resolved'
  | 'resolved'
  | 'routed'
  | 'enqueued'
  | 'notified'
  | 'retried'
  | 'failed'
  /** A notification not sent on purpose: a PagerDuty resolve whose triggers PagerDuty refused. */
  | 'withheld'
  | 'suppressed'
  | 'released'
  | 'linked'
  | 'flapping'
  | 'digested'
  /** An SLO incident's anomaly score (or why it has none), and what the policy made of it. */
  | 'scored';

/** One decision the router made about an incident, with the reason a person needs at 3 a.m. */
export interface TimelineEntry {
  incidentId: string;
  at: number;
  kind: TimelineKind;
  reason: string;
  data?: Record<string, unknown>;
}

export const severityRank: Record<Severity, number> = { ticket: 1, page: 2 };

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank[a] >= severityRank[b] ? a : b;
}
