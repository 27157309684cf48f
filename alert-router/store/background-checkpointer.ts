import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const run = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error) }); }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); run(); db.close(); parentPort.postMessage('stopped'); }
});
`;

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold, copying the WAL into the database and fsyncing it: several milliseconds during
 * which no webhook is answered. The writer turns it off (`wal_autocheckpoint = 0`) and this worker thread
 * runs a PASSIVE checkpoint (which never blocks the writer) on its own connection every `intervalMs`.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;

  constructor(path: string, intervalMs: number, onError: (message: string) => void) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs, module } });
    this.worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'error' in m) onError(String((m as { error: unknown }).error));
    });
    this.worker.on('error', (e) => onError(e.message));
    this.worker.unref();
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
