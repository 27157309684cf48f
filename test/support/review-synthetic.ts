/**
 * Sixty days of synthetic SLI data for the example SLOs (slos/*.ts), as OpenMetrics text for
 * `promtool tsdb create-blocks-from openmetrics` ({@link backfillSynthetic}), and the exact answers computed from the same
 * numbers. One sample every 5 minutes, aligned to the clock, every counter starting at 0.
 *
 * Traffic follows a daily curve; errors are a baseline ratio plus bad stretches. Error counts are
 * integers made by deterministic stochastic rounding, so the counters are exact.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './promtool.js';

export const STEP_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** A stretch where the error ratio (or, for the probe, failure) is raised, or data is missing. */
export interface BadStretch {
  startMs: number;
  endMs: number;
  errorRatio: number;
}

/** One series: labels, and how much it grows at a sample (`undefined`: no sample there). */
interface SeriesSpec {
  family: string;
  name: string;
  labels: string;
  /** Counter increment at sample i (counters) or the value (gauges); undefined = no sample. */
  at: (i: number) => number | undefined;
  gauge?: boolean;
}

export interface SyntheticSlo {
  id: string;
  /** Events (total) and errors at sample i; samples with no data give undefined. */
  events: (i: number) => { errors: number; total: number } | undefined;
  /** Probes count samples in [from, to); counters count increments in (from, to]. */
  kind: 'counter' | 'samples';
}

export interface SyntheticData {
  /** The first sample's time. */
  startMs: number;
  endMs: number;
  /** Sample i is at startMs + i × STEP_MS. */
  samples: number;
  /** OpenMetrics text ending with `# EOF`. */
  openMetrics: string;
  slos: Map<string, SyntheticSlo>;
}

export interface SloPlan {
  /** Events per 5 minutes at the daily mean. */
  perStep: number;
  baseline: number;
  bad: BadStretch[];
  /** Stretches with no samples at all. */
  gaps?: { startMs: number; endMs: number }[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Integer traffic and errors per 5-minute step of one SLO. */
function plan(p: SloPlan, startMs: number, samples: number, seed: number) {
  const random = rng(seed);
  const traffic: number[] = [];
  const errors: number[] = [];
  const present: boolean[] = [];
  for (let i = 0; i < samples; i++) {
    const t = startMs + i * STEP_MS;
    const hour = (t % DAY_MS) / 3_600_000;
    const n = i === 0 ? 0 : Math.round(p.perStep * (1 + 0.6 * Math.sin(((hour - 9) / 24) * 2 * Math.PI)));
    // The step ending at t: its ratio is the bad stretch's when the step lies inside one.
    const ratio = p.bad.find((b) => t - STEP_MS >= b.startMs && t <= b.endMs)?.errorRatio ?? p.baseline;
    const exact = n * ratio;
    const e = Math.min(n, Math.floor(exact) + (random() < exact - Math.floor(exact) ? 1 : 0));
    traffic.push(n);
    errors.push(e);
    present.push(!(p.gaps ?? []).some((g) => t >= g.startMs && t < g.endMs));
  }
  return { traffic, errors, present };
}

/**
 * The synthetic data set: `days` days ending at `endMs` (a UTC midnight), plans keyed by SLO id.
 * `offsetMs` moves every sample off the 5-minute marks, as real scrapes are.
 */
export function synthesize(endMs: number, days: number, plans: Record<string, SloPlan>, offsetMs = 0): SyntheticData {
  const startMs = endMs - days * DAY_MS + offsetMs;
  const samples = days * (DAY_MS / STEP_MS) + 1;
  const get = (id: string, seed: number) => {
    const p = plans[id];
    if (!p) throw new Error(`no plan for ${id}`);
    return plan(p, startMs, samples, seed);
  };
  const co = get('checkout-availability', 1);
  const cl = get('checkout-latency', 2);
  const ca = get('catalog-read-latency', 3);
  const pa = get('payments-authorisations', 4);
  const sf = get('storefront-probe-availability', 5);
  const wa = get('alert-router-webhook-availability', 6);
  const wl = get('alert-router-webhook-latency', 7);
  const nd = get('alert-router-notification-delivery', 8);
  const nt = get('alert-router-notification-timeliness', 9);

  // The two webhook SLOs share one histogram: 5xx answers (availability) and slow answers (latency).
  // Latency errors are drawn from the 2xx answers, so the histogram stays consistent.
  const wlSlow = wl.errors.map((e, i) => Math.min(e, wa.traffic[i]! - wa.errors[i]!));

  const series: SeriesSpec[] = [
    { family: 'http_requests', name: 'http_requests_total', labels: 'code="200",job="checkout"', at: (i) => co.traffic[i]! - co.errors[i]! },
    { family: 'http_requests', name: 'http_requests_total', labels: 'code="500",job="checkout"', at: (i) => co.errors[i]! },
    { family: 'http_request_duration_seconds_bucket', name: 'http_request_duration_seconds_bucket', labels: 'job="checkout",le="0.3",route="/cart"', at: (i) => cl.traffic[i]! - cl.errors[i]! },
    { family: 'http_request_duration_seconds_bucket', name: 'http_request_duration_seconds_bucket', labels: 'job="catalog",le="0.1",method="GET"', at: (i) => ca.traffic[i]! - ca.errors[i]! },
    { family: 'http_request_duration_seconds_count', name: 'http_request_duration_seconds_count', labels: 'job="checkout",route="/cart"', at: (i) => cl.traffic[i]! },
    { family: 'http_request_duration_seconds_count', name: 'http_request_duration_seconds_count', labels: 'job="catalog",method="GET"', at: (i) => ca.traffic[i]! },
    { family: 'grpc_server_handled', name: 'grpc_server_handled_total', labels: 'grpc_code="OK",grpc_method="Authorise",grpc_service="payments.Payments"', at: (i) => pa.traffic[i]! - pa.errors[i]! },
    { family: 'grpc_server_handled', name: 'grpc_server_handled_total', labels: 'grpc_code="Internal",grpc_method="Authorise",grpc_service="payments.Payments"', at: (i) => pa.errors[i]! },
    {
      family: 'probe_success',
      name: 'probe_success',
      labels: 'instance="https://shop.example.com/",job="blackbox"',
      gauge: true,
      at: (i) => (sf.present[i] ? (sf.errors[i]! > 0 ? 0 : 1) : undefined),
    },
    { family: 'slokit_router_webhook_duration_seconds_count', name: 'slokit_router_webhook_duration_seconds_count', labels: 'code="200"', at: (i) => wa.traffic[i]! - wa.errors[i]! },
    { family: 'slokit_router_webhook_duration_seconds_count', name: 'slokit_router_webhook_duration_seconds_count', labels: 'code="503"', at: (i) => wa.errors[i]! },
    { family: 'slokit_router_webhook_duration_seconds_bucket', name: 'slokit_router_webhook_duration_seconds_bucket', labels: 'code="200",le="0.25"', at: (i) => wa.traffic[i]! - wa.errors[i]! - wlSlow[i]! },
    { family: 'slokit_router_webhook_duration_seconds_bucket', name: 'slokit_router_webhook_duration_seconds_bucket', labels: 'code="503",le="0.25"', at: (i) => wa.errors[i]! },
    { family: 'slokit_router_notifications', name: 'slokit_router_notifications_total', labels: 'outcome="delivered",target="slack"', at: (i) => nd.traffic[i]! - nd.errors[i]! },
    { family: 'slokit_router_notifications', name: 'slokit_router_notifications_total', labels: 'outcome="failed",target="slack"', at: (i) => nd.errors[i]! },
    {
      family: 'slokit_router_notifications_on_time',
      name: 'slokit_router_notifications_on_time',
      labels: 'job="alert-router"',
      gauge: true,
      at: (i) => (nt.present[i] ? (nt.errors[i]! > 0 ? 0 : 1) : undefined),
    },
  ];

  const lines: string[] = [];
  let family = '';
  for (const s of series) {
    if (s.family !== family) {
      family = s.family;
      lines.push(`# TYPE ${family} ${s.gauge ? 'gauge' : family === s.name ? 'unknown' : 'counter'}`);
    }
    let value = 0;
    for (let i = 0; i < samples; i++) {
      const v = s.at(i);
      if (v === undefined) continue;
      value = s.gauge ? v : value + v;
      lines.push(`${s.name}{${s.labels}} ${value} ${(startMs + i * STEP_MS) / 1000}`);
    }
  }
  lines.push('# EOF');

  const counter = (p: ReturnType<typeof plan>) => (i: number) => ({ errors: p.errors[i]!, total: p.traffic[i]! });
  const slos = new Map<string, SyntheticSlo>([
    ['checkout-availability', { id: 'checkout-availability', kind: 'counter', events: counter(co) }],
    ['checkout-latency', { id: 'checkout-latency', kind: 'counter', events: counter(cl) }],
    ['catalog-read-latency', { id: 'catalog-read-latency', kind: 'counter', events: counter(ca) }],
    ['payments-authorisations', { id: 'payments-authorisations', kind: 'counter', events: counter(pa) }],
    [
      'storefront-probe-availability',
      { id: 'storefront-probe-availability', kind: 'samples', events: (i) => (sf.present[i] ? { errors: sf.errors[i]! > 0 ? 1 : 0, total: 1 } : undefined) },
    ],
    ['alert-router-webhook-availability', { id: 'alert-router-webhook-availability', kind: 'counter', events: counter(wa) }],
    ['alert-router-webhook-latency', { id: 'alert-router-webhook-latency', kind: 'counter', events: (i) => ({ errors: wlSlow[i]!, total: wa.traffic[i]! }) }],
    ['alert-router-notification-delivery', { id: 'alert-router-notification-delivery', kind: 'counter', events: counter(nd) }],
    [
      'alert-router-notification-timeliness',
      { id: 'alert-router-notification-timeliness', kind: 'samples', events: (i) => (nt.present[i] ? { errors: nt.errors[i]! > 0 ? 1 : 0, total: 1 } : undefined) },
    ],
  ]);
  return { startMs, endMs, samples, openMetrics: `${lines.join('\n')}\n`, slos };
}

/**
 * Exact events of an SLO in `[fromMs, toMs)` from the synthetic numbers: a counter's increase over
 * the range is the increments of samples in (from, to]; a probe's samples are those in [from, to).
 */
export function exactEvents(data: SyntheticData, sloId: string, fromMs: number, toMs: number): { errors: number; total: number } {
  const slo = data.slos.get(sloId);
  if (!slo) throw new Error(`unknown SLO ${sloId}`);
  let errors = 0;
  let total = 0;
  for (let i = 0; i < data.samples; i++) {
    const t = data.startMs + i * STEP_MS;
    const inside = slo.kind === 'counter' ? t > fromMs && t <= toMs : t >= fromMs && t < toMs;
    if (!inside) continue;
    const e = slo.events(i);
    if (!e) continue;
    errors += e.errors;
    total += e.total;
  }
  return { errors, total };
}

/**
 * Writes the data as TSDB blocks into `tsdbDir` with `promtool tsdb create-blocks-from openmetrics`.
 * Its hidden `--max-block-duration` matters: by default promtool 2.42 writes one 2-hour block at a
 * time and re-reads the whole input for each, so 60 days (720 blocks) take minutes instead of a second.
 * Blocks start at multiples of `maxBlockDuration` since the epoch; Prometheus's time retention
 * deletes whole blocks, so shorter ones let a test's retention end nearer a chosen time.
 */
export async function backfillSynthetic(data: SyntheticData, tsdbDir: string, maxBlockDuration = '720h'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-review-backfill-'));
  try {
    const input = join(dir, 'input.om');
    await writeFile(input, data.openMetrics);
    await mkdir(tsdbDir, { recursive: true });
    const result = await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', `--max-block-duration=${maxBlockDuration}`, input, tsdbDir], {
      timeoutMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${result.code}): ${result.output}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
