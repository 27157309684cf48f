import { describeError } from '../../src/slo/spec-error.js';

/** Why the router is not ready: the store failed the webhook's durable path, and has not taken a write since. */
export interface StoreFailing {
  /** The last failure's message with its causes (the file, the errno or SQLite code). */
  reason: string;
  /** Epoch ms of the first failure since the store last took a write. */
  since: number;
  /** Failed writes since then: webhook commits, records and syncs, and failed probes. */
  failures: number;
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
  /** The store failed while it was ready: told once, when readiness is lost, not per failure. */
  onFailing: (failing: StoreFailing) => void;
  /** A write went through again (a webhook's commit or a probe): told once, with the failures that ended. */
  onRecovered: (ended: StoreFailing, by: 'webhook' | 'probe') => void;
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
 * Readiness that follows the store's ability to take webhooks. A webhook whose commit, record or sync
 * fails with a store fault makes the router not ready; the next write that goes through makes it ready
 * again. A router that is not ready gets no traffic, so recovery cannot wait for a webhook: a probe
 * (the same durable path, with no batch) runs `firstDelayMs` after the first failure, then backs off
 * doubling to `maxDelayMs` while it fails, and stops once the store is ready again.
 */
export class StoreReadiness {
  private current: StoreFailing | undefined;
  private timer: unknown;
  private delayMs = 0;
  private stopped = false;

  constructor(private readonly o: StoreReadinessOptions) {}

  /** Why the router is not ready, or undefined while the store takes writes. */
  get failing(): StoreFailing | undefined {
    return this.current === undefined ? undefined : { ...this.current };
  }

  /** A webhook's commit, record or sync failed; counts only a store fault ({@link isStoreFault}). */
  webhookFailed(error: unknown): void {
    if (isStoreFault(error)) this.fail(error);
  }

  /** A webhook's batch was committed (and synced): the store takes writes. */
  webhookCommitted(): void {
    this.recover('webhook');
  }

  /** Stops probing (drain): the store is about to close. */
  stop(): void {
    this.stopped = true;
    this.cancelProbe();
  }

  private fail(error: unknown): void {
    const reason = describeError(error);
    if (this.current !== undefined) {
      // Updated in place: a probe running holds this object to know its result is still wanted.
      this.current.reason = reason;
      this.current.failures++;
      return;
    }
    this.current = { reason, since: this.o.now(), failures: 1 };
    this.o.onFailing({ ...this.current });
    this.delayMs = this.o.firstDelayMs;
    this.scheduleProbe();
  }

  private recover(by: 'webhook' | 'probe'): void {
    const ended = this.current;
    if (ended === undefined) return;
    this.current = undefined;
    this.cancelProbe();
    this.o.onRecovered({ ...ended }, by);
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
    try {
      await this.o.probe();
      ok = true;
    } catch (e) {
      error = e;
    }
    // A webhook went through meanwhile (and the store may have failed again since, with its own
    // probe scheduled), or the service is draining: this result is not wanted.
    if (this.current !== run || run === undefined || this.stopped) return;
    if (ok) {
      this.recover('probe');
      return;
    }
    this.fail(error ?? new Error('the readiness probe failed'));
    this.delayMs = Math.min(this.delayMs * 2, this.o.maxDelayMs);
    this.scheduleProbe();
  }
}
