/** Changed in the open transaction in a way the holder cannot follow: read SQLite again. */
export const STALE = null;

/**
 * A Map that mirrors committed SQLite state for an in-memory cache of the store (the latest incident
 * per key, incidents' targets, which incidents are held): what a transaction reads or writes is
 * staged, kept when the transaction commits ({@link within} returns) and dropped when it rolls back
 * (throws). A key marked {@link STALE} in a transaction is deleted at its commit.
 * `max` bounds the committed entries: past it, the map starts empty again (what is read often comes
 * back first).
 */
export class StagedMap<K, V> {
  private readonly committed = new Map<K, V>();
  private staged: Map<K, V | typeof STALE> | undefined;
  private depth = 0;

  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  /** The value held for `key`, this transaction's included; {@link STALE} or undefined when there is none to trust. */
  get(key: K): V | typeof STALE | undefined {
    const staged = this.staged?.get(key);
    return staged !== undefined ? staged : this.committed.get(key);
  }

  set(key: K, value: V): void {
    if (this.depth > 0) (this.staged ??= new Map()).set(key, value);
    else this.keep(key, value);
  }

  /** The key's state changed in a way the holder cannot follow: the next read asks SQLite. */
  forget(key: K): void {
    if (this.depth > 0) (this.staged ??= new Map()).set(key, STALE);
    else this.committed.delete(key);
  }

  /** Forgets everything committed (the bulk transaction rolled back): the next reads go to SQLite. */
  clear(): void {
    this.committed.clear();
  }

  /** Runs `commit` (a whole SQLite transaction) and keeps what it staged only if it returns. Re-entrant. */
  within<T>(commit: () => T): T {
    if (this.depth > 0) return commit();
    // The staging Map is made at the first write: most transactions leave most of the store's maps alone.
    this.staged = undefined;
    this.depth++;
    try {
      const result = commit();
      const staged = this.staged as Map<K, V | typeof STALE> | undefined; // set by commit's writes, if any
      for (const [key, value] of staged ?? []) {
        if (value === STALE) this.committed.delete(key);
        else this.keep(key, value);
      }
      return result;
    } finally {
      this.depth--;
      this.staged = undefined;
    }
  }

  /** The committed entries: outside a transaction, all there are. */
  entries(): IterableIterator<[K, V]> {
    return this.committed.entries();
  }

  /** Committed entries. */
  get size(): number {
    return this.committed.size;
  }

  private keep(key: K, value: V): void {
    if (this.committed.size >= this.max && !this.committed.has(key)) this.committed.clear();
    this.committed.set(key, value);
  }
}
