import { describe, expect, it } from 'vitest';
import { defineService, resolveServices, type Slo } from '../slo/index.js';
import type { PrometheusClient, RangeSeries } from './prometheus-client.js';
import { sliBuckets } from './sli-buckets.js';
import { summarizePeriod } from './summarize.js';

const HOUR = 3_600_000;

function sloOf(sli: Parameters<typeof defineService>[0]['slos'][number]['sli']): Slo {
  const [service] = resolveServices([
    { file: 'x.ts', value: defineService({ name: 'svc', description: 'd', owner: { team: 't' }, slos: [{ name: 's', objective: 99, sli }] }) },
  ]);
  return service!.slos[0]!;
}

/** A client that answers every range query with one series from `answer(expr)` at each step. */
function fakeClient(answer: (expr: string) => number | undefined) {
  const calls: { expr: string; startMs: number; endMs: number; stepMs: number }[] = [];
  const client: PrometheusClient = {
    url: 'http://prom',
    async queryRange(expr, startMs, endMs, stepMs) {
      calls.push({ expr, startMs, endMs, stepMs });
      const values: [number, number][] = [];
      for (let t = startMs; t <= endMs; t += stepMs) {
        const v = answer(expr);
        if (v !== undefined) values.push([t / 1000, v]);
      }
      return [{ metric: {}, values } satisfies RangeSeries];
    },
    query: async () => [],
    ruleGroups: async () => [],
    storageRetention: async () => '15d',
  };
  return { client, calls };
}

describe('sliBuckets', () => {
  it('turns an events SLI\'s rates over the step into counts per bucket, evaluated at the bucket\'s end', async () => {
    const slo = sloOf({ kind: 'ratio', errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' });
    const { client, calls } = fakeClient((expr) => (expr.includes('rate(e[') ? 2 : 100));
    const buckets = await sliBuckets(client, slo, 0, 3 * HOUR, HOUR);
    expect(buckets).toEqual([0, 1, 2].map((h) => ({ startMs: h * HOUR, errors: 2, total: 100 })));
    expect(calls[0]).toEqual({ expr: '(sum(rate(t[3600s]))) * 3600', startMs: HOUR, endMs: 3 * HOUR, stepMs: HOUR });
  });

  it('evaluates a bool gauge 1 ms before the bucket\'s end, so a sample on the edge counts once', async () => {
    const slo = sloOf({ kind: 'boolGauge', selector: 'probe_success{job="b"}' });
    const { client, calls } = fakeClient(() => 12);
    const buckets = await sliBuckets(client, slo, 0, 2 * HOUR, HOUR);
    expect(calls[0]).toMatchObject({ startMs: HOUR - 1, endMs: 2 * HOUR - 1 });
    expect(buckets.map((b) => b.startMs)).toEqual([0, HOUR]);
  });

  it('weighs a raw ratio SLI\'s buckets equally, and an hour without total is missing, not zero', async () => {
    const raw = sloOf({ kind: 'raw', errorRatio: 'avg_over_time(r[{{.window}}])' });
    const { client } = fakeClient(() => 0.25);
    expect(await sliBuckets(client, raw, 0, HOUR, HOUR)).toEqual([{ startMs: 0, errors: 0.25, total: 1 }]);
    const events = sloOf({ kind: 'ratio', errors: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' });
    const empty = fakeClient((expr) => (expr.includes('rate(e[') ? 0 : undefined));
    expect(await sliBuckets(empty.client, events, 0, 2 * HOUR, HOUR)).toEqual([]);
  });

  it('reads a latency SLI whose threshold is not a bucket bound as no data, not as no slow requests', async () => {
    // No le="0.3" bucket: the errors query is empty while the count answers. The rules read that as
    // no data (SLOSLINoData); counted as 0 errors, the review said 100% attained and "tighten".
    const slo = sloOf({ kind: 'latency', metric: 'http_request_duration_seconds', threshold: 0.3 });
    const { client } = fakeClient((expr) => (expr.includes('_bucket') ? undefined : 100));
    const hours = await sliBuckets(client, slo, 0, 2 * HOUR, HOUR);
    expect(hours).toEqual([]);
    expect(summarizePeriod(hours, { startMs: 0, endMs: 2 * HOUR }, slo.errorBudget)).toMatchObject({ status: 'no data', attainment: undefined });
  });
});
