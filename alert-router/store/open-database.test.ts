import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { oldStore } from '../../test/support/old-store.js';
import { notificationView } from '../http/incident-view.js';
import { requestText } from '../http/maintenance-request.js';
import { openDatabase, type MigrationEvent } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

describe('openDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the schema once in WAL mode with the chosen durability, and refuses a newer schema', () => {
    const path = join(dir, 'nested', 'router.db');
    const db = openDatabase({ path, synchronous: 'full' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openDatabase({ path, synchronous: 'full' })).toThrow(/newer than this build/);
  });

  it('cuts a WAL that grew past its size limit back to the limit once the WAL starts over', () => {
    const path = join(dir, 'router.db');
    const limit = 256 * 1024;
    const db = openDatabase({ path, synchronous: 'full', backgroundCheckpoints: true, walSizeLimitBytes: limit });
    db.exec('CREATE TABLE filler (v BLOB)');
    const insert = db.prepare('INSERT INTO filler (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 512; i++) insert.run(Buffer.alloc(4096, i % 251));
    })();
    const grown = statSync(`${path}-wal`).size;
    expect(grown).toBeGreaterThan(2 * 2 ** 20);
    // The background checkpointer's part: another connection copies the whole WAL into the database.
    const checkpointer = new Database(path);
    expect(checkpointer.pragma('wal_checkpoint(PASSIVE)')).toEqual([{ busy: 0, log: expect.any(Number), checkpointed: expect.any(Number) }]);
    checkpointer.close();
    // The next commit starts the WAL over from its beginning, and the file is cut back.
    insert.run(Buffer.alloc(16));
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(limit);
    expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(513);
    db.close();
  });

  it('upgrades a store from schema 2 without the unread fingerprint index, keeping its alerts', () => {
    const path = join(dir, 'router.db');
    oldStore(path, 2, { incident: 'i1', fingerprint: 'fp1' }).close();
    const db = openDatabase({ path, synchronous: 'full' });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts'").all()).toEqual([{ name: 'alerts_by_incident' }]);
    expect(db.prepare('SELECT fingerprint FROM alerts').all()).toEqual([{ fingerprint: 'fp1' }]);
    db.close();
  });

  it('upgrades a store from schema 7 counting the page alerts that fire in each open incident, so it can de-escalate', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 7);
    old.exec(`INSERT INTO incidents (id, key, state, severity, title, service, group_labels, opened_at, updated_at, firing_alerts)
      VALUES ('open', 'k1', 'open', 'page', 't', 's', '{}', 1, 1, 3), ('done', 'k2', 'resolved', 'page', 't', 's', '{}', 1, 1, 0)`);
    old.exec(`INSERT INTO alerts (fingerprint, incident_id, status, severity, labels, annotations, starts_at, first_received_at, last_received_at, receive_count)
      VALUES ('p1', 'open', 'firing', 'page', '{}', '{}', 1, 1, 1, 1), ('p2', 'open', 'resolved', 'page', '{}', '{}', 1, 1, 1, 1),
             ('t1', 'open', 'firing', 'ticket', '{}', '{}', 1, 1, 1, 1), ('t2', 'open', 'firing', 'ticket', '{}', '{}', 1, 1, 1, 1),
             ('p3', 'done', 'resolved', 'page', '{}', '{}', 1, 1, 1, 1)`);
    old.close();
    const db = openDatabase({ path, synchronous: 'full' });
    expect(db.prepare('SELECT id, firing_alerts, firing_pages FROM incidents ORDER BY id').all()).toEqual([
      { id: 'done', firing_alerts: 0, firing_pages: 0 },
      { id: 'open', firing_alerts: 3, firing_pages: 1 },
    ]);
    db.close();
  });

  it('upgrades a store from schema 8 so its withheld notifications read as withheld and its triggers never sent as never sent', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 8);
    const row = old.prepare(`INSERT INTO outbox (id, incident_id, target_kind, destination, action, payload, state, attempts, created_at, next_attempt_at, last_status, last_error)
      VALUES (@id, 'i1', @kind, 'X', @action, @payload, @state, @attempts, 1, 1, @status, @error)`);
    const rows = [
      { id: 'refused', kind: 'pagerduty', action: 'trigger', state: 'failed', attempts: 1, status: 400, error: 'PagerDuty trigger for incident i1: PagerDuty refused it (400)' },
      { id: 'withheld', kind: 'pagerduty', action: 'resolve', state: 'failed', attempts: 0, status: null, error: 'not sent: PagerDuty refused the trigger (HTTP 400: ...)' },
      { id: 'no-key', kind: 'pagerduty', action: 'trigger', state: 'failed', attempts: 1, status: null, error: 'no PagerDuty routing key for incident i1: environment variable X is not set' },
      { id: 'no-notifier', kind: 'pagerduty', action: 'trigger', state: 'failed', attempts: 1, status: null, error: 'no pagerduty notifier configured' },
      { id: 'no-token', kind: 'slack', action: 'trigger', state: 'failed', attempts: 1, status: null, error: 'Slack trigger for incident i1 in X: no Slack token configured for X' },
      // An earlier attempt got no answer and may have reached PagerDuty before the key went missing.
      { id: 'no-key-late', kind: 'pagerduty', action: 'trigger', state: 'failed', attempts: 2, status: null, error: 'no PagerDuty routing key for incident i1: environment variable X is not set' },
      { id: 'gave-up', kind: 'pagerduty', action: 'trigger', state: 'failed', attempts: 25, status: null, error: 'gave up after 25 attempts over 42m: could not reach events.pagerduty.com' },
      { id: 'delivered', kind: 'pagerduty', action: 'trigger', state: 'delivered', attempts: 1, status: 202, error: null },
      { id: 'pending', kind: 'pagerduty', action: 'resolve', state: 'pending', attempts: 0, status: null, error: null },
    ];
    for (const r of rows) row.run({ ...r, payload: JSON.stringify({ id: r.id, action: r.action, target: { kind: r.kind, destination: 'X' } }) });
    old.close();
    const store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(store.outboxOf('i1').map(notificationView).map((n) => [n.id, n.state, n.outcome])).toEqual([
      ['refused', 'failed', null],
      ['withheld', 'withheld', 'withheld'],
      ['no-key', 'failed', 'never_sent'],
      ['no-notifier', 'failed', 'never_sent'],
      ['no-token', 'failed', 'never_sent'],
      ['no-key-late', 'failed', null],
      ['gave-up', 'failed', null],
      ['delivered', 'delivered', null],
      ['pending', 'pending', null],
    ]);
    store.db.close();
  });

  it('upgrades a store from schema 3 (alerts WITHOUT ROWID) to a rowid table, keeping every column and (incident, fingerprint) unique', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 3);
    expect(old.prepare("SELECT sql FROM sqlite_master WHERE name = 'alerts'").pluck().get()).toMatch(/WITHOUT ROWID/);
    old.exec(`INSERT INTO incidents (id, key, state, severity, title, service, group_labels, opened_at, updated_at)
      VALUES ('i1', 'k', 'open', 'page', 't', 's', '{}', 1, 1)`);
    old.exec(`INSERT INTO alerts (fingerprint, incident_id, status, severity, labels, annotations, starts_at, ends_at, generator_url, first_received_at, last_received_at, receive_count)
      VALUES ('fp2', 'i1', 'resolved', 'page', '{"a":"2"}', '{"s":"x"}', 5, 9, 'http://g', 20, 30, 3),
             ('fp1', 'i1', 'firing', 'ticket', '{"a":"1"}', '{}', 1, NULL, NULL, 10, 11, 1)`);
    const before = old.prepare('SELECT * FROM alerts ORDER BY fingerprint').all();
    old.close();
    const events: MigrationEvent[] = [];
    const db = openDatabase({ path, synchronous: 'full', onMigration: (e) => events.push(e) });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    // Each step the open applied is announced before it runs and reported with its duration after.
    expect(events.map((e) => `${e.phase} ${e.from}->${e.to}`)).toEqual(['start 3->4', 'done 3->4', 'start 4->5', 'done 4->5', 'start 5->6', 'done 5->6', 'start 6->7', 'done 6->7', 'start 7->8', 'done 7->8', 'start 8->9', 'done 8->9', 'start 9->10', 'done 9->10']);
    expect(events[1]).toMatchObject({ phase: 'done', ms: expect.any(Number) });
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'alerts'").pluck().get()).not.toMatch(/WITHOUT ROWID/);
    expect(db.prepare('SELECT * FROM alerts ORDER BY fingerprint').all()).toEqual(before);
    // Rows keep the order they were first received in (the dedup index loads them in that order).
    expect(db.prepare('SELECT fingerprint FROM alerts ORDER BY rowid').pluck().all()).toEqual(['fp1', 'fp2']);
    expect(() =>
      db.exec(`INSERT INTO alerts (fingerprint, incident_id, status, severity, labels, annotations, starts_at, first_received_at, last_received_at, receive_count)
        VALUES ('fp1', 'i1', 'firing', 'page', '{}', '{}', 1, 1, 1, 1)`),
    ).toThrow(/UNIQUE constraint failed: alerts.incident_id, alerts.fingerprint/);
    db.close();
  });

  it('leaves a store whose upgrade fails at its old schema, with its rows, and says which step failed', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 3, { incident: 'i1', fingerprint: 'fp1' });
    // A table in migration 4's way makes its first statement fail.
    old.exec('CREATE TABLE alerts_v4 (x)');
    old.close();
    const events: MigrationEvent[] = [];
    expect(() => openDatabase({ path, synchronous: 'full', onMigration: (e) => events.push(e) })).toThrow(
      'could not upgrade the router store from schema 3 to 4 (nothing of that step was applied)',
    );
    expect(events.map((e) => `${e.phase} ${e.from}->${e.to}`)).toEqual(['start 3->4']);
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(3);
    expect(after.prepare("SELECT sql FROM sqlite_master WHERE name = 'alerts'").pluck().get()).toMatch(/WITHOUT ROWID/);
    expect(after.prepare('SELECT fingerprint FROM alerts').pluck().all()).toEqual(['fp1']);
    after.close();
  });

  it('upgrades a store from schema 4 by naming the window of each maintenance hold, read from its detail', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 4);
    old.exec(`INSERT INTO holds (incident_id, reason, detail, since, until, parent_id) VALUES
      ('i1', 'maintenance', 'in maintenance window 6f1c-2 {service="payments"} until 2030-01-01T00:00:00.000Z by ana', 1, 9, NULL),
      ('i2', 'dependency', 'likely caused by incident i9', 1, NULL, 'i9')`);
    old.close();
    const db = openDatabase({ path, synchronous: 'full' });
    expect(db.prepare('SELECT incident_id, parent_id, window_id FROM holds ORDER BY incident_id').all()).toEqual([
      { incident_id: 'i1', parent_id: null, window_id: '6f1c-2' },
      { incident_id: 'i2', parent_id: 'i9', window_id: null },
    ]);
    db.close();
  });

  it('upgrades a store from schema 8 keeping its maintenance windows, which no retry takes for its own, and keeps each Idempotency-Key to one window', () => {
    const path = join(dir, 'router.db');
    const old = oldStore(path, 8);
    old.exec(`INSERT INTO maintenance_windows (id, matchers, starts_at, ends_at, author, comment, created_at)
      VALUES ('before', '["service=\\"payments\\""]', 1000, 9000, 'ana', '', 1000)`);
    old.close();
    const store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    const s = store.suppression;
    expect(s.activeMaintenance(2_000).map((w) => w.id)).toEqual(['before']);
    const request = requestText({ matchers: ['service="payments"'], startsAt: null, endsAt: 9_000, author: 'ana', comment: '' });
    expect(s.keylessRetryOf(request, 0, 2_000)).toBeUndefined();
    const w = s.maintenanceById('before')!;
    store.transaction(() => s.addMaintenance({ ...w, id: 'keyed' }, { request, idempotencyKey: 'k1' }));
    store.transaction(() => s.addMaintenance({ ...w, id: 'keyless' }, { request, idempotencyKey: undefined }));
    expect(s.maintenanceByIdempotencyKey('k1')).toEqual({ window: { ...w, id: 'keyed' }, request });
    expect(s.keylessRetryOf(request, 0, 2_000)?.id).toBe('keyless');
    expect(() => store.transaction(() => s.addMaintenance({ ...w, id: 'again' }, { request, idempotencyKey: 'k1' }))).toThrow(
      /UNIQUE constraint failed: maintenance_windows.idempotency_key/,
    );
    store.db.close();
  });
});
