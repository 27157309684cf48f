import type { Notification } from '../notify/types.js';
import type { PipelinePort } from './process-batch.js';

/**
 * Slack's resolve rewrites the incident's first message (`chat.update`): it carries the anomaly score
 * that message showed (apply-anomaly.ts), whichever step sends it (a batch, or a hold's release).
 */
export function keepScoreOnSlackResolve(notifications: readonly Notification[], incidentId: string, port: Pick<PipelinePort, 'latestScore'>): void {
  const resolves = notifications.filter((n) => n.action === 'resolve' && n.target.kind === 'slack' && n.incidentId === incidentId);
  if (resolves.length === 0) return;
  const score = port.latestScore(incidentId);
  if (typeof score?.['sentence'] !== 'string') return;
  for (const n of resolves) n.customDetails = { ...n.customDetails, anomaly: score };
}
