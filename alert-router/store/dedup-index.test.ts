import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRecord, Incident } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';
import { anIncident } from './incident-fixture.js';

const incident = (id: string, openedAt: number): Incident => anIncident(id, openedAt);

const alert = (fingerprint: string, incidentId: string, at: number): AlertRecord => ({
  fingerprint,
  incidentId,
  status: 'firing',
  severity: 'page',
  labels: { alertname: 'Disk' },
  annotations: {},
  startsAt: at,
  endsAt: undefined,
  generatorURL: undefined,
  firstReceivedAt: at,
  lastReceivedAt: at,
  receiveCount: 1,
});

describe('the in-memory dedup index', () => {
  let dir: string | undefined;
  afterEach(() => dir !== undefined && rmSync(dir, { recursive: true, force: true }));

  it('finds the latest row of a fingerprint after a restart, as the alerts table says', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-dedup-'));
    const path = join(dir, 'router.db');
    const first = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    first.transaction(() => {
      first.saveIncident(incident('old', 1_000));
      first.saveAlert(alert('fp1', 'old', 1_000));
    });
    first.transaction(() => {
      first.saveIncident(incident('new', 2_000));
      first.saveAlert(alert('fp1', 'new', 2_000));
      first.saveAlert(alert('fp2', 'new', 2_000));
    });
    first.db.close();

    const restarted = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
    expect(restarted.latestAlert('fp1')?.incidentId).toBe('new');
    expect(restarted.latestAlert('fp2')?.firstReceivedAt).toBe(2_000);
    expect(restarted.latestAlert('never-seen')).toBeUndefined();
    restarted.db.close();
  });

  it('forgets what a rolled-back transaction wrote, so a failed batch re-delivered later fires again', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    expect(() =>
      store.transaction(() => {
        store.saveIncident(incident('i1', 1_000));
        store.saveAlert(alert('fp1', 'i1', 1_000));
        expect(store.latestAlert('fp1')?.incidentId).toBe('i1'); // the batch sees its own writes
        throw new Error('poison batch');
      }),
    ).toThrow('poison batch');
    expect(store.latestAlert('fp1')).toBeUndefined();
  });

  it('goes back, with the bulk transaction, to where it began when a later group fails in it (groupInBulk)', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => {
      store.saveIncident(incident('i0', 1_000));
      store.saveAlert(alert('fp0', 'i0', 1_000));
      store.suppression.setHold({ incidentId: 'i0', reason: 'flapping', detail: 'flapping', since: 1_000, until: 3_000, parentId: undefined });
    });
    store.openBulk();
    const again: string[] = [];
    store.groupInBulk(() => {
      store.saveIncident(incident('i1', 2_000));
      store.saveAlert(alert('fp1', 'i1', 2_000));
      store.saveAlert(alert('fp0', 'i1', 2_000));
      store.suppression.setHold({ incidentId: 'i1', reason: 'flapping', detail: 'flapping', since: 2_000, until: 3_000, parentId: undefined });
      store.suppression.clearHold('i0');
    }, () => again.push('again'));
    // Committed in memory with its group, as the next group reads it.
    expect(store.latestAlert('fp0')?.incidentId).toBe('i1');
    expect(store.latestIncidentByKey('alert:{alertname="Disk"}')?.id).toBe('i1');
    expect(store.suppression.holdOf('i1')).toBeDefined();
    expect(store.suppression.holdOf('i0')).toBeUndefined();
    // A second change of the same fingerprint in the same bulk.
    store.groupInBulk(() => {
      store.saveIncident(incident('i3', 2_200));
      store.saveAlert(alert('fp0', 'i3', 2_200));
    }, () => again.push('again'));
    expect(store.latestAlert('fp0')?.incidentId).toBe('i3');

    expect(() =>
      store.groupInBulk(() => {
        store.saveAlert(alert('fp2', 'i1', 2_500));
        throw new Error('poison batch');
      }, () => again.push('again')),
    ).toThrow('poison batch');
    expect(again).toEqual(['again']);
    expect(store.bulkOpen).toBe(false);
    // As SQLite has it after the rollback: the bulk's first group is gone too, until the caller applies it again.
    expect(store.latestAlert('fp0')?.incidentId).toBe('i0');
    expect(store.latestAlert('fp1')).toBeUndefined();
    expect(store.latestAlert('fp2')).toBeUndefined();
    expect(store.latestIncidentByKey('alert:{alertname="Disk"}')?.id).toBe('i0');
    expect(store.suppression.holdOf('i1')).toBeUndefined();
    expect(store.suppression.holdOf('i0')?.until).toBe(3_000);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n).toBe(1);
  });

  it('keeps, once the bulk transaction commits, what its groups wrote', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    const committed: string[] = [];
    store.onBulkCommitted = () => committed.push('committed');
    store.openBulk();
    store.groupInBulk(() => {
      store.saveIncident(incident('i1', 2_000));
      store.saveAlert(alert('fp1', 'i1', 2_000));
    }, () => undefined);
    expect(store.commitBulk()).toBe(true);
    expect(committed).toEqual(['committed']);
    // A failure in the next bulk goes back to this commit, not before it.
    store.openBulk();
    expect(() => store.groupInBulk(() => {
      store.saveAlert(alert('fp1', 'i2', 3_000));
      throw new Error('poison batch');
    }, () => undefined)).toThrow('poison batch');
    expect(store.latestAlert('fp1')?.incidentId).toBe('i1');
  });

  it('commits the bulk transaction before any other write joins it', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    const told: string[] = [];
    store.beforeOtherWrite = () => {
      told.push(store.bulkOpen ? 'bulk open' : 'no bulk');
      store.commitBulk();
    };
    store.putState('k', 'v0', 1);
    store.openBulk();
    store.groupInBulk(() => store.saveIncident(incident('i1', 2_000)), () => undefined);
    store.isolatedInBulk(() => store.saveAlert(alert('fp1', 'i1', 2_000)));
    expect(told).toEqual([]);
    // A state save (the volume baselines) is such a write, whoever makes it.
    store.putState('k', 'v1', 2);
    expect(told).toEqual(['bulk open']);
    expect(store.bulkOpen).toBe(false);
  });
});
