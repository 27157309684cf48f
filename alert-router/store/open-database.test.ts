import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { openDatabase } from './open-database.js';

describe('openDatabase', () => {
  it('creates the schema once in WAL mode with the chosen durability, and refuses a newer schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slokit-store-'));
    try {
      const path = join(dir, 'nested', 'router.db');
      const db = openDatabase({ path, synchronous: 'full' });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      db.pragma(`user_version = ${migrations.length + 1}`);
      db.close();
      expect(() => openDatabase({ path, synchronous: 'full' })).toThrow(/newer than this build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a store from schema 2 without the unread fingerprint index, keeping its alerts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slokit-store-'));
    try {
      const path = join(dir, 'router.db');
      const old = new Database(path);
      old.exec(migrations[0]!);
      old.exec(migrations[1]!);
      old.pragma('user_version = 2');
      old.exec(`INSERT INTO incidents (id, key, state, severity, title, service, group_labels, opened_at, updated_at)
        VALUES ('i1', 'k', 'open', 'page', 't', 's', '{}', 1, 1)`);
      old.exec(`INSERT INTO alerts (fingerprint, incident_id, status, severity, labels, annotations, starts_at, first_received_at, last_received_at, receive_count)
        VALUES ('fp1', 'i1', 'firing', 'page', '{}', '{}', 1, 1, 1, 1)`);
      old.close();
      const db = openDatabase({ path, synchronous: 'full' });
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts'").all()).toEqual([]);
      expect(db.prepare('SELECT fingerprint FROM alerts').all()).toEqual([{ fingerprint: 'fp1' }]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
