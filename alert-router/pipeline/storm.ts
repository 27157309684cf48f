import type { DigestItem } from './suppression-types.js';
import type { Incident, Severity } from './types.js';

/** A storm digest is an incident of its own; its key starts with this. */
export const DIGEST_KEY_PREFIX = 'storm:';

/**
 * Storm control: `openedLastMinute` is how many incidents the target was sent (or had digested) in
 * the last minute. The one that would make it more than `maxPerMinute` goes into the target's digest
 * instead of being sent alone. Pure.
 */
export function inStorm(openedLastMinute: number, maxPerMinute: number): boolean {
  return openedLastMinute >= maxPerMinute;
}

/** Undigested items grouped by target whose oldest item has waited a full interval. */
export function dueDigests(items: readonly DigestItem[], now: number, intervalMs: number): DigestItem[][] {
  const byTarget = new Map<string, DigestItem[]>();
  for (const item of items) {
    const k = `${item.target.kind}\u0000${item.target.destination}`;
    const list = byTarget.get(k) ?? [];
    list.push(item);
    byTarget.set(k, list);
  }
  return [...byTarget.values()].filter((list) => Math.min(...list.map((i) => i.at)) + intervalMs <= now);
}

/**
 * Why an incident a digest lists no longer keeps it open, or undefined while it does. A resolved one
 * is gone from every digest. On a PagerDuty digest (`pagerduty`), so is a ticket not routed to that
 * service (`ticketRoutedThere`, asked only then), as enqueue resolves such a service for an incident
 * that paged on its own: `de-escalated` when the digest listed it as a page, `unrouted` when it listed
 * a ticket (tickets were routed there, and a config reload stopped that). A Slack channel takes
 * tickets too: there it stays until it resolves. Pure.
 */
export function goneFromDigest(
  member: Incident,
  listedAs: Severity,
  pagerduty: boolean,
  ticketRoutedThere: () => boolean,
): 'resolved' | 'de-escalated' | 'unrouted' | undefined {
  if (member.state === 'resolved') return 'resolved';
  if (pagerduty && member.severity !== 'page' && !ticketRoutedThere()) return listedAs === 'page' ? 'de-escalated' : 'unrouted';
  return undefined;
}

/** The digest's text: every incident listed, none dropped. */
export function digestText(items: readonly DigestItem[]): { title: string; details: string; severity: Severity } {
  const severity: Severity = items.some((i) => i.severity === 'page') ? 'page' : 'ticket';
  const title = `Alert storm: ${items.length} incident${items.length === 1 ? '' : 's'} opened`;
  const details = items.map((i) => `• ${i.title} (${i.severity}, incident ${i.incidentId}, ${new Date(i.at).toISOString()})`).join('\n');
  return { title, details, severity };
}
