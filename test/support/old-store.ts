import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from '../../alert-router/store/migrations.js';

/**
 * A store file as an older build left it: only the first `schema` migrations applied, so a test can
 * open it with the current build and watch the upgrade. Optionally holds one open incident with one
 * firing alert (in the columns every schema so far has).
 */
export function oldStore(path: string, schema: number, seed?: { incident: string; fingerprint: string }): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  for (const m of migrations.slice(0, schema)) db.exec(m);
  db.pragma(`user_version = ${schema}`);
  if (seed !== undefined) {
    db.prepare(
      `INSERT INTO incidents (id, key, state, severity, title, service, group_labels, opened_at, updated_at)
       VALUES (?, 'k', 'open', 'page', 'Old incident', 'checkout', '{}', 1, 1)`,
    ).run(seed.incident);
    db.prepare(
      `INSERT INTO alerts (fingerprint, incident_id, status, severity, labels, annotations, starts_at, first_received_at, last_received_at, receive_count)
       VALUES (?, ?, 'firing', 'page', '{}', '{}', 1, 1, 1, 1)`,
    ).run(seed.fingerprint, seed.incident);
  }
  return db;
}
