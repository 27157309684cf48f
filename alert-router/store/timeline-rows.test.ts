import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../pipeline/types.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';
import { anIncident } from './incident-fixture.js';

/** One webhook's `grouped` entry, as process-batch writes it. */
const grouped = (incidentId: string, at: number, ...fingerprints: string[]): TimelineEntry => ({
  incidentId,
  at,
  kind: 'grouped',
  reason: `first time alert ${fingerprints[0]} is seen firing; joined open incident`,
  data: { fingerprints },
});

/** The timeline rows SQLite holds, bypassing the store. */
const rows = (store: SqliteStore, id: string) =>
  (store.db.prepare('SELECT kind, reason, data FROM timeline WHERE incident_id = ? ORDER BY seq').all(id) as { kind: string; reason: string; data: string }[]).map(
    (r) => `${r.kind}: ${r.reason} ${r.data}`,
  );

const shown = (store: SqliteStore, id: string) => store.timelineOf(id).map((e) => `${e.kind}: ${e.reason} ${JSON.stringify(e.data)}`);

function storeWithIncidents(...ids: string[]): SqliteStore {
  const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
  store.transaction(() => ids.forEach((id) => store.saveIncident(anIncident(id, 1_000))));
  return store;
}

/** Appends `entries` as one webhook group in the open bulk transaction. */
const inBulk = (store: SqliteStore, ...entries: TimelineEntry[]) => store.groupInBulk(() => store.appendTimeline(entries), () => undefined);

describe("one incident's alerts from several webhooks in one bulk transaction", () => {
  it('share a grouped row that lists them all, shown before the commit and written by it', () => {
    const store = storeWithIncidents('i1', 'i2');
    store.openBulk();
    inBulk(store, grouped('i1', 1_000, 'a'));
    inBulk(store, grouped('i2', 1_010, 'x'));
    inBulk(store, grouped('i1', 1_020, 'b', 'c'));
    inBulk(store, grouped('i1', 1_030, 'd'));

    const one = 'grouped: 4 alerts: first time alert a is seen firing; joined open incident {"fingerprints":["a","b","c","d"]}';
    expect(shown(store, 'i1')).toEqual([one]);
    expect(shown(store, 'i2')).toEqual(['grouped: first time alert x is seen firing; joined open incident {"fingerprints":["x"]}']);
    expect(store.timelineOf('i1')[0]!.at).toBe(1_000);

    store.commitBulk();
    expect(rows(store, 'i1')).toEqual([one]);
    expect(shown(store, 'i1')).toEqual([one]);

    // The next bulk transaction starts a row of its own.
    store.openBulk();
    inBulk(store, grouped('i1', 2_000, 'e'));
    store.commitBulk();
    expect(shown(store, 'i1')).toEqual([one, 'grouped: first time alert e is seen firing; joined open incident {"fingerprints":["e"]}']);
  });

  it('stop sharing it at any other entry of the incident, so the timeline keeps the order of the decisions', () => {
    const store = storeWithIncidents('i1');
    store.openBulk();
    inBulk(store, grouped('i1', 1_000, 'a'));
    inBulk(store, grouped('i1', 1_010, 'b'));
    inBulk(store, { incidentId: 'i1', at: 1_020, kind: 'escalated', reason: 'severity ticket → page: a page alert joined', data: { fingerprint: 'p' } });
    inBulk(store, grouped('i1', 1_030, 'c'));
    inBulk(store, grouped('i1', 1_040, 'd'));
    const expected = [
      'grouped: 2 alerts: first time alert a is seen firing; joined open incident {"fingerprints":["a","b"]}',
      'escalated: severity ticket → page: a page alert joined {"fingerprint":"p"}',
      'grouped: 2 alerts: first time alert c is seen firing; joined open incident {"fingerprints":["c","d"]}',
    ];
    expect(shown(store, 'i1')).toEqual(expected);
    store.commitBulk();
    expect(rows(store, 'i1')).toEqual(expected);
  });

  it("leave a batch rolled back to its savepoint out of the row, and a rolled-back bulk's rows gone", () => {
    const store = storeWithIncidents('i1');
    store.openBulk();
    inBulk(store, grouped('i1', 1_000, 'a'));
    expect(() =>
      store.isolatedInBulk(() => {
        store.appendTimeline([grouped('i1', 1_010, 'poison')]);
        throw new Error('a bug in the store');
      }),
    ).toThrow('a bug in the store');
    store.isolatedInBulk(() => store.appendTimeline([grouped('i1', 1_020, 'b')]));
    expect(shown(store, 'i1')).toEqual(['grouped: 2 alerts: first time alert a is seen firing; joined open incident {"fingerprints":["a","b"]}']);

    // A group that fails without a savepoint rolls the whole bulk back: its applied again, and join a new row.
    expect(() =>
      store.groupInBulk(
        () => {
          store.appendTimeline([grouped('i1', 1_030, 'c')]);
          throw new Error('a bug in the store');
        },
        () => undefined,
      ),
    ).toThrow('a bug in the store');
    expect(store.bulkOpen).toBe(false);
    expect(shown(store, 'i1')).toEqual([]);
    store.isolatedInBulk(() => store.appendTimeline([grouped('i1', 1_040, 'd')]));
    store.isolatedInBulk(() => store.appendTimeline([grouped('i1', 1_050, 'e')]));
    store.commitBulk();
    expect(rows(store, 'i1')).toEqual(['grouped: 2 alerts: first time alert d is seen firing; joined open incident {"fingerprints":["d","e"]}']);
  });

  it('are a row each outside a bulk transaction, as a store without the journal writes them', () => {
    const store = storeWithIncidents('i1');
    store.transaction(() => store.appendTimeline([grouped('i1', 1_000, 'a')]));
    store.transaction(() => store.appendTimeline([grouped('i1', 1_010, 'b', 'c')]));
    expect(rows(store, 'i1')).toEqual([
      'grouped: first time alert a is seen firing; joined open incident {"fingerprints":["a"]}',
      'grouped: 2 alerts: first time alert b is seen firing; joined open incident {"fingerprints":["b","c"]}',
    ]);
  });
});
