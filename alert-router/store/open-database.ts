import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations.js';
import type { WalSyncer } from './wal-syncer.js';

/**
 * `full` fsyncs the WAL on every commit: a 2xx survives power loss. `normal` fsyncs only at checkpoints:
 * a 2xx survives a process crash (SIGKILL) but the last commits can be lost with the machine.
 */
export type Synchronous = 'full' | 'normal';

export interface OpenDatabaseOptions {
  /** File path, or `:memory:` for tests. */
  path: string;
  synchronous: Synchronous;
  /** Turn SQLite's in-commit checkpoints off because a BackgroundCheckpointer runs them. */
  backgroundCheckpoints?: boolean;
  /**
   * With `full`: commits do not fsync (SQLite NORMAL) because the caller fsyncs the WAL off the event
   * loop before answering (a {@link WalSyncer} in the GroupCommitter). Ignored for `:memory:`.
   */
  deferredSync?: boolean;
  /**
   * The size SQLite cuts the WAL file back to when the WAL starts over (`journal_size_limit`): a WAL that
   * grew during a storm, or while held checkpoints found no quiet moment, does not keep its high-water
   * mark on disk. Default {@link WAL_SIZE_LIMIT_BYTES}.
   */
  walSizeLimitBytes?: number;
  /**
   * Told before and after each migration this open applies, so the service can log a schema upgrade
   * (one copies a whole table and can hold the first start of a new build on a large store).
   */
  onMigration?: (event: MigrationEvent) => void;
}

/** One migration applied at open: `phase: 'done'` carries how long it took. */
export type MigrationEvent = { from: number; to: number; phase: 'start' } | { from: number; to: number; phase: 'done'; ms: number };

/**
 * 64 MiB: several times the WAL's high-water mark under the router benchmark's sustained load (6–10 MiB),
 * so a WAL that starts over is cut back only after an unusual burst, not truncated and regrown each time.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20;

/** Opens (creating when missing) the router's SQLite database in WAL mode and brings its schema up to date. */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (cause) {
    throw new Error(`could not open the router store ${options.path}`, { cause });
  }
  db.pragma('journal_mode = WAL');
  const deferred = options.deferredSync === true && options.path !== ':memory:';
  db.pragma(`synchronous = ${deferred ? 'NORMAL' : options.synchronous.toUpperCase()}`);
  db.pragma('busy_timeout = 5000');
  db.pragma(`journal_size_limit = ${Math.trunc(options.walSizeLimitBytes ?? WAL_SIZE_LIMIT_BYTES)}`);
  db.pragma('foreign_keys = ON');
  // 64 MiB of page cache: a bulk transaction of webhook batches (store-flusher.ts) keeps its dirty
  // pages in memory until it commits instead of spilling them into the WAL, and the hot index pages
  // of open incidents stay cached. SQLite allocates it as pages are used.
  db.pragma('cache_size = -65536');
  // Savepoints inside the bulk transaction keep the pages they change in a statement journal: in
  // memory, not in a temporary file written through the kernel.
  db.pragma('temp_store = MEMORY');
  // Checkpoints run on a background thread (BackgroundCheckpointer), not inside a webhook's commit.
  if (options.path !== ':memory:' && options.backgroundCheckpoints === true) db.pragma('wal_autocheckpoint = 0');
  try {
    migrate(db, options.onMigration);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Applies the migrations the database has not seen, each in its own transaction. */
export function migrate(db: Database.Database, onMigration?: (event: MigrationEvent) => void): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new Error(`the router store is at schema version ${version}, newer than this build's ${migrations.length}`);
  }
  for (let i = version; i < migrations.length; i++) {
    onMigration?.({ from: i, to: i + 1, phase: 'start' });
    const started = performance.now();
    try {
      db.transaction(() => {
        db.exec(migrations[i]!);
        db.pragma(`user_version = ${i + 1}`);
      })();
    } catch (cause) {
      throw new Error(`could not upgrade the router store from schema ${i} to ${i + 1} (nothing of that step was applied)`, { cause });
    }
    onMigration?.({ from: i, to: i + 1, phase: 'done', ms: performance.now() - started });
  }
}
