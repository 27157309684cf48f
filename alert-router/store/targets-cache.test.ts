import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aNotification } from '../notify/notification-fixture.js';
import type { Incident } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';
import { IncidentTargetsCache } from './targets-cache.js';
import { anIncident } from './incident-fixture.js';

const incident = (id: string, openedAt: number): Incident =>
  anIncident(id, openedAt, { key: `alert:{alertname="${id}"}`, severity: 'ticket', title: id, groupLabels: { alertname: id }, firingPages: 0 });

const SLACK = { kind: 'slack', destination: '#db' } as const;
const PD = { kind: 'pagerduty', destination: 'db-oncall' } as const;

/** What SQLite itself holds, bypassing the cache. */
const fromSqlite = (store: SqliteStore, id: string) =>
  store.db.prepare('SELECT kind, destination, ref FROM incident_targets WHERE incident_id = ? ORDER BY kind, destination').all(id);

const shown = (store: SqliteStore, id: string) => store.targets(id).map((t) => ({ kind: t.kind, destination: t.destination, ref: t.ref ?? null }));

describe("an incident's targets held in memory", () => {
  let dir: string | undefined;
  afterEach(() => dir !== undefined && rmSync(dir, { recursive: true, force: true }));

  it('answers as SQLite does after each write: a new target, a Slack ref, a purge', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => store.saveIncident(incident('i1', 1_000)));
    expect(store.targets('i1')).toEqual([]); // read, and held
    store.transaction(() => store.addTargets('i1', [SLACK]));
    expect(shown(store, 'i1')).toEqual(fromSqlite(store, 'i1'));
    expect(shown(store, 'i1')).toEqual([{ ...SLACK, ref: null }]);
    store.transaction(() => store.addTargets('i1', [PD]));
    expect(shown(store, 'i1')).toEqual(fromSqlite(store, 'i1'));
    expect(store.targets('i1')).toHaveLength(2);

    // The Slack message's ts, once its trigger was delivered: what an update threads under.
    const n = aNotification({ incidentId: 'i1', target: SLACK, action: 'trigger' });
    store.enqueue([n], 1_000);
    store.markDelivered(n, 200, '1700000000.000100', 1_100, { incidentId: 'i1', at: 1_100, kind: 'notified', reason: 'ok' });
    expect(store.targets('i1').find((t) => t.kind === 'slack')?.ref).toBe('1700000000.000100');
    expect(shown(store, 'i1')).toEqual(fromSqlite(store, 'i1'));

    store.transaction(() => store.saveIncident({ ...incident('i1', 1_000), state: 'resolved', resolvedAt: 2_000, updatedAt: 2_000, firingAlerts: 0 }));
    store.transaction(() => store.purgeResolved(10_000, 1_000, () => false));
    expect(fromSqlite(store, 'i1')).toEqual([]);
    expect(store.targets('i1')).toEqual([]);
  });

  it('keeps what a failed transaction read or wrote out of it', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => {
      store.saveIncident(incident('i1', 1_000));
      store.addTargets('i1', [SLACK]);
    });
    expect(() =>
      store.transaction(() => {
        store.addTargets('i1', [PD]);
        expect(store.targets('i1')).toHaveLength(2); // the transaction sees its own write
        throw new Error('poison batch');
      }),
    ).toThrow('poison batch');
    expect(shown(store, 'i1')).toEqual([{ ...SLACK, ref: null }]);
  });

  it('goes back with the bulk transaction when a later group fails in it', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => store.saveIncident(incident('i1', 1_000)));
    store.openBulk();
    store.groupInBulk(() => store.addTargets('i1', [SLACK]), () => undefined);
    // Committed in memory with its group, as the next group reads it.
    expect(store.targets('i1')).toHaveLength(1);
    expect(() =>
      store.groupInBulk(() => {
        throw new Error('poison batch');
      }, () => undefined),
    ).toThrow('poison batch');
    // As SQLite has it after the rollback of the whole bulk.
    expect(fromSqlite(store, 'i1')).toEqual([]);
    expect(store.targets('i1')).toEqual([]);
  });

  it('survives a restart as SQLite has it', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-targets-'));
    const path = join(dir, 'router.db');
    const first = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    first.transaction(() => {
      first.saveIncident(incident('i1', 1_000));
      first.addTargets('i1', [PD, SLACK]);
    });
    first.db.close();
    const restarted = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(shown(restarted, 'i1')).toEqual([
      { ...PD, ref: null },
      { ...SLACK, ref: null },
    ]);
    restarted.db.close();
  });

  it('shares one frozen list between callers, so none can change what the next one reads', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => {
      store.saveIncident(incident('i1', 1_000));
      store.addTargets('i1', [SLACK]);
    });
    const a = store.targets('i1');
    expect(store.targets('i1')).toBe(a);
    expect(() => (a as unknown as { kind: string }[]).push({ kind: 'pagerduty' })).toThrow(TypeError);
    expect(() => ((a[0] as { ref?: string }).ref = 'x')).toThrow(TypeError);
  });
});

describe('IncidentTargetsCache', () => {
  it('reads SQLite once per incident until it changes, and starts empty again past its bound', () => {
    const reads: string[] = [];
    const cache = new IncidentTargetsCache((id) => {
      reads.push(id);
      return [{ kind: 'slack', destination: `#${id}`, ref: undefined }];
    }, 2);
    cache.targets('a');
    cache.targets('a');
    cache.targets('b');
    expect(reads).toEqual(['a', 'b']);
    cache.changed('a');
    cache.targets('a');
    expect(reads).toEqual(['a', 'b', 'a']);
    cache.targets('c'); // a third incident: the cache was full
    expect(cache.size).toBe(1);
    cache.targets('c');
    cache.targets('a');
    expect(reads).toEqual(['a', 'b', 'a', 'c', 'a']);
  });
});
