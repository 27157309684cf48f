import type { EventPayloadV2, Severity } from '@pagerduty/pdjs/build/src/events.js';
import { truncate } from './truncate.js';
import type { Notification } from './types.js';

/** PagerDuty's limit on `payload.summary`, in characters. */
export const PAGERDUTY_SUMMARY_MAX = 1024;

/** What the event needs besides the notification. */
export interface PagerDutyEventContext {
  /** The integration's routing key (32 characters at PagerDuty). */
  routingKey: string;
  /** `payload.source`: where the event comes from, shown on the alert. */
  source: string;
}

/**
 * The Events v2 body for one notification. Triggers and updates both send `trigger` with the
 * incident's id as `dedup_key`: PagerDuty folds a trigger for an open alert into that alert and
 * refreshes its details. Resolves send `resolve` with the same key.
 */
export function buildPagerDutyEvent(notification: Notification, context: PagerDutyEventContext): EventPayloadV2 {
  const payload: EventPayloadV2['payload'] = {
    summary: truncate(notification.summary, PAGERDUTY_SUMMARY_MAX),
    source: context.source,
    severity: pagerDutySeverity(notification.severity),
    timestamp: notification.startedAt,
    component: notification.service,
    custom_details: { details: notification.details, ...notification.customDetails },
  };
  if (notification.team !== undefined) payload.group = notification.team;
  const eventClass = notification.slo ?? alertName(notification.customDetails);
  if (eventClass !== undefined) payload.class = eventClass;
  return {
    routing_key: context.routingKey,
    event_action: notification.action === 'resolve' ? 'resolve' : 'trigger',
    dedup_key: notification.incidentId,
    payload,
    links: notification.links.map((link) => ({ href: link.href, text: link.text })),
  };
}

/** Pages are `critical` (they wake someone); tickets are `warning`. */
export function pagerDutySeverity(severity: Notification['severity']): Severity {
  return severity === 'page' ? 'critical' : 'warning';
}

/** `alertname` from custom details, top level or under `labels`, when it is a string. */
function alertName(details: Record<string, unknown>): string | undefined {
  if (typeof details['alertname'] === 'string') return details['alertname'];
  const labels = details['labels'];
  if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
    const name = (labels as Record<string, unknown>)['alertname'];
    if (typeof name === 'string') return name;
  }
  return undefined;
}
