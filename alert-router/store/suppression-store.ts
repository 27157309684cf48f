import type Database from 'better-sqlite3';
import { keepChanges } from '../pipeline/flap.js';
import { describeEarlyEnd } from '../pipeline/maintenance.js';
import { parseMatcher } from '../pipeline/matcher.js';
import { DIGEST_KEY_PREFIX } from '../pipeline/storm.js';
import { StagedMap } from './staged-map.js';
import type { DigestItem, FiringLabels, Hold, MaintenanceWindow, SuppressionPort } from '../pipeline/suppression-types.js';
import type { AlertRecord, Incident, Severity } from '../pipeline/types.js';

interface WindowRow {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  author: string;
  comment: string;
  created_at: number;
}

interface HoldRow {
  incident_id: string;
  reason: Hold['reason'];
  detail: string;
  since: number;
  until: number | null;
  parent_id: string | null;
  window_id: string | null;
}

interface DigestRow {
  seq: number;
  target_kind: 'pagerduty' | 'slack';
  destination: string;
  incident_id: string;
  title: string;
  severity: Severity;
  at: number;
  digest_id: string | null;
}

const toWindow = (r: WindowRow): MaintenanceWindow => ({
  id: r.id,
  matchers: (JSON.parse(r.matchers) as string[]).map(parseMatcher),
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  author: r.author,
  comment: r.comment,
  createdAt: r.created_at,
});

const toHold = (r: HoldRow): Hold => ({
  incidentId: r.incident_id,
  reason: r.reason,
  detail: r.detail,
  since: r.since,
  until: r.until ?? undefined,
  parentId: r.parent_id ?? undefined,
  ...(r.window_id === null ? {} : { windowId: r.window_id }),
});

const toDigest = (r: DigestRow): DigestItem => ({
  seq: r.seq,
  target: { kind: r.target_kind, destination: r.destination },
  incidentId: r.incident_id,
  title: r.title,
  severity: r.severity,
  at: r.at,
  digestId: r.digest_id ?? undefined,
});

/** The first key past every key that starts with `prefix` (keys are text: the range `[prefix, keysAfter(prefix))`). */
const keysAfter = (prefix: string) => `${prefix}\uffff`;
/** The key range of the storm digests' incidents. */
const DIGEST_KEYS = { digestFrom: DIGEST_KEY_PREFIX, digestTo: keysAfter(DIGEST_KEY_PREFIX) };

/**
 * The suppression stages' durable state (migration 2): maintenance windows, holds (the deferred-work
 * timers the tick releases), what each incident's targets were last told, flap histories and storm
 * digests. Shares the router's database and its transactions.
 */
export class SqliteSuppressionStore implements SuppressionPort {
  private readonly s;
  /**
   * Incidents that have a hold, as of the last commit: most incidents never have one, so `holdOf`
   * answers them without a query. Rebuilt from the holds table at start.
   */
  private readonly held = new StagedMap<string, true>();
  /**
   * The latest `ends_at` of any maintenance window (−∞ with none): at or after it no window can be
   * active, so `activeMaintenance` needs no query. Only ever raised (ending a window early leaves it
   * higher, which just means querying), so a rolled-back insert cannot make it wrong.
   */
  private maintenanceUntil = -Infinity;

  constructor(
    readonly db: Database.Database,
    private readonly toIncident: (row: never) => Incident,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      active: p('SELECT * FROM maintenance_windows WHERE starts_at <= ? AND ends_at > ? ORDER BY starts_at, id'),
      windowsEndingAfter: p('SELECT * FROM maintenance_windows WHERE ends_at > ? ORDER BY starts_at, id'),
      allWindows: p('SELECT * FROM maintenance_windows ORDER BY starts_at, id'),
      windowById: p('SELECT * FROM maintenance_windows WHERE id = ?'),
      windowByKey: p('SELECT * FROM maintenance_windows WHERE idempotency_key = ?'),
      // Through maintenance_by_end: only the windows that have not ended are read.
      keylessRetryOf: p(`SELECT * FROM maintenance_windows WHERE request = ? AND idempotency_key IS NULL AND created_at >= ? AND ends_at > ?
        ORDER BY created_at, id LIMIT 1`),
      insertWindow: p(`INSERT INTO maintenance_windows (id, matchers, starts_at, ends_at, author, comment, created_at, idempotency_key, request)
        VALUES (@id, @matchers, @starts_at, @ends_at, @author, @comment, @created_at, @idempotency_key, @request)`),
      endWindow: p('UPDATE maintenance_windows SET ends_at = ? WHERE id = ?'),
      endHoldsOf: p(`UPDATE holds SET detail = @detail WHERE reason = 'maintenance' AND window_id = @id`),
      // Retention: windows that ended before the cutoff, oldest end first (maintenance_by_end), unless a
      // hold still names one (a hold outlives its window only until the next tick releases it).
      purgeEnded: p(`DELETE FROM maintenance_windows WHERE id IN (SELECT w.id FROM maintenance_windows w
        WHERE w.ends_at < ? AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.window_id = w.id) ORDER BY w.ends_at LIMIT ?)`),
      holdOf: p('SELECT * FROM holds WHERE incident_id = ?'),
      holds: p('SELECT * FROM holds ORDER BY since, incident_id'),
      setHold: p(`INSERT INTO holds (incident_id, reason, detail, since, until, parent_id, window_id) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (incident_id) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, until = excluded.until,
          parent_id = excluded.parent_id, window_id = excluded.window_id`),
      clearHold: p('DELETE FROM holds WHERE incident_id = ?'),
      notified: p('SELECT state FROM notified_state WHERE incident_id = ?'),
      setNotified: p('INSERT INTO notified_state (incident_id, state) VALUES (?, ?) ON CONFLICT (incident_id) DO UPDATE SET state = excluded.state'),
      openByKeyPrefix: p("SELECT * FROM incidents WHERE state = 'open' AND key >= ? AND key < ? AND opened_at >= ? ORDER BY opened_at, id"),
      flap: p('SELECT changes FROM flap_history WHERE fingerprint = ?'),
      forgetFlaps: p('DELETE FROM flap_history WHERE fingerprint = ?'),
      setFlap: p('INSERT INTO flap_history (fingerprint, changes) VALUES (?, ?) ON CONFLICT (fingerprint) DO UPDATE SET changes = excluded.changes'),
      // A storm digest is an incident of its own (key `storm:…`) with a trigger to the target:
      // not one of the incidents the storm is counting, so it does not count towards the limit.
      openedForTarget: p(`SELECT (SELECT COUNT(DISTINCT o.incident_id) FROM outbox o WHERE o.action = 'trigger' AND o.target_kind = @kind
          AND o.destination = @destination AND o.created_at >= @since
          AND NOT EXISTS (SELECT 1 FROM incidents g WHERE g.id = o.incident_id AND g.key >= @digestFrom AND g.key < @digestTo)) AS sent,
        (SELECT COUNT(DISTINCT incident_id) FROM digest_items WHERE target_kind = @kind AND destination = @destination AND at >= @since) AS digested`),
      addDigest: p('INSERT INTO digest_items (target_kind, destination, incident_id, title, severity, at) VALUES (?, ?, ?, ?, ?, ?)'),
      undigested: p('SELECT * FROM digest_items WHERE digest_id IS NULL ORDER BY seq'),
      markDigested: p('UPDATE digest_items SET digest_id = ? WHERE seq = ?'),
      members: p("SELECT incident_id, MAX(severity = 'page') AS page FROM digest_items WHERE digest_id = ? GROUP BY incident_id ORDER BY incident_id"),
      openListing: p(`SELECT d.digest_id, d.severity FROM digest_items d LEFT JOIN incidents g ON g.id = d.digest_id
        WHERE d.incident_id = ? AND d.target_kind = ? AND d.destination = ? AND (d.digest_id IS NULL OR g.state = 'open')
        ORDER BY d.severity = 'page' DESC LIMIT 1`),
      firingLabels: p("SELECT labels, annotations FROM alerts WHERE incident_id = ? ORDER BY (status = 'firing') DESC, last_received_at DESC LIMIT 1"),
    };
    this.reloadHolds();
    const latestEnd = (db.prepare('SELECT MAX(ends_at) AS t FROM maintenance_windows').get() as { t: number | null }).t;
    if (latestEnd !== null) this.maintenanceUntil = latestEnd;
  }

  /**
   * Reads which incidents are held from the holds table again: at start, and after the bulk
   * transaction rolled back (SqliteStore.groupInBulk). `maintenanceUntil` is only ever a bound, so one
   * the rolled-back writes raised can stay.
   */
  reloadHolds(): void {
    this.held.clear();
    for (const [incidentId] of this.db.prepare('SELECT incident_id FROM holds').raw().iterate() as IterableIterator<[string]>) this.held.set(incidentId, true);
  }

  /** Runs `commit` (a whole SQLite transaction) and keeps its hold changes in memory only if it returns. Re-entrant. */
  within<T>(commit: () => T): T {
    return this.held.within(commit);
  }

  activeMaintenance(now: number): MaintenanceWindow[] {
    if (now >= this.maintenanceUntil) return [];
    return (this.s.active.all(now, now) as WindowRow[]).map(toWindow);
  }

  /**
   * Retention: deletes up to `limit` maintenance windows that ended before `cutoff`, oldest end first,
   * except one a hold still names. Returns how many went. `maintenanceUntil` stays as it is: only
   * windows that ended long ago go, and it is only ever a bound.
   */
  purgeEndedMaintenance(cutoff: number, limit: number): number {
    if (limit <= 0) return 0;
    return this.s.purgeEnded.run(cutoff, limit).changes;
  }

  /** Windows that have not ended, which a cancelled one has (`all`: every window), for `GET /api/v1/maintenance`. */
  listMaintenance(now: number, all: boolean): MaintenanceWindow[] {
    return ((all ? this.s.allWindows.all() : this.s.windowsEndingAfter.all(now)) as WindowRow[]).map(toWindow);
  }

  maintenanceById(id: string): MaintenanceWindow | undefined {
    const r = this.s.windowById.get(id) as WindowRow | undefined;
    return r === undefined ? undefined : toWindow(r);
  }

  /** The window created by a request with this `Idempotency-Key`, with that request as stored (migration 9: written together). */
  maintenanceByIdempotencyKey(key: string): { window: MaintenanceWindow; request: string } | undefined {
    const r = this.s.windowByKey.get(key) as (WindowRow & { request: string }) | undefined;
    return r === undefined ? undefined : { window: toWindow(r), request: r.request };
  }

  /**
   * The window a request without an `Idempotency-Key` stored as `request` created at or after `since`,
   * if it has not ended by `now`: a client's retry of that request gets it back instead of a copy.
   */
  keylessRetryOf(request: string, since: number, now: number): MaintenanceWindow | undefined {
    const r = this.s.keylessRetryOf.get(request, since, now) as WindowRow | undefined;
    return r === undefined ? undefined : toWindow(r);
  }

  /**
   * Stores a window. `origin` is the API request that created it (its text and `Idempotency-Key`), so
   * a retry of that request finds it; the replay simulator's windows have none.
   */
  addMaintenance(w: MaintenanceWindow, origin?: { request: string; idempotencyKey: string | undefined }): void {
    this.maintenanceUntil = Math.max(this.maintenanceUntil, w.endsAt);
    this.s.insertWindow.run({
      id: w.id,
      matchers: JSON.stringify(w.matchers.map((m) => m.text)),
      starts_at: w.startsAt,
      ends_at: w.endsAt,
      author: w.author,
      comment: w.comment,
      created_at: w.createdAt,
      idempotency_key: origin?.idempotencyKey ?? null,
      request: origin?.request ?? null,
    });
  }

  /**
   * Ends a window early, now. The holds a window that has started set say so (when, `by` whom if
   * known, the planned end), which they are released with (by the next tick, or by an alert of their
   * incident that comes first). One that has not started is cancelled: its end (now) comes before its
   * start, so no time is inside it (`isCancelled`), and its row is kept so that a retried `DELETE` or
   * `POST` finds it. An ended or cancelled window is left as it is. False when there is no such window.
   */
  endMaintenance(id: string, now: number, by?: string): boolean {
    const w = this.maintenanceById(id);
    if (w === undefined) return false;
    if (w.endsAt <= now) return true;
    this.s.endWindow.run(now, id);
    if (w.startsAt <= now) this.s.endHoldsOf.run({ id, detail: describeEarlyEnd(w, now, by) });
    return true;
  }

  holdOf(incidentId: string): Hold | undefined {
    if (this.held.get(incidentId) !== true) return undefined;
    const r = this.s.holdOf.get(incidentId) as HoldRow | undefined;
    return r === undefined ? undefined : toHold(r);
  }

  holds(): Hold[] {
    return (this.s.holds.all() as HoldRow[]).map(toHold);
  }

  setHold(h: Hold): void {
    this.s.setHold.run(h.incidentId, h.reason, h.detail, h.since, h.until ?? null, h.parentId ?? null, h.windowId ?? null);
    this.held.set(h.incidentId, true);
  }

  /** Drops a fingerprint's flap history (its alert's rows are gone: retention). */
  forgetFlaps(fingerprint: string): void {
    this.s.forgetFlaps.run(fingerprint);
  }

  clearHold(incidentId: string): void {
    this.s.clearHold.run(incidentId);
    this.held.forget(incidentId);
  }

  notifiedState(incidentId: string): 'open' | 'resolved' | undefined {
    return (this.s.notified.get(incidentId) as { state: 'open' | 'resolved' } | undefined)?.state;
  }

  setNotifiedState(incidentId: string, state: 'open' | 'resolved'): void {
    this.s.setNotified.run(incidentId, state);
  }

  openIncidentsOf(services: string[], since: number): Incident[] {
    if (services.length === 0) return [];
    const sql = `SELECT * FROM incidents WHERE state = 'open' AND service IN (${services.map(() => '?').join(', ')}) AND opened_at >= ? ORDER BY opened_at, id`;
    return (this.db.prepare(sql).all(...services, since) as never[]).map(this.toIncident);
  }

  openIncidentsByKeyPrefix(prefix: string, since: number): Incident[] {
    return (this.s.openByKeyPrefix.all(prefix, keysAfter(prefix), since) as never[]).map(this.toIncident);
  }

  recordChange(fingerprint: string, at: number, since: number, previous: AlertRecord | undefined): number[] {
    if (previous === undefined) return keepChanges([], at, since);
    const r = this.s.flap.get(fingerprint) as { changes: string } | undefined;
    const changes = keepChanges(r === undefined ? [previous.firstReceivedAt] : (JSON.parse(r.changes) as number[]), at, since);
    this.s.setFlap.run(fingerprint, JSON.stringify(changes));
    return changes;
  }

  openedForTargetSince(kind: 'pagerduty' | 'slack', destination: string, since: number): { sent: number; digested: number } {
    return this.s.openedForTarget.get({ kind, destination, since, ...DIGEST_KEYS }) as { sent: number; digested: number };
  }

  addDigestItem(item: Omit<DigestItem, 'seq' | 'digestId'>): void {
    this.s.addDigest.run(item.target.kind, item.target.destination, item.incidentId, item.title, item.severity, item.at);
  }

  undigested(): DigestItem[] {
    return (this.s.undigested.all() as DigestRow[]).map(toDigest);
  }

  markDigested(seqs: number[], digestId: string): void {
    for (const seq of seqs) this.s.markDigested.run(digestId, seq);
  }

  openDigestListing(incidentId: string, kind: 'pagerduty' | 'slack', destination: string): { digestId: string | undefined; severity: Severity } | null {
    const r = this.s.openListing.get(incidentId, kind, destination) as { digest_id: string | null; severity: Severity } | undefined;
    return r === undefined ? null : { digestId: r.digest_id ?? undefined, severity: r.severity };
  }

  digestMembers(digestId: string): { incidentId: string; severity: Severity }[] {
    return (this.s.members.all(digestId) as { incident_id: string; page: number }[]).map((r) => ({ incidentId: r.incident_id, severity: r.page === 1 ? 'page' : 'ticket' }));
  }

  firingLabelsOf(incidentId: string): FiringLabels | undefined {
    const r = this.s.firingLabels.get(incidentId) as { labels: string; annotations: string } | undefined;
    return r === undefined ? undefined : { labels: JSON.parse(r.labels) as Record<string, string>, annotations: JSON.parse(r.annotations) as Record<string, string> };
  }

  openDigests(): Incident[] {
    return this.openIncidentsByKeyPrefix(DIGEST_KEY_PREFIX, 0);
  }
}
