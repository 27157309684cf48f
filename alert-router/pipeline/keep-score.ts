import type { Notification } from '../notify/types.js';
import type { PipelinePort } from './process-batch.js';

/** A Slack notification that rewrites the incident's first message: the resolve, or an update that changes its severity. */
const rewritesFirstMessage = (n: Notification) => n.target.kind === 'slack' && (n.action === 'resolve' || (n.action === 'update' && (n.escalated === true || n.deescalated === true)));

/**
 * Slack's resolve, and an update for an escalation or de-escalation, rewrite the incident's first
 * message (`chat.update`): they carry the anomaly score that message showed (apply-anomaly.ts),
 * whichever step sends them (a batch, or a hold's release), unless they carry one of their own.
 */
export function keepScoreOnSlackEdits(notifications: readonly Notification[], incidentId: string, port: Pick<PipelinePort, 'latestScore'>): void {
  const edits = notifications.filter((n) => n.incidentId === incidentId && rewritesFirstMessage(n) && n.customDetails['anomaly'] === undefined);
  if (edits.length === 0) return;
  const score = port.latestScore(incidentId);
  if (typeof score?.['sentence'] !== 'string') return;
  for (const n of edits) n.customDetails = { ...n.customDetails, anomaly: score };
}
