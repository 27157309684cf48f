/**
 * A real Prometheus (Debian's /usr/bin/prometheus 2.42) for end-to-end tests and benchmarks: started on
 * 127.0.0.1 on a port the OS picks, with temporary config and storage, and always stopped.
 *
 * ```ts
 * const prom = await startPrometheus({ ruleFiles: ['rules/checkout.yml'], evaluationInterval: '1s' });
 * try { const result = await prom.query('up'); } finally { await prom.stop(); }
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'yaml';

/** One scrape job, as Prometheus's `scrape_configs` entry takes it (static targets only). */
export interface ScrapeConfig {
  jobName: string;
  /** `host:port` targets. */
  targets: string[];
  /** Defaults to the global scrape interval. */
  scrapeInterval?: string;
  metricsPath?: string;
  /** Keep the target's own `job`/`instance` labels instead of the scrape's. */
  honorLabels?: boolean;
}

export interface PrometheusOptions {
  /** Rule files to load (copied into the temp dir, so the originals are never touched). */
  ruleFiles?: readonly string[];
  scrapeConfigs?: readonly ScrapeConfig[];
  /** Global scrape interval, a Prometheus duration. Default 15s. */
  scrapeInterval?: string;
  /** Global rule evaluation interval, a Prometheus duration. Default 15s. */
  evaluationInterval?: string;
  /** An existing TSDB directory (e.g. filled by {@link backfillOpenMetrics}); default a fresh temp dir. */
  tsdbPath?: string;
  /** Extra command-line flags. */
  extraArgs?: readonly string[];
  /** How long to wait for `/-/ready`, in ms. Default 30 000. */
  readyTimeoutMs?: number;
}

/** A sample of an instant vector: labels and `[unix seconds, "value"]`. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A series of a range query: labels and `[unix seconds, "value"]` pairs. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** `data` of a successful query: vector, matrix, scalar or string. */
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

/** A query Prometheus refused (bad PromQL, timeout...): `errorType` and `error` as the API gives them. */
export class PrometheusQueryError extends Error {
  constructor(
    readonly expr: string,
    readonly errorType: string,
    readonly error: string,
    readonly status: number,
  ) {
    super(`Prometheus refused ${JSON.stringify(expr)}: ${errorType}: ${error}`);
    this.name = 'PrometheusQueryError';
  }
}

/** A rule as GET /api/v1/rules reports it. */
export interface RuleStatus {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation: string;
  evaluationTime: number;
  /** Alerting rules only. */
  state?: 'inactive' | 'pending' | 'firing';
  labels?: Record<string, string>;
  alerts?: { labels: Record<string, string>; state: string; activeAt?: string; value: string }[];
}

export interface RuleGroupStatus {
  name: string;
  file: string;
  interval: number;
  lastEvaluation: string;
  evaluationTime: number;
  rules: RuleStatus[];
}

/** A running Prometheus. */
export interface PrometheusInstance {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The temporary directory holding config, rules and (unless given) the TSDB. */
  dir: string;
  child: ChildProcess;
  /** An instant query at `time` (a Date or unix seconds; default now). Throws {@link PrometheusQueryError}. */
  query(expr: string, time?: Date | number): Promise<QueryData>;
  /** A range query from `start` to `end` every `stepSeconds`. Throws {@link PrometheusQueryError}. */
  queryRange(expr: string, start: Date | number, end: Date | number, stepSeconds: number): Promise<QueryData>;
  /** Rule groups with each rule's health, last error and alert states. */
  rules(): Promise<RuleGroupStatus[]>;
  /** The text of Prometheus's own /metrics (rule-group durations, TSDB stats...). */
  metrics(): Promise<string>;
  /** Everything Prometheus logged so far (stderr). */
  logs(): string;
  /** Kills the process (SIGTERM, then SIGKILL after 5 s) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(0, '127.0.0.1', r);
  });
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function seconds(t: Date | number): string {
  return String(t instanceof Date ? t.getTime() / 1000 : t);
}

function configYaml(options: PrometheusOptions, ruleFiles: readonly string[]): string {
  return stringify({
    global: {
      scrape_interval: options.scrapeInterval ?? '15s',
      evaluation_interval: options.evaluationInterval ?? '15s',
    },
    rule_files: ruleFiles,
    scrape_configs: (options.scrapeConfigs ?? []).map((s) => ({
      job_name: s.jobName,
      ...(s.scrapeInterval === undefined ? {} : { scrape_interval: s.scrapeInterval }),
      ...(s.metricsPath === undefined ? {} : { metrics_path: s.metricsPath }),
      ...(s.honorLabels === undefined ? {} : { honor_labels: s.honorLabels }),
      static_configs: [{ targets: s.targets }],
    })),
  });
}

/** How many times to retry when another process takes the port between picking and binding. */
const PORT_ATTEMPTS = 3;

/**
 * Starts Prometheus and resolves once `/-/ready` answers 200. Rejects (with Prometheus's log) when
 * it exits or is not ready in time; the process is then already killed and the temp dir removed.
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusInstance> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
      if (!String((err as Error).message).includes('address already in use')) throw err;
    }
  }
  throw lastError;
}

async function startOnce(options: PrometheusOptions): Promise<PrometheusInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-prom-'));
  const rulesDir = join(dir, 'rules');
  await mkdir(rulesDir);
  const ruleFiles: string[] = [];
  for (const [i, file] of (options.ruleFiles ?? []).entries()) {
    const copy = join(rulesDir, `${i}-${basename(file)}`);
    await writeFile(copy, await readFile(resolve(file)));
    ruleFiles.push(copy);
  }
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, configYaml(options, ruleFiles));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${options.tsdbPath ?? join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(force);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const api = async (path: string, params: Record<string, string>, expr: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { status: string; data?: unknown; errorType?: string; error?: string };
    if (body.status !== 'success') {
      throw new PrometheusQueryError(expr, body.errorType ?? 'unknown', body.error ?? '', response.status);
    }
    return body.data;
  };

  const instance: PrometheusInstance = {
    url,
    port,
    dir,
    child,
    query: async (expr, time) =>
      (await api('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: seconds(time) }) }, expr)) as QueryData,
    queryRange: async (expr, start, end, stepSeconds) =>
      (await api('/api/v1/query_range', { query: expr, start: seconds(start), end: seconds(end), step: String(stepSeconds) }, expr)) as QueryData,
    rules: async () => {
      const body = (await (await fetch(`${url}/api/v1/rules`, { signal: AbortSignal.timeout(30_000) })).json()) as {
        data: { groups: RuleGroupStatus[] };
      };
      return body.data.groups;
    },
    metrics: async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text(),
    logs: () => stderr,
    stop,
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prometheus exited before it was ready: ${stderr}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return instance;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within ${options.readyTimeoutMs ?? 30_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes; resolves to whether it
 * succeeded. Errors thrown by `check` count as "not yet".
 */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Writes OpenMetrics text (it must end with `# EOF`) as TSDB blocks into `tsdbDir` with
 * `promtool tsdb create-blocks-from openmetrics`, for a Prometheus started with `tsdbPath: tsdbDir`.
 * Timestamps in the text are unix seconds. Rejects with promtool's output when it fails.
 */
export async function backfillOpenMetrics(text: string, tsdbDir: string, timeoutMs = 120_000): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-backfill-'));
  try {
    const input = join(dir, 'input.om');
    await writeFile(input, text.endsWith('\n') ? text : `${text}\n`);
    await mkdir(tsdbDir, { recursive: true });
    const { code, output } = await new Promise<{ code: number; output: string }>((resolvePromise, reject) => {
      const child = spawn('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, tsdbDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error('could not run promtool', { cause: err }));
      });
      child.on('close', (c, signal) => {
        clearTimeout(timer);
        resolvePromise({ code: c ?? (signal === null ? 1 : 128), output: out });
      });
    });
    if (code !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${code}): ${output}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
