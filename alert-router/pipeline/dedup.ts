import type { AlertRecord, IncomingAlert } from './types.js';

/**
 * What one incoming alert means given what the store already knows about its fingerprint.
 * `fire`, `refire` and `resolve` change an incident; the others are recorded and notify nobody.
 */
export type DedupDecision =
  | { kind: 'fire'; reason: string }
  | { kind: 'refire'; reason: string; previous: AlertRecord }
  | { kind: 'resolve'; reason: string; previous: AlertRecord }
  | { kind: 'duplicate'; reason: string; previous: AlertRecord }
  | { kind: 'stale'; reason: string; previous: AlertRecord }
  | { kind: 'unseen-resolve'; reason: string };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Dedup stage. Alertmanager repeats firing alerts every repeat_interval, HA peers each send the same
 * alert, and a 5xx makes it re-deliver the whole batch; none of these may notify twice. A firing alert
 * that started before the stored resolution ended is a late re-delivery, not a re-fire; its mirror, a
 * resolve of an episode that started (and ended) before the stored firing one started, is a late
 * re-delivery too (a lagging HA peer), not the end of the current episode. A resolve that started
 * earlier but ended after the stored episode started is the same episode (Alertmanager moves an
 * alert's startsAt earlier when it merges copies from two Prometheus replicas), so it resolves. Pure.
 */
export function dedup(alert: IncomingAlert, stored: AlertRecord | undefined): DedupDecision {
  if (stored === undefined) {
    return alert.status === 'firing'
      ? { kind: 'fire', reason: `first time alert ${alert.fingerprint} is seen firing` }
      : { kind: 'unseen-resolve', reason: `alert ${alert.fingerprint} resolved but was never seen firing; nothing to resolve` };
  }
  if (alert.status === 'firing') {
    if (stored.status === 'firing') {
      return { kind: 'duplicate', reason: 'already firing: repeat, HA duplicate or re-delivery', previous: stored };
    }
    if (stored.endsAt !== undefined && alert.startsAt < stored.endsAt) {
      return {
        kind: 'stale',
        reason: `firing copy started ${iso(alert.startsAt)}, before the stored resolve at ${iso(stored.endsAt)}: late re-delivery`,
        previous: stored,
      };
    }
    return { kind: 'refire', reason: 'fired again after resolving', previous: stored };
  }
  if (stored.status === 'resolved') {
    return { kind: 'duplicate', reason: 'already resolved: repeat, HA duplicate or re-delivery', previous: stored };
  }
  if (alert.startsAt < stored.startsAt && (alert.endsAt === undefined || alert.endsAt <= stored.startsAt)) {
    return {
      kind: 'stale',
      reason: `resolve of an episode that started ${iso(alert.startsAt)}${alert.endsAt === undefined ? '' : ` and ended ${iso(alert.endsAt)}`}, before the stored firing episode started at ${iso(stored.startsAt)}: late re-delivery, ignored (the alert still fires)`,
      previous: stored,
    };
  }
  if (alert.startsAt > stored.startsAt) {
    // A resolve for a later firing episode than the one we hold can only follow a missed re-fire; it
    // still ends the alert.
    return { kind: 'resolve', reason: 'resolved (a later episode than the stored firing)', previous: stored };
  }
  return { kind: 'resolve', reason: 'resolved', previous: stored };
}
