import type { BurnTier, Slo } from '../slo/index.js';

type Severity = BurnTier['severity'];

const SEVERITIES: readonly Severity[] = ['page', 'ticket'];

/**
 * The SLO's burn-rate tiers whose severity has an alert. A tier of a disabled severity
 * (`alerting.page.disable`, `alerting.ticket.disable`) gets no alerting rule, so the dashboards
 * neither list it nor draw its threshold: a red line nothing fires at would mislead.
 */
export function enabledTiers(slo: Slo): BurnTier[] {
  return slo.tiers.filter((t) => !slo[t.severity].disable);
}

/** The severities whose alert the SLO turns off, page first. */
export function disabledSeverities(slo: Slo): Severity[] {
  return SEVERITIES.filter((s) => slo[s].disable);
}

/** "page alerts disabled", "page and ticket alerts disabled", or undefined when both alert. */
export function disabledAlertsNote(slo: Slo): string | undefined {
  const off = disabledSeverities(slo);
  return off.length === 0 ? undefined : `${off.join(' and ')} alerts disabled`;
}
