import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type { BurnTier } from '../slo/index.js';

/** Grafana's named colours for the three states a user reads at a glance. */
export const COLOR = { ok: 'green', warn: 'orange', bad: 'red', page: 'red', ticket: 'orange', neutral: 'text' } as const;

/** Share of the budget left (a ratio) under which an SLO turns amber. */
export const BUDGET_WARN_RATIO = 0.25;

/** Error budget remaining, as a ratio: red when spent (below 0), amber under a quarter, else green. */
export function budgetThresholds(): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: COLOR.bad },
    { value: 0, color: COLOR.warn },
    { value: BUDGET_WARN_RATIO, color: COLOR.ok },
  ]);
}

/** The SLI as a ratio: red under the objective (given in percent), green at or above it. */
export function sliThresholds(objectivePercent: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: COLOR.bad },
    { value: Number((objectivePercent / 100).toPrecision(12)), color: COLOR.ok },
  ]);
}

/**
 * Burn rate (1 = spending the budget exactly over the window): a step at each alert tier's factor,
 * amber for ticket tiers and red for page tiers, so a time series draws every tier's threshold as a
 * line. With no tiers, amber from 1×.
 */
export function burnRateThresholds(tiers: readonly BurnTier[]): ThresholdsConfigBuilder {
  const byFactor = new Map<number, string>();
  for (const tier of [...tiers].sort((a, b) => a.factor - b.factor)) {
    const factor = Number(tier.factor.toPrecision(12));
    // A page tier wins over a ticket tier at the same factor.
    if (byFactor.get(factor) !== COLOR.page) byFactor.set(factor, tier.severity === 'page' ? COLOR.page : COLOR.ticket);
  }
  if (byFactor.size === 0) byFactor.set(1, COLOR.warn);
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: COLOR.ok },
    ...[...byFactor].map(([value, color]) => ({ value, color })),
  ]);
}
