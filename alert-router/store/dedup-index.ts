import type Database from 'better-sqlite3';

/**
 * Fingerprint → the incident holding the alert's latest row, in memory, so the dedup stage's lookup of
 * an alert never seen before (most of a busy webhook's alerts) costs a Map miss instead of a SQLite
 * query, and a known alert is read by primary key instead of through the fingerprint index.
 *
 * It mirrors committed state only: writes made inside a transaction are staged and merged after the
 * commit, dropped on rollback, and the index is rebuilt from the alerts table at start, so after a
 * restart (or a crash) it answers exactly what SQLite would. Memory: one short entry per fingerprint.
 */
export class DedupIndex {
  private readonly committed = new Map<string, string>();
  private staged: Map<string, string> | undefined;
  private depth = 0;

  /** Loads the latest incident of every fingerprint (the row with the newest `first_received_at`). */
  static load(db: Database.Database): DedupIndex {
    const index = new DedupIndex();
    const rows = db.prepare('SELECT fingerprint, incident_id FROM alerts ORDER BY first_received_at').raw().iterate() as IterableIterator<[string, string]>;
    for (const [fingerprint, incidentId] of rows) index.committed.set(fingerprint, incidentId);
    return index;
  }

  /** The incident of the fingerprint's latest alert row, including this transaction's writes. */
  incidentOf(fingerprint: string): string | undefined {
    return this.staged?.get(fingerprint) ?? this.committed.get(fingerprint);
  }

  /** Records that the fingerprint's latest row is now in `incidentId` (staged while a transaction is open). */
  record(fingerprint: string, incidentId: string): void {
    (this.staged ?? this.committed).set(fingerprint, incidentId);
  }

  /** Runs `commit` (a whole SQLite transaction) and keeps its writes only if it returns. Re-entrant. */
  within<T>(commit: () => T): T {
    if (this.depth > 0) return commit();
    this.staged = new Map();
    this.depth++;
    try {
      const result = commit();
      for (const [fingerprint, incidentId] of this.staged) this.committed.set(fingerprint, incidentId);
      return result;
    } finally {
      this.depth--;
      this.staged = undefined;
    }
  }

  get size(): number {
    return this.committed.size;
  }
}
