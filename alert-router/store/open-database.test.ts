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
});
