/**
 * Experiment, not product: would the router take more single-alert webhooks per second with its
 * ingest on a thread of its own? `node bin/run-ts.js bench/experiments/ingest-thread.ts [ROUNDS]
 * [--ingest-only]`. A worker thread (`ingest-thread-worker.ts`) serves the production webhook handler
 * and makes each batch durable in an inbox (its own SQLite file, fsynced before the 2xx) before it
 * answers; the main thread runs the production store and pipeline on the batches it is posted, in
 * transactions of up to 2,000 alerts every 2 ms with no fsync of their own (the inbox already holds
 * them; a delivery would wait for one), with the production checkpoint barrier. This is the shape in
 * which the second core does the pipeline while the first only ingests, and no request waits for the
 * pipeline. Loaded as `npm run bench:router`'s single-alert scenario, interleaved with the production
 * router and Alertmanager. `--ingest-only` posts nothing to the pipeline: the durable ingest's ceiling.
 * Kept so the figures in docs/benchmarks.md ("An ingest thread ...") can be reproduced.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../alert-router/config/load-config.js';
import { pipelineSettings } from '../../alert-router/config/pipeline-settings.js';
import { processBatch, type BatchOutcome } from '../../alert-router/pipeline/process-batch.js';
import type { IncomingBatch } from '../../alert-router/pipeline/types.js';
import { BackgroundCheckpointer } from '../../alert-router/store/background-checkpointer.js';
import { GroupCommitter } from '../../alert-router/store/group-commit.js';
import { openDatabase } from '../../alert-router/store/open-database.js';
import { SqliteStore } from '../../alert-router/store/sqlite-store.js';
import { BENCH_ENV, BENCH_TOKEN, startBenchAlertmanager, startBenchRouter, writeBenchRouterConfig } from '../bench-services.js';
import { loadSingleAlerts } from './single-alert-rounds.js';

const args = process.argv.slice(2);
const ingestOnly = args.includes('--ingest-only');
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-ingest-thread-'));
  dirs.push(dir);
  return dir;
}

const config = loadConfig(writeBenchRouterConfig(tempDir()), BENCH_ENV);
const settings = pipelineSettings(config, undefined);
const db = openDatabase({ path: config.storePath, synchronous: 'full', backgroundCheckpoints: true, deferredSync: true });
const checkpointer = new BackgroundCheckpointer(config.storePath, 500, (m) => console.error(`checkpoint failed: ${m}`));
const store = new SqliteStore(db);
const pipeline = new GroupCommitter<IncomingBatch, BatchOutcome>({
  transaction: (fn) => store.transaction(fn),
  process: (batch) => processBatch(batch, store, settings, { now: Date.now, newId: randomUUID }),
  maxWeight: 2000,
  weight: (batch) => batch.alerts.length,
  defer: (fn) => setTimeout(fn, 2),
  checkpoint: { everyCommits: 100, everyWeight: 1000, run: () => checkpointer.checkpoint() },
});
let received = 0;
let processed = 0;
const worker = new Worker(new URL('./ingest-thread-worker.mjs', import.meta.url), {
  workerData: { inboxPath: join(tempDir(), 'inbox.db'), token: BENCH_TOKEN, forward: !ingestOnly },
});
const ingestUrl = await new Promise<string>((resolve) => {
  worker.on('message', (message: IncomingBatch[] | { url: string }) => {
    if (!Array.isArray(message)) {
      resolve(message.url);
      return;
    }
    received += message.length;
    for (const batch of message) void pipeline.submit(batch).then(() => processed++);
  });
});
const router = await startBenchRouter(writeBenchRouterConfig(tempDir()));
const am = await startBenchAlertmanager();

try {
  for (let round = 0; round < rounds; round++) {
    const before = { received, processed };
    const ingest = await loadSingleAlerts('ingest thread', ingestUrl, 'router', round, true);
    // How far the pipeline fell behind the ingest by the end of the run (0 when it kept up).
    const backlog = received - processed;
    console.log(`${ingest.line}; pipeline: ${received - before.received} received (warm-up included), ${processed - before.processed} processed, ${backlog} behind at the end`);
    await pipeline.drained();
    console.log((await loadSingleAlerts('production', router.url, 'router', round, true)).line);
    console.log((await loadSingleAlerts('alertmanager', am.url, 'alertmanager', round, false)).line);
  }
} finally {
  await am.stop();
  await router.drain();
  await worker.terminate();
  await pipeline.drained();
  await checkpointer.stop();
  db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
