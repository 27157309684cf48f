import { PeerQueryError, PeerUnreachableError } from './review-errors.js';

/** One series of a range query: labels and `[unix seconds, value]` pairs. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

/** One sample of an instant query. */
export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

/** The calls of Prometheus's HTTP API a review needs. Times are epoch milliseconds. */
export interface PrometheusClient {
  readonly url: string;
  /** `query_range` from `startMs` to `endMs` inclusive every `stepMs`; split into chunks under the 11,000-point limit. */
  queryRange(expr: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]>;
  /** An instant query at `atMs` (Prometheus's now when omitted). */
  query(expr: string, atMs?: number): Promise<InstantSample[]>;
  /** The rule groups Prometheus has loaded now (`GET /api/v1/rules`): group names and each rule's labels. */
  ruleGroups(): Promise<LoadedRuleGroup[]>;
  /**
   * The retention in effect (`GET /api/v1/status/runtimeinfo`, `storageRetention`) as Prometheus
   * prints it: `15d`, `1GiB` or `15d or 1GiB`. Unlike the flags, it includes the 15d default.
   */
  storageRetention(): Promise<string>;
}

export interface LoadedRuleGroup {
  name: string;
  rules: { name: string; labels: Record<string, string> }[];
}

export interface PrometheusClientOptions {
  url: string;
  fetch?: typeof fetch;
  /** Per request, in ms. Default 60 000. */
  timeoutMs?: number;
}

/** Prometheus refuses a range query of more than 11,000 points per series. */
const MAX_POINTS = 10_000;

/** A Prometheus HTTP API client: POSTs form-encoded queries, turns network failures into {@link PeerUnreachableError}. */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;

  const call = async (path: string, params: Record<string, string> | undefined, expr: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await doFetch(
        `${base}${path}`,
        params === undefined
          ? { signal: AbortSignal.timeout(timeoutMs) }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(params).toString(),
              signal: AbortSignal.timeout(timeoutMs),
            },
      );
    } catch (cause) {
      throw new PeerUnreachableError('Prometheus', base, { cause });
    }
    const text = await response.text();
    let body: { status?: string; data?: unknown; errorType?: string; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PeerQueryError('Prometheus', base, `HTTP ${response.status}, not a Prometheus API answer: ${text.slice(0, 200)}`, expr);
    }
    if (body.status !== 'success') {
      throw new PeerQueryError('Prometheus', base, `${body.errorType ?? `HTTP ${response.status}`}: ${body.error ?? ''}`, expr);
    }
    return body.data;
  };

  return {
    url: base,
    async queryRange(expr, startMs, endMs, stepMs) {
      const bySeries = new Map<string, RangeSeries>();
      for (let chunkStart = startMs; chunkStart <= endMs; chunkStart += MAX_POINTS * stepMs) {
        const chunkEnd = Math.min(endMs, chunkStart + (MAX_POINTS - 1) * stepMs);
        const data = (await call(
          '/api/v1/query_range',
          { query: expr, start: seconds(chunkStart), end: seconds(chunkEnd), step: seconds(stepMs) },
          expr,
        )) as { result: { metric: Record<string, string>; values: [number, string][] }[] };
        for (const s of data.result) {
          const key = JSON.stringify(Object.entries(s.metric).sort());
          const series = bySeries.get(key) ?? { metric: s.metric, values: [] };
          for (const [t, v] of s.values) series.values.push([t, Number(v)]);
          bySeries.set(key, series);
        }
      }
      return [...bySeries.values()];
    },
    async query(expr, atMs) {
      const data = (await call('/api/v1/query', { query: expr, ...(atMs === undefined ? {} : { time: seconds(atMs) }) }, expr)) as {
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      };
      if (data.resultType !== 'vector') return [];
      return data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
    },
    async ruleGroups() {
      const data = (await call('/api/v1/rules', undefined, 'GET /api/v1/rules')) as {
        groups: { name: string; rules: { name: string; labels?: Record<string, string> }[] }[];
      };
      return data.groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ name: r.name, labels: r.labels ?? {} })) }));
    },
    async storageRetention() {
      const data = (await call('/api/v1/status/runtimeinfo', undefined, 'GET /api/v1/status/runtimeinfo')) as { storageRetention?: unknown };
      if (typeof data.storageRetention !== 'string') {
        throw new PeerQueryError('Prometheus', base, 'no storageRetention in the answer', 'GET /api/v1/status/runtimeinfo');
      }
      return data.storageRetention;
    },
  };
}

function seconds(ms: number): string {
  return String(ms / 1000);
}
