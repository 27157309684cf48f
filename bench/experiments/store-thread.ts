/**
 * Experiment, not product: would the router take more single-alert webhooks per second with its store
 * on a thread of its own? `node bin/run-ts.js bench/experiments/store-thread.ts [ROUNDS]` serves the
 * production webhook handler on the main thread with a commit that posts the batch to a worker thread
 * running the production store, pipeline and group commit (`store-thread-worker.ts`), and loads it,
 * the production router (`startRouterService`) and Alertmanager with the same wrk load as
 * `npm run bench:router`'s single-alert scenario (16 connections, 3 s after a 1 s warm-up), interleaved.
 * Kept so the figures in docs/benchmarks.md ("A store thread does not help here") can be reproduced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { createWebhookHandler } from '../../alert-router/http/webhook-handler.js';
import type { BatchOutcome } from '../../alert-router/pipeline/process-batch.js';
import type { IncomingBatch } from '../../alert-router/pipeline/types.js';
import { RouterMetrics } from '../../alert-router/router-metrics.js';
import { BENCH_ENV, BENCH_TOKEN, startBenchAlertmanager, startBenchRouter, writeBenchRouterConfig } from '../bench-services.js';
import { loadSingleAlerts } from './single-alert-rounds.js';

const dirs: string[] = [];
function routerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-store-thread-'));
  dirs.push(dir);
  return writeBenchRouterConfig(dir);
}

const worker = new Worker(new URL('./store-thread-worker.mjs', import.meta.url), { workerData: { configPath: routerConfig(), env: BENCH_ENV } });
const waiting = new Map<number, { resolve: (o: BatchOutcome) => void; reject: (e: Error) => void }>();
worker.on('message', (replies: { id: number; outcome?: BatchOutcome; error?: string }[]) => {
  for (const r of replies) {
    const w = waiting.get(r.id)!;
    waiting.delete(r.id);
    if (r.outcome !== undefined) w.resolve(r.outcome);
    else w.reject(new Error(r.error));
  }
});
let nextId = 0;
let outgoing: { id: number; batch: IncomingBatch }[] = [];
const commit = (batch: IncomingBatch) =>
  new Promise<BatchOutcome>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    if (outgoing.push({ id, batch }) === 1) {
      setImmediate(() => {
        worker.postMessage(outgoing);
        outgoing = [];
      });
    }
  });
const handler = createWebhookHandler({
  commit,
  metrics: new RouterMetrics(() => 0),
  logger: pino({ level: 'warn' }),
  settings: () => ({ auth: { kind: 'bearer', token: BENCH_TOKEN }, bodyLimitBytes: 8 << 20 }),
});
const server = createServer(handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const threadedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const router = await startBenchRouter(routerConfig());
const am = await startBenchAlertmanager();

try {
  const rounds = Number(process.argv[2] ?? 3);
  for (let round = 0; round < rounds; round++) {
    console.log((await loadSingleAlerts('store thread', threadedUrl, 'router', round, true)).line);
    console.log((await loadSingleAlerts('production', router.url, 'router', round, true)).line);
    console.log((await loadSingleAlerts('alertmanager', am.url, 'alertmanager', round, false)).line);
  }
} finally {
  await am.stop();
  await router.drain();
  server.closeAllConnections();
  server.close();
  await worker.terminate();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
