import type { NotificationAction } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { Hold } from './suppression-types.js';
import type { Incident, IncidentTarget } from './types.js';

/** Every service `service` depends on, directly or through others (cycles tolerated), sorted. */
export function transitiveDependencies(catalog: CatalogIndex, service: string): string[] {
  const byName = new Map(catalog.catalog.services.map((s) => [s.name, s.dependsOn] as const));
  const seen = new Set<string>();
  const stack = [...(byName.get(service) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === service || seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byName.get(next) ?? []));
  }
  return [...seen].sort();
}

/**
 * Dependency correlation: of the open incidents of services the new incident's service depends on,
 * the likely cause. A cause that is itself linked to another is skipped in favour of that root (a
 * payments outage explains checkout and storefront, not "checkout explains storefront"); among roots
 * the earliest opened wins. Pure.
 */
export function likelyCause(incident: Incident, candidates: readonly Incident[], holdOf: (id: string) => Hold | undefined): Incident | undefined {
  const open = candidates.filter((c) => c.id !== incident.id && c.state === 'open');
  const roots = open.filter((c) => {
    const h = holdOf(c.id);
    return h === undefined || h.parentId === undefined;
  });
  const pick = (list: Incident[]) => [...list].sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id))[0];
  return pick(roots) ?? pick(open);
}

/**
 * Why a likely cause does not hold back a dependent's page, or undefined when it does. It does when it
 * is open, at page severity, and its PagerDuty incident is open: the last event queued for it to one of
 * its PagerDuty targets is a trigger. That PagerDuty incident is where the dependent's page is folded
 * in. A cause that is only a ticket (Slack) would leave the page with nobody; so would one whose
 * PagerDuty incident was resolved and not paged again (its re-fire is held while it flaps, or by a
 * maintenance window), and an event on its dedup_key would reopen that PagerDuty incident with nothing
 * to resolve it.
 * Pure.
 */
export function whyNotPaged(
  cause: Incident | undefined,
  targets: readonly IncidentTarget[],
  lastAction: (target: IncidentTarget) => NotificationAction | undefined,
): string | undefined {
  if (cause === undefined) return 'it is gone';
  if (cause.state !== 'open') return 'it has resolved';
  const pagerduty = targets.filter((t) => t.kind === 'pagerduty');
  if (cause.severity !== 'page') return 'it is a ticket: Slack only, no PagerDuty incident';
  if (pagerduty.length === 0) return 'it is a page that was not sent to PagerDuty';
  if (!pagerduty.some((t) => lastAction(t) === 'trigger')) return 'its PagerDuty incident is resolved and was not paged again (its re-fire is held: flapping, or a maintenance window)';
  return undefined;
}
