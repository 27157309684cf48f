import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    return { log: r.log, checkpointed: r.checkpointed };
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
    return undefined;
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'checkpoint') parentPort.postMessage({ checkpointed: run() ?? null });
  if (m === 'stop') { clearInterval(timer); run(); db.close(); parentPort.postMessage('stopped'); }
});
`;

/** What one checkpoint did: frames in the WAL, and frames copied into the database. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold, copying the WAL into the database and fsyncing it: several milliseconds during
 * which no webhook is answered. The writer turns it off (`wal_autocheckpoint = 0`) and this worker thread
 * runs a PASSIVE checkpoint (which never blocks the writer) on its own connection every `intervalMs`,
 * and whenever {@link BackgroundCheckpointer.checkpoint} asks.
 *
 * The timer alone does not bound the WAL under sustained load: a PASSIVE checkpoint copies the frames
 * that existed when it started, the writer keeps appending meanwhile, so the WAL is never wholly
 * copied and never restarts from its beginning (186 MB in 8 s of single-alert webhooks, measured).
 * {@link BackgroundCheckpointer.checkpoint} is for a writer that holds its commits while it runs, so
 * the checkpoint copies everything and the next commit restarts the WAL.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;

  constructor(path: string, intervalMs: number, onError: (message: string) => void) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs, module } });
    this.worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'error' in m) onError(String((m as { error: unknown }).error));
      if (typeof m === 'object' && m !== null && 'checkpointed' in m) {
        const r = (m as { checkpointed: CheckpointResult | null }).checkpointed;
        this.waiting.shift()?.(r ?? undefined);
      }
    });
    this.worker.on('exit', () => {
      for (const resolve of this.waiting.splice(0)) resolve(undefined);
    });
    this.worker.on('error', (e) => onError(e.message));
    this.worker.unref();
  }

  private waiting: ((r: CheckpointResult | undefined) => void)[] = [];

  /**
   * Runs a PASSIVE checkpoint now, on the worker's connection. Resolves with the WAL's frame count and
   * how many were copied (equal: the next write transaction restarts the WAL), or undefined when the
   * checkpoint failed (reported through `onError`).
   */
  checkpoint(): Promise<CheckpointResult | undefined> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.worker.postMessage('checkpoint');
    });
  }

  /**
   * Runs checkpoints until one completes with no commit on the writer's connection while it ran, at
   * most `attempts` of them; resolves with the last one's result. `writes` is a count that every
   * commit on the writer's connection raises (SQLite's `total_changes()`).
   *
   * A writer that holds its webhook commits for a checkpoint does not hold its other writers: the
   * outbox marking a delivery done, a tick. A commit that lands while the checkpoint runs appends
   * frames after the ones it copies, the WAL is then not wholly copied, and the next commit appends
   * again instead of starting the WAL over. Outbox deliveries cluster right after a bulk commit (it is
   * what makes them deliverable), which is when a held checkpoint starts, so this happened at most
   * held checkpoints of a router that was sending notifications, and the WAL grew without bound. A
   * second checkpoint copies only that commit's frames, in well under a millisecond.
   */
  async checkpointWhileQuiet(writes: () => number, attempts = 3): Promise<CheckpointResult | undefined> {
    let result: CheckpointResult | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const before = writes();
      result = await this.checkpoint();
      if (result === undefined || writes() === before) break;
    }
    return result;
  }

  /** Runs a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (m) => m === 'stopped' && resolve());
      this.worker.on('exit', () => resolve());
    });
    this.worker.ref(); // keep the process alive until the last checkpoint is done
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
