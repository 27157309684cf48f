import type { Notification, NotificationAction } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { Target } from './route.js';
import type { Incident, TimelineEntry } from './types.js';

export interface NoticeInput {
  incident: Incident;
  target: Target;
  action: NotificationAction;
  /** Prefix of the summary line, e.g. "[flapping]" or "likely caused by". */
  summary?: string;
  details: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  customDetails?: Record<string, unknown>;
  catalog: CatalogIndex;
  now: number;
  newId: () => string;
  why: string;
}

/**
 * A notification the suppression stages send outside enqueue's rules (a dependent linked to its cause,
 * a storm digest, a release after a hold), and the `enqueued` timeline row that explains it. Pure.
 */
export function notice(input: NoticeInput): { notification: Notification; timeline: TimelineEntry } {
  const { incident, target, action } = input;
  const notification: Notification = {
    id: input.newId(),
    incidentId: incident.id,
    action,
    target: { kind: target.kind, destination: target.destination },
    severity: incident.severity,
    summary: input.summary ?? `${incident.title} (${incident.severity})`,
    details: input.details,
    service: incident.service,
    customDetails: { incidentKey: incident.key, state: incident.state, labels: input.labels, annotations: input.annotations, ...input.customDetails },
    links: input.catalog.links(input.labels, input.annotations),
    startedAt: new Date(incident.openedAt).toISOString(),
    ...(incident.slo === undefined ? {} : { slo: incident.slo }),
    ...(incident.team === undefined ? {} : { team: incident.team }),
  };
  const where = target.kind === 'pagerduty' ? `pagerduty (routing key from $${target.destination})` : `slack ${target.destination}`;
  return {
    notification,
    timeline: {
      incidentId: incident.id,
      at: input.now,
      kind: 'enqueued',
      reason: `${action} for ${where}: ${input.why}`,
      data: { notificationId: notification.id, action, target: target.kind, destination: target.destination },
    },
  };
}
