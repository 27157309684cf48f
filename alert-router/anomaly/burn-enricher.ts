import type { CatalogSlo } from '../../src/slo/catalog.js';
import { decideOnAnomaly, type AnomalyDecision, type AnomalyPolicy } from './anomaly-policy.js';
import { scoreBurn, type BurnAnomaly, type BurnAnomalyOptions } from './burn-anomaly.js';
import { PrometheusUnavailableError, type PrometheusFailureKind, type PrometheusRangeClient } from './prometheus-range-client.js';

const WEEK_MS = 7 * 86_400_000;
/** 7 days and 1 hour at 5 minutes: 2,029 points a series, well under Prometheus's 11,000. */
const STEP_SECONDS = 300;

export interface BurnAssessment {
  /** Undefined when Prometheus did not answer in time or there was too little history. */
  anomaly: BurnAnomaly | undefined;
  decision: AnomalyDecision;
  /**
   * Why there is no score, when there is none: Prometheus did not answer, the SLI has no samples in
   * the last minutes (its recording is absent or stale), or too few earlier days hold data.
   */
  missing?: 'prometheus-unavailable' | 'no-recent-data' | 'no-history';
  /** With `missing: 'prometheus-unavailable'`: how the query failed (a metric label). */
  failure?: PrometheusFailureKind;
}

export interface BurnEnricherOptions {
  client: PrometheusRangeClient;
  scoring: BurnAnomalyOptions;
  policy: AnomalyPolicy;
  now: () => number;
}

/**
 * Scores an SLO incident's current burn against the SLO's last 7 days (one range query of its 5m
 * error-ratio recording) and says what the policy makes of it. Never throws: a slow or dead
 * Prometheus gives an assessment without a score, so the notification goes out anyway.
 *
 * @throws RangeError at creation when `scoring.timeZone` is not an IANA time zone (a config
 * mistake, reported at start rather than on every incident).
 */
export function createBurnEnricher(options: BurnEnricherOptions) {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: options.scoring.timeZone });
  } catch (cause) {
    throw new RangeError(`anomaly time zone ${JSON.stringify(options.scoring.timeZone)} is not an IANA time zone (e.g. UTC, Europe/Berlin)`, { cause });
  }
  return async function assess(slo: CatalogSlo, severity: 'page' | 'ticket'): Promise<BurnAssessment> {
    const now = options.now();
    let points;
    try {
      points = await options.client.queryRange(slo.errorRatioQuery, now - WEEK_MS - 3600_000, now, STEP_SECONDS);
    } catch (err) {
      return {
        anomaly: undefined,
        decision: { action: 'none', reason: `no anomaly score: ${(err as Error).message}` },
        missing: 'prometheus-unavailable',
        failure: err instanceof PrometheusUnavailableError ? err.kind : 'bad-response',
      };
    }
    const recentFrom = now - options.scoring.currentMinutes * 60_000;
    if (!points.some((p) => Number.isFinite(p.v) && p.t > recentFrom && p.t <= now)) {
      return {
        anomaly: undefined,
        decision: { action: 'none', reason: `no SLI samples in the last ${options.scoring.currentMinutes} minutes (${slo.errorRatioQuery} is absent or stale)` },
        missing: 'no-recent-data',
      };
    }
    const anomaly = scoreBurn(points, now, options.scoring);
    return {
      anomaly,
      decision: decideOnAnomaly(severity, anomaly, options.policy),
      ...(anomaly ? {} : { missing: 'no-history' as const }),
    };
  };
}
