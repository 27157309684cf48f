import type { Incident } from '../pipeline/types.js';
import { STALE, StagedMap } from './staged-map.js';

/** Known to have no incident with the key. */
const NONE = 'none';

/**
 * Incident key → the key's latest incident (newest `opened_at`), in memory, so correlating an alert
 * with an incident that is already open costs a Map hit instead of a SQLite query and a JSON parse per
 * webhook. Read-through: a key not held is read from SQLite (through `read`, inside the caller's
 * transaction) and kept.
 *
 * Like the dedup index it mirrors committed state only (a {@link StagedMap}): what a transaction reads
 * or saves is staged and merged after the commit, dropped on rollback. Every incident write goes
 * through `saved`; when it cannot tell which incident is now the latest (two incidents of one key
 * opened in the same ms) it forgets the key and the next read asks SQLite. Memory: one incident per key.
 */
export class LatestIncidentCache {
  private readonly held = new StagedMap<string, Incident | typeof NONE>();

  constructor(private readonly read: (key: string) => Incident | undefined) {}

  /** The key's latest incident, including this transaction's writes. */
  latest(key: string): Incident | undefined {
    const held = this.held.get(key);
    if (held !== undefined && held !== STALE) return held === NONE ? undefined : held;
    const found = this.read(key);
    this.held.set(key, found ?? NONE);
    return found;
  }

  /** Records an incident just written (inserted or updated). */
  saved(incident: Incident): void {
    const current = this.held.get(incident.key);
    if (current === NONE || (current !== undefined && current !== STALE && (current.id === incident.id || incident.openedAt > current.openedAt))) {
      this.held.set(incident.key, incident);
    } else if (current !== undefined && current !== STALE && incident.openedAt === current.openedAt) {
      // Same opened_at, another id: which one SQLite returns first is for SQLite to say.
      this.held.forget(incident.key);
    }
    // Otherwise an older incident of the key changed (the latest stays), or the key is not held.
  }

  /** The key's incidents changed in a way the cache cannot follow (one was deleted): read SQLite next time. */
  forget(key: string): void {
    this.held.forget(key);
  }

  /** Forgets everything held (the bulk transaction rolled back): the next reads go to SQLite. */
  clear(): void {
    this.held.clear();
  }

  /** Runs `commit` (a whole SQLite transaction) and keeps what it read and wrote only if it returns. Re-entrant. */
  within<T>(commit: () => T): T {
    return this.held.within(commit);
  }
}
