/**
 * The router's one read of Prometheus: a range query for an SLO's error-ratio series. Bounded by a
 * short timeout so a slow or dead Prometheus never holds up a notification.
 */
export interface RangePoint {
  /** Unix milliseconds. */
  t: number;
  v: number;
}

export class PrometheusUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrometheusUnavailableError';
  }
}

export interface PrometheusRangeClientOptions {
  /** Base URL, e.g. http://prometheus:9090. */
  url: string;
  /** Whole-request budget (ms). */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface PrometheusRangeClient {
  /** Samples of the first series `expr` returns, oldest first; [] when it returns none. */
  queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangePoint[]>;
}

interface RangeResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { values: [number, string][] }[] };
}

export function createPrometheusRangeClient(options: PrometheusRangeClientOptions): PrometheusRangeClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  return {
    async queryRange(expr, startMs, endMs, stepSeconds) {
      const params = new URLSearchParams({
        query: expr,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepSeconds),
      });
      let response: Response;
      try {
        response = await doFetch(`${base}/api/v1/query_range`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (cause) {
        throw new PrometheusUnavailableError(`Prometheus at ${base} did not answer within ${options.timeoutMs} ms`, { cause });
      }
      let body: RangeResponse;
      try {
        body = (await response.json()) as RangeResponse;
      } catch (cause) {
        throw new PrometheusUnavailableError(`Prometheus at ${base} answered ${response.status} without JSON`, { cause });
      }
      if (!response.ok || body.status !== 'success' || !body.data) {
        throw new PrometheusUnavailableError(`Prometheus at ${base} answered ${response.status}: ${body.error ?? 'no data'}`);
      }
      const first = body.data.result[0];
      if (!first) return [];
      return first.values.map(([t, v]) => ({ t: t * 1000, v: Number(v) })).filter((p) => Number.isFinite(p.v));
    },
  };
}
