import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';
import { anIncident } from './incident-fixture.js';

const KEY = 'alert:{alertname="Disk"}';

const incident = (id: string, openedAt: number, changes: Partial<Incident> = {}): Incident => anIncident(id, openedAt, { key: KEY, ...changes });

/** What SQLite itself says, bypassing the cache. */
const fromSqlite = (store: SqliteStore) =>
  (store.db.prepare('SELECT id, state, firing_alerts FROM incidents WHERE key = ? ORDER BY opened_at DESC LIMIT 1').get(KEY) as
    | { id: string; state: string; firing_alerts: number }
    | undefined);

describe('the in-memory latest incident per key', () => {
  let dir: string | undefined;
  afterEach(() => dir !== undefined && rmSync(dir, { recursive: true, force: true }));

  it('answers the newest incident of a key after a restart, as the incidents table says', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-latest-'));
    const path = join(dir, 'router.db');
    const first = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    first.transaction(() => first.saveIncident(incident('old', 1_000, { state: 'resolved', resolvedAt: 1_500, firingAlerts: 0 })));
    expect(first.latestIncidentByKey(KEY)?.id).toBe('old');
    first.transaction(() => first.saveIncident(incident('new', 2_000)));
    // An older incident of the key changing does not make it the latest again.
    first.transaction(() => first.saveIncident(incident('old', 1_000, { state: 'resolved', resolvedAt: 1_500, firingAlerts: 0, updatedAt: 3_000 })));
    expect(first.latestIncidentByKey(KEY)?.id).toBe('new');
    first.db.close();

    const restarted = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(restarted.latestIncidentByKey(KEY)).toMatchObject({ id: 'new', state: 'open' });
    expect(restarted.latestIncidentByKey('alert:{alertname="Other"}')).toBeUndefined();
    restarted.db.close();
  });

  it('keeps what a batch wrote only if it commits, so a failed batch leaves the cache as SQLite is', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => store.saveIncident(incident('i1', 1_000)));
    expect(store.latestIncidentByKey(KEY)?.firingAlerts).toBe(1);
    expect(() =>
      store.transaction(() => {
        store.saveIncident(incident('i1', 1_000, { firingAlerts: 2 }));
        store.saveIncident(incident('i2', 2_000));
        expect(store.latestIncidentByKey(KEY)?.id).toBe('i2'); // the batch sees its own writes
        throw new Error('poison batch');
      }),
    ).toThrow('poison batch');
    expect(store.latestIncidentByKey(KEY)).toMatchObject({ id: 'i1', firingAlerts: 1 });
    expect(fromSqlite(store)).toEqual({ id: 'i1', state: 'open', firing_alerts: 1 });
  });

  it('asks SQLite again when two incidents of a key opened in the same millisecond', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => store.saveIncident(incident('a', 1_000, { state: 'resolved', resolvedAt: 1_000, firingAlerts: 0 })));
    expect(store.latestIncidentByKey(KEY)?.id).toBe('a');
    store.transaction(() => store.saveIncident(incident('b', 1_000)));
    expect(store.latestIncidentByKey(KEY)?.id).toBe(fromSqlite(store)?.id);
  });
});
