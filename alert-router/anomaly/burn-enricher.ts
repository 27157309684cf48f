import type { CatalogSlo } from '../../src/slo/catalog.js';
import { decideOnAnomaly, type AnomalyDecision, type AnomalyPolicy } from './anomaly-policy.js';
import { scoreBurn, type BurnAnomaly, type BurnAnomalyOptions } from './burn-anomaly.js';
import type { PrometheusRangeClient } from './prometheus-range-client.js';

const WEEK_MS = 7 * 86_400_000;
const STEP_SECONDS = 300;

export interface BurnAssessment {
  /** Undefined when Prometheus did not answer in time or there was too little history. */
  anomaly: BurnAnomaly | undefined;
  decision: AnomalyDecision;
  /** Why there is no score, when there is none: "prometheus-unavailable" or "no-history". */
  missing?: 'prometheus-unavailable' | 'no-history';
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
 */
export function createBurnEnricher(options: BurnEnricherOptions) {
  return async function assess(slo: CatalogSlo, severity: 'page' | 'ticket'): Promise<BurnAssessment> {
    const now = options.now();
    try {
      const points = await options.client.queryRange(slo.errorRatioQuery, now - WEEK_MS - 3600_000, now, STEP_SECONDS);
      const anomaly = scoreBurn(points, now, options.scoring);
      return {
        anomaly,
        decision: decideOnAnomaly(severity, anomaly, options.policy),
        ...(anomaly ? {} : { missing: 'no-history' as const }),
      };
    } catch (err) {
      return {
        anomaly: undefined,
        decision: { action: 'none', reason: `no anomaly score: ${(err as Error).message}` },
        missing: 'prometheus-unavailable',
      };
    }
  };
}
