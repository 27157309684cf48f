import type { IncidentTarget } from '../pipeline/types.js';
import { STALE, StagedMap } from './staged-map.js';

/** How many incidents' targets it holds at most; past that it starts empty again (the open incidents come back first). */
export const TARGETS_CACHE_MAX = 100_000;

/**
 * Incident id → the targets it was routed to (`incident_targets`), in memory, so an alert joining an
 * open incident costs a Map hit instead of a SQLite query: 7 % less of the store's CPU per single-alert
 * webhook (`npm run bench:store`; docs/benchmarks.md, "Round of 2026-12-03, evening"). Read-through: an
 * incident not held is read from SQLite (through `read`, inside the caller's transaction) and kept,
 * frozen, since callers share it.
 *
 * Like the latest-incident cache it mirrors committed state only (a {@link StagedMap}). Every write to
 * an incident's targets (a new target, a Slack message's ref, a purge) goes through {@link changed},
 * which makes the next read ask SQLite.
 */
export class IncidentTargetsCache {
  private readonly held: StagedMap<string, readonly IncidentTarget[]>;

  constructor(
    private readonly read: (incidentId: string) => IncidentTarget[],
    max = TARGETS_CACHE_MAX,
  ) {
    this.held = new StagedMap(max);
  }

  targets(incidentId: string): readonly IncidentTarget[] {
    const held = this.held.get(incidentId);
    if (held !== undefined && held !== STALE) return held;
    const found = Object.freeze(this.read(incidentId).map((t) => Object.freeze(t)));
    this.held.set(incidentId, found);
    return found;
  }

  /** The incident's targets were written (or deleted): the next read asks SQLite. */
  changed(incidentId: string): void {
    this.held.forget(incidentId);
  }

  /** Forgets everything held (the bulk transaction rolled back). */
  clear(): void {
    this.held.clear();
  }

  within<T>(commit: () => T): T {
    return this.held.within(commit);
  }

  get size(): number {
    return this.held.size;
  }
}
