/**
 * `npm run bench:router [-- --json] [--seconds N] [--rounds N] [--breakdown] [--keep-state]`: webhook throughput and
 * latency of the alert-router with durable commits (the batch journal fdatasynced before each 2xx, group commit),
 * against a real Alertmanager's `POST /api/v2/alerts` under the same load. Load comes from a second process on
 * loopback. Each Alertmanager scenario run gets a fresh Alertmanager (`--keep-state`: one for the whole run). `--breakdown` adds
 * `router-http-only-single-c16`: the router's webhook handler alone (auth, parse, validation, metrics, answer)
 * with a commit that answers at once, to split a single-alert request's CPU into HTTP and durable store.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { median } from 'simple-statistics';
import { createWebhookHandler } from '../alert-router/http/webhook-handler.js';
import { emptyOutcome, type BatchOutcome } from '../alert-router/pipeline/process-batch.js';
import { RouterMetrics } from '../alert-router/router-metrics.js';
import { BENCH_TOKEN, startBenchAlertmanager, startBenchRouter, writeBenchRouterConfig } from './bench-services.js';
import { runWrk } from './wrk-load.js';

interface LoadSpec {
  url: string;
  target: 'router' | 'alertmanager';
  alertsPerRequest: number;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  token: string;
  /** Keeps label sets unique across scenarios. */
  prefix: string;
}

interface LoadResult {
  requests: number;
  alerts: number;
  errors: number;
  seconds: number;
  alertsPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU (user + system) the router's process spent per request, ms; only for router scenarios. */
  routerCpuMsPerRequest?: number;
  /**
   * Share of the measured run's wall time the router's main thread was on a CPU, 0–1; only for router
   * scenarios under wrk, on Linux. Near 1, the one event loop is what limits the rate.
   */
  routerMainThreadBusy?: number;
}

/** The main thread's CPU time so far (user + system, seconds) from /proc, or undefined off Linux. */
const mainThreadCpuSeconds: () => number | undefined = (() => {
  let ticksPerSecond = 100;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // getconf missing: Linux's USER_HZ is 100 everywhere it runs here
  }
  return () => {
    try {
      const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces, inside parentheses): utime is the 12th, stime the 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      return undefined;
    }
  };
})();

/**
 * The WAL checkpoints that held the router's commits during all router scenarios: how many, and their
 * mean length (from the router's `slokit_router_store_checkpoint_pause_seconds`).
 */
async function checkpointSummary(metrics: RouterMetrics): Promise<{ count: number; meanPauseMs: number }> {
  const { values } = await metrics.checkpointPause.get();
  const of = (suffix: string) => values.find((v) => v.metricName === `slokit_router_store_checkpoint_pause_seconds_${suffix}`)?.value ?? 0;
  const count = of('count');
  return { count, meanPauseMs: count === 0 ? 0 : Math.round((of('sum') / count) * 1e5) / 100 };
}

/** Per-field median of several rounds of one scenario (each field on its own). */
function medianResult(rounds: LoadResult[]): LoadResult {
  const out = { ...rounds[0]! };
  for (const k of Object.keys(out) as (keyof LoadResult)[]) {
    const values = rounds.map((r) => r[k]).filter((v): v is number => v !== undefined);
    out[k] = Math.round(median(values) * 100) / 100;
  }
  return out;
}

/** The router's alert rate over Alertmanager's, to two decimals. */
function ratio(router: LoadResult, alertmanager: LoadResult): number {
  return Math.round((router.alertsPerSecond / alertmanager.alertsPerSecond) * 100) / 100;
}

/** Round by round, the router's rate over Alertmanager's (the two runs of a round are seconds apart). */
function pairedRatios(router: LoadResult[], alertmanager: LoadResult[]): number[] {
  return router.map((x, i) => ratio(x, alertmanager[i]!));
}

const FIRING_END = '0001-01-01T00:00:00Z';

/** 8 hex digits that differ between scenarios and rounds, so every alert is a new fingerprint. */
function prefixHash(prefix: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function body(spec: LoadSpec, n: number): string {
  const startsAt = new Date().toISOString();
  const alerts = Array.from({ length: spec.alertsPerRequest }, (_, i) => ({
    labels: {
      alertname: `BenchAlert${n % 50}`,
      severity: 'page',
      service: 'bench',
      instance: `${spec.prefix}-${n}-${i}`,
    },
    annotations: { summary: 'benchmark alert' },
    startsAt,
  }));
  if (spec.target === 'alertmanager') return JSON.stringify(alerts);
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="BenchAlert${n % 50}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'slokit\\.router',
    groupLabels: { alertname: `BenchAlert${n % 50}` },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    // Alertmanager's webhook always carries each alert's fingerprint (16 hex digits).
    alerts: alerts.map((a, i) => ({
      status: 'firing',
      ...a,
      endsAt: FIRING_END,
      generatorURL: '',
      fingerprint: ((n * 1000 + i) >>> 0).toString(16).padStart(8, '0') + prefixHash(spec.prefix),
    })),
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** The load generator (runs in the child process). */
async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const url = new URL(spec.target === 'router' ? '/api/v1/alertmanager' : '/api/v2/alerts', spec.url);
  let n = 0;
  const send = (payload: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${spec.token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const sender = async () => {
    while (!stop) {
      const payload = body(spec, n++);
      const t0 = process.hrtime.bigint();
      const status = await send(payload).catch(() => 0);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!measuring) continue;
      if (status < 200 || status >= 300) errors++;
      else latencies.push(ms);
    }
  };
  const senders = Array.from({ length: spec.concurrency }, sender);
  await new Promise((r) => setTimeout(r, spec.warmupSeconds * 1000));
  measuring = true;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, spec.seconds * 1000));
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  stop = true;
  await Promise.all(senders);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    alerts: latencies.length * spec.alertsPerRequest,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    alertsPerSecond: Math.round((latencies.length * spec.alertsPerRequest) / seconds),
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Math.round(quantile(latencies, 0.5) * 100) / 100,
    p99Ms: Math.round(quantile(latencies, 0.99) * 100) / 100,
  };
}

/** Runs one scenario's load through wrk (a 1 s warm-up run, then the measured one). */
async function loadFromWrk(spec: LoadSpec): Promise<LoadResult> {
  const base = { url: spec.url, target: spec.target, alertsPerRequest: spec.alertsPerRequest, concurrency: spec.concurrency, token: spec.token };
  const warm = await runWrk({ ...base, seconds: spec.warmupSeconds, prefix: `${spec.prefix}-w`, prefixHash: prefixHash(`${spec.prefix}-w`) });
  // The router serves from this process: its main thread's CPU over the measured run only.
  const main0 = mainThreadCpuSeconds();
  const wall0 = process.hrtime.bigint();
  const r = await runWrk({ ...base, seconds: spec.seconds, prefix: spec.prefix, prefixHash: prefixHash(spec.prefix) });
  const main1 = mainThreadCpuSeconds();
  const busy = main0 === undefined || main1 === undefined ? undefined : (main1 - main0) / (Number(process.hrtime.bigint() - wall0) / 1e9);
  const ok = r.requests - r.errors;
  return {
    ...(spec.target === 'router' && busy !== undefined ? { routerMainThreadBusy: Math.round(busy * 100) / 100 } : {}),
    requests: ok,
    alerts: ok * spec.alertsPerRequest,
    errors: r.errors + warm.errors,
    seconds: Math.round(r.seconds * 100) / 100,
    alertsPerSecond: Math.round((ok * spec.alertsPerRequest) / r.seconds),
    requestsPerSecond: Math.round(ok / r.seconds),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
  };
}

/** Runs one scenario's load in a second process and returns its figures. */
function loadFromChild(spec: LoadSpec): Promise<LoadResult> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/router.ts', '--load', JSON.stringify(spec)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load process exited ${code}`))));
  });
}

/** The router's webhook handler on its own server, with a commit that answers at once (no store). */
async function startHttpOnly(token: string): Promise<{ url: string; close: () => Promise<void> }> {
  const outcome: BatchOutcome = { ...emptyOutcome(1), firing: 1 };
  const handler = createWebhookHandler({
    commit: () => Promise.resolve(outcome),
    metrics: new RouterMetrics(() => 0, { processMetrics: false }),
    logger: pino({ level: 'warn' }),
    settings: () => ({ auth: { kind: 'bearer', token }, bodyLimitBytes: 8 << 20 }),
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const loadIndex = args.indexOf('--load');
  if (loadIndex >= 0) {
    process.stdout.write(JSON.stringify(await runLoad(JSON.parse(args[loadIndex + 1]!) as LoadSpec)));
    return;
  }
  const json = args.includes('--json');
  const secondsIndex = args.indexOf('--seconds');
  const seconds = secondsIndex >= 0 ? Number(args[secondsIndex + 1]) : 5;
  const syncIndex = args.indexOf('--synchronous');
  const synchronous = syncIndex >= 0 ? args[syncIndex + 1] : 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error(`--synchronous must be full or normal, got ${synchronous}`);
  const roundsIndex = args.indexOf('--rounds');
  const rounds = roundsIndex >= 0 ? Number(args[roundsIndex + 1]) : 1;
  const generatorIndex = args.indexOf('--load-generator');
  const generator = generatorIndex >= 0 ? args[generatorIndex + 1] : 'wrk';
  if (generator !== 'wrk' && generator !== 'node') throw new Error(`--load-generator must be wrk or node, got ${generator}`);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'slokit-bench-router-'));
  const token = BENCH_TOKEN;
  const router = await startBenchRouter(writeBenchRouterConfig(dir, synchronous));
  // Alertmanager keeps every alert it took in memory until it resolves (none does here, and each has a
  // new fingerprint): after rounds of 100-alert batches it held hundreds of thousands, which slowed its
  // single-alert ingest by up to half and flattered the router's ratio. So each of its scenario runs
  // starts a fresh one. The router keeps its store across the run, as a running router does: its state
  // (journal segments to reuse, a WAL at its size, a growing store) is its steady state, and that
  // measured no faster than a fresh store's (docs/benchmarks.md, "Round of 2026-12-02, night").
  const keepState = args.includes('--keep-state');
  let am = keepState ? await startBenchAlertmanager() : undefined;
  // The webhook's HTTP path alone: the same handler, a commit that stores nothing and answers at once.
  const breakdown = args.includes('--breakdown');
  const httpOnly = breakdown ? await startHttpOnly(token) : undefined;
  const scenarios = [
    ...(httpOnly === undefined
      ? []
      : [{ name: 'router-http-only-single-c16', target: 'router', url: httpOnly.url, alertsPerRequest: 1, concurrency: 16 } as const]),
    { name: 'router-batch100-c16', target: 'router', url: router.url, alertsPerRequest: 100, concurrency: 16 },
    { name: 'alertmanager-batch100-c16', target: 'alertmanager', alertsPerRequest: 100, concurrency: 16 },
    { name: 'router-single-c16', target: 'router', url: router.url, alertsPerRequest: 1, concurrency: 16 },
    { name: 'alertmanager-single-c16', target: 'alertmanager', alertsPerRequest: 1, concurrency: 16 },
    { name: 'router-batch100-c4', target: 'router', url: router.url, alertsPerRequest: 100, concurrency: 4 },
  ] as const;
  const results: Record<string, LoadResult> = {};
  let checkpoints: (Awaited<ReturnType<typeof checkpointSummary>> & { walHighWaterMiB: number }) | undefined;
  // With --rounds N the scenarios run N times interleaved (router, Alertmanager, router, ...) and each
  // figure is the median: on a shared machine the load of others changes within seconds.
  const all: Record<string, LoadResult[]> = {};
  try {
    for (let round = 0; round < rounds; round++) {
      for (const s of scenarios) {
        if (only !== undefined && !s.name.includes(only)) continue;
        if (s.target === 'alertmanager' && !keepState) {
          await am?.stop();
          am = await startBenchAlertmanager();
        }
        const url = s.target === 'alertmanager' ? am!.url : s.url;
        const cpu0 = process.cpuUsage();
        const spec = { ...s, url, seconds, warmupSeconds: 1, token, prefix: `${s.name}-r${round}` };
        const result = generator === 'wrk' ? await loadFromWrk(spec) : await loadFromChild(spec);
        if (s.target === 'router') {
          const cpu = process.cpuUsage(cpu0);
          // The router's process also ran the warm-up second; count its requests at the measured rate.
          const served = result.requestsPerSecond * (seconds + 1);
          result.routerCpuMsPerRequest = served > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / served) * 1000) / 1000 : 0;
        }
        (all[s.name] ??= []).push(result);
        if (!json) console.error(`${s.name} (round ${round + 1}): ${JSON.stringify(result)}`);
      }
    }
    for (const [name, list] of Object.entries(all)) results[name] = medianResult(list);
    // The WAL file keeps its largest size when it starts over: its size now is the most it ever held.
    checkpoints = { ...(await checkpointSummary(router.metrics)), walHighWaterMiB: Math.round((statSync(join(dir, 'router.db-wal')).size / 2 ** 20) * 10) / 10 };
  } finally {
    await am?.stop();
    await router.drain();
    await httpOnly?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (only !== undefined || breakdown) {
    console.log(JSON.stringify({ ...results, checkpoints }));
    return;
  }
  const r = (k: string) => results[k]!;
  const byRound = {
    batch100: pairedRatios(all['router-batch100-c16']!, all['alertmanager-batch100-c16']!),
    single: pairedRatios(all['router-single-c16']!, all['alertmanager-single-c16']!),
  };
  // The target's ratio is the median of the rounds' side-by-side ratios. The ratio of the two median
  // rates can pair the router's best round with Alertmanager's worst: on this shared machine a run gave
  // 0.58 that way where its rounds gave 0.45, 0.58 and 0.45.
  const ratios = {
    batch100: Math.round(median(byRound.batch100) * 100) / 100,
    single: Math.round(median(byRound.single) * 100) / 100,
  };
  const summary = {
    loadGenerator: generator === 'wrk' ? 'wrk (2 threads)' : 'node (one process)',
    durability:
      synchronous === 'full'
        ? 'batch journal: every 2xx after an fdatasync of the journal (off the event loop, shared by the groups committed before it); SQLite WAL in bulk transactions; group commit'
        : 'batch journal written, not fsynced, before the 2xx (store.synchronous: normal); SQLite WAL in bulk transactions; group commit',
    seconds,
    rounds,
    results,
    checkpoints,
    ratios: {
      ...ratios,
      // Each round's router run against the Alertmanager run right after it: how much the ratio moves.
      byRound,
      // As every round before 2026-12-02 "last" reported it: the median rates' ratio.
      ofMedianRates: {
        batch100: ratio(r('router-batch100-c16'), r('alertmanager-batch100-c16')),
        single: ratio(r('router-single-c16'), r('alertmanager-single-c16')),
      },
    },
    targets: {
      ratioAtLeast: 0.5,
      batch100P99MsBelow: 50,
      met: ratios.batch100 >= 0.5 && ratios.single >= 0.5 && r('router-batch100-c4').p99Ms < 50,
    },
  };
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else console.log(JSON.stringify(summary, null, 2));
}

await main();
