import type Database from 'better-sqlite3';

/** Maps the committed entries are spread over (see DedupIndex). */
const SHARDS = 64;
/** A staged deletion (incident ids are never empty). */
const FORGOTTEN = '';

/**
 * Fingerprint → the incident holding the alert's latest row, in memory, so the dedup stage's lookup of
 * an alert never seen before (most of a busy webhook's alerts) costs a Map miss instead of a SQLite
 * query, and a known alert is read by primary key instead of through the fingerprint index.
 *
 * It mirrors committed state only: writes made inside a transaction are staged and merged after the
 * commit, dropped on rollback, and the index is rebuilt from the alerts table at start, so after a
 * restart (or a crash) it answers exactly what SQLite would. Memory: one short entry per fingerprint.
 *
 * The committed entries are spread over {@link SHARDS} Maps by a hash of the fingerprint. One Map
 * doubles its table when it fills, in one step: at 2^20 and 2^21 entries that stopped the event loop
 * for 100 and 290 ms (a 4-sender 100-alert p99 of 220–300 ms in `npm run bench:router`), and a single
 * Map holds at most 2^24 entries, so the router would have failed at ~16.7 million alerts. Shards grow
 * one at a time, each a 64th of the size.
 */
export class DedupIndex {
  private readonly committed: Map<string, string>[] = Array.from({ length: SHARDS }, () => new Map<string, string>());
  private staged: Map<string, string> | undefined;
  private depth = 0;
  /**
   * While a bulk transaction is open ({@link beginUndo}): each change to a committed entry as
   * fingerprint and the entry it replaced ({@link FORGOTTEN}: none), in order, so
   * {@link rollbackUndo} can put back what SQLite's rollback of the bulk puts back. A flat array, not
   * a Map: one push per new alert, no hashing.
   */
  private undo: string[] | undefined;

  /**
   * Loads the latest incident of every fingerprint (the row with the newest `first_received_at`). Each
   * row read gives a new string for its incident id; the alerts of one incident share one instead, as
   * they do when the router writes them: 73 bytes of heap per alert instead of 129 for incidents of
   * 100 alerts (`npm run bench:retention`), in the same time.
   */
  static load(db: Database.Database): DedupIndex {
    const index = new DedupIndex();
    const ids = new Map<string, string>();
    const rows = db.prepare('SELECT fingerprint, incident_id FROM alerts ORDER BY first_received_at').raw().iterate() as IterableIterator<[string, string]>;
    for (const [fingerprint, read] of rows) {
      let incidentId = ids.get(read);
      if (incidentId === undefined) ids.set(read, (incidentId = read));
      index.shard(fingerprint).set(fingerprint, incidentId);
    }
    return index;
  }

  /** The incident of the fingerprint's latest alert row, including this transaction's writes. */
  incidentOf(fingerprint: string): string | undefined {
    const staged = this.staged?.get(fingerprint);
    if (staged !== undefined) return staged === FORGOTTEN ? undefined : staged;
    return this.shard(fingerprint).get(fingerprint);
  }

  /**
   * The fingerprint's row in `incidentId` was deleted (retention): forgets the fingerprint if that row
   * was its latest. An older row of it in another incident, if one is left, is not looked up (there is
   * no fingerprint index to find it by): that incident resolved before this one, beyond any reopen
   * window, so the alert is new to the router either way. A restart would map it to that row again.
   */
  forget(fingerprint: string, incidentId: string): boolean {
    if (this.incidentOf(fingerprint) !== incidentId) return false;
    if (this.staged !== undefined) this.staged.set(fingerprint, FORGOTTEN);
    else this.put(fingerprint, FORGOTTEN);
    return true;
  }

  /** Records that the fingerprint's latest row is now in `incidentId` (staged while a transaction is open). */
  record(fingerprint: string, incidentId: string): void {
    if (this.staged !== undefined) this.staged.set(fingerprint, incidentId);
    else this.put(fingerprint, incidentId);
  }

  /** Runs `commit` (a whole SQLite transaction) and keeps its writes only if it returns. Re-entrant. */
  within<T>(commit: () => T): T {
    if (this.depth > 0) return commit();
    this.staged = new Map();
    this.depth++;
    try {
      const result = commit();
      for (const [fingerprint, incidentId] of this.staged) this.put(fingerprint, incidentId);
      return result;
    } finally {
      this.depth--;
      this.staged = undefined;
    }
  }

  /**
   * A bulk transaction began (SqliteStore.openBulk): from now until {@link endUndo} or
   * {@link rollbackUndo}, committed changes remember what they replaced.
   */
  beginUndo(): void {
    this.undo = [];
  }

  /** The bulk transaction committed: its changes stay. */
  endUndo(): void {
    this.undo = undefined;
  }

  /** The bulk transaction rolled back: every entry it changed is as it was when it began. */
  rollbackUndo(): void {
    const undo = this.undo;
    this.undo = undefined;
    if (undo === undefined) return;
    // Newest first, so a fingerprint changed twice ends as it was before the first change.
    for (let i = undo.length - 2; i >= 0; i -= 2) {
      const fingerprint = undo[i]!;
      const incidentId = undo[i + 1]!;
      if (incidentId === FORGOTTEN) this.shard(fingerprint).delete(fingerprint);
      else this.shard(fingerprint).set(fingerprint, incidentId);
    }
  }

  /** Sets (or, with {@link FORGOTTEN}, deletes) a committed entry, remembering the old one for {@link rollbackUndo}. */
  private put(fingerprint: string, incidentId: string): void {
    const shard = this.shard(fingerprint);
    if (this.undo !== undefined) this.undo.push(fingerprint, shard.get(fingerprint) ?? FORGOTTEN);
    if (incidentId === FORGOTTEN) shard.delete(fingerprint);
    else shard.set(fingerprint, incidentId);
  }

  get size(): number {
    let n = 0;
    for (const m of this.committed) n += m.size;
    return n;
  }

  private shard(fingerprint: string): Map<string, string> {
    // FNV-1a over the last (most varying) 8 characters: fingerprints are hashes already.
    let h = 0x811c9dc5;
    for (let i = Math.max(0, fingerprint.length - 8); i < fingerprint.length; i++) h = Math.imul(h ^ fingerprint.charCodeAt(i), 0x01000193);
    return this.committed[(h >>> 0) % SHARDS]!;
  }
}
