import type { BurnAnomaly } from '../anomaly/burn-anomaly.js';
import type { BurnAssessment } from '../anomaly/burn-enricher.js';
import type { Notification } from '../notify/types.js';
import { emptyOutcome, notifyIncident, type BatchOutcome, type PipelineDeps, type PipelinePort, type PipelineSettings, type ScoreRequest } from './process-batch.js';

/** The outbox rows an anomaly score annotates: the notifications held for it, not yet attempted. */
export interface AnomalyPort extends PipelinePort {
  /**
   * Rewrites each of the notifications `ids` that is still pending and never attempted with `annotate`
   * and makes it due by `now` (it was held for the score). Returns how many it changed.
   */
  annotatePending(ids: readonly string[], annotate: (n: Notification) => Notification, now: number): number;
}

/**
 * What the incident, PagerDuty's custom_details and the Slack message carry of a score: the score
 * (rounded), and whether the page is within its usual seasonal range (`anomaly.recurringBelowZ`).
 */
export type AnomalyFacts = BurnAnomaly & { recurring: boolean };

/** What applying a score did: the escalation's notifications (if any) and the action taken. */
export interface AnomalyApplied {
  outcome: BatchOutcome;
  /** `escalate` only when a still-open ticket became a page. */
  action: 'escalate' | 'mark-recurring' | 'none';
}

const RECURRING = '[recurring] ';

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** Adds the score to a notification once (a second call leaves it as it is). */
function annotated(n: Notification, facts: AnomalyFacts, reason: string): Notification {
  if (n.customDetails['anomaly'] !== undefined) return n;
  return {
    ...n,
    summary: facts.recurring && n.severity === 'page' && !n.summary.startsWith(RECURRING) ? `${RECURRING}${n.summary}` : n.summary,
    details: n.details === '' ? `anomaly: ${reason}` : `${n.details}\nanomaly: ${reason}`,
    customDetails: { ...n.customDetails, anomaly: facts },
  };
}

/**
 * Applies an SLO incident's anomaly assessment, inside one transaction: a `scored` timeline entry
 * with the score and sentence (or why there is none), the score on the notifications held for it
 * (PagerDuty custom_details, the Slack message; `[recurring]` in a recurring page's summary), which
 * then go out at once; and, when the policy escalates a ticket that is still open, the incident
 * becomes a page and is routed again, through the same suppression as any escalation.
 */
export function applyAnomaly(
  request: ScoreRequest,
  assessment: BurnAssessment,
  port: AnomalyPort,
  settings: PipelineSettings,
  deps: PipelineDeps,
): AnomalyApplied {
  const now = deps.now();
  const outcome = emptyOutcome(0);
  const incident = port.incidentById(request.incidentId);
  if (incident === undefined) return { outcome, action: 'none' };
  const { anomaly, decision } = assessment;
  const escalate = decision.action === 'escalate' && incident.state === 'open' && incident.severity === 'ticket';
  const facts: AnomalyFacts | undefined =
    anomaly === undefined
      ? undefined
      : {
          score: round(anomaly.score, 3),
          z: round(anomaly.z, 2),
          current: anomaly.current,
          usual: anomaly.usual,
          days: anomaly.days,
          sentence: anomaly.sentence,
          recurring: decision.action === 'mark-recurring',
        };
  const action: AnomalyApplied['action'] = escalate ? 'escalate' : decision.action === 'mark-recurring' ? 'mark-recurring' : 'none';
  const reason =
    facts === undefined
      ? // The enricher words a failed query itself ("no anomaly score: Prometheus at … answered 503").
        `${assessment.missing === 'prometheus-unavailable' ? decision.reason : `no anomaly score: ${decision.reason}`}; the notifications go out without one`
      : `anomaly score ${facts.score.toFixed(2)}: ${facts.sentence}${facts.recurring ? '; marked recurring (within its usual range)' : ''}${
          escalate ? `; escalated to page (score ≥ anomaly.escalateTicketAt)` : decision.action === 'escalate' ? '; not escalated: the incident is no longer an open ticket' : ''
        }`;
  port.appendTimeline([
    {
      incidentId: incident.id,
      at: now,
      kind: 'scored',
      reason,
      data: {
        ...(facts ?? {}),
        action,
        ...(assessment.missing === undefined ? {} : { missing: assessment.missing }),
        ...(assessment.failure === undefined ? {} : { failure: assessment.failure }),
      },
    },
  ]);
  const release = [...request.held];
  if (escalate) {
    const firing = port.suppression.firingLabelsOf(incident.id);
    const queued = notifyIncident(
      {
        before: incident,
        after: { ...incident, severity: 'page', updatedAt: now },
        events: [
          {
            kind: 'escalated',
            reason: `severity ticket → page: ${decision.reason}`,
            fingerprint: '',
            labels: firing?.labels ?? {},
            annotations: firing?.annotations ?? {},
          },
        ],
      },
      outcome,
      {
        port,
        settings,
        flapping: false,
        current: (id) => port.incidentById(id),
        windows: port.suppression.activeMaintenance(now),
        now,
        newId: deps.newId,
        notBefore: now,
      },
    );
    release.push(...queued.map((n) => n.id));
  }
  // Held notifications go out now, with the score when there is one (and the escalation's with it).
  port.annotatePending(release, (n) => (facts === undefined ? n : annotated(n, facts, decision.reason)), now);
  if (facts !== undefined) outcome.notifications = outcome.notifications.map((n) => annotated(n, facts, decision.reason));
  return { outcome, action };
}
