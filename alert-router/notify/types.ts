/**
 * The contract between the router's outbox (alert-router/pipeline, alert-router/store) and the
 * notifiers (PagerDuty, Slack). The outbox owns ordering, retries and persistence; a notifier makes
 * one attempt and says how it went.
 */

export type NotificationAction = 'trigger' | 'update' | 'resolve';
export type TargetKind = 'pagerduty' | 'slack';

/** A link shown with the notification (runbook, dashboard). */
export interface NotificationLink {
  href: string;
  text: string;
}

/** One message for one target about one incident, as stored in the outbox. */
export interface Notification {
  /** Outbox row id: unique, stable across restarts. */
  id: string;
  /** The incident; PagerDuty's dedup_key and the Slack thread are keyed on it. */
  incidentId: string;
  action: NotificationAction;
  target: {
    kind: TargetKind;
    /** For pagerduty: the name of the env var holding the routing key (from config). For slack: the channel. */
    destination: string;
  };
  severity: 'page' | 'ticket';
  /** One line: what is wrong, e.g. "checkout/availability burning error budget 15.8× (page)". */
  summary: string;
  /** Free text: which tier fired and why, correlation and suppression notes, anomaly sentence. */
  details: string;
  service: string;
  /** SLO name when the incident is an SLO's. */
  slo?: string;
  team?: string;
  /** Alert-level facts for custom_details: labels, annotations, burn rates, anomaly score. */
  customDetails: Record<string, unknown>;
  links: NotificationLink[];
  /** When the incident started (ISO 8601). */
  startedAt: string;
  /**
   * For a Slack update: the incident fired again after a resolve had marked its first message
   * "Resolved", so the update also edits that message back to firing (`chat.update`). Absent otherwise.
   */
  reopened?: boolean;
  /**
   * For a Slack update: the incident escalated (ticket → page), so the update also edits the first
   * message, which still shows the ticket, to the page (`chat.update`). Absent otherwise.
   */
  escalated?: boolean;
  /**
   * For a Slack update: the incident de-escalated (page → ticket: its last page alert resolved while
   * ticket alerts fire), so the update also edits the first message, which shows the page, to the ticket.
   */
  deescalated?: boolean;
  /**
   * For Slack updates and resolves: the `ts` of the incident's first message in `destination`,
   * returned by the trigger's delivery. Absent for triggers.
   */
  threadTs?: string;
}

/** What a successful attempt returns; `ref` is what later messages need (Slack's message ts). */
export interface DeliveryReceipt {
  /** HTTP status the target answered. */
  status: number;
  ref?: string;
}

/**
 * A failed attempt. `retryable` is true for 429, 5xx and network errors; `retryAfterMs` is set when
 * the target said how long to wait (429 Retry-After). `notSent` is true when the attempt never left
 * the router (no routing key or token to send it with): the target cannot have it, which a failure
 * without a status does not say otherwise (a timeout or a dropped connection may come after the
 * target took it).
 */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly notSent: boolean;

  constructor(
    message: string,
    details: { retryable: boolean; status?: number; retryAfterMs?: number; notSent?: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
    this.retryable = details.retryable;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.notSent = details.notSent ?? false;
  }
}

/** What the outbox knows about an attempt before it is made. */
export interface AttemptContext {
  /**
   * An earlier attempt may have reached the target without its outcome being recorded: a retry
   * (the earlier one timed out, or failed after the target took it), or a notification queued before
   * this process started (a crash can come between the target's answer and the outbox's record).
   */
  maybeDelivered: boolean;
  /** When the notification was queued, ms since the epoch: nothing sent for it is older. */
  queuedAt: number;
}

/** One delivery attempt. Resolves with a receipt, or rejects with a `DeliveryError`. */
export interface Notifier {
  readonly kind: TargetKind;
  deliver(notification: Notification, signal?: AbortSignal, attempt?: AttemptContext): Promise<DeliveryReceipt>;
}
