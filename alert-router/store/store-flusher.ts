/** What the flusher needs of the store. */
export interface FlushableStore {
  readonly bulkOpen: boolean;
  commitBulk(state?: { key: string; value: string; now: number }): boolean;
  maxOutboxSeq(): number;
  setDeliverableUpTo(seq: number): void;
}

export interface StoreFlusherOptions {
  store: FlushableStore;
  /**
   * Makes committed transactions durable (an fdatasync of the store's WAL off the event loop);
   * absent with `synchronous: normal`, where a commit is as durable as the store promises.
   */
  syncWal?: () => Promise<void>;
  /** The last journal seq applied to the store (every record appended so far is). */
  appliedSeq: () => number;
  /** Called once the store is durable up to `seq`: the journal's segments up to it can go. */
  onDurable: (appliedSeq: number) => void;
  /** Commit the bulk transaction at most this long after its first write. */
  maxAgeMs: number;
  /** ... or once this many alerts were written into it. */
  maxWeight: number;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** A commit failed: the bulk transaction's batches are in the journal only (the service must restart to replay them). */
  onCommitError: (error: unknown) => void;
}

/** router_state key of the last journal seq the store applied (committed with it, in one transaction). */
export const JOURNAL_APPLIED_KEY = 'journal-applied-seq';

/**
 * Commits the store's bulk transaction (SqliteStore.openBulk) when it is old or large enough, and makes
 * it durable on demand. Webhook batches are durable in the journal before they are answered, so the
 * store commits them in bulk (each hot B-tree page once for many batches) and fsyncs its WAL after.
 * What may only happen after the store is durable waits for {@link durable}: the outbox worker sees a
 * notification only once the transaction that queued it is on disk, so a crash can never undo state
 * (an incident id, PagerDuty's dedup_key) that was already sent.
 */
export class StoreFlusher {
  private weight = 0;
  private timer: unknown;
  private syncRunning = false;
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly o: StoreFlusherOptions) {}

  /**
   * Records `weight` alerts written into the open bulk transaction. It commits `maxAgeMs` after its
   * first write, or at once (on the next turn of the event loop, never inside a caller's savepoint)
   * when it holds `maxWeight`.
   */
  wrote(weight: number): void {
    this.weight += weight;
    const full = this.weight >= this.o.maxWeight;
    // Armed already: for the age, or (once full) for the next turn; only a first fill re-arms it.
    if (this.timer !== undefined && (!full || this.dueNow)) return;
    if (this.timer !== undefined) this.o.clearTimeout(this.timer);
    this.dueNow = full;
    this.timer = this.o.setTimeout(() => this.commitOrReport(), full ? 0 : this.o.maxAgeMs);
  }
  private dueNow = false;

  private commitOrReport(): void {
    try {
      this.commit();
    } catch {
      // reported through onCommitError
    }
  }

  /**
   * Commits the open bulk transaction now, without waiting for the disk (the WAL is written, not yet
   * fsynced): reads on other connections (checkpoints) see it. Returns false when nothing was open.
   */
  commit(): boolean {
    if (this.timer !== undefined) {
      this.o.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.dueNow = false;
    this.weight = 0;
    if (!this.o.store.bulkOpen) return false;
    try {
      return this.o.store.commitBulk({ key: JOURNAL_APPLIED_KEY, value: String(this.o.appliedSeq()), now: this.o.now() });
    } catch (error) {
      this.o.onCommitError(error);
      throw error;
    }
  }

  /**
   * Commits what is open and resolves once everything committed before the call is on disk; then
   * the worker may deliver the outbox rows written so far, and the journal may drop what the store
   * holds.
   */
  durable(): Promise<void> {
    try {
      this.commit();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const outboxSeq = this.o.store.maxOutboxSeq();
    const applied = this.o.appliedSeq();
    const sync = this.o.syncWal;
    const done = sync === undefined ? Promise.resolve() : this.sharedSync(sync);
    return done.then(() => {
      this.o.store.setDeliverableUpTo(outboxSeq);
      this.o.onDurable(applied);
    });
  }

  /** A sync that starts after this call: one runs at a time, and callers that came meanwhile share the next. */
  private sharedSync(sync: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.startSync(sync);
    });
  }

  private startSync(sync: () => Promise<void>): void {
    if (this.syncRunning || this.waiting.length === 0) return;
    const covered = this.waiting.splice(0);
    this.syncRunning = true;
    const settle = (error: unknown) => {
      this.syncRunning = false;
      for (const w of covered) error === undefined ? w.resolve() : w.reject(error);
      this.startSync(sync);
    };
    let started: Promise<void>;
    try {
      started = sync();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(() => settle(undefined), (error: unknown) => settle(error ?? new Error('sync failed')));
  }

  /** Stops the age timer (drain commits what is left through {@link durable}). */
  stop(): void {
    if (this.timer !== undefined) this.o.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
