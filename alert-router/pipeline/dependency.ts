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
 * True when a likely cause has paged someone: it is at page severity and was routed to PagerDuty, so
 * its PagerDuty incident is where a dependent's page is folded in. Only such a cause holds back a
 * dependent's page; a cause that is only a ticket (Slack) would leave the page with nobody. Pure.
 */
export function causePaged(cause: Incident, targets: readonly IncidentTarget[]): boolean {
  return cause.severity === 'page' && targets.some((t) => t.kind === 'pagerduty');
}
