import { describeError } from '../../src/slo/spec-error.js';

/**
 * A store write a page can wait for: a webhook's batch, the suppression tick (releases of held
 * notifications, storm digests), making written state durable so the outbox worker may send it, the
 * worker's record of a delivery's outcome, an anomaly score's application (an escalation to a page),
 * and a storm warning's record. A retention purge or a maintenance API write is not one of them.
 */
export type StoreOperation = 'webhook' | 'tick' | 'durable' | 'outbox' | 'anomaly' | 'storm_warning';

/** What each operation failing means for on-call, as /readyz and the log say it. */
const FAILING: Record<StoreOperation, string> = {
  webhook: 'webhook batches cannot be committed',
  tick: 'the suppression tick cannot commit (held notifications and storm digests wait for it)',
  durable: 'store writes cannot be made durable (the notifications they queued wait)',
  outbox: 'delivery outcomes cannot be recorded (deliveries wait)',
  anomaly: 'anomaly scores cannot be applied',
  storm_warning: 'storm warnings cannot be recorded',
};

/**
 * Operations that retry themselves whether the router is ready or not: the tick runs every
 * `suppression.tickInterval` and retries the very writes that failed, so only its own success clears
 * it. A probe's one-row write can go through while a tick's cannot (a page of one table unreadable,
 * a disk with room for a row but not for a digest), and letting it clear the tick would flip
 * readiness each tick.
 */
const SELF_RETRYING: readonly StoreOperation[] = ['tick'];

/** Why the router is not ready: store writes a page waits for fail, and have not gone through since. */
export interface StoreFailing {
  /** The last failure's message with its causes (the file, the errno or SQLite code). */
  reason: string;
  /** Epoch ms of the first failure since the router was last ready. */
  since: number;
  /** Failed writes since then: webhook commits, records and syncs, other operations' writes, and failed probes. */
  failures: number;
  /** The operations failing now, in the order they began to. */
  operations: StoreOperation[];
}

/** One sentence on what fails, since when, and what retries it (the /readyz message). */
export function describeFailing(f: StoreFailing): string {
  const retried = f.operations.every((o) => SELF_RETRYING.includes(o))
    ? 'each tick retries'
    : f.operations.some((o) => SELF_RETRYING.includes(o))
      ? 'a probe retries the store, and each tick retries the tick'
      : 'a probe retries the store';
  return `${f.operations.map((o) => FAILING[o]).join('; ')} since ${new Date(f.since).toISOString()} (${f.failures} failed); ${retried}`;
}

export interface StoreReadinessOptions {
  /**
   * A small write through the webhook's durable path that changes nothing the API shows; rejects (or
   * throws) where a webhook's commit, record or sync would fail.
   */
  probe: () => Promise<void>;
  now: () => number;
  /** Timers for the probe (unref'd in the service: a probe waiting never keeps the process alive). */
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** The first probe runs this long (ms) after the first failure; each failed probe doubles the wait, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** `operation` began to fail: told once, when it does, not per failure. */
  onFailing: (failing: StoreFailing, operation: StoreOperation) => void;
  /** Every failing operation went through again (or a probe did): told once, with the failures that ended. */
  onRecovered: (ended: StoreFailing, by: StoreOperation | 'probe') => void;
}

/**
 * SQLite result codes of one batch that could not be stored (a constraint, a value too big or of the
 * wrong type), not of a store that cannot take any. Every other SQLite code (busy, locked, full, I/O,
 * read-only, corrupt) is the store's.
 */
const BATCH_CODES = ['SQLITE_CONSTRAINT', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE'];

/**
 * Whether a webhook's failure says the store cannot take writes: a file-system call failed (the
 * journal's append or fdatasync, the WAL's) or SQLite answered a store-level code, anywhere in the
 * cause chain. A batch the pipeline threw on is refused alone and says nothing of the store: counting
 * it would take the router out of its load balancer each time Alertmanager re-sends that batch, and
 * the probe (which never runs the pipeline) would put it back a second later.
 */
export function isStoreFault(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const { code, syscall } = e as NodeJS.ErrnoException;
    if (typeof syscall === 'string') return true;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return !BATCH_CODES.some((c) => code.startsWith(c));
  }
  return false;
}

/**
 * Readiness that follows the store's ability to take the writes a page waits for. A store fault in
 * one of them ({@link StoreOperation}) makes the router not ready; it is ready again once each
 * operation that failed has gone through. A router that is not ready gets no webhooks, and an anomaly
 * score or a storm warning comes once, so recovery cannot wait for them: a probe (the webhook's
 * durable path, with no batch) runs `firstDelayMs` after the first failure, then backs off doubling to
 * `maxDelayMs` while it fails, and its success stands for every operation but the tick's
 * ({@link SELF_RETRYING}).
 */
export class StoreReadiness {
  private current: StoreFailing | undefined;
  private timer: unknown;
  /** The failing period the running probe was started for, if one runs. */
  private probeFor: StoreFailing | undefined;
  private delayMs = 0;
  private stopped = false;

  constructor(private readonly o: StoreReadinessOptions) {}

  /** Why the router is not ready, or undefined while the store takes writes. */
  get failing(): StoreFailing | undefined {
    return this.current === undefined ? undefined : { ...this.current, operations: [...this.current.operations] };
  }

  /** Whether `operation` failed with a store fault and has not gone through since. */
  isFailing(operation: StoreOperation): boolean {
    return this.current?.operations.includes(operation) ?? false;
  }

  /** A write of `operation` failed; counts only a store fault ({@link isStoreFault}). */
  failed(operation: StoreOperation, error: unknown): void {
    if (!isStoreFault(error)) return;
    const reason = describeError(error);
    if (this.current === undefined) {
      this.current = { reason, since: this.o.now(), failures: 1, operations: [operation] };
    } else {
      // Updated in place: a probe running holds this object to know its result is still wanted.
      this.current.reason = reason;
      this.current.failures++;
      if (this.current.operations.includes(operation)) return;
      this.current.operations.push(operation);
    }
    this.o.onFailing(this.failing!, operation);
    // A probe already waiting or running for this period covers the operation too.
    if (!SELF_RETRYING.includes(operation) && this.timer === undefined && this.probeFor !== this.current) {
      this.delayMs = this.o.firstDelayMs;
      this.scheduleProbe();
    }
  }

  /** A write of `operation` went through (a webhook's batch committed and synced, a tick committed, ...). */
  succeeded(operation: StoreOperation): void {
    const run = this.current;
    if (run === undefined || !run.operations.includes(operation)) return;
    run.operations = run.operations.filter((o) => o !== operation);
    if (run.operations.length === 0) this.recover(operation);
  }

  /** Stops probing (drain): the store is about to close. */
  stop(): void {
    this.stopped = true;
    this.cancelProbe();
  }

  private recover(by: StoreOperation | 'probe'): void {
    const ended = this.failing;
    if (ended === undefined) return;
    this.current = undefined;
    this.cancelProbe();
    this.o.onRecovered(ended, by);
  }

  private cancelProbe(): void {
    if (this.timer !== undefined) this.o.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.timer = this.o.setTimeout(() => {
      this.timer = undefined;
      void this.probe();
    }, this.delayMs);
  }

  private async probe(): Promise<void> {
    const run = this.current;
    let error: unknown;
    let ok = false;
    this.probeFor = run;
    try {
      await this.o.probe();
      ok = true;
    } catch (e) {
      error = e;
    }
    if (this.probeFor === run) this.probeFor = undefined;
    // Every operation went through meanwhile (and the store may have failed again since, with its
    // own probe scheduled), or the service is draining: this result is not wanted.
    if (this.current !== run || run === undefined || this.stopped) return;
    if (ok) {
      run.operations = run.operations.filter((o) => SELF_RETRYING.includes(o));
      if (run.operations.length === 0) this.recover('probe');
      return;
    }
    run.reason = describeError(error ?? new Error('the readiness probe failed'));
    run.failures++;
    this.delayMs = Math.min(this.delayMs * 2, this.o.maxDelayMs);
    if (run.operations.some((o) => !SELF_RETRYING.includes(o))) this.scheduleProbe();
  }
}
