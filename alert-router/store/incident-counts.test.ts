import { describe, expect, it } from 'vitest';
import type { Incident } from '../pipeline/types.js';
import { anIncident } from './incident-fixture.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

/** What SQLite itself holds of the incident, bypassing the store. */
const row = (store: SqliteStore, id: string) =>
  store.db.prepare('SELECT state, firing_alerts AS firing, updated_at AS updated FROM incidents WHERE id = ?').get(id) as { state: string; firing: number; updated: number };

/** The incident as every read of the store shows it: by id, by key, in the list, among a service's open incidents. */
function shown(store: SqliteStore, incident: Incident) {
  const reads = [
    store.incidentById(incident.id),
    store.latestIncidentByKey(incident.key),
    store.listIncidents({ limit: 10 }).find((i) => i.id === incident.id),
    store.suppression.openIncidentsOf([incident.service], 0).find((i) => i.id === incident.id),
  ];
  return reads.map((i) => (i === undefined ? 'none' : `${i.state} ×${i.firingAlerts} at ${i.updatedAt}`));
}

/** The incident after `n` more alerts joined it at `at`. */
const joined = (i: Incident, n: number, at: number): Incident => ({ ...i, firingAlerts: i.firingAlerts + n, updatedAt: at });

function storeWith(incident: Incident): SqliteStore {
  const store = new SqliteStore(openDatabase({ path: ':memory:', synchronous: 'full' }));
  store.transaction(() => store.saveIncident(incident));
  // Correlating an alert reads its key's latest incident before saving it: what a save compares with.
  store.latestIncidentByKey(incident.key);
  return store;
}

/** Saves `incident` as one webhook group in the open bulk transaction. */
const inBulk = (store: SqliteStore, incident: Incident) => store.groupInBulk(() => store.saveIncident(incident), () => undefined);

describe("an incident's counts in the bulk transaction", () => {
  const opened = anIncident('i1', 1_000);

  it('are written once, before the commit, and every read shows them before that', () => {
    const store = storeWith(opened);
    store.openBulk();
    const second = joined(opened, 1, 2_000);
    inBulk(store, second);
    inBulk(store, joined(second, 2, 3_000));
    expect(row(store, 'i1')).toEqual({ state: 'open', firing: 1, updated: 1_000 });
    expect(shown(store, opened)).toEqual(Array(4).fill('open ×4 at 3000'));
    store.commitBulk();
    expect(row(store, 'i1')).toEqual({ state: 'open', firing: 4, updated: 3_000 });
    expect(shown(store, opened)).toEqual(Array(4).fill('open ×4 at 3000'));
  });

  it('go to SQLite at once with a change of state, which the queries select incidents by', () => {
    const store = storeWith(opened);
    store.openBulk();
    const more = joined(opened, 2, 2_000);
    inBulk(store, more);
    inBulk(store, { ...more, state: 'resolved', resolvedAt: 3_000, updatedAt: 3_000, firingAlerts: 0, firingPages: 0 });
    expect(row(store, 'i1')).toEqual({ state: 'resolved', firing: 0, updated: 3_000 });
    expect(store.suppression.openIncidentsOf(['db'], 0)).toEqual([]);
    expect(shown(store, opened).slice(0, 3)).toEqual(Array(3).fill('resolved ×0 at 3000'));
    store.commitBulk();
    expect(row(store, 'i1')).toEqual({ state: 'resolved', firing: 0, updated: 3_000 });
  });

  it("leave out a batch rolled back to its savepoint, and a rolled-back bulk's", () => {
    const store = storeWith(opened);
    store.openBulk();
    const kept = joined(opened, 1, 2_000);
    inBulk(store, kept);
    expect(() =>
      store.isolatedInBulk(() => {
        store.saveIncident(joined(kept, 5, 2_500));
        throw new Error('a bug in the store');
      }),
    ).toThrow('a bug in the store');
    expect(shown(store, opened)).toEqual(Array(4).fill('open ×2 at 2000'));
    store.commitBulk();
    expect(row(store, 'i1')).toEqual({ state: 'open', firing: 2, updated: 2_000 });

    // A group that fails without a savepoint rolls the whole bulk back, the groups before it included.
    store.openBulk();
    inBulk(store, joined(kept, 1, 3_000));
    expect(() =>
      store.groupInBulk(
        () => {
          store.saveIncident(joined(kept, 3, 4_000));
          throw new Error('a bug in the store');
        },
        () => undefined,
      ),
    ).toThrow('a bug in the store');
    expect(store.bulkOpen).toBe(false);
    expect(shown(store, opened)).toEqual(Array(4).fill('open ×2 at 2000'));
    expect(row(store, 'i1')).toEqual({ state: 'open', firing: 2, updated: 2_000 });
  });

  it('are written at once outside a bulk transaction, as a store without the journal writes them', () => {
    const store = storeWith(opened);
    store.transaction(() => store.saveIncident(joined(opened, 1, 2_000)));
    expect(row(store, 'i1')).toEqual({ state: 'open', firing: 2, updated: 2_000 });
  });
});
