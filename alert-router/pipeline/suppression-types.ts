import type { Matcher } from './matcher.js';
import type { AlertRecord, Incident, Severity } from './types.js';

/** Why notifications were held back; the label of `slokit_router_notifications_suppressed_total`. */
export type SuppressionReason = 'maintenance' | 'dependency' | 'flapping' | 'storm' | 'grouped';

/**
 * A maintenance window: alerts matching every matcher notify nobody between `startsAt` and `endsAt`
 * (epoch ms). A window cancelled before it started ends before it starts (see `isCancelled`).
 */
export interface MaintenanceWindow {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  author: string;
  comment: string;
  createdAt: number;
}

/**
 * A durable "not now" on an incident's notifications, and the timer that ends it: a maintenance window
 * until its end, a dependency or label group until the parent resolves, flapping until it is stable.
 * The tick releases it and sends the incident's state then, if that differs from what was last sent.
 */
export interface Hold {
  incidentId: string;
  reason: Exclude<SuppressionReason, 'storm'>;
  detail: string;
  since: number;
  /** When the hold ends (maintenance end, flap stable-after); undefined while waiting on a parent. */
  until: number | undefined;
  /** The incident this one is linked to ("likely caused by"), for dependency and label-group holds. */
  parentId: string | undefined;
  /**
   * The maintenance window that set a maintenance hold: ending that window early ends the hold, and
   * retention keeps the window while a hold names it.
   */
  windowId?: string;
}

/** An incident that a storm rolled into a target's digest instead of notifying it alone. */
export interface DigestItem {
  seq: number;
  target: { kind: 'pagerduty' | 'slack'; destination: string };
  incidentId: string;
  title: string;
  severity: Severity;
  at: number;
  /** The digest incident that listed it, once flushed. */
  digestId: string | undefined;
}

/** Thresholds of the suppression stages, in ms and counts; swapped whole on config reload. */
export interface SuppressionSettings {
  dependencies: { enabled: boolean; windowMs: number };
  grouping: { keys: string[]; windowMs: number };
  flapping: { enabled: boolean; maxChanges: number; windowMs: number; stableMs: number };
  /** `earlyWarning`: the router service's volume watch warns once when a service's alert volume surges. */
  storm: { enabled: boolean; maxPerMinute: number; digestIntervalMs: number; earlyWarning: boolean };
}

export const DEFAULT_SUPPRESSION: SuppressionSettings = {
  dependencies: { enabled: true, windowMs: 60 * 60_000 },
  grouping: { keys: [], windowMs: 5 * 60_000 },
  flapping: { enabled: true, maxChanges: 4, windowMs: 15 * 60_000, stableMs: 10 * 60_000 },
  storm: { enabled: true, maxPerMinute: 10, digestIntervalMs: 2 * 60_000, earlyWarning: true },
};

/** The state the suppression stages read and write; the store implements it in the batch's transaction. */
export interface SuppressionPort {
  /** Windows with startsAt ≤ now < endsAt. */
  activeMaintenance(now: number): MaintenanceWindow[];
  holdOf(incidentId: string): Hold | undefined;
  holds(): Hold[];
  setHold(hold: Hold): void;
  clearHold(incidentId: string): void;
  /** What the incident's targets were last told: open (a trigger) or resolved; undefined when never notified. */
  notifiedState(incidentId: string): 'open' | 'resolved' | undefined;
  setNotifiedState(incidentId: string, state: 'open' | 'resolved'): void;
  /** Open incidents of these services (or, for label grouping, with this key prefix) opened at or after `since`. */
  openIncidentsOf(services: string[], since: number): Incident[];
  openIncidentsByKeyPrefix(prefix: string, since: number): Incident[];
  /**
   * Appends a state change of an alert and returns its changes at or after `since`, this one included.
   * `previous` is the alert's stored row, undefined for its first fire. A first fire writes nothing
   * (most alerts never change again, and the row's `firstReceivedAt` already says when it fired), so
   * an alert with no stored history has one change: its row's `firstReceivedAt`.
   */
  recordChange(fingerprint: string, at: number, since: number, previous: AlertRecord | undefined): number[];
  /** Incidents triggered to a target at or after `since`, and those listed for its digests since then. */
  openedForTargetSince(kind: 'pagerduty' | 'slack', destination: string, since: number): { sent: number; digested: number };
  addDigestItem(item: Omit<DigestItem, 'seq' | 'digestId'>): void;
  undigested(): DigestItem[];
  markDigested(seqs: number[], digestId: string): void;
  /**
   * The digest that lists the incident for this target and is still open: its id, or undefined for
   * the next digest (the item is not sent yet), and the highest severity an open digest lists it at;
   * null when none does.
   */
  openDigestListing(incidentId: string, kind: 'pagerduty' | 'slack', destination: string): { digestId: string | undefined; severity: Severity } | null;
  /** The incidents a digest lists, each with the highest severity it lists it at. */
  digestMembers(digestId: string): { incidentId: string; severity: Severity }[];
  /** Labels of the incident's most recent firing alert (routing and matching after a hold). */
  firingLabelsOf(incidentId: string): FiringLabels | undefined;
  /** Open incidents whose key starts with `storm:` (digests). */
  openDigests(): Incident[];
}

/** An incident's alert labels and annotations as a hold's release tells and routes it (`firingLabelsOf`). */
export interface FiringLabels {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
