import { ALERT_LABELS, ANNOTATIONS } from '../../src/slo/conventions.js';
import { burnRatesOf, type AlertBurnRates } from '../notify/burn-rates.js';
import type { Notification, NotificationAction } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { Target } from './route.js';
import type { Incident, TimelineEntry } from './types.js';

/** A target as the timeline names it: `pagerduty (routing key from $PD_KEY)` or `slack #channel`. */
export function describeTarget(t: Target): string {
  return `${t.kind} ${t.kind === 'pagerduty' ? `(routing key from $${t.destination})` : t.destination}`;
}

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
  const burn = burnRatesOf(input.annotations);
  const notification: Notification = {
    id: input.newId(),
    incidentId: incident.id,
    action,
    target: { kind: target.kind, destination: target.destination },
    severity: incident.severity,
    summary: input.summary ?? summaryOf(incident, input.labels, input.annotations, burn),
    details: input.details,
    service: incident.service,
    customDetails: {
      incidentKey: incident.key,
      state: incident.state,
      labels: input.labels,
      annotations: input.annotations,
      ...(burn === undefined ? {} : { burnRates: burn.rates }),
      ...input.customDetails,
    },
    links: input.catalog.links(input.labels, input.annotations),
    startedAt: new Date(incident.openedAt).toISOString(),
    ...(incident.slo === undefined ? {} : { slo: incident.slo }),
    ...(incident.team === undefined ? {} : { team: incident.team }),
  };
  return {
    notification,
    timeline: {
      incidentId: incident.id,
      at: input.now,
      kind: 'enqueued',
      reason: `${action} for ${describeTarget(target)}: ${input.why}`,
      data: { notificationId: notification.id, action, target: target.kind, destination: target.destination },
    },
  };
}

const SEVERITY_SUFFIX = /\s*\((?:page|ticket)\)$/;

/**
 * The one line a phone's lock screen shows: which service and SLO, what the alert says, how fast the
 * budget burns (the firing tier's long window) and page or ticket, each once:
 * "checkout/availability is burning its error budget fast, 15.8× over 1h (page)". SLO incidents read
 * the alert's own `summary` annotation (generated ones already name the SLO and end in the alert's
 * severity, which the incident's replaces); other incidents keep their title.
 */
export function summaryOf(
  incident: Incident,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  burn: AlertBurnRates | undefined,
): string {
  let subject = incident.title.replace(SEVERITY_SUFFIX, '');
  if (incident.slo !== undefined) {
    const name = `${incident.service}/${incident.slo}`;
    const id = labels[ALERT_LABELS.id];
    let said = (annotations[ANNOTATIONS.summary] ?? '').trim().replace(SEVERITY_SUFFIX, '');
    if (id !== undefined && said.startsWith(`${id}: `)) said = said.slice(id.length + 2);
    subject = said === '' ? `${name} is burning its error budget` : said.startsWith(name) ? said : `${name}: ${said}`;
  }
  const rate = burn?.firing === undefined ? '' : `, ${burn.firing.rate}× over ${burn.firing.window}`;
  return `${subject}${rate} (${incident.severity})`;
}
