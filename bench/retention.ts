/**
 * `npm run bench:retention [-- --json] [--incidents N] [--alerts M] [--rounds R]`: what retention
 * (store.retention) costs the router's event loop. Each round opens a fresh store file (production
 * `openDatabase`), builds N incidents of M alerts each through `processBatch` (one webhook firing all
 * M alerts, one resolving them, as Alertmanager sends them), marks their notifications delivered, and
 * then deletes them all as the service's tick does: one `purgeTick` (the production budgets of rows and
 * milliseconds) after another, until none is left. Reports the pause per
 * call (median, p99 and max over all rounds' calls) and rows deleted per second of pause. Webhooks
 * wait behind a call for as long as it runs, so the pause is the figure that matters. Before purging it
 * opens the built store again, as a restart does, and reports how long that took (median of rounds):
 * the in-memory dedup index is rebuilt from every alert row, so it grows with what retention keeps;
 * and how much heap the opened store holds per alert after a full GC.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { median, quantileSorted } from 'simple-statistics';
import { loadConfig } from '../alert-router/config/load-config.js';
import { pipelineSettings } from '../alert-router/config/pipeline-settings.js';
import { decodeWebhook } from '../alert-router/pipeline/decode-webhook.js';
import { processBatch, type PipelineDeps, type PipelineSettings } from '../alert-router/pipeline/process-batch.js';
import { PURGE_MS_PER_TICK, PURGE_ROWS_PER_TICK, purgeTick } from '../alert-router/router-service.js';
import { openDatabase } from '../alert-router/store/open-database.js';
import { SqliteStore } from '../alert-router/store/sqlite-store.js';
import { webhookPayload } from '../test/support/alertmanager-payload.js';
import { positiveIntFlag } from './bench-args.js';
import { BENCH_ENV, writeBenchRouterConfig } from './bench-services.js';

/** A full garbage collection, so heap figures count what is reachable only. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** One webhook body (JSON bytes, as the HTTP path reads it) with `alerts` alerts of incident `n`, all `status`. */
function body(n: number, alerts: number, status: 'firing' | 'resolved'): Buffer {
  const alertname = `Retention${n}`;
  const specs = Array.from({ length: alerts }, (_, i) => ({
    status,
    labels: { alertname, severity: 'page', service: 'bench', instance: `i${i}` },
    fingerprint: `${n.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`,
  }));
  return Buffer.from(JSON.stringify(webhookPayload(specs, { alertname })));
}

/**
 * Writes N resolved incidents of M alerts each into a new store at `path` through `processBatch`, their
 * notifications marked delivered, and closes it. `advance` moves the pipeline's clock.
 */
function build(path: string, incidents: number, alerts: number, settings: PipelineSettings, deps: PipelineDeps, advance: (ms: number) => void): void {
  const store = new SqliteStore(openDatabase({ path, synchronous: 'full' }));
  for (let n = 0; n < incidents; n++) {
    // A minute apart: more than suppression.storm.maxIncidentsPerMinute in one would go to a storm
    // digest, and an incident listed in a digest not yet sent is kept.
    advance(60_000);
    for (const status of ['firing', 'resolved'] as const) {
      const decoded = decodeWebhook(body(n, alerts, status));
      if (decoded.kind !== 'batch') throw new Error(`benchmark body ${n} does not decode`);
      advance(1000);
      store.transaction(() => processBatch(decoded.batch, store, settings, deps));
    }
  }
  store.db.exec("UPDATE outbox SET state = 'delivered'");
  store.db.close();
}

/**
 * Builds the store, opens it again (as a restart does) and purges it; returns each purge call's pause
 * in ms, the rows it deleted and how long the reopening took.
 */
function runRound(incidents: number, alerts: number): { pauses: number[]; rows: number; incidents: number; reopenMs: number; reopenHeapBytes: number } {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-bench-retention-'));
  try {
    const config = loadConfig(writeBenchRouterConfig(dir), BENCH_ENV);
    const settings = pipelineSettings(config, undefined);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    build(config.storePath, incidents, alerts, settings, { now: () => clock, newId: randomUUID }, (ms) => (clock += ms));
    // What a restart spends opening this store: the schema check and the dedup index's rebuild, and
    // the heap the opened store holds (the index, mostly). The building store is gone by now.
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const opening = process.hrtime.bigint();
    // As the service opens it: with `synchronous: full` its commits leave the WAL's fsync to the
    // thread pool (WalSyncer) and its checkpoints to a background thread, so a tick's commit costs the
    // event loop neither (the held checkpoints that bound the WAL are bench:router's `checkpoints`).
    const store = new SqliteStore(openDatabase({ path: config.storePath, synchronous: 'full', deferredSync: true, backgroundCheckpoints: true }));
    const reopenMs = Number(process.hrtime.bigint() - opening) / 1e6;
    collectGarbage();
    const reopenHeapBytes = process.memoryUsage().heapUsed - heapBefore;
    clock += (config.retentionMs ?? 0) + 86_400_000;
    const pauses: number[] = [];
    let rows = 0;
    let deleted = 0;
    for (;;) {
      const start = process.hrtime.bigint();
      const out = purgeTick(store, clock - config.retentionMs!, Date.now);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (out.rows === 0) break;
      pauses.push(ms);
      rows += out.rows;
      deleted += out.incidents;
    }
    store.db.close();
    return { pauses, rows, incidents: deleted, reopenMs, reopenHeapBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const incidents = positiveIntFlag(args, '--incidents', 400);
  const alerts = positiveIntFlag(args, '--alerts', 100);
  const rounds = positiveIntFlag(args, '--rounds', 3);
  const pauses: number[] = [];
  const reopens: number[] = [];
  const heaps: number[] = [];
  let rows = 0;
  for (let r = 0; r < rounds; r++) {
    const round = runRound(incidents, alerts);
    reopens.push(round.reopenMs);
    heaps.push(round.reopenHeapBytes);
    if (round.incidents !== incidents) throw new Error(`round ${r + 1} deleted ${round.incidents} of ${incidents} incidents`);
    pauses.push(...round.pauses);
    rows += round.rows;
    if (!json) console.log(`round ${r + 1}: ${round.pauses.length} calls, ${round.rows} rows`);
  }
  const sorted = [...pauses].sort((a, b) => a - b);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const result = {
    incidents,
    alertsPerIncident: alerts,
    rounds,
    budgetRows: PURGE_ROWS_PER_TICK,
    budgetMs: PURGE_MS_PER_TICK,
    calls: pauses.length,
    pauseMs: { median: round2(quantileSorted(sorted, 0.5)), p99: round2(quantileSorted(sorted, 0.99)), max: round2(sorted.at(-1)!) },
    rowsPerSecondOfPause: Math.round(rows / (pauses.reduce((a, b) => a + b, 0) / 1000)),
    // Opening the full store again, median over rounds: a restart's cost before it answers (page cache warm).
    reopenMs: round2(median(reopens)),
    reopenMicrosPerAlert: round2((median(reopens) * 1000) / (incidents * alerts)),
    // The heap the reopened store holds after a full GC, per alert: what retention's memory grows by.
    reopenHeapBytesPerAlert: Math.round(median(heaps) / (incidents * alerts)),
  };
  console.log(json ? JSON.stringify(result) : result);
}

try {
  main();
} catch (error) {
  console.error(`bench:retention: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
