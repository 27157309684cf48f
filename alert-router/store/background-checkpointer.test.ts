import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer, type CheckpointResult } from './background-checkpointer.js';
import { GroupCommitter } from './group-commit.js';
import { openDatabase } from './open-database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A WAL database in a fresh directory with one table of rows, and a checkpointer whose timer stays out
 * of the way (an hour): only the checkpoints a test asks for run.
 */
function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-wal-'));
  dirs.push(dir);
  const path = join(dir, 'router.db');
  const db = openDatabase({ path, synchronous: 'full', backgroundCheckpoints: true, deferredSync: true });
  db.exec('CREATE TABLE load (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO load (body) VALUES (?)');
  const errors: string[] = [];
  const checkpointer = new BackgroundCheckpointer(path, 3_600_000, (m) => errors.push(m));
  return { path, db, insert, errors, checkpointer };
}

/** Commits `commits` transactions of one ~2 KiB row each, 4 submitted at a time, as webhooks would. */
async function sustainedLoad(withBarrier: boolean, commits: number) {
  const { path, db, insert, errors, checkpointer } = walDatabase();
  const results: (CheckpointResult | undefined)[] = [];
  const committer = new GroupCommitter<string, void>({
    transaction: (fn) => db.transaction(fn)(),
    process: (body) => void insert.run(body),
    maxWeight: 1,
    weight: () => 1,
    defer: setImmediate,
    ...(withBarrier ? { checkpoint: { everyCommits: 50, everyWeight: 1000, run: () => checkpointer.checkpoint().then((r) => void results.push(r)) } } : {}),
  });
  const body = 'x'.repeat(2048);
  for (let i = 0; i < commits / 4; i++) await Promise.all([1, 2, 3, 4].map(() => committer.submit(body)));
  await committer.drained();
  const walBytes = statSync(`${path}-wal`).size;
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM load').get() as { n: number }).n;
  await checkpointer.stop();
  db.close();
  return { walBytes, rows, results, errors };
}

describe('the WAL under sustained commits', () => {
  it('stays bounded when commits pause for a checkpoint every 50 commits, and grows with every commit without', async () => {
    const commits = 2000;
    const held = await sustainedLoad(true, commits);
    const free = await sustainedLoad(false, commits);
    console.log(`WAL after ${commits} commits: ${held.walBytes} bytes with the barrier, ${free.walBytes} without`);
    expect(held.errors).toEqual([]);
    expect(held.rows).toBe(commits);
    expect(free.rows).toBe(commits);
    // Each commit appends at least its row's page to the WAL: without checkpoints the WAL holds them all.
    expect(free.walBytes).toBeGreaterThan(commits * 4096);
    // With the barrier every checkpoint copies the whole WAL, so the next commit starts it over.
    expect(held.results.length).toBeGreaterThanOrEqual(commits / 50 - 1);
    expect(held.results.every((r) => r !== undefined && r.log === r.checkpointed)).toBe(true);
    expect(held.walBytes).toBeLessThan(free.walBytes / 10);
  }, 60_000);
});

describe('a checkpoint while another writer commits', () => {
  it('checkpoints again, so the commit after it still starts the WAL over', async () => {
    const { path, db, insert, errors, checkpointer } = walDatabase();
    const changes = db.prepare('SELECT total_changes() AS n');
    const writes = () => (changes.get() as { n: number }).n;
    try {
      await checkpointer.checkpoint(); // the worker is up and its connection open
      // ~40 MB of WAL, so the checkpoint copies for a while on its thread.
      const body = 'x'.repeat(2048);
      db.transaction(() => {
        for (let i = 0; i < 20_000; i++) insert.run(body);
      })();
      const done = checkpointer.checkpointWhileQuiet(writes);
      // Another writer (the outbox marking a delivery) commits while the checkpoint copies.
      await new Promise((resolve) => setTimeout(resolve, 2));
      insert.run('while the checkpoint runs');
      const result = await done;
      expect(result).toBeDefined();
      expect(result!.checkpointed).toBe(result!.log);
      const walBytes = statSync(`${path}-wal`).size;
      insert.run('after the checkpoint');
      // Written from the WAL's beginning: the file does not grow (it is cut back to the store's WAL
      // size limit, 64 MiB, as the WAL starts over).
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(walBytes);
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  }, 60_000);
});
