/** Thrown when a batch could not be committed; the webhook answers 503 so Alertmanager retries. */
export class StoreError extends Error {
  /** How the sender should retry, when more than "retry" (the 503 body's message ends with it). */
  readonly retryHow: string | undefined;

  constructor(message: string, options?: ErrorOptions & { retryHow?: string }) {
    super(message, options);
    this.name = 'StoreError';
    this.retryHow = options?.retryHow;
  }
}

export interface GroupCommitOptions<I, O> {
  /** Runs `fn` inside one database transaction and returns its result after the commit. */
  transaction: <T>(fn: () => T) => T;
  /**
   * Runs one item alone, after the group it was in failed (default `transaction`): for a store whose
   * group transaction has no savepoint of its own, one that does.
   */
  isolate?: <T>(fn: () => T) => T;
  /** Processes one item inside the transaction. */
  process: (item: I) => O;
  /**
   * Records a group's items durably (the journal append) before they are processed, outside the
   * transaction; with `sync`, the sync that covers the record starts at once, and the items are
   * processed while it runs, so the store's work overlaps the disk instead of coming before it. An item
   * is answered once both are done: its result, or its processing error (the record then stays in the
   * journal and a replay applies it; the batch was refused, so that is at most what the sender's retry
   * brings again). When the record throws, the group's items are recorded one by one and an item whose
   * record fails is refused without being processed.
   */
  record?: (items: I[]) => void;
  /**
   * Most weight (for webhook batches: alerts) per transaction. Bounds the event-loop pause of one
   * commit, and keeps the pipeline moving: while one small group commits, senders already answered
   * prepare their next request, instead of the whole load waiting in lock-step for one big commit.
   */
  maxWeight: number;
  weight: (item: I) => number;
  /** Defers the flush to let concurrent requests join; `setImmediate` in production. */
  defer: (fn: () => void) => void;
  /**
   * Makes committed transactions (or, with `record`, the records) durable off the event loop (an
   * fdatasync on libuv's thread pool). When given, a caller is answered only after a sync that started
   * after its commit (its record); commits that happen while syncs run share the next one. Without it,
   * the commit itself is durable.
   */
  sync?: () => Promise<void>;
  /**
   * Syncs that may run at once (default 1). With 2, a group that commits while a sync runs starts its
   * own at once instead of waiting for the running one to end: each is still answered only after a
   * sync that started after its commit, and a request waits for one fsync instead of the rest of one
   * and then another. With 16 senders of single-alert webhooks that took 2,270–2,670 req/s against
   * 1,590–2,020 with 1 (Node load generator; docs/benchmarks.md); 3 or 4 did no better.
   */
  syncsInFlight?: number;
  /**
   * While as many syncs run as may, hold a light queue until one ends and commit it then, as one
   * transaction (default true): fewer commits when each writes its pages. False when a group's commit
   * is cheap (writes into an open bulk transaction and a journal append): groups are processed as
   * they come, and the next sync starts the moment one ends instead of after that processing.
   */
  holdWhileSyncing?: boolean;
  /**
   * A WAL checkpoint after `everyCommits` commits or `everyWeight` weight (alerts), whichever comes
   * first, with commits held while it runs: a checkpoint that runs beside a busy writer never copies the
   * whole WAL, so the WAL would grow without bound under sustained load. Held batches wait (they are
   * parsed, not lost) and commit together when it ends. Frequent small checkpoints keep each pause short.
   */
  checkpoint?: {
    everyCommits: number;
    everyWeight: number;
    /**
     * Runs first, with commits going on (default: none): a checkpoint of what is committed so far, so
     * the held one after it copies only what was committed meanwhile, and holds for that long.
     */
    prepare?: () => Promise<unknown>;
    run: () => Promise<unknown>;
  };
}

/** `fn()`'s promise, or a rejected one when `fn` throws before returning it. */
function settled<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

interface Committed<O> {
  result: O;
  /** Processing failed after the item was recorded: it is refused once the sync ends. */
  error?: unknown;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: webhook batches that arrive while the event loop is busy share one transaction, so one
 * fsync makes many requests durable. Each caller's promise settles only after the commit that holds its
 * batch. When a shared transaction fails, each item is retried alone, so one poisoned batch cannot make
 * its neighbours fail. With a `sync` step, transactions commit without fsync and one fdatasync on a
 * worker thread covers every commit made before it started, so the event loop keeps parsing and
 * processing the next requests while the disk flushes (the fsync was ~40% of a single-alert request).
 * While a sync runs, batches lighter than `maxWeight` in all wait and commit together when it ends
 * (they could not be answered sooner anyway), so single-alert requests share commits as well as syncs.
 */
export class GroupCommitter<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private idle: (() => void)[] = [];
  /** Committed, waiting for the next sync. */
  private unsynced: Committed<O>[] = [];
  private inFlight = 0;
  /** As many syncs as may run at once are running: light batches wait for one to end. */
  private get syncing(): boolean {
    return this.inFlight >= (this.options.syncsInFlight ?? 1);
  }
  private checkpointing = false;
  /** The checkpoint's unheld first part runs (commits go on). */
  private preparing = false;
  private commitsSinceCheckpoint = 0;
  private weightSinceCheckpoint = 0;

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.options.defer(() => this.flush());
      }
    });
  }

  private queuedWeight(): number {
    let weight = 0;
    for (const p of this.queue) weight += this.options.weight(p.item);
    return weight;
  }

  /** Items waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once everything submitted so far is committed or rejected. */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.scheduled && this.inFlight === 0 && !this.checkpointing && !this.preparing && this.unsynced.length === 0;
  }

  private settleIdle(): void {
    if (this.isIdle()) for (const done of this.idle.splice(0)) done();
  }

  /** Answers a committed item now, or after the next sync when commits need one to be durable. */
  private committed(p: Pending<I, O>, result: O): void {
    if (this.options.sync === undefined) {
      p.resolve(result);
      return;
    }
    this.unsynced.push({ result, resolve: p.resolve, reject: p.reject });
  }

  /**
   * Starts a sync for what is committed and waiting, unless one runs (its end starts the next). Called
   * once per flush, after every item of the group is committed, so one sync covers the whole group.
   */
  private syncCommitted(): void {
    if (!this.syncing && this.unsynced.length > 0) this.startSync();
  }

  private startSync(): void {
    const sync = this.options.sync!;
    const covered = this.unsynced.splice(0);
    this.inFlight++;
    const done = (error: unknown) => {
      this.inFlight--;
      for (const c of covered) {
        if (c.error !== undefined) c.reject(c.error);
        else if (error === undefined) c.resolve(c.result);
        else c.reject(new StoreError('could not make the batch durable (fsync failed)', { cause: error }));
      }
      if (this.queue.length > 0 && !this.scheduled && !this.checkpointing) this.flush();
      else if (this.unsynced.length > 0) this.startSync();
      else this.settleIdle();
    };
    settled(sync).then(() => done(undefined), (error: unknown) => done(error ?? new Error('sync failed')));
  }

  /**
   * Starts the checkpoint when enough commits have passed: its `prepare` first, with commits going on,
   * then its `run`, with commits waiting until it settles.
   */
  private maybeCheckpoint(): void {
    const c = this.options.checkpoint;
    if (c === undefined || this.checkpointing || this.preparing) return;
    if (this.commitsSinceCheckpoint < c.everyCommits && this.weightSinceCheckpoint < c.everyWeight) return;
    this.commitsSinceCheckpoint = 0;
    this.weightSinceCheckpoint = 0;
    const done = () => {
      this.checkpointing = false;
      if (this.queue.length > 0 && !this.scheduled) this.flush();
      else this.settleIdle();
    };
    const hold = () => {
      this.preparing = false;
      this.checkpointing = true;
      // A failed checkpoint is the checkpointer's to report; commits go on either way.
      settled(c.run).then(done, done);
    };
    if (c.prepare === undefined) {
      hold();
      return;
    }
    this.preparing = true;
    settled(c.prepare).then(hold, hold);
  }

  /** Processes `items` in one transaction. */
  private commitItems(items: I[]): O[] {
    return this.options.transaction(() => items.map((item) => this.options.process(item)));
  }

  /**
   * Processes a group in one transaction and hands each item's result (or error) to `settle`. When the
   * shared transaction fails, each item is retried alone, so one poisoned batch cannot fail its neighbours.
   */
  private processGroup(items: I[], settle: (i: number, result: O | undefined, error?: StoreError) => void): void {
    try {
      this.commitItems(items).forEach((result, i) => settle(i, result));
    } catch (groupError) {
      if (items.length === 1) {
        settle(0, undefined, new StoreError('could not commit the batch', { cause: groupError }));
        return;
      }
      const isolate = this.options.isolate ?? this.options.transaction;
      items.forEach((item, i) => {
        try {
          settle(i, isolate(() => this.options.process(item)));
        } catch (cause) {
          settle(i, undefined, new StoreError('could not commit the batch', { cause }));
        }
      });
    }
  }

  /** Records the group in one call, or one by one when that fails; returns the items recorded. */
  private recordGroup(group: Pending<I, O>[]): Pending<I, O>[] {
    const record = this.options.record!;
    try {
      record(group.map((p) => p.item));
      return group;
    } catch (groupError) {
      if (group.length === 1) {
        group[0]!.reject(new StoreError('could not record the batch', { cause: groupError }));
        return [];
      }
      return group.filter((p) => {
        try {
          record([p.item]);
          return true;
        } catch (cause) {
          p.reject(new StoreError('could not record the batch', { cause }));
          return false;
        }
      });
    }
  }

  /** Without a record step: the commit is what the sync (if any) makes durable. */
  private commitGroup(group: Pending<I, O>[]): void {
    this.processGroup(
      group.map((p) => p.item),
      (i, result, error) => (error === undefined ? this.committed(group[i]!, result!) : group[i]!.reject(error)),
    );
    this.syncCommitted();
  }

  /** With a record step: record, start the sync that covers the record, then process while it runs. */
  private recordThenCommit(group: Pending<I, O>[]): void {
    const recorded = this.recordGroup(group);
    if (recorded.length === 0) return;
    // Without a sync the record is durable as written: commit as without one.
    if (this.options.sync === undefined) {
      this.commitGroup(recorded);
      return;
    }
    const entries: Committed<O>[] = recorded.map((p) => ({ result: undefined as O, resolve: p.resolve, reject: p.reject }));
    // Sync callbacks run on a later turn of the event loop: every entry is settled below before any
    // sync that covers it can end.
    this.unsynced.push(...entries);
    this.syncCommitted();
    this.processGroup(
      recorded.map((p) => p.item),
      (i, result, error) => {
        if (error !== undefined) entries[i]!.error = error;
        else entries[i]!.result = result!;
      },
    );
  }

  private flush(): void {
    if (this.checkpointing) {
      this.scheduled = false;
      return;
    }
    // While a sync runs, what commits now waits for the next sync anyway: a light queue keeps
    // collecting and commits once, when the sync ends (fewer commits, each writing its pages once).
    // A full group commits at once so the CPU work overlaps the disk.
    if (this.syncing && (this.options.holdWhileSyncing ?? true) && this.queuedWeight() < this.options.maxWeight) {
      this.scheduled = false;
      return;
    }
    let take = 0;
    let weight = 0;
    while (take < this.queue.length && (take === 0 || weight + this.options.weight(this.queue[take]!.item) <= this.options.maxWeight)) {
      weight += this.options.weight(this.queue[take]!.item);
      take++;
    }
    const group = this.queue.splice(0, take);
    if (this.queue.length > 0) this.options.defer(() => this.flush());
    else this.scheduled = false;
    if (this.options.record === undefined) this.commitGroup(group);
    else this.recordThenCommit(group);
    this.commitsSinceCheckpoint++;
    this.weightSinceCheckpoint += weight;
    this.maybeCheckpoint();
    this.settleIdle();
  }
}
