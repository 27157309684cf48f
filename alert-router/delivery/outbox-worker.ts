import type { Logger } from 'pino';
import { formatDuration } from '../../src/slo/duration.js';
import { DeliveryError, type Notification, type Notifier, type TargetKind } from '../notify/types.js';
import { minRetrySpanMs, retryDelay, type RetryPolicy } from '../pipeline/retry-policy.js';
import type { TimelineEntry } from '../pipeline/types.js';
import type { RouterMetrics } from '../router-metrics.js';
import type { OutboxEntry, SentToTarget, SqliteStore } from '../store/sqlite-store.js';

/** Timers the worker sleeps on; the real ones in production, a fake clock in tests. */
export interface WorkerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutboxWorkerOptions {
  store: SqliteStore;
  notifiers: Partial<Record<TargetKind, Notifier>>;
  clock: WorkerClock;
  random: () => number;
  logger: Logger;
  metrics: RouterMetrics | undefined;
  policy: () => RetryPolicy;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** One attempt is abandoned (and retried) after this long. */
  attemptTimeoutMs: number;
  /**
   * Called after each attempt's outcome is written (delivered, retry, failed): the service commits
   * the store's open bulk transaction, so what was sent is committed at once.
   */
  afterWrite?: () => void;
  /**
   * Secret values (routing keys, tokens) to strip from a target's error before it is logged or stored;
   * read at each failure, so a reload's secrets apply. None when absent.
   */
  secrets?: () => readonly string[];
  /**
   * The store refused to record an attempt's outcome (the notification stays pending as it was, and is
   * sent again: at-least-once) or to say what is due. Counted in slokit_router_store_errors_total
   * {operation="outbox"} either way.
   */
  onStoreError?: (error: unknown) => void;
  /** An attempt's outcome was recorded: the store takes the worker's writes. */
  onRecorded?: () => void;
  /**
   * While true, no attempt starts: the store cannot record outcomes, and each delivery made now would
   * be made again (a new Slack message each time). Read before each round; poke() when it turns false.
   */
  paused?: () => boolean;
}

/**
 * After the store refused an attempt's outcome, no attempt starts for this long (ms): the refused
 * notification is due again at once, and without a pause it would be sent again in a tight loop.
 */
const RECORD_FAILURE_PAUSE_MS = 1000;

/** `text` with every secret of 4 characters or more replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.replaceAll(s, '[redacted]');
  return out;
}

/** How long a notification was tried, to the second ("42m7s"). */
const describeSpan = (ms: number) => formatDuration(Math.max(1, Math.round(ms / 1000)) * 1000);

const describeTarget = (n: Notification) =>
  n.target.kind === 'pagerduty' ? `PagerDuty (routing key $${n.target.destination})` : `Slack ${n.target.destination}`;

/**
 * A trigger that opened nothing at PagerDuty: refused there (a 4xx other than 429, which the PagerDuty
 * notifier never retries), or never sent (no attempt left the router: no routing key, no notifier).
 */
const openedNothing = (s: SentToTarget) =>
  s.state === 'failed' && (s.outcome === 'never_sent' || (s.lastStatus !== undefined && s.lastStatus >= 400 && s.lastStatus < 500 && s.lastStatus !== 429));

/**
 * The trigger PagerDuty refused or never got, when that leaves it no alert on the incident's
 * dedup_key for a resolve to close: since the last resolve it accepted, a trigger opened nothing there
 * and none was accepted or given up on (a 5xx, a 429 or no answer does not say it never arrived).
 * Undefined otherwise, and the resolve is sent.
 */
function unopenedTrigger(sent: readonly SentToTarget[]): SentToTarget | undefined {
  let mayBeOpen = false;
  let unopened: SentToTarget | undefined;
  for (const s of sent) {
    if (s.action === 'resolve') {
      // A resolve refused, given up on or withheld left PagerDuty's alert as it was.
      if (s.state !== 'delivered') continue;
      mayBeOpen = false;
      unopened = undefined;
    } else if (openedNothing(s)) {
      unopened = s;
    } else {
      // Accepted, or given up on: an update is a trigger to PagerDuty (pagerduty-event.ts).
      mayBeOpen = true;
    }
  }
  return mayBeOpen ? undefined : unopened;
}

/**
 * Drains the durable outbox: delivers due notifications in order per incident and target, retries
 * 429/5xx/network failures with backoff (Retry-After honoured), records 4xx as failed, and writes each
 * outcome to the incident's timeline. A PagerDuty resolve whose triggers PagerDuty refused or never got
 * is withheld (PagerDuty would take it and do nothing), decided when the resolve is due, after its
 * triggers settled, from what the outbox recorded of them: a restart decides it the same way.
 * At-least-once: a crash between the target's answer and the store's update re-sends that one
 * notification on restart (PagerDuty dedups it by dedup_key).
 */
export class OutboxWorker {
  private stopped = true;
  private timer: unknown;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();
  /** Attempts in flight by notification id; one target's slow answer never holds up another's. */
  private readonly inFlight = new Map<string, Promise<void>>();

  /**
   * When this worker was made: a notification queued before it may have been attempted by a process
   * that stopped before recording the outcome, so its target is asked first (AttemptContext).
   */
  private readonly startedAt: number;

  /** No attempt starts before this (epoch ms on the worker's clock): an outcome could not be recorded. */
  private holdUntil = 0;
  private readsFailing = false;

  constructor(private o: OutboxWorkerOptions) {
    this.startedAt = o.clock.now();
  }

  /**
   * Notifiers and attempt timeout for attempts that start from now on (a config reload); attempts in
   * flight finish with the ones they started with.
   */
  reconfigure(next: Pick<OutboxWorkerOptions, 'notifiers' | 'attemptTimeoutMs'>): void {
    this.o = { ...this.o, notifiers: next.notifiers, attemptTimeoutMs: next.attemptTimeoutMs };
  }

  /** Starts delivering in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** New notifications were committed (or an attempt finished): look now instead of at the next timer. */
  poke(): void {
    this.wake?.();
  }

  /**
   * Stops taking new work and waits for in-flight attempts up to `graceMs`, then aborts them (they
   * stay pending and go out after the restart).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    let t: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      t = setTimeout(() => {
        this.controller.abort();
        resolve();
      }, graceMs);
    });
    await Promise.race([this.loopDone.then(() => Promise.allSettled([...this.inFlight.values()])), grace]);
    clearTimeout(t);
  }

  /**
   * Starts every due notification that is first in line for its incident and target, up to the
   * concurrency limit, and returns how many it started.
   */
  private fill(): number {
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0 || this.holding()) return 0;
    let started = 0;
    for (const entry of this.o.store.due(this.o.clock.now(), this.o.concurrency * 4 + this.inFlight.size)) {
      if (started >= free) break;
      const id = entry.notification.id;
      if (this.inFlight.has(id)) continue;
      const p = this.attempt(entry)
        .catch((error: unknown) => this.o.logger.error({ err: error, notification: id }, 'outbox attempt crashed'))
        .finally(() => {
          this.inFlight.delete(id);
          this.o.afterWrite?.();
          this.poke();
        });
      this.inFlight.set(id, p);
      started++;
    }
    return started;
  }

  /** Delivers everything due now, once, and waits for those attempts. Returns how many it made (tests). */
  async runOnce(): Promise<number> {
    const started = this.fill();
    await Promise.allSettled([...this.inFlight.values()]);
    return started;
  }

  /** Whether attempts wait: paused by the service, or an outcome could not be recorded a moment ago. */
  private holding(): boolean {
    return this.o.clock.now() < this.holdUntil || (this.o.paused?.() ?? false);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let nextAt: number | undefined;
      try {
        this.fill();
        nextAt = this.o.store.nextDueAt();
      } catch (error) {
        this.o.metrics?.storeErrors.inc({ operation: 'outbox' });
        this.o.onStoreError?.(error);
        // Told when the reads begin to fail and when they work again, not each second.
        if (!this.readsFailing) this.o.logger.error({ err: error }, 'could not read the outbox; nothing is delivered, retrying every 1s');
        this.readsFailing = true;
        await this.sleep(1000);
        continue;
      }
      if (this.readsFailing) this.o.logger.info('the outbox can be read again; delivering');
      this.readsFailing = false;
      if (this.holding()) {
        const left = this.holdUntil - this.o.clock.now();
        await this.sleep(left > 0 ? left : 1000);
        continue;
      }
      let wait = nextAt === undefined ? 30_000 : Math.max(10, nextAt - this.o.clock.now());
      // Due heads are in flight (or waiting for a free slot): their completion pokes the loop.
      if (this.inFlight.size > 0 && wait <= 10) wait = 1000;
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.o.clock.clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.timer = this.o.clock.setTimeout(done, ms);
    });
  }

  /**
   * Runs `write` (an attempt's outcome) and says whether the store took it. When it did not, the
   * notification stays pending as it was and goes again (the target is asked again: at-least-once),
   * and attempts wait {@link RECORD_FAILURE_PAUSE_MS}, or for as long as the service pauses them.
   */
  private record(n: Notification, outcome: string, write: () => void): boolean {
    try {
      write();
    } catch (error) {
      this.holdUntil = this.o.clock.now() + RECORD_FAILURE_PAUSE_MS;
      this.o.metrics?.storeErrors.inc({ operation: 'outbox' });
      this.o.onStoreError?.(error);
      this.o.logger.error(
        { err: error, incident: n.incidentId, notification: n.id, target: n.target.kind, action: n.action, outcome },
        'could not record a delivery outcome; the notification stays pending and is sent again once the store takes writes',
      );
      return false;
    }
    this.o.onRecorded?.();
    return true;
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const { store, clock, metrics } = this.o;
    const n = entry.notification;
    if (n.target.kind === 'pagerduty' && n.action === 'resolve') {
      const unopened = unopenedTrigger(store.sentBefore(entry));
      if (unopened !== undefined) return this.withhold(n, unopened);
    }
    const attemptNo = entry.attempts + 1;
    // A failure that never left the router (no routing key or token, no notifier) means the target
    // lacks the notification only on its first recorded attempt: an earlier one that got no answer may
    // have reached it. Read from the row, so a restart judges it the same way (an attempt made before a
    // crash and never recorded had a key this process lacks, and lacks for the resolve too).
    const firstAttempt = entry.attempts === 0;
    const entryAt = (kind: TimelineEntry['kind'], reason: string, data: Record<string, unknown>): TimelineEntry => ({
      incidentId: n.incidentId,
      at: clock.now(),
      kind,
      reason,
      data: { notificationId: n.id, action: n.action, target: n.target.kind, attempt: attemptNo, ...data },
    });
    const notifier = this.o.notifiers[n.target.kind];
    if (notifier === undefined) {
      const why = `no ${n.target.kind} notifier configured`;
      const neverSent = firstAttempt;
      const failed = entryAt('failed', `${n.action} to ${describeTarget(n)} failed${neverSent ? ' (not sent)' : ''}: ${why}`, {});
      if (!this.record(n, 'failed', () => store.markFailed(n.id, undefined, why, failed, neverSent))) return;
      metrics?.notifications.inc({ target: n.target.kind, outcome: 'failed' });
      return;
    }
    let toSend = n;
    if (n.action !== 'trigger') {
      const ref = store.targetRef(n.incidentId, n.target.kind, n.target.destination);
      if (ref !== undefined) toSend = { ...n, threadTs: ref };
    }
    // The attempt's deadline runs on the worker's clock. When it passes, the notifier sees its signal
    // aborted and can only say "cancelled"; the worker knows it was the deadline and says so.
    const timeoutMs = this.o.attemptTimeoutMs;
    const deadline = new AbortController();
    const timer = clock.setTimeout(() => deadline.abort(new DeliveryError(`no answer within ${timeoutMs} ms (delivery.attemptTimeout)`, { retryable: true })), timeoutMs);
    const signal = AbortSignal.any([this.controller.signal, deadline.signal]);
    // A notifier that ignores its signal still gives its slot back when the deadline passes.
    const abandoned = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    abandoned.catch(() => undefined);
    try {
      const delivery = notifier.deliver(toSend, signal, { maybeDelivered: entry.attempts > 0 || entry.createdAt < this.startedAt, queuedAt: entry.createdAt });
      delivery.catch(() => undefined);
      const receipt = await Promise.race([delivery, abandoned]);
      const now = clock.now();
      const recorded = this.record(n, 'delivered', () =>
        store.markDelivered(
          n,
          receipt.status,
          receipt.ref,
          now,
          entryAt('notified', `${n.action} delivered to ${describeTarget(n)}: HTTP ${receipt.status} on attempt ${attemptNo}`, {
            status: receipt.status,
            ...(receipt.ref === undefined ? {} : { ref: receipt.ref }),
          }),
        ),
      );
      if (!recorded) return;
      metrics?.notifications.inc({ target: n.target.kind, outcome: 'delivered' });
      metrics?.deliveryLatency.observe({ target: n.target.kind }, Math.max(0, now - entry.createdAt) / 1000);
    } catch (error) {
      if (this.controller.signal.aborted) return; // shutting down: stays pending, untouched
      const timedOut = deadline.signal.aborted;
      const raw = timedOut
        ? new DeliveryError((deadline.signal.reason as DeliveryError).message, { retryable: true }, { cause: error })
        : error instanceof DeliveryError
          ? error
          : new DeliveryError(error instanceof Error ? error.message : String(error), { retryable: true }, { cause: error });
      // What a target answered can carry a key it was sent: never into the log or the incidents API.
      const message = redact(raw.message, this.o.secrets?.() ?? []);
      const de =
        message === raw.message
          ? raw
          : new DeliveryError(message, {
              retryable: raw.retryable,
              notSent: raw.notSent,
              ...(raw.status === undefined ? {} : { status: raw.status }),
              ...(raw.retryAfterMs === undefined ? {} : { retryAfterMs: raw.retryAfterMs }),
            });
      const status = de.status;
      const policy = this.o.policy();
      // Attempts alone would let a short Retry-After (429) use the budget up in seconds: a retryable
      // failure also needs the backoff schedule's shortest span since the notification was queued.
      const spent = attemptNo >= policy.maxAttempts && clock.now() - entry.createdAt >= minRetrySpanMs(policy);
      if (de.retryable && !spent) {
        const delay = retryDelay(attemptNo, policy, this.o.random, de.retryAfterMs);
        const why = de.retryAfterMs !== undefined ? `Retry-After asked for ${Math.round(delay / 1000)}s` : `backoff ${Math.round(delay / 1000)}s`;
        const recorded = this.record(n, 'retried', () =>
          store.markRetry(
            n.id,
            clock.now() + delay,
            status,
            de.message,
            entryAt('retried', `${n.action} to ${describeTarget(n)} attempt ${attemptNo} failed (${status === undefined ? (timedOut ? 'timeout' : 'network') : `HTTP ${status}`}: ${de.message}); retrying: ${why}`, {
              ...(status === undefined ? {} : { status }),
              delayMs: delay,
            }),
          ),
        );
        if (!recorded) return;
        metrics?.notifications.inc({ target: n.target.kind, outcome: 'retried' });
        this.o.logger.warn(
          { incident: n.incidentId, target: n.target.kind, action: n.action, attempt: attemptNo, status, reason: de.message, delayMs: delay },
          'delivery failed; will retry',
        );
      } else {
        const why = de.retryable ? `gave up after ${attemptNo} attempts over ${describeSpan(clock.now() - entry.createdAt)}: ${de.message}` : de.message;
        const neverSent = de.notSent && firstAttempt;
        const how = status !== undefined ? `HTTP ${status}` : timedOut ? 'timeout' : neverSent ? 'not sent' : 'no status';
        const recorded = this.record(n, 'failed', () =>
          store.markFailed(
            n.id,
            status,
            why,
            entryAt('failed', `${n.action} to ${describeTarget(n)} failed (${how}): ${why}`, {
              ...(status === undefined ? {} : { status }),
            }),
            neverSent,
          ),
        );
        if (!recorded) return;
        metrics?.notifications.inc({ target: n.target.kind, outcome: 'failed' });
        this.o.logger.error({ incident: n.incidentId, target: n.target.kind, action: n.action, attempt: attemptNo, status, reason: why }, 'delivery failed permanently');
      }
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /** Records `n` as not sent, because PagerDuty refused or never got the trigger it would follow (`trigger`). */
  private withhold(n: Notification, trigger: SentToTarget): void {
    const { store, clock, metrics } = this.o;
    const said = trigger.lastError ?? 'no reason recorded';
    const why =
      trigger.outcome === 'never_sent'
        ? `not sent: the trigger was never sent (${said})`
        : `not sent: PagerDuty refused the trigger (HTTP ${trigger.lastStatus}: ${said})`;
    const recorded = this.record(n, 'withheld', () =>
      store.markWithheld(n.id, why, {
        incidentId: n.incidentId,
        at: clock.now(),
        kind: 'withheld',
        reason: `${n.action} to ${describeTarget(n)} ${why}; PagerDuty has no alert of this incident to resolve`,
        data: {
          notificationId: n.id,
          action: n.action,
          target: n.target.kind,
          ...(trigger.outcome === 'never_sent' ? { triggerNeverSent: true } : { refusedStatus: trigger.lastStatus }),
        },
      }),
    );
    if (!recorded) return;
    metrics?.notifications.inc({ target: n.target.kind, outcome: 'withheld' });
    this.o.logger.info({ incident: n.incidentId, target: n.target.kind, action: n.action, reason: why }, 'delivery withheld');
  }
}
