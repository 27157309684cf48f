/**
 * The router's one read of Prometheus: a range query for an SLO's error-ratio series. Bounded by a
 * short timeout so a slow or dead Prometheus never holds up a notification.
 */
export interface RangePoint {
  /** Unix milliseconds. */
  t: number;
  v: number;
}

/**
 * Why a range query gave nothing to score, as a metric label: `timeout` (no complete answer in time,
 * a hung body included), `unreachable` (refused, reset, DNS), `http` (a non-2xx answer), `query`
 * (Prometheus refused the query: a 4xx `bad_data`, e.g. a broken `errorRatioQuery` in the catalog),
 * `bad-response` (not Prometheus's JSON, e.g. a proxy's HTML page).
 */
export type PrometheusFailureKind = 'timeout' | 'unreachable' | 'http' | 'query' | 'bad-response';

export class PrometheusUnavailableError extends Error {
  readonly kind: PrometheusFailureKind;

  constructor(kind: PrometheusFailureKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrometheusUnavailableError';
    this.kind = kind;
  }
}

export interface PrometheusRangeClientOptions {
  /** Base URL, e.g. http://prometheus:9090. */
  url: string;
  /** Whole-request budget (ms), reading the body included. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface PrometheusRangeClient {
  /**
   * Samples of the series `expr` returns, oldest first; [] when it returns none. Several series (the
   * recording's labels changed during the range, or two replicas behind one query endpoint) are
   * merged, the highest value at each time. NaN and ±Inf samples are left out.
   *
   * @throws PrometheusUnavailableError for every way the query can fail, never anything else.
   */
  queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangePoint[]>;
}

interface RangeResponse {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export function createPrometheusRangeClient(options: PrometheusRangeClientOptions): PrometheusRangeClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const timedOut = (cause: unknown) =>
    new PrometheusUnavailableError('timeout', `Prometheus at ${base} did not answer within ${options.timeoutMs} ms`, { cause });
  return {
    async queryRange(expr, startMs, endMs, stepSeconds) {
      const params = new URLSearchParams({
        query: expr,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepSeconds),
      });
      // One signal for the request and its body: a Prometheus that sends headers and then stalls
      // is cut off at the same deadline, and aborting destroys the socket.
      const signal = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(`${base}/api/v1/query_range`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
          signal,
        });
      } catch (cause) {
        if (isTimeout(cause) || signal.aborted) throw timedOut(cause);
        const code = ((cause as { cause?: { code?: unknown } }).cause?.code as string | undefined) ?? (cause as Error).message;
        throw new PrometheusUnavailableError('unreachable', `could not reach Prometheus at ${base} (${code})`, { cause });
      }
      let text: string;
      try {
        text = await response.text();
      } catch (cause) {
        if (isTimeout(cause) || signal.aborted) throw timedOut(cause);
        throw new PrometheusUnavailableError('unreachable', `Prometheus at ${base} broke off its answer`, { cause });
      }
      let body: RangeResponse;
      try {
        body = JSON.parse(text) as RangeResponse;
      } catch (cause) {
        throw new PrometheusUnavailableError(response.ok ? 'bad-response' : 'http', `Prometheus at ${base} answered ${response.status} without JSON`, { cause });
      }
      if (body === null || typeof body !== 'object' || body.status !== 'success') {
        const error = typeof body?.error === 'string' ? body.error : 'no error message';
        // 400 bad_data / 422 execution: the query itself, which retrying will not fix.
        const kind = response.status === 400 || response.status === 422 ? 'query' : response.ok ? 'bad-response' : 'http';
        throw new PrometheusUnavailableError(kind, `Prometheus at ${base} answered ${response.status}: ${error}`);
      }
      const result = body.data?.result;
      if (body.data?.resultType !== 'matrix' || !Array.isArray(result)) {
        throw new PrometheusUnavailableError('bad-response', `Prometheus at ${base} answered ${response.status} without a matrix result`);
      }
      const byTime = new Map<number, number>();
      for (const series of result as { values?: unknown }[]) {
        if (!Array.isArray(series?.values)) continue;
        for (const sample of series.values as unknown[]) {
          if (!Array.isArray(sample)) continue;
          const t = Number(sample[0]) * 1000;
          const v = Number(sample[1]);
          if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
          const seen = byTime.get(t);
          if (seen === undefined || v > seen) byTime.set(t, v);
        }
      }
      return [...byTime].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
    },
  };
}
