import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRecord, Incident } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

const incident = (id: string, openedAt: number): Incident => ({
  id,
  key: 'alert:{alertname="Disk"}',
  state: 'open',
  severity: 'page',
  title: 'Disk',
  service: 'db',
  slo: undefined,
  team: undefined,
  groupLabels: { alertname: 'Disk' },
  openedAt,
  resolvedAt: undefined,
  updatedAt: openedAt,
  reopenCount: 0,
  firingAlerts: 1,
  firingPages: 1,
});

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
});
