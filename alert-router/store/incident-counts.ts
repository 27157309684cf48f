import type { Incident } from '../pipeline/types.js';
import { StagedMap } from './staged-map.js';

/**
 * Incidents whose counts changed in the open bulk transaction, written to SQLite once, before it
 * commits ({@link flush}), instead of an UPDATE for every webhook: an alert joining an open incident
 * changes only its firing counts and `updated_at`. Without an UPDATE per webhook the store spends 9 %
 * less CPU on a single-alert webhook (docs/benchmarks.md).
 *
 * Only such a change waits ({@link defer}): one of state, severity, resolve time or reopen count is
 * written at once, with the counts, since the store's queries select incidents by state and severity
 * (open incidents of a service, a storm's digests, the incident list's filters). No query selects or
 * orders by the counts or `updated_at`, so every incident read (through {@link current}) gets the
 * counts from here and SQLite is right about everything else.
 *
 * What a transaction defers is staged like the store's caches ({@link StagedMap}): a batch rolled back
 * to its savepoint takes its counts back out. Outside a bulk transaction nothing waits.
 */
export class IncidentCounts {
  private readonly waiting = new StagedMap<string, Incident>();

  constructor(private readonly write: (incident: Incident) => void) {}

  /**
   * Keeps `next` to write before the bulk commits when it differs from `previous` (the same incident as
   * last saved) only in its counts and `updated_at`; says whether it did. Anything else is for the
   * caller to write now, the counts kept here with it.
   */
  defer(previous: Incident | undefined, next: Incident): boolean {
    const same =
      previous !== undefined &&
      previous.id === next.id &&
      previous.state === next.state &&
      previous.severity === next.severity &&
      previous.resolvedAt === next.resolvedAt &&
      previous.reopenCount === next.reopenCount;
    if (same) this.waiting.set(next.id, next);
    else if (this.waiting.get(next.id) != null) this.waiting.forget(next.id);
    return same;
  }

  /** The incident as last saved when its counts wait here; undefined when SQLite has it as it is. */
  current(id: string): Incident | undefined {
    return this.waiting.get(id) ?? undefined;
  }

  /** Writes every incident whose counts wait: before the bulk transaction commits. */
  flush(): void {
    for (const [, incident] of this.waiting.entries()) this.write(incident);
  }

  /** The bulk transaction ended (committed or rolled back): nothing waits any more. */
  close(): void {
    this.waiting.clear();
  }

  /** Runs `commit` with what it defers staged: kept if it returns, dropped if it throws. */
  within<T>(commit: () => T): T {
    return this.waiting.within(commit);
  }
}
