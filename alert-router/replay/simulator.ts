import type { BurnAssessment } from '../anomaly/burn-enricher.js';
import type { Notification } from '../notify/types.js';
import { applyAnomaly, type AnomalyApplied } from '../pipeline/apply-anomaly.js';
import { parseMatcher } from '../pipeline/matcher.js';
import { normalise } from '../pipeline/normalise.js';
import { processBatch, type BatchOutcome, type PipelineSettings, type ScoreRequest } from '../pipeline/process-batch.js';
import { processTick, type TickOutcome } from '../pipeline/process-tick.js';
import type { MaintenanceWindow } from '../pipeline/suppression-types.js';
import type { TimelineEntry } from '../pipeline/types.js';
import { webhookPayloadSchema } from '../pipeline/webhook-schema.js';
import { openDatabase } from '../store/open-database.js';
import { SqliteStore } from '../store/sqlite-store.js';

/** A notification a recording notifier accepted, with the simulated time it left. */
export interface SentNotification {
  at: number;
  notification: Notification;
}

export interface MaintenanceInput {
  matchers: string[];
  startsAt: number;
  endsAt: number;
  author: string;
  comment: string;
}

/**
 * The router's pipeline without a network: an in-memory SQLite store, the service's own processBatch
 * and processTick, and an outbox drained by a recording notifier that accepts everything at once.
 * Replay and the scenario tests drive it on a simulated clock.
 */
export class PipelineSimulator {
  /** Replaced by {@link restart}: read it each time, do not keep it. */
  store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'normal' }));
  readonly sent: SentNotification[] = [];
  private ids = 0;
  private timelineSeq = 0;
  private readonly timelineSince = this.store.db.prepare('SELECT seq, incident_id, at, kind, reason, data FROM timeline WHERE seq > ? ORDER BY seq');

  /**
   * `bulk`: webhooks run as the service runs them with its journal, in one bulk transaction that stays
   * open across them (store/sqlite-store.ts, `openBulk`), committed when a webhook queued a
   * notification (the service's `durable()`) or before any other write (`beforeOtherWrite`), so what
   * the store stages in memory until the bulk commits (its caches, timeline-rows.ts) is part of what
   * the pipeline reads. Without it, each webhook commits on its own.
   */
  constructor(
    readonly settings: PipelineSettings,
    readonly now: () => number,
    private readonly options: { bulk?: boolean } = {},
  ) {
    this.wire();
  }

  readonly newId = (): string => `sim-${String(++this.ids).padStart(5, '0')}`;

  /** Validates, normalises and processes one Alertmanager webhook body, then delivers what it queued. */
  webhook(body: unknown): BatchOutcome {
    const batch = normalise(webhookPayloadSchema.parse(body));
    const apply = () => processBatch(batch, this.store, this.settings, { now: this.now, newId: this.newId });
    let outcome: BatchOutcome;
    if (this.options.bulk === true) {
      this.store.openBulk();
      outcome = this.store.groupInBulk(apply, () => undefined);
      if (outcome.notifications.length > 0) this.store.commitBulk();
    } else {
      outcome = this.store.transaction(apply);
    }
    this.deliver();
    return outcome;
  }

  /** Applies an SLO incident's anomaly score as the service does once it is in, and delivers what it released. */
  score(request: ScoreRequest, assessment: BurnAssessment): AnomalyApplied {
    const applied = this.store.transaction(() => applyAnomaly(request, assessment, this.store, this.settings, { now: this.now, newId: this.newId }));
    this.deliver();
    return applied;
  }

  /** Runs the service's tick (held alerts, digests) and delivers what it queued. */
  tick(): TickOutcome {
    const outcome = this.store.transaction(() => processTick(this.store, this.settings, { now: this.now, newId: this.newId }));
    this.deliver();
    return outcome;
  }

  addMaintenance(input: MaintenanceInput): MaintenanceWindow {
    const window: MaintenanceWindow = { id: this.newId(), matchers: input.matchers.map(parseMatcher), startsAt: input.startsAt, endsAt: input.endsAt, author: input.author, comment: input.comment, createdAt: this.now() };
    this.store.transaction(() => this.store.suppression.addMaintenance(window));
    return window;
  }

  /**
   * A restart: a new store on the same database, so everything the store keeps in memory (the dedup
   * index, the latest incident per key, holds and the latest maintenance end) is rebuilt from its tables.
   */
  restart(): void {
    // A clean stop commits the bulk (a crash would leave it to the journal's replay).
    this.store.commitBulk();
    this.store = new SqliteStore(this.store.db);
    this.wire();
  }

  private wire(): void {
    const store = this.store;
    store.beforeOtherWrite = () => store.commitBulk();
  }

  /** Timeline rows written since the last call (every decision, in order). */
  newTimeline(): TimelineEntry[] {
    const rows = this.timelineSince.all(this.timelineSeq) as { seq: number; incident_id: string; at: number; kind: TimelineEntry['kind']; reason: string; data: string | null }[];
    if (rows.length > 0) this.timelineSeq = rows[rows.length - 1]!.seq;
    return rows.map((r) => ({ incidentId: r.incident_id, at: r.at, kind: r.kind, reason: r.reason, ...(r.data === null ? {} : { data: JSON.parse(r.data) as Record<string, unknown> }) }));
  }

  /**
   * A target that cannot be reached (tests): its deliveries are retried 30 s later, as the worker's
   * backoff would, until it answers again. Unset: every target answers.
   */
  unreachable: ((target: Notification['target']) => boolean) | undefined;

  /** Delivers every due notification, as the worker would, and records what it sent. */
  private deliver(): void {
    for (const notification of deliverAllDue(this.store, this.now(), this.unreachable)) this.sent.push({ at: this.now(), notification });
  }
}

/**
 * Marks every due notification delivered, in outbox order (first in line per incident and target, so
 * a resolve only once its trigger is out), round after round until none is due, as a worker whose
 * notifiers accept everything at once would; one for an `unreachable` target is retried 30 s later.
 * Returns them in the order delivered.
 */
export function deliverAllDue(store: SqliteStore, now: number, unreachable?: (target: Notification['target']) => boolean): Notification[] {
  const delivered: Notification[] = [];
  for (;;) {
    const due = store.due(now, 1000);
    if (due.length === 0) return delivered;
    for (const { notification: n } of due) {
      if (unreachable?.(n.target) === true) {
        const reason = `${n.action} to ${n.target.kind} ${n.target.destination}: unreachable (simulated), retrying in 30s`;
        store.markRetry(n.id, now + 30_000, 503, 'unreachable (simulated)', { incidentId: n.incidentId, at: now, kind: 'retried', reason });
        continue;
      }
      const ref = n.target.kind === 'slack' && n.action === 'trigger' ? `ts-${n.incidentId}` : undefined;
      store.markDelivered(n, 200, ref, now, {
        incidentId: n.incidentId,
        at: now,
        kind: 'notified',
        reason: `${n.action} delivered to ${n.target.kind} ${n.target.destination} (simulated)`,
      });
      delivered.push(n);
    }
  }
}
