import type { EventPayloadV2, Severity } from '@pagerduty/pdjs/build/src/events.js';
import { truncate } from './truncate.js';
import type { Notification } from './types.js';
import { webLink } from './web-link.js';

/** PagerDuty's limit on `payload.summary`, in characters. */
export const PAGERDUTY_SUMMARY_MAX = 1024;

/** PagerDuty's limit on a whole event, in bytes of JSON: larger ones are refused (400) and never page. */
export const PAGERDUTY_EVENT_MAX_BYTES = 512 * 1024;

/** How long one string of custom_details may stay when the event must shrink, in characters. */
const SHRUNK_STRING_MAX = 16_000;

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
 * refreshes its details. Resolves send `resolve` with the same key and nothing else. Links that are
 * not absolute http(s) URLs are left out; custom_details shrink when the event would pass 512 KB.
 */
export function buildPagerDutyEvent(notification: Notification, context: PagerDutyEventContext): EventPayloadV2 {
  if (notification.action === 'resolve') {
    // A resolve needs only the key: PagerDuty ignores its payload, and a large one could get it refused.
    return { routing_key: context.routingKey, event_action: 'resolve', dedup_key: notification.incidentId } as EventPayloadV2;
  }
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
  const links = notification.links.flatMap((link) => {
    const href = webLink(link.href);
    return href === undefined ? [] : [{ href, text: link.text }];
  });
  const event: EventPayloadV2 = { routing_key: context.routingKey, event_action: 'trigger', dedup_key: notification.incidentId, payload, links };
  const size = jsonBytes(event);
  if (size > PAGERDUTY_EVENT_MAX_BYTES) {
    const rest = size - jsonBytes(payload.custom_details);
    payload.custom_details = shrink(payload.custom_details as Record<string, unknown>, PAGERDUTY_EVENT_MAX_BYTES - rest - 1024);
  }
  return event;
}

/**
 * custom_details cut to `budget` bytes of JSON: long strings shortened, then each entry kept, in order,
 * while it fits; `truncated` says what was left out. The incident timeline keeps everything.
 */
function shrink(details: Record<string, unknown>, budget: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const left: string[] = [];
  let used = 512;
  for (const [key, value] of Object.entries(details)) {
    const kept = typeof value === 'string' ? truncate(value, SHRUNK_STRING_MAX) : value;
    const size = jsonBytes({ [key]: kept });
    if (used + size <= budget) {
      out[key] = kept;
      used += size;
    } else {
      left.push(key);
    }
  }
  const what = left.length === 0 ? 'long text shortened' : `left out: ${left.join(', ')}`;
  out['truncated'] = `cut to fit PagerDuty's ${PAGERDUTY_EVENT_MAX_BYTES / 1024} KB event limit (${what}); the incident's timeline in the router has everything`;
  return out;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
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
