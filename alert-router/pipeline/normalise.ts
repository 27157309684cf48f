import { createHash } from 'node:crypto';
import { ALERT_LABELS } from '../../src/slo/conventions.js';
import type { IncomingAlert, IncomingBatch, Severity } from './types.js';
import type { WebhookAlert, WebhookPayload } from './webhook-schema.js';

/** Alertmanager's zero time: what a firing alert carries as `endsAt`. */
const ZERO_TIME_PREFIX = '0001-01-01';

/** Severity label values that page; everything else (ticket, warning, info, none) files a ticket. */
const PAGING_SEVERITIES = new Set(['page', 'critical']);

/** Maps an alert's `severity` label to the router's two tiers. */
export function severityOf(labels: Record<string, string>): Severity {
  const value = labels[ALERT_LABELS.severity];
  return value !== undefined && PAGING_SEVERITIES.has(value.toLowerCase()) ? 'page' : 'ticket';
}

/** A stable identity for a label set when Alertmanager sent no fingerprint: sha256 of the sorted pairs. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(labels).sort()) hash.update(`${key}\u0000${labels[key]}\u0000`);
  return hash.digest('hex').slice(0, 16);
}

function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/**
 * The incident an alert belongs to. An SLO's alerts (page and ticket tiers, no-data) share one incident
 * keyed on `slo_service` + `slo_name`; any other alert groups by alertname and the batch's group labels.
 */
export function incidentKeyOf(
  labels: Record<string, string>,
  groupLabelNames: readonly string[],
): { key: string; groupLabels: Record<string, string> } {
  const service = labels[ALERT_LABELS.service];
  const name = labels[ALERT_LABELS.name];
  if (service !== undefined && name !== undefined) {
    return {
      key: `slo:${service}/${name}`,
      groupLabels: { [ALERT_LABELS.service]: service, [ALERT_LABELS.name]: name },
    };
  }
  const groupLabels: Record<string, string> = { alertname: labels['alertname'] ?? '' };
  for (const n of groupLabelNames) {
    const v = labels[n];
    if (v !== undefined) groupLabels[n] = v;
  }
  return { key: `alert:{${formatLabels(groupLabels)}}`, groupLabels };
}

function parseTime(s: string | undefined): number | undefined {
  if (s === undefined || s.startsWith(ZERO_TIME_PREFIX)) return undefined;
  return Date.parse(s);
}

function normaliseAlert(alert: WebhookAlert, groupLabelNames: readonly string[]): IncomingAlert {
  const { key, groupLabels } = incidentKeyOf(alert.labels, groupLabelNames);
  return {
    fingerprint: alert.fingerprint !== undefined && alert.fingerprint !== '' ? alert.fingerprint : labelsFingerprint(alert.labels),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: parseTime(alert.startsAt) ?? 0,
    endsAt: alert.status === 'resolved' ? parseTime(alert.endsAt) : undefined,
    generatorURL: alert.generatorURL === '' ? undefined : alert.generatorURL,
    severity: severityOf(alert.labels),
    incidentKey: key,
    groupLabels,
  };
}

/** Ingest stage: a validated webhook payload becomes the pipeline's batch. Pure. */
export function normalise(payload: WebhookPayload): IncomingBatch {
  const groupLabelNames = Object.keys(payload.groupLabels).filter((n) => n !== 'alertname');
  return {
    receiver: payload.receiver,
    groupKey: payload.groupKey,
    truncatedAlerts: payload.truncatedAlerts,
    alerts: payload.alerts.map((a) => normaliseAlert(a, groupLabelNames)),
  };
}
