/**
 * The store half of `store-thread.ts`: the production store, pipeline, group commit, WAL fsync and
 * checkpoint barrier, wired as `startRouterService` wires them, on a worker thread. Receives arrays of
 * `{ id, batch }` and answers arrays of `{ id, outcome }` (one message per event-loop turn each way).
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../alert-router/config/load-config.js';
import { pipelineSettings } from '../../alert-router/config/pipeline-settings.js';
import { processBatch, type BatchOutcome } from '../../alert-router/pipeline/process-batch.js';
import type { IncomingBatch } from '../../alert-router/pipeline/types.js';
import { BackgroundCheckpointer } from '../../alert-router/store/background-checkpointer.js';
import { GroupCommitter } from '../../alert-router/store/group-commit.js';
import { openDatabase } from '../../alert-router/store/open-database.js';
import { SqliteStore } from '../../alert-router/store/sqlite-store.js';
import { WalSyncer } from '../../alert-router/store/wal-syncer.js';

const { configPath, env } = workerData as { configPath: string; env: NodeJS.ProcessEnv };
const config = loadConfig(configPath, env);
const settings = pipelineSettings(config, undefined);
const walSyncer = new WalSyncer(config.storePath);
const db = openDatabase({ path: config.storePath, synchronous: 'full', backgroundCheckpoints: true, deferredSync: true });
const checkpointer = new BackgroundCheckpointer(config.storePath, 500, (m) => console.error(`checkpoint failed: ${m}`));
const store = new SqliteStore(db);
const committer = new GroupCommitter<IncomingBatch, BatchOutcome>({
  transaction: (fn) => store.transaction(fn),
  process: (batch) => processBatch(batch, store, settings, { now: Date.now, newId: randomUUID }),
  maxWeight: 400,
  weight: (b) => b.alerts.length,
  defer: setImmediate,
  sync: () => walSyncer.sync(),
  syncsInFlight: 2,
  checkpoint: { everyCommits: 100, everyWeight: 1000, run: () => checkpointer.checkpoint() },
});

const port = parentPort!;
let replies: unknown[] = [];
const reply = (m: unknown) => {
  if (replies.push(m) === 1) {
    setImmediate(() => {
      port.postMessage(replies);
      replies = [];
    });
  }
};
port.on('message', (requests: { id: number; batch: IncomingBatch }[]) => {
  for (const { id, batch } of requests) {
    committer.submit(batch).then(
      (outcome) => reply({ id, outcome: { ...outcome, notifications: [] } }),
      (error: unknown) => reply({ id, error: String(error) }),
    );
  }
});
