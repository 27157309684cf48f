import type Database from 'better-sqlite3';
import type { TimelineEntry } from '../pipeline/types.js';
import { StagedMap } from './staged-map.js';

/** An entry's reason as written: one that lists several alerts (`data.fingerprints`) says how many first. */
function listedReason(entry: TimelineEntry): string {
  const fingerprints = entry.data?.fingerprints;
  return Array.isArray(fingerprints) && fingerprints.length > 1 ? `${fingerprints.length} alerts: ${entry.reason}` : entry.reason;
}

/** A `grouped` row written in the open bulk transaction that later alerts of its incident join. */
interface OpenRow {
  seq: number;
  entry: TimelineEntry;
  /** Every fingerprint listed so far; only the first `listed` of a {@link Listed} count. */
  fingerprints: string[];
}

/** An open row as a transaction left it: how many fingerprints it lists, and how many the row in SQLite does. */
interface Listed {
  row: OpenRow;
  listed: number;
  written: number;
}

/**
 * Writes timeline entries, and lets the `grouped` entries of one incident's alerts that arrive in
 * separate webhooks share a row while the bulk transaction that holds them is open (at most
 * BULK_COMMIT's 300 ms): "12 alerts: … joined open incident", as one webhook of 12 alerts is. An
 * entry per webhook cost a row and an index entry in the incident's part of `timeline_by_incident`
 * for every alert: without them a single-alert webhook writes 43 % fewer WAL frames and costs the store
 * 11 % less CPU, and the router takes 6 % more of them a second (docs/benchmarks.md).
 *
 * The row is inserted when its first alert joins, so it keeps its place among the incident's
 * entries; the later alerts are listed in memory and written into it once, before the bulk commits
 * ({@link flush}). Any other entry of the incident closes the row: what follows starts a new one, so
 * the timeline's order stays the order of the decisions. Reads merge the listed alerts in
 * ({@link view}); nothing is written while reading. Outside a bulk transaction (a store without the
 * journal, the simulator unless told to run in one) each entry is its own row.
 *
 * What a transaction lists is staged like the store's caches ({@link StagedMap}): a batch rolled back
 * to its savepoint takes its alerts out of the row again.
 */
export class TimelineRows {
  private readonly open = new StagedMap<string, Listed>();
  private readonly insert: Database.Statement;
  private readonly update: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO timeline (incident_id, at, kind, reason, data) VALUES (?, ?, ?, ?, ?)');
    this.update = db.prepare('UPDATE timeline SET reason = ?, data = ? WHERE seq = ?');
  }

  /** Writes `entries` in order; in a bulk transaction (`inBulk`), a `grouped` entry joins its incident's open row. */
  append(entries: readonly TimelineEntry[], inBulk: boolean): void {
    for (const e of entries) {
      const open = inBulk ? this.open.get(e.incidentId) : undefined;
      const fingerprints = e.data?.fingerprints;
      if (open != null && e.kind === 'grouped' && Array.isArray(fingerprints)) {
        const { row, written } = open;
        // Listed past `listed` by a transaction that rolled back: not part of the row.
        row.fingerprints.length = open.listed;
        for (const f of fingerprints) row.fingerprints.push(String(f));
        this.open.set(e.incidentId, { row, listed: row.fingerprints.length, written });
        continue;
      }
      if (open != null) {
        this.write(open);
        this.open.forget(e.incidentId);
      }
      const data = e.data === undefined ? null : JSON.stringify(e.data);
      const { lastInsertRowid } = this.insert.run(e.incidentId, e.at, e.kind, listedReason(e), data);
      if (inBulk && e.kind === 'grouped' && Array.isArray(fingerprints)) {
        const row: OpenRow = { seq: Number(lastInsertRowid), entry: e, fingerprints: fingerprints.map(String) };
        this.open.set(e.incidentId, { row, listed: row.fingerprints.length, written: row.fingerprints.length });
      }
    }
  }

  /** Writes the alerts listed in memory into their rows: before the bulk transaction commits. */
  flush(): void {
    for (const [incidentId, open] of this.open.entries()) {
      if (this.write(open)) this.open.set(incidentId, { ...open, written: open.listed });
    }
  }

  /** The bulk transaction ended (committed or rolled back): no row is open any more. */
  close(): void {
    this.open.clear();
  }

  /** The incident's timeline as read from SQLite (`seq` order), with its open row's alerts listed. */
  view(incidentId: string, rows: readonly (TimelineEntry & { seq: number })[]): TimelineEntry[] {
    const open = this.open.get(incidentId);
    return rows.map(({ seq, ...entry }) => {
      if (open == null || seq !== open.row.seq || open.listed === open.written) return entry;
      const merged = this.merged(open);
      return { ...entry, reason: listedReason(merged), data: merged.data };
    });
  }

  /** Runs `commit` with what it lists staged: kept if it returns, dropped if it throws. */
  within<T>(commit: () => T): T {
    return this.open.within(commit);
  }

  /** Writes the open row's alerts listed since it was last written, if any; says whether it wrote. */
  private write(open: Listed): boolean {
    if (open.listed === open.written) return false;
    const entry = this.merged(open);
    this.update.run(listedReason(entry), JSON.stringify(entry.data), open.row.seq);
    return true;
  }

  private merged({ row, listed }: Listed): TimelineEntry & { data: Record<string, unknown> } {
    return { ...row.entry, data: { ...row.entry.data, fingerprints: row.fingerprints.slice(0, listed) } };
  }
}
