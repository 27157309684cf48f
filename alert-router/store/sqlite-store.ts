import type Database from 'better-sqlite3';
import type { Notification, NotificationAction, TargetKind } from '../notify/types.js';
import type { AnomalyPort } from '../pipeline/apply-anomaly.js';
import type { Target } from '../pipeline/route.js';
import type { AlertRecord, Incident, IncidentState, IncidentTarget, Severity, TimelineEntry } from '../pipeline/types.js';
import { DedupIndex } from './dedup-index.js';
import { LatestIncidentCache } from './latest-incident-cache.js';
import { IncidentTargetsCache } from './targets-cache.js';
import { TimelineRows } from './timeline-rows.js';
import { SqliteSuppressionStore } from './suppression-store.js';

interface IncidentRow {
  id: string;
  key: string;
  state: IncidentState;
  severity: Severity;
  title: string;
  service: string;
  slo: string | null;
  team: string | null;
  group_labels: string;
  opened_at: number;
  resolved_at: number | null;
  updated_at: number;
  reopen_count: number;
  firing_alerts: number;
  firing_pages: number;
}

interface AlertRow {
  incident_id: string;
  fingerprint: string;
  status: AlertRecord['status'];
  severity: Severity;
  labels: string;
  annotations: string;
  starts_at: number;
  ends_at: number | null;
  generator_url: string | null;
  first_received_at: number;
  last_received_at: number;
  receive_count: number;
}

interface TimelineRow {
  seq: number;
  incident_id: string;
  at: number;
  kind: TimelineEntry['kind'];
  reason: string;
  data: string | null;
}

/**
 * How a notification that was not delivered ended, where `state` (failed) alone does not say:
 * `withheld`, not sent on purpose ({@link SqliteStore.markWithheld}); `never_sent`, given up without
 * any attempt leaving the router (no routing key or token, no notifier), so the target cannot have it.
 */
export type OutboxOutcome = 'withheld' | 'never_sent';

/** An outbox row as the delivery worker and the incidents API see it. */
export interface OutboxEntry {
  seq: number;
  notification: Notification;
  state: 'pending' | 'delivered' | 'failed';
  /** Set on some failed rows only; undefined for every other. */
  outcome: OutboxOutcome | undefined;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  deliveredAt: number | undefined;
  lastStatus: number | undefined;
  lastError: string | undefined;
}

interface OutboxRow {
  seq: number;
  payload: string;
  state: OutboxEntry['state'];
  outcome: OutboxOutcome | null;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
}

/** What became of one notification, as {@link SqliteStore.sentBefore} lists them. */
export interface SentToTarget {
  action: NotificationAction;
  state: OutboxEntry['state'];
  outcome: OutboxOutcome | undefined;
  lastStatus: number | undefined;
  lastError: string | undefined;
}

/** What one {@link SqliteStore.purgeResolved} call deleted. */
export interface PurgeOutcome {
  /** Incidents deleted whole (their incident row included). */
  incidents: number;
  /** Alert rows deleted, of those incidents and of ones being deleted over several calls. */
  alerts: number;
  /** Maintenance windows deleted (ended before the cutoff). */
  maintenanceWindows: number;
  /** Every row deleted. */
  rows: number;
}

/** Incidents looked at per purge call; more wait for the next. */
const PURGE_CANDIDATES = 100;
/**
 * router_state key of the latest cutoff under which retention deleted an incident (epoch ms): kept
 * across reloads and restarts, since a longer retention than the one that deleted does not bring the
 * incidents back ({@link SqliteStore.incidentsPurgedBefore}).
 */
const PURGED_BEFORE_KEY = 'retention-purged-before';
/** router_state key of when the store began holding incidents (epoch ms; {@link SqliteStore.noteBegan}). */
const BEGAN_KEY = 'incidents-held-since';

/** Filters of `GET /api/v1/incidents`; times in epoch ms, matched against `opened_at`. */
export interface IncidentFilter {
  state?: IncidentState;
  service?: string;
  severity?: Severity;
  since?: number;
  until?: number;
  limit: number;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    key: r.key,
    state: r.state,
    severity: r.severity,
    title: r.title,
    service: r.service,
    slo: opt(r.slo),
    team: opt(r.team),
    groupLabels: JSON.parse(r.group_labels) as Record<string, string>,
    openedAt: r.opened_at,
    resolvedAt: opt(r.resolved_at),
    updatedAt: r.updated_at,
    reopenCount: r.reopen_count,
    firingAlerts: r.firing_alerts,
    firingPages: r.firing_pages,
  };
}

function toAlert(r: AlertRow): AlertRecord {
  return {
    fingerprint: r.fingerprint,
    incidentId: r.incident_id,
    status: r.status,
    severity: r.severity,
    labels: JSON.parse(r.labels) as Record<string, string>,
    annotations: JSON.parse(r.annotations) as Record<string, string>,
    startsAt: r.starts_at,
    endsAt: opt(r.ends_at),
    generatorURL: opt(r.generator_url),
    firstReceivedAt: r.first_received_at,
    lastReceivedAt: r.last_received_at,
    receiveCount: r.receive_count,
  };
}

function toOutbox(r: OutboxRow): OutboxEntry {
  return {
    seq: r.seq,
    notification: JSON.parse(r.payload) as Notification,
    state: r.state,
    outcome: opt(r.outcome),
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: opt(r.delivered_at),
    lastStatus: opt(r.last_status),
    lastError: opt(r.last_error),
  };
}

/**
 * The router's durable state in SQLite: incidents, their alerts and timelines, and the outbox.
 * Every method is synchronous (better-sqlite3); callers group writes with `transaction`.
 */
export class SqliteStore implements AnomalyPort {
  private readonly s;
  /** Fingerprint → incident of its latest row; rebuilt at start, updated after commits (dedup-index.ts). */
  private readonly dedupIndex: DedupIndex;
  /** Incident key → its latest incident, read through from SQLite and kept after commits (latest-incident-cache.ts). */
  private readonly latestByKey: LatestIncidentCache;
  private readonly targetsCache: IncidentTargetsCache;
  /** Writes the timeline; a bulk transaction's alerts joining one incident share a `grouped` row (timeline-rows.ts). */
  private readonly timeline: TimelineRows;
  /** Maintenance windows, holds, flap history and storm digests (suppression-store.ts). */
  readonly suppression: SqliteSuppressionStore;

  /**
   * better-sqlite3's transaction wrapper, built once: `db.transaction(fn)` builds a new one (four
   * variants and their properties) on every call, 1.5% of a single-alert webhook's CPU when profiled.
   */
  private readonly inTransaction: (fn: () => unknown) => unknown;
  /** {@link openBulk} began the transaction that is open, and it has not ended. */
  private bulk = false;
  /**
   * Told when a failed {@link transaction} ended the bulk transaction it ran in: every write since
   * {@link openBulk} is gone from the store (the service exits, and the journal replays them).
   */
  onBulkLost: ((error: unknown) => void) | undefined;
  /** A webhook group runs inside the bulk transaction ({@link groupInBulk}, {@link isolatedInBulk}). */
  private inGroup = false;
  /**
   * Told before any other write joins an open bulk transaction (a tick, a delivery's record, a
   * maintenance window): it commits the bulk (StoreFlusher.commit), so the bulk only ever holds
   * webhook groups, which the journal holds too and {@link groupInBulk}'s rollback can lose.
   */
  beforeOtherWrite: (() => void) | undefined;
  /** Told when the bulk transaction committed. */
  onBulkCommitted: (() => void) | undefined;

  constructor(readonly db: Database.Database) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.suppression = new SqliteSuppressionStore(db, toIncident as (row: never) => Incident);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      alert: p('SELECT * FROM alerts WHERE incident_id = ? AND fingerprint = ?'),
      latestIncidentByKey: p('SELECT * FROM incidents WHERE key = ? ORDER BY opened_at DESC LIMIT 1'),
      incidentById: p('SELECT * FROM incidents WHERE id = ?'),
      targets: p('SELECT kind, destination, ref FROM incident_targets WHERE incident_id = ? ORDER BY kind, destination'),
      saveAlert: p(`INSERT INTO alerts (incident_id, fingerprint, status, severity, labels, annotations, starts_at, ends_at,
          generator_url, first_received_at, last_received_at, receive_count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = excluded.status, severity = excluded.severity,
          labels = excluded.labels, annotations = excluded.annotations, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
          generator_url = excluded.generator_url, last_received_at = excluded.last_received_at, receive_count = excluded.receive_count`),
      saveIncident: p(`INSERT INTO incidents (id, key, state, severity, title, service, slo, team, group_labels, opened_at,
          resolved_at, updated_at, reopen_count, firing_alerts, firing_pages)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, severity = excluded.severity, resolved_at = excluded.resolved_at,
          updated_at = excluded.updated_at, reopen_count = excluded.reopen_count, firing_alerts = excluded.firing_alerts,
          firing_pages = excluded.firing_pages`),
      updateIncident: p(`UPDATE incidents SET state = ?, severity = ?, resolved_at = ?, updated_at = ?, reopen_count = ?, firing_alerts = ?,
          firing_pages = ? WHERE id = ?`),
      firingAlertOf: p("SELECT * FROM alerts WHERE incident_id = ? AND status = 'firing' AND severity = ? ORDER BY last_received_at DESC LIMIT 1"),
      addTarget: p('INSERT OR IGNORE INTO incident_targets (incident_id, kind, destination) VALUES (?, ?, ?)'),
      setTargetRef: p('UPDATE incident_targets SET ref = ? WHERE incident_id = ? AND kind = ? AND destination = ? AND ref IS NULL'),
      targetRef: p('SELECT ref FROM incident_targets WHERE incident_id = ? AND kind = ? AND destination = ?'),
      enqueue: p(`INSERT INTO outbox (id, incident_id, target_kind, destination, action, payload, state, created_at, next_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`),
      due: p(`SELECT o.* FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND o.seq <= ?
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.incident_id = o.incident_id AND p.target_kind = o.target_kind
            AND p.destination = o.destination AND p.state = 'pending' AND p.seq < o.seq)
        ORDER BY o.seq LIMIT ?`),
      nextDue: p(`SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'pending' AND o.seq <= ?
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.incident_id = o.incident_id AND p.target_kind = o.target_kind
            AND p.destination = o.destination AND p.state = 'pending' AND p.seq < o.seq)`),
      depth: p("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'"),
      oldestPending: p("SELECT MIN(created_at) AS t FROM outbox WHERE state = 'pending'"),
      delivered: p("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, last_error = NULL WHERE id = ?"),
      retry: p('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?'),
      failed: p("UPDATE outbox SET state = 'failed', outcome = ?, attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?"),
      withheld: p("UPDATE outbox SET state = 'failed', outcome = 'withheld', last_status = NULL, last_error = ? WHERE id = ?"),
      sentBefore: p(`SELECT action, state, outcome, last_status, last_error FROM outbox
        WHERE incident_id = ? AND target_kind = ? AND destination = ? AND seq < ? ORDER BY seq`),
      outboxOf: p('SELECT * FROM outbox WHERE incident_id = ? ORDER BY seq'),
      lastAction: p('SELECT action FROM outbox WHERE incident_id = ? AND target_kind = ? AND destination = ? ORDER BY seq DESC LIMIT 1'),
      // Not a notice that a dependent was linked (suppress.ts, `customDetails.dependents`): it carries the
      // cause's severity of the moment, sent while a hold keeps the cause's own escalation back.
      lastSeverity: p(`SELECT json_extract(payload, '$.severity') AS severity FROM outbox
        WHERE incident_id = ? AND json_extract(payload, '$.customDetails.dependents') IS NULL ORDER BY seq DESC LIMIT 1`),
      alertsOf: p('SELECT * FROM alerts WHERE incident_id = ? ORDER BY first_received_at, fingerprint'),
      timelineOf: p('SELECT seq, incident_id, at, kind, reason, data FROM timeline WHERE incident_id = ? ORDER BY seq'),
      ping: p('SELECT 1'),
      maxOutboxSeq: p('SELECT MAX(seq) AS seq FROM outbox'),
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      totalChanges: p('SELECT total_changes() AS n'),
      unattempted: p("SELECT payload FROM outbox WHERE id = ? AND state = 'pending' AND attempts = 0"),
      reviseUnattempted: p('UPDATE outbox SET payload = ?, next_attempt_at = MIN(next_attempt_at, ?) WHERE id = ?'),
      getState: p('SELECT value FROM router_state WHERE key = ?'),
      putState: p('INSERT INTO router_state (key, value, saved_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, saved_at = excluded.saved_at'),
      latestScore: p("SELECT data FROM timeline WHERE incident_id = ? AND kind = 'scored' ORDER BY seq DESC LIMIT 1"),
      // Retention (purgeResolved). Oldest first through incidents_by_opened: an incident resolved before
      // the cutoff opened before it too.
      purgeCandidates: p(`SELECT id, key FROM incidents i
        WHERE i.opened_at < @cutoff AND i.state = 'resolved' AND i.resolved_at < @cutoff
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.state = 'pending')
          AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.incident_id = i.id OR h.parent_id = i.id)
          AND NOT EXISTS (SELECT 1 FROM digest_items d LEFT JOIN incidents g ON g.id = d.digest_id
            WHERE d.incident_id = i.id AND (d.digest_id IS NULL OR g.state = 'open'))
        ORDER BY i.opened_at LIMIT @limit`),
      purgeAlerts: p('DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts WHERE incident_id = ? LIMIT ?) RETURNING fingerprint').pluck(),
      purgeTimeline: p('DELETE FROM timeline WHERE seq IN (SELECT seq FROM timeline WHERE incident_id = ? LIMIT ?)'),
      purgeTargets: p('DELETE FROM incident_targets WHERE incident_id = ?'),
      purgeOutbox: p("DELETE FROM outbox WHERE incident_id = ? AND state <> 'pending'"),
      purgeNotified: p('DELETE FROM notified_state WHERE incident_id = ?'),
      purgeDigestItems: p('DELETE FROM digest_items WHERE incident_id = @id OR digest_id = @id'),
      purgeIncident: p('DELETE FROM incidents WHERE id = ?'),
    };
    this.dedupIndex = DedupIndex.load(db);
    this.latestByKey = new LatestIncidentCache((key) => {
      const r = this.s.latestIncidentByKey.get(key) as IncidentRow | undefined;
      return r === undefined ? undefined : toIncident(r);
    });
    this.targetsCache = new IncidentTargetsCache((incidentId) =>
      (this.s.targets.all(incidentId) as { kind: TargetKind; destination: string; ref: string | null }[]).map((r) => ({
        kind: r.kind,
        destination: r.destination,
        ref: opt(r.ref),
      })),
    );
    this.timeline = new TimelineRows(db);
  }

  /**
   * The highest outbox seq the delivery worker may take. Rows past it were written by a transaction
   * not yet durable (committed and fsynced): a notification is never sent about state a crash could
   * still undo. No limit unless the service sets one ({@link setDeliverableUpTo}).
   */
  private deliverableUpTo = Number.MAX_SAFE_INTEGER;
  private gated = false;

  /**
   * Lets the worker deliver outbox rows up to `seq` (their transaction is durable). The first call
   * turns the limit on; later ones only raise it.
   */
  setDeliverableUpTo(seq: number): void {
    this.deliverableUpTo = this.gated ? Math.max(this.deliverableUpTo, seq) : seq;
    this.gated = true;
  }

  /**
   * Retention: deletes incidents resolved before `cutoff`, oldest first, with everything that is theirs
   * (alerts, timeline, targets, sent or failed notifications, what their targets were last told, storm
   * digest items), in about `budget` rows per call so the caller's transaction stays short. An
   * incident with more rows than that goes over several calls, its incident row last (until then the
   * API shows it with part of its alerts and timeline). Kept whatever their age: an incident with a
   * notification still pending, one held or holding another, one listed in a storm digest not yet sent
   * or still open. Their fingerprints leave the dedup index (and their flap history goes) when the
   * deleted row was the fingerprint's latest. Maintenance windows that ended before `cutoff` go too,
   * with the budget the incidents left (one a hold still names stays). `overdue` is asked before each
   * incident after the first deletion: true ends the call there (a time budget: an incident's fixed
   * statements cost more than its rows say when incidents are small). A call that deletes an incident
   * saves `cutoff` as {@link incidentsPurgedBefore}, in the same transaction. The database file keeps
   * its size; SQLite reuses the pages.
   */
  purgeResolved(cutoff: number, budget: number, overdue: () => boolean = () => false): PurgeOutcome {
    const out: PurgeOutcome = { incidents: 0, alerts: 0, maintenanceWindows: 0, rows: 0 };
    const candidates = this.s.purgeCandidates.all({ cutoff, limit: PURGE_CANDIDATES }) as { id: string; key: string }[];
    for (const { id, key } of candidates) {
      if (out.rows > 0 && overdue()) return out;
      const alertBudget = budget - out.rows;
      if (alertBudget <= 0) break;
      const fingerprints = this.s.purgeAlerts.all(id, alertBudget) as string[];
      out.alerts += fingerprints.length;
      out.rows += fingerprints.length;
      for (const fingerprint of fingerprints) if (this.dedupIndex.forget(fingerprint, id)) this.suppression.forgetFlaps(fingerprint);
      if (fingerprints.length === alertBudget) break; // maybe more: the next call goes on
      const timelineBudget = budget - out.rows;
      if (timelineBudget <= 0) break;
      const timeline = this.s.purgeTimeline.run(id, timelineBudget).changes;
      out.rows += timeline;
      if (timeline === timelineBudget) break;
      out.rows +=
        this.purgeTargetsOf(id) +
        this.s.purgeOutbox.run(id).changes +
        this.s.purgeNotified.run(id).changes +
        this.s.purgeDigestItems.run({ id }).changes +
        this.s.purgeIncident.run(id).changes;
      this.latestByKey.forget(key);
      if (++out.incidents === 1) this.notePurgedBefore(cutoff);
    }
    if (out.rows > 0 && overdue()) return out;
    out.maintenanceWindows = this.suppression.purgeEndedMaintenance(cutoff, budget - out.rows);
    out.rows += out.maintenanceWindows;
    return out;
  }

  /**
   * The latest cutoff under which retention deleted an incident (epoch ms), undefined when it never
   * deleted one: every incident resolved since is still held whatever the retention is now (one
   * resolved before may be too, when a tick's budget or a pending notification kept it).
   */
  incidentsPurgedBefore(): number | undefined {
    return this.timeState(PURGED_BEFORE_KEY);
  }

  /**
   * When the store began holding incidents (epoch ms), undefined until {@link noteBegan}: it holds
   * none opened before, whatever its retention (a router deployed in the middle of a review period).
   */
  incidentsHeldSince(): number | undefined {
    return this.timeState(BEGAN_KEY);
  }

  /** A time saved in `router_state` (epoch ms), undefined when none is. */
  private timeState(key: string): number | undefined {
    const saved = this.getState(key);
    return saved === undefined ? undefined : Number(saved);
  }

  /**
   * Saves when the store began holding incidents, once: `nowMs` on a new store, and on one from a
   * build that did not save it the first incident it still holds, if earlier (later than the truth
   * when retention deleted older ones: a reader then takes less for known, never more).
   */
  noteBegan(nowMs: number): void {
    if (this.incidentsHeldSince() !== undefined) return;
    const first = (this.db.prepare('SELECT MIN(opened_at) AS t FROM incidents').get() as { t: number | null }).t;
    const began = Math.min(nowMs, first ?? nowMs);
    this.putState(BEGAN_KEY, String(began), nowMs);
  }

  /** Raises the saved {@link incidentsPurgedBefore} to `cutoff`, never lowers it (a clock stepped back). */
  private notePurgedBefore(cutoff: number): void {
    if (cutoff <= (this.incidentsPurgedBefore() ?? -Infinity)) return;
    // saved_at takes the cutoff: the store has no clock of its own, and nothing reads saved_at.
    this.s.putState.run(PURGED_BEFORE_KEY, String(cutoff), cutoff);
  }

  /** Fingerprints the in-memory dedup index holds (one per alert ever stored, until retention deletes it). */
  get indexedFingerprints(): number {
    return this.dedupIndex.size;
  }

  /** Rows this connection has inserted, updated or deleted since it opened: any write raises it. */
  totalChanges(): number {
    return (this.s.totalChanges.get() as { n: number }).n;
  }

  /** The highest outbox seq written so far (0 when empty), committed or in the open transaction. */
  maxOutboxSeq(): number {
    return (this.s.maxOutboxSeq.get() as { seq: number | null }).seq ?? 0;
  }

  /**
   * A bulk write transaction is open ({@link openBulk}): writes join it and commit with it. Every other
   * transaction of this store ends inside the call that began it, so between calls an open one is it.
   */
  get bulkOpen(): boolean {
    return this.db.inTransaction;
  }

  /**
   * Opens a write transaction that stays open across calls (and event-loop turns) until
   * {@link commitBulk}: webhook groups run in it ({@link groupInBulk}, {@link isolatedInBulk}; any other
   * write commits it first, {@link beforeOtherWrite}), and the connection (the
   * incidents API included) reads what it wrote. For webhook batches that are durable in the journal
   * already, so the store commits them in bulk, each hot page once for many batches.
   */
  openBulk(): void {
    if (this.db.inTransaction) return;
    this.s.begin.run();
    this.bulk = true;
    this.dedupIndex.beginUndo();
  }

  /**
   * Commits the bulk transaction, if one is open, with `state` written in it last (the journal seq it
   * holds up to, StoreFlusher). Throws when the commit fails.
   */
  commitBulk(state?: { key: string; value: string; now: number }): boolean {
    if (!this.db.inTransaction) return false;
    let committed = false;
    try {
      this.timeline.flush();
      if (state !== undefined) this.s.putState.run(state.key, state.value, state.now);
      this.s.commit.run();
      committed = true;
    } finally {
      // A commit that failed and ended the transaction (SQLite rolled it back) is a rollback too.
      if (!this.db.inTransaction) this.bulkEnded(!committed);
    }
    this.dedupIndex.endUndo();
    this.onBulkCommitted?.();
    return true;
  }

  /**
   * Runs one group of webhook batches in the open bulk transaction without a savepoint of its own.
   * A savepoint copies every page the group touches into a statement journal first: ~9 µs of the main
   * thread per single-alert webhook, 11 % more of them a second without (docs/benchmarks.md), for a
   * failure that takes a bug or a broken disk. When `fn`
   * throws, the group's half-done writes cannot be undone alone, so the whole bulk transaction is
   * rolled back, the in-memory indexes with it (the fingerprint index to where the bulk began, the
   * latest-incident cache emptied, the holds read again); `again` is called to apply the bulk's
   * earlier groups again (the caller kept them; they are in the journal too), and the error is thrown
   * for the caller to retry this group's batches one by one with {@link isolatedInBulk}. Only webhook
   * groups ever run in the bulk ({@link beforeOtherWrite}), so nothing else is lost. When SQLite ended
   * the transaction itself (some I/O and full-disk errors), {@link onBulkLost} is told instead of
   * `again`, as for any write that loses the bulk.
   */
  groupInBulk<T>(fn: () => T, again: () => void): T {
    if (!this.bulk || !this.db.inTransaction) throw new Error('groupInBulk: no bulk transaction is open');
    this.inGroup = true;
    try {
      return this.withinIndexes(fn);
    } catch (error) {
      const lost = !this.db.inTransaction;
      this.abandonBulk();
      if (lost) this.onBulkLost?.(error);
      else again();
      throw error;
    } finally {
      this.inGroup = false;
    }
  }

  /**
   * Runs one webhook batch in the bulk transaction (opened if none is) inside a savepoint of its own:
   * when `fn` throws, only its writes are undone and the bulk goes on. For the batches of a group that
   * failed, retried one by one, and for applying a rolled-back bulk's groups again.
   */
  isolatedInBulk<T>(fn: () => T): T {
    this.openBulk();
    this.inGroup = true;
    try {
      return this.transaction(fn);
    } finally {
      this.inGroup = false;
    }
  }

  /**
   * Rolls back the bulk transaction after a group failed in it (unless SQLite did), and the in-memory
   * indexes with it. A rollback that fails leaves the connection in a state nobody can vouch for: that
   * is the loss of the bulk, told to {@link onBulkLost}, and thrown.
   */
  private abandonBulk(): void {
    this.bulkEnded(true);
    try {
      if (this.db.inTransaction) this.s.rollback.run();
    } catch (error) {
      this.dedupIndex.endUndo();
      const lost = new Error('could not roll back the bulk transaction after a webhook group failed in it', { cause: error });
      this.onBulkLost?.(lost);
      throw lost;
    }
    this.dedupIndex.rollbackUndo();
    this.suppression.reloadHolds();
  }

  /**
   * Runs `fn` in one transaction (a savepoint inside an open bulk transaction, which
   * {@link beforeOtherWrite} commits first unless a webhook group runs): all of it or none.
   * When its failure ended the bulk transaction too (SQLite rolls all of it back on some I/O and
   * full-disk errors), {@link onBulkLost} is told before the error is thrown, whoever ran it: a
   * suppression tick, a delivery's record or a maintenance write loses acknowledged batches as surely
   * as a webhook's commit does.
   */
  transaction<T>(fn: () => T): T {
    if (this.bulk && !this.inGroup && this.db.inTransaction) this.beforeOtherWrite?.();
    try {
      return this.withinIndexes(() => this.inTransaction(fn) as T);
    } catch (error) {
      if (this.bulk && !this.db.inTransaction) {
        this.bulkEnded(true);
        this.onBulkLost?.(error);
      }
      throw error;
    }
  }

  /**
   * The bulk transaction is over: no open timeline row outlives it, and when it was rolled back (by
   * this store or by SQLite) the caches forget what it committed to them, so the next reads ask SQLite.
   */
  private bulkEnded(rolledBack: boolean): void {
    this.bulk = false;
    this.timeline.close();
    if (rolledBack) {
      this.latestByKey.clear();
      this.targetsCache.clear();
    }
  }

  /** Runs `fn` with the in-memory indexes staging its changes: kept if it returns, dropped if it throws. */
  private withinIndexes<T>(fn: () => T): T {
    return this.dedupIndex.within(() => this.latestByKey.within(() => this.targetsCache.within(() => this.suppression.within(() => this.timeline.within(fn)))));
  }

  latestAlert(fingerprint: string): AlertRecord | undefined {
    const incidentId = this.dedupIndex.incidentOf(fingerprint);
    if (incidentId === undefined) return undefined;
    const r = this.s.alert.get(incidentId, fingerprint) as AlertRow | undefined;
    return r === undefined ? undefined : toAlert(r);
  }

  latestIncidentByKey(key: string): Incident | undefined {
    return this.latestByKey.latest(key);
  }

  incidentById(id: string): Incident | undefined {
    const r = this.s.incidentById.get(id) as IncidentRow | undefined;
    return r === undefined ? undefined : toIncident(r);
  }

  /** The targets the incident was routed to, shared and frozen (IncidentTargetsCache). */
  targets(incidentId: string): readonly IncidentTarget[] {
    return this.targetsCache.targets(incidentId);
  }

  private purgeTargetsOf(incidentId: string): number {
    this.targetsCache.changed(incidentId);
    return this.s.purgeTargets.run(incidentId).changes;
  }

  saveAlert(a: AlertRecord): void {
    // Positional parameters: no parameter object to build and bind by name for every alert.
    this.s.saveAlert.run(
      a.incidentId,
      a.fingerprint,
      a.status,
      a.severity,
      JSON.stringify(a.labels),
      JSON.stringify(a.annotations),
      a.startsAt,
      a.endsAt ?? null,
      a.generatorURL ?? null,
      a.firstReceivedAt,
      a.lastReceivedAt,
      a.receiveCount,
    );
    this.dedupIndex.record(a.fingerprint, a.incidentId);
  }

  saveIncident(i: Incident): void {
    // Most saves are of an incident that exists (an alert joined it): the columns that change, by
    // primary key, bind 8 values and serialise no labels. A new incident is inserted whole.
    const updated = this.s.updateIncident.run(i.state, i.severity, i.resolvedAt ?? null, i.updatedAt, i.reopenCount, i.firingAlerts, i.firingPages, i.id);
    if (updated.changes === 0) this.insertIncident(i);
    this.latestByKey.saved(i);
  }

  private insertIncident(i: Incident): void {
    this.s.saveIncident.run(
      i.id,
      i.key,
      i.state,
      i.severity,
      i.title,
      i.service,
      i.slo ?? null,
      i.team ?? null,
      JSON.stringify(i.groupLabels),
      i.openedAt,
      i.resolvedAt ?? null,
      i.updatedAt,
      i.reopenCount,
      i.firingAlerts,
      i.firingPages,
    );
  }

  addTargets(incidentId: string, targets: Target[]): void {
    if (targets.length === 0) return;
    this.targetsCache.changed(incidentId);
    for (const t of targets) this.s.addTarget.run(incidentId, t.kind, t.destination);
  }

  lastAction(incidentId: string, target: Target): NotificationAction | undefined {
    return (this.s.lastAction.get(incidentId, target.kind, target.destination) as { action: NotificationAction } | undefined)?.action;
  }

  lastSeverity(incidentId: string): Severity | undefined {
    return (this.s.lastSeverity.get(incidentId) as { severity: Severity } | undefined)?.severity;
  }

  appendTimeline(entries: TimelineEntry[]): void {
    this.timeline.append(entries, this.bulk);
  }

  enqueue(notifications: Notification[], now: number, notBefore = now): void {
    for (const n of notifications) {
      this.s.enqueue.run(n.id, n.incidentId, n.target.kind, n.target.destination, n.action, JSON.stringify(n), now, notBefore);
    }
  }

  /**
   * Pending notifications whose time has come and that are first in line for their incident and
   * target: a resolve waits until its trigger was delivered or given up on.
   */
  due(now: number, limit: number): OutboxEntry[] {
    return (this.s.due.all(now, this.deliverableUpTo, limit) as OutboxRow[]).map(toOutbox);
  }

  /** When the earliest deliverable (first in line, durable) notification is due (epoch ms), or undefined when none is. */
  nextDueAt(): number | undefined {
    return opt((this.s.nextDue.get(this.deliverableUpTo) as { t: number | null }).t);
  }

  outboxDepth(): number {
    return (this.s.depth.get() as { n: number }).n;
  }

  /** When the oldest notification still pending was queued (epoch ms), or undefined when none is. */
  oldestPendingQueuedAt(): number | undefined {
    return (this.s.oldestPending.get() as { t: number | null }).t ?? undefined;
  }

  /** The first message ref (Slack ts) of an incident at a target, once its trigger was delivered. */
  targetRef(incidentId: string, kind: TargetKind, destination: string): string | undefined {
    const r = this.s.targetRef.get(incidentId, kind, destination) as { ref: string | null } | undefined;
    return r === undefined ? undefined : opt(r.ref);
  }

  markDelivered(n: Notification, status: number, ref: string | undefined, now: number, timeline: TimelineEntry): void {
    this.transaction(() => {
      this.s.delivered.run(now, status, n.id);
      // The first message's ts, from its trigger, or from whatever was posted first when the trigger
      // was given up (the statement keeps a ref once set).
      if (ref !== undefined) {
        this.targetsCache.changed(n.incidentId);
        this.s.setTargetRef.run(ref, n.incidentId, n.target.kind, n.target.destination);
      }
      this.appendTimeline([timeline]);
    });
  }

  markRetry(id: string, nextAttemptAt: number, status: number | undefined, error: string, timeline: TimelineEntry): void {
    this.transaction(() => {
      this.s.retry.run(nextAttemptAt, status ?? null, error, id);
      this.appendTimeline([timeline]);
    });
  }

  /** Given up: `neverSent` when no attempt of it left the router, so the target cannot have it. */
  markFailed(id: string, status: number | undefined, error: string, timeline: TimelineEntry, neverSent = false): void {
    this.transaction(() => {
      this.s.failed.run(neverSent ? 'never_sent' : null, status ?? null, error, id);
      this.appendTimeline([timeline]);
    });
  }

  /**
   * A notification not sent, on purpose: it ends failed with outcome `withheld`, never tried again,
   * with no attempt counted and `reason` as its error. Failed is the outbox's one end besides
   * delivered: a state of its own would rebuild the table (its CHECK); the outcome column says which.
   */
  markWithheld(id: string, reason: string, timeline: TimelineEntry): void {
    this.transaction(() => {
      this.s.withheld.run(reason, id);
      this.appendTimeline([timeline]);
    });
  }

  /**
   * What was queued for the entry's incident and target before it, oldest first: when the entry is
   * due, each of them was delivered or given up on (`due` keeps it waiting until then).
   */
  sentBefore(entry: OutboxEntry): SentToTarget[] {
    const n = entry.notification;
    const rows = this.s.sentBefore.all(n.incidentId, n.target.kind, n.target.destination, entry.seq) as {
      action: NotificationAction;
      state: OutboxEntry['state'];
      outcome: OutboxOutcome | null;
      last_status: number | null;
      last_error: string | null;
    }[];
    return rows.map((r) => ({ action: r.action, state: r.state, outcome: opt(r.outcome), lastStatus: opt(r.last_status), lastError: opt(r.last_error) }));
  }

  listIncidents(filter: IncidentFilter): Incident[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.state !== undefined) (where.push('state = ?'), args.push(filter.state));
    if (filter.service !== undefined) (where.push('service = ?'), args.push(filter.service));
    if (filter.severity !== undefined) (where.push('severity = ?'), args.push(filter.severity));
    if (filter.since !== undefined) (where.push('opened_at >= ?'), args.push(filter.since));
    if (filter.until !== undefined) (where.push('opened_at < ?'), args.push(filter.until));
    const sql = `SELECT * FROM incidents ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY opened_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as IncidentRow[]).map(toIncident);
  }

  /** The incident's most recently received alert of `severity` that is firing, if any. */
  firingAlertOf(incidentId: string, severity: Severity): AlertRecord | undefined {
    const r = this.s.firingAlertOf.get(incidentId, severity) as AlertRow | undefined;
    return r === undefined ? undefined : toAlert(r);
  }

  alertsOf(incidentId: string): AlertRecord[] {
    return (this.s.alertsOf.all(incidentId) as AlertRow[]).map(toAlert);
  }

  timelineOf(incidentId: string): TimelineEntry[] {
    const rows = (this.s.timelineOf.all(incidentId) as TimelineRow[]).map((r) => ({
      seq: r.seq,
      incidentId: r.incident_id,
      at: r.at,
      kind: r.kind,
      reason: r.reason,
      ...(r.data === null ? {} : { data: JSON.parse(r.data) as Record<string, unknown> }),
    }));
    return this.timeline.view(incidentId, rows);
  }

  outboxOf(incidentId: string): OutboxEntry[] {
    return (this.s.outboxOf.all(incidentId) as OutboxRow[]).map(toOutbox);
  }

  annotatePending(ids: readonly string[], annotate: (n: Notification) => Notification, now: number): number {
    let changed = 0;
    for (const id of ids) {
      const r = this.s.unattempted.get(id) as { payload: string } | undefined;
      if (r === undefined) continue;
      this.s.reviseUnattempted.run(JSON.stringify(annotate(JSON.parse(r.payload) as Notification)), now, id);
      changed++;
    }
    return changed;
  }

  /** A piece of state saved with {@link putState} (JSON text), if any. */
  getState(key: string): string | undefined {
    return (this.s.getState.get(key) as { value: string } | undefined)?.value;
  }

  /** Saves a piece of state in a transaction of its own: one the bulk transaction's rollback cannot undo ({@link beforeOtherWrite}). */
  putState(key: string, value: string, now: number): void {
    this.transaction(() => this.s.putState.run(key, value, now));
  }

  /** The data of the incident's latest anomaly score (its `scored` timeline entry), if it was scored. */
  latestScore(incidentId: string): Record<string, unknown> | undefined {
    const r = this.s.latestScore.get(incidentId) as { data: string | null } | undefined;
    return r?.data == null ? undefined : (JSON.parse(r.data) as Record<string, unknown>);
  }

  /** Throws when the database cannot answer (readiness). */
  ping(): void {
    this.s.ping.get();
  }
}
