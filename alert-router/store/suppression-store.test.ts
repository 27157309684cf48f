import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMatcher } from '../pipeline/matcher.js';
import type { Hold, MaintenanceWindow } from '../pipeline/suppression-types.js';
import type { AlertRecord } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

const hold = (incidentId: string): Hold => ({ incidentId, reason: 'maintenance', detail: 'in a window', since: 1_000, until: 9_000, parentId: undefined });

const window = (id: string, startsAt: number, endsAt: number): MaintenanceWindow => ({
  id,
  matchers: [parseMatcher('service="payments"')],
  startsAt,
  endsAt,
  author: 'ops',
  comment: '',
  createdAt: startsAt,
});

const stored = (fingerprint: string, firstReceivedAt: number): AlertRecord => ({
  fingerprint,
  incidentId: 'i1',
  status: 'firing',
  severity: 'page',
  labels: { alertname: 'Disk' },
  annotations: {},
  startsAt: firstReceivedAt,
  endsAt: undefined,
  generatorURL: undefined,
  firstReceivedAt,
  lastReceivedAt: firstReceivedAt,
  receiveCount: 1,
});

describe('the suppression store’s in-memory shortcuts', () => {
  let dir: string | undefined;
  afterEach(() => dir !== undefined && rmSync(dir, { recursive: true, force: true }));
  const reopen = (path: string) => new SqliteStore(openDatabase({ path, synchronous: 'full' }));

  it('still finds holds and maintenance windows after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'slokit-suppression-'));
    const path = join(dir, 'router.db');
    const first = reopen(path);
    first.transaction(() => {
      first.suppression.setHold(hold('held'));
      first.suppression.addMaintenance(window('w1', 1_000, 5_000));
    });
    first.db.close();

    const restarted = reopen(path);
    expect(restarted.suppression.holdOf('held')).toEqual(hold('held'));
    expect(restarted.suppression.holdOf('free')).toBeUndefined();
    expect(restarted.suppression.activeMaintenance(2_000).map((w) => w.id)).toEqual(['w1']);
    expect(restarted.suppression.activeMaintenance(5_000)).toEqual([]);
    restarted.db.close();
  });

  it('keeps a hold that a rolled-back batch cleared, and sees a hold set earlier in the same batch', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    store.transaction(() => store.suppression.setHold(hold('i1')));
    expect(() =>
      store.transaction(() => {
        store.suppression.clearHold('i1');
        expect(store.suppression.holdOf('i1')).toBeUndefined();
        store.suppression.setHold(hold('i2'));
        expect(store.suppression.holdOf('i2')).toEqual(hold('i2'));
        throw new Error('poison batch');
      }),
    ).toThrow('poison batch');
    expect(store.suppression.holdOf('i1')).toEqual(hold('i1'));
    expect(store.suppression.holdOf('i2')).toBeUndefined();
    store.transaction(() => store.suppression.clearHold('i1'));
    expect(store.suppression.holdOf('i1')).toBeUndefined();
  });

  it('finds a window added while running, and one that starts later once it starts', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    expect(store.suppression.activeMaintenance(1_000)).toEqual([]);
    store.transaction(() => store.suppression.addMaintenance(window('later', 3_000, 4_000)));
    expect(store.suppression.activeMaintenance(1_000)).toEqual([]);
    expect(store.suppression.activeMaintenance(3_500).map((w) => w.id)).toEqual(['later']);
  });

  it('counts an alert’s first fire as a change without storing it, so a later change still sees it', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    const s = store.suppression;
    expect(store.transaction(() => s.recordChange('fp1', 1_000, 0, undefined))).toEqual([1_000]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM flap_history').get()).toEqual({ n: 0 });
    expect(store.transaction(() => s.recordChange('fp1', 2_000, 0, stored('fp1', 1_000)))).toEqual([1_000, 2_000]);
    expect(store.transaction(() => s.recordChange('fp1', 3_000, 0, stored('fp1', 1_000)))).toEqual([1_000, 2_000, 3_000]);
    // Outside the window the first fire drops out like any other change.
    expect(store.transaction(() => s.recordChange('fp2', 9_000, 5_000, stored('fp2', 1_000)))).toEqual([9_000]);
  });

  it('ends the holds a window set when it is ended early, and no others', () => {
    const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
    const s = store.suppression;
    store.transaction(() => {
      s.addMaintenance(window('w1', 1_000, 9_000));
      s.setHold({ ...hold('named'), detail: 'in maintenance window w1 {service="payments"} until …', windowId: 'w1' });
      s.setHold({ ...hold('other'), detail: 'in maintenance window w1 {service="payments"} until …', windowId: 'w2' });
      s.setHold({ ...hold('w10'), detail: 'in maintenance window w10 {service="payments"} until …' });
      s.setHold({ incidentId: 'linked', reason: 'dependency', detail: 'likely caused by incident i9', since: 1_000, until: undefined, parentId: 'i9' });
    });
    expect(store.transaction(() => s.endMaintenance('w1', 4_000, 'bo'))).toBe(true);
    const ended = 'maintenance window w1 {service="payments"} was ended early at 1970-01-01T00:00:04.000Z by bo (planned until 1970-01-01T00:00:09.000Z)';
    expect(s.holdOf('named')).toMatchObject({ windowId: 'w1', parentId: undefined, detail: ended });
    expect(s.holdOf('other')).toMatchObject({ windowId: 'w2', detail: 'in maintenance window w1 {service="payments"} until …' });
    expect(s.holdOf('w10')).toEqual({ ...hold('w10'), detail: 'in maintenance window w10 {service="payments"} until …' });
    expect(s.holdOf('linked')).toEqual({ incidentId: 'linked', reason: 'dependency', detail: 'likely caused by incident i9', since: 1_000, until: undefined, parentId: 'i9' });
    expect(s.activeMaintenance(4_000)).toEqual([]);
    expect(store.transaction(() => s.endMaintenance('nope', 4_000))).toBe(false);
  });
});
