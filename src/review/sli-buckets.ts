import type { Slo } from '../slo/index.js';
import type { PrometheusClient } from './prometheus-client.js';
import type { Bucket } from './review-model.js';

/**
 * Reads an SLO's events per time bucket from its own SLI queries over the raw series, not from the
 * recording rules: recordings exist only since the rules were loaded (Prometheus does not evaluate
 * rules over history), while the source series reach as far back as retention.
 *
 * Each bucket `[t − step, t)` is the SLI's rate over a `step` window evaluated at `t`, times the
 * step's seconds: the counters' increase over the bucket. Prometheus 2.x ranges are closed, so with
 * a sample on the bucket's edges the increase is exact; otherwise `rate` extrapolates across the gap
 * of one scrape at each edge. Bool-gauge SLIs count samples, so they are evaluated 1 ms before `t`
 * (each sample in one bucket only). A raw SLI has no events: a bucket is its ratio with weight 1.
 */
export async function sliBuckets(client: PrometheusClient, slo: Slo, startMs: number, endMs: number, stepMs: number): Promise<Bucket[]> {
  const window = `${stepMs / 1000}s`;
  const seconds = stepMs / 1000;
  const shift = slo.sli.kind === 'events' && slo.sli.source === 'boolGauge' ? 1 : 0;
  const first = startMs + stepMs - shift;
  const last = endMs - shift;
  if (last < first) return [];
  const read = async (expr: string) => {
    const series = await client.queryRange(expr, first, last, stepMs);
    const byStart = new Map<number, number>();
    for (const s of series) {
      for (const [t, v] of s.values) {
        if (!Number.isFinite(v)) continue;
        const start = Math.round(t * 1000) + shift - stepMs;
        byStart.set(start, (byStart.get(start) ?? 0) + v);
      }
    }
    return byStart;
  };
  if (slo.sli.kind === 'raw') {
    const ratios = await read(slo.sli.errorRatio(window));
    return [...ratios].sort(([a], [b]) => a - b).map(([t, ratio]) => ({ startMs: t, errors: ratio, total: 1 }));
  }
  const totals = await read(`(${slo.sli.total(window)}) * ${seconds}`);
  const errors = await read(`(${slo.sli.errors(window)}) * ${seconds}`);
  // An hour is data only when both queries answer. Without total it is a gap (a ratio SLI's errors
  // fall back to 0 by design); a latency SLI's errors are empty while its count is not when the
  // threshold is no bucket bound, which the rules read as no data too, not as no slow request.
  return [...totals]
    .filter(([t]) => errors.has(t))
    .sort(([a], [b]) => a - b)
    .map(([t, total]) => ({ startMs: t, errors: Math.min(errors.get(t)!, total), total }));
}
