import type { BurnAnomaly } from './burn-anomaly.js';

export interface AnomalyPolicy {
  /** A ticket whose anomaly score reaches this is escalated to a page. */
  escalateTicketAt: number;
  /** A page whose |z| is under this is marked recurring: the SLI is within its usual seasonal range. */
  recurringBelowZ: number;
}

export const ANOMALY_POLICY_DEFAULTS: AnomalyPolicy = { escalateTicketAt: 0.8, recurringBelowZ: 3 };

export type AnomalyDecision =
  | { action: 'escalate'; reason: string }
  | { action: 'mark-recurring'; reason: string }
  | { action: 'none'; reason: string };

/** What the score means for an incident of `severity`: escalate, mark recurring, or nothing. */
export function decideOnAnomaly(severity: 'page' | 'ticket', anomaly: BurnAnomaly | undefined, policy: AnomalyPolicy): AnomalyDecision {
  if (!anomaly) return { action: 'none', reason: 'not enough history to score the burn' };
  if (severity === 'ticket' && anomaly.score >= policy.escalateTicketAt) {
    return { action: 'escalate', reason: `anomaly score ${anomaly.score.toFixed(2)} ≥ ${policy.escalateTicketAt}: ${anomaly.sentence}` };
  }
  if (severity === 'page' && Math.abs(anomaly.z) < policy.recurringBelowZ) {
    return { action: 'mark-recurring', reason: `recurring: ${anomaly.sentence}` };
  }
  return { action: 'none', reason: anomaly.sentence };
}
