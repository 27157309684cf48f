/**
 * `npm run bench:store [-- --json] [--webhooks N] [--group G] [--bulk B] [--rounds R] [--against-schema S]
 * [--against-per-group-commits]`: the router's durable path without HTTP and without fsync, where a
 * single-alert webhook's CPU goes beyond its HTTP path. Each round opens a fresh store file
 * (production `openDatabase`, WAL, background checkpoints off so none runs inside the measurement)
 * and a fresh batch journal, and takes N single-alert webhooks in groups of G (the group commit's
 * typical size under 16 concurrent senders), each webhook parsed, validated and normalised, then run
 * through `processBatch`, as `bench:router`'s single-alert load shapes them (50 alertnames, a new
 * fingerprint each, so nearly every alert joins an open incident). The first 3,000 are a warm-up.
 *
 * As the router does it: each group is a savepoint of the store's bulk transaction plus one journal
 * append, and the bulk transaction commits every B webhooks (default 1,000: 100 ms of the router's
 * single-alert rate). `--against-per-group-commits` runs each round a second time as the router did
 * before the journal, one store commit per group, and reports the median per-pair difference.
 *
 * Reports, as medians over the rounds: CPU µs per webhook (process CPU, user + system), WAL frames per
 * webhook and per commit, and which B-trees the frames belong to, per webhook (SQLite's `dbstat`, for a
 * sample of commits). `--against-schema S` runs each round twice, first on a store built only up to
 * migration S, then on the current schema: a schema change measured side by side in one process,
 * where separate runs move by more than it does.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { loadConfig } from '../alert-router/config/load-config.js';
import { pipelineSettings } from '../alert-router/config/pipeline-settings.js';
import { decodeWebhook } from '../alert-router/pipeline/decode-webhook.js';
import { processBatch } from '../alert-router/pipeline/process-batch.js';
import type { IncomingBatch } from '../alert-router/pipeline/types.js';
import { migrations } from '../alert-router/store/migrations.js';
import { BatchJournal } from '../alert-router/store/batch-journal.js';
import { openDatabase } from '../alert-router/store/open-database.js';
import { SqliteStore } from '../alert-router/store/sqlite-store.js';
import { StoreFlusher } from '../alert-router/store/store-flusher.js';
import { positiveIntFlag } from './bench-args.js';
import { BENCH_ENV, writeBenchRouterConfig } from './bench-services.js';

const WARM_UP = 3000;
/** Webhooks whose WAL frames are attributed to B-trees. */
const SAMPLE_WEBHOOKS = 1200;

interface Round {
  cpuMicrosPerWebhook: number;
  walFramesPerWebhook: number;
  walFramesPerCommit: number;
  /** Frames per webhook, by the B-tree (or page) they belong to. */
  framesByBtree: Record<string, number>;
}

/** How the round commits: the router's bulk transaction and journal, or a store commit per group (before the journal). */
type Mode = { kind: 'bulk'; every: number } | { kind: 'per-group' };

/** Webhook bodies as JSON text, as the HTTP path receives them. */
function bodies(count: number, round: number): string[] {
  const startsAt = new Date().toISOString();
  return Array.from({ length: count }, (_, n) => {
    const alertname = `BenchAlert${n % 50}`;
    return JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="${alertname}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'slokit\\.router',
      groupLabels: { alertname },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname, severity: 'page', service: 'bench', instance: `r${round}-${n}` },
          annotations: { summary: 'benchmark alert' },
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: `${round.toString(16).padStart(4, '0')}${n.toString(16).padStart(12, '0')}`,
        },
      ],
    });
  });
}

/** `schema`: build the store at that migration (the ones after it never run); the current one when absent. */
function runRound(webhooks: number, group: number, round: number, mode: Mode, schema?: number): Round {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-bench-store-'));
  try {
    const config = loadConfig(writeBenchRouterConfig(dir), BENCH_ENV);
    const settings = pipelineSettings(config, undefined);
    if (schema !== undefined) {
      // Marked as up to date, so openDatabase applies none of the later migrations.
      const old = new Database(config.storePath);
      for (const m of migrations.slice(0, schema)) old.exec(m);
      old.pragma(`user_version = ${migrations.length}`);
      old.close();
    }
    const db = openDatabase({ path: config.storePath, synchronous: 'full', backgroundCheckpoints: true, deferredSync: true });
    const store = new SqliteStore(db);
    const { journal } = BatchJournal.open(`${config.storePath}.batch-journal`, { afterSeq: 0 });
    const deps = { now: Date.now, newId: randomUUID };
    // Buffers, as the HTTP path reads them.
    const raws = bodies(WARM_UP + webhooks + SAMPLE_WEBHOOKS, round).map((t) => Buffer.from(t, 'utf8'));
    let commits = 0;
    let inBulk = 0;
    // The router's bulk commit (the applied seq recorded with it); the bench decides when, by count.
    const flusher = new StoreFlusher({
      store,
      appliedSeq: () => journal.lastSeq,
      onDurable: () => undefined,
      maxAgeMs: 2 ** 31 - 1,
      maxWeight: Number.MAX_SAFE_INTEGER,
      now: Date.now,
      setTimeout: () => undefined,
      clearTimeout: () => undefined,
      onCommitError: () => undefined,
    });
    const commitBulk = () => {
      if (flusher.commit()) commits++;
      inBulk = 0;
    };
    const commit = (from: number, to: number) => {
      for (let i = from; i < to; i += group) {
        const batches: IncomingBatch[] = [];
        for (let j = i; j < Math.min(to, i + group); j++) {
          const decoded = decodeWebhook(raws[j]!);
          if (decoded.kind !== 'batch') throw new Error(`benchmark body ${j} does not decode: ${JSON.stringify(decoded)}`);
          batches.push(decoded.batch);
        }
        if (mode.kind === 'per-group') {
          store.transaction(() => batches.map((b) => processBatch(b, store, settings, deps)));
          commits++;
          continue;
        }
        store.openBulk();
        store.transaction(() => {
          const outcomes = batches.map((b) => processBatch(b, store, settings, deps));
          const at = Date.now();
          journal.append(batches.map((_, k) => ({ at, body: raws[i + k]! })));
          return outcomes;
        });
        inBulk += batches.length;
        if (inBulk >= mode.every) commitBulk();
      }
      commitBulk();
    };
    commit(0, WARM_UP);
    db.pragma('wal_checkpoint(TRUNCATE)');
    commits = 0;
    const cpu0 = process.cpuUsage();
    commit(WARM_UP, WARM_UP + webhooks);
    const cpu = process.cpuUsage(cpu0);
    const measuredCommits = commits;
    const [frames] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    // Which B-tree each page of a sample of commits belongs to.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const owner = new Map<number, string>();
    for (const r of db.prepare('SELECT name, pageno, pagetype FROM dbstat').all() as { name: string; pageno: number; pagetype: string }[]) {
      owner.set(r.pageno, r.pageno === 1 ? 'page 1 (database header, sqlite_schema)' : `${r.name} (${r.pagetype})`);
    }
    commit(WARM_UP + webhooks, WARM_UP + webhooks + SAMPLE_WEBHOOKS);
    const wal = readFileSync(`${config.storePath}-wal`);
    const pageSize = wal.readUInt32BE(8);
    const byBtree: Record<string, number> = {};
    for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
      const page = wal.readUInt32BE(off);
      const name = owner.get(page) ?? 'pages new since the sample began';
      byBtree[name] = (byBtree[name] ?? 0) + 1 / SAMPLE_WEBHOOKS;
    }
    journal.close();
    db.close();
    return {
      cpuMicrosPerWebhook: (cpu.user + cpu.system) / webhooks,
      walFramesPerWebhook: frames!.log / webhooks,
      walFramesPerCommit: frames!.log / measuredCommits,
      framesByBtree: byBtree,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const webhooks = positiveIntFlag(args, '--webhooks', 30_000);
  const group = positiveIntFlag(args, '--group', 6);
  const bulk = positiveIntFlag(args, '--bulk', 1000);
  const rounds = positiveIntFlag(args, '--rounds', 5);
  const against = args.includes('--against-schema') ? positiveIntFlag(args, '--against-schema', 1) : undefined;
  const againstPerGroup = args.includes('--against-per-group-commits');
  if (against !== undefined && against >= migrations.length) throw new Error(`--against-schema must be below the current schema, ${migrations.length}`);
  if (against !== undefined && againstPerGroup) throw new Error('--against-schema and --against-per-group-commits are one baseline each; give one');
  const mode: Mode = { kind: 'bulk', every: bulk };
  const baselineName = against !== undefined ? `schema ${against}` : againstPerGroup ? 'a commit per group' : undefined;
  const results: Round[] = [];
  const baseline: Round[] = [];
  for (let round = 0; round < rounds; round++) {
    // With a baseline, each round runs it and then the current path: pairs measured side by side.
    if (against !== undefined) baseline.push(runRound(webhooks, group, 2 * round + 1, mode, against));
    if (againstPerGroup) baseline.push(runRound(webhooks, group, 2 * round + 1, { kind: 'per-group' }));
    const r = runRound(webhooks, group, 2 * round, mode);
    results.push(r);
    if (!json) {
      const b = baseline[round];
      const vs = b === undefined ? '' : ` (${baselineName}: ${b.cpuMicrosPerWebhook.toFixed(1)} µs, ${b.walFramesPerWebhook.toFixed(2)} frames)`;
      console.error(`round ${round + 1}: ${r.cpuMicrosPerWebhook.toFixed(1)} µs CPU per webhook, ${r.walFramesPerWebhook.toFixed(2)} WAL frames per webhook${vs}`);
    }
  }
  const byBtree = (list: Round[]) => {
    const names = [...new Set(list.flatMap((r) => Object.keys(r.framesByBtree)))];
    return Object.fromEntries(
      names
        .map((n) => [n, Math.round(median(list.map((r) => r.framesByBtree[n] ?? 0)) * 1000) / 1000] as const)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1]),
    );
  };
  const figures = (list: Round[]) => ({
    cpuMicrosPerWebhook: Math.round(median(list.map((r) => r.cpuMicrosPerWebhook)) * 10) / 10,
    cpuMicrosPerWebhookRounds: list.map((r) => Math.round(r.cpuMicrosPerWebhook * 10) / 10),
    walFramesPerWebhook: Math.round(median(list.map((r) => r.walFramesPerWebhook)) * 100) / 100,
    walFramesPerCommit: Math.round(median(list.map((r) => r.walFramesPerCommit)) * 10) / 10,
    framesPerWebhookByBtree: byBtree(list),
  });
  const summary = {
    webhooks,
    group,
    bulkCommitEvery: bulk,
    rounds,
    ...figures(results),
    ...(baselineName === undefined
      ? {}
      : {
          against: {
            baseline: baselineName,
            ...figures(baseline),
            /** Median over the pairs of (current − baseline) / baseline. */
            medianPairDifference: Math.round(median(results.map((r, i) => r.cpuMicrosPerWebhook / baseline[i]!.cpuMicrosPerWebhook - 1)) * 1000) / 1000,
            currentFasterInPairs: results.filter((r, i) => r.cpuMicrosPerWebhook < baseline[i]!.cpuMicrosPerWebhook).length,
          },
        }),
  };
  console.log(json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2));
}

try {
  main();
} catch (error) {
  console.error(`bench:store: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
