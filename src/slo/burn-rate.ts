import { DAY, HOUR, MINUTE, formatDuration, parseDuration } from './duration.js';
import type { BurnTier, BurnTierInput } from './types.js';

/**
 * The Google SRE workbook's multiwindow, multi-burn-rate tiers for a 30-day SLO
 * (The Site Reliability Workbook, ch. 5, table 5-8).
 */
export const WORKBOOK_TIERS: readonly BurnTierInput[] = [
  { severity: 'page', budgetPercent: 2, long: '1h', short: '5m' },
  { severity: 'page', budgetPercent: 5, long: '6h', short: '30m' },
  { severity: 'ticket', budgetPercent: 10, long: '1d', short: '2h' },
  { severity: 'ticket', budgetPercent: 10, long: '3d', short: '6h' },
];

const WORKBOOK_WINDOW_MS = 30 * DAY;

/** Windows an alert can use: round figures a person reads at a glance. */
const NICE_WINDOWS_MS = [
  5, 10, 15, 30, 60, 2 * 60, 3 * 60, 6 * 60, 12 * 60, 24 * 60, 2 * 1440, 3 * 1440, 4 * 1440, 7 * 1440, 10 * 1440,
  14 * 1440,
].map((m) => m * MINUTE);

/** The shortest window any rule uses: the 5m base recording every other window is built from. */
export const MIN_WINDOW_MS = 5 * MINUTE;
const MIN_LONG_WINDOW_MS = 15 * MINUTE;

/** The nice window closest to `ms` on a log scale (so 1.4h goes to 1h, 18h to 1d). */
function nearestNiceWindow(ms: number): number {
  let best = NICE_WINDOWS_MS[0] ?? ms;
  for (const candidate of NICE_WINDOWS_MS) {
    if (Math.abs(Math.log(candidate / ms)) < Math.abs(Math.log(best / ms))) best = candidate;
  }
  return best;
}

/**
 * Burn-rate factor: how many times faster than sustainable the budget burns when `budgetPercent`
 * of the whole window's budget is spent within `longMs`. 2% of 30d in 1h gives 14.4.
 */
export function burnFactor(budgetPercent: number, sloWindowMs: number, longMs: number): number {
  // Computed in integers of minutes where possible so 0.02 × 720h / 1h is exactly 14.4.
  return roundFactor((budgetPercent * (sloWindowMs / MINUTE)) / (100 * (longMs / MINUTE)));
}

/** Rounds away binary noise (14.399999999999999 → 14.4) without touching meaningful digits. */
function roundFactor(x: number): number {
  return Number(x.toPrecision(12));
}

/**
 * The default tiers for an SLO window: the workbook's, with windows scaled by window ÷ 30d and
 * snapped to round figures, so a 28d SLO keeps 1h/6h/1d/3d and a 7d SLO gets 15m/1h/6h/12h.
 * Short windows are a twelfth of the long one (the workbook's ratio), never under 5m.
 *
 * A long window that would snap below 15m is raised to 15m. Keeping its budget share there would
 * lower its factor below the next tier's (a 1d SLO got page 15m ×1.92 under ticket 1h ×2.4), so a
 * raised tier keeps the workbook's burn rate instead (14.4, 6, ...) and spends the budget share that
 * rate implies over 15m. Two tiers of one severity left on the same windows are one alert: the lower
 * factor is kept, since it fires whenever the higher would.
 */
export function defaultTiers(sloWindowMs: number): BurnTier[] {
  const scale = sloWindowMs / WORKBOOK_WINDOW_MS;
  const tiers = WORKBOOK_TIERS.map((tier) => {
    const workbookLongMs = parseDuration(tier.long) ?? HOUR;
    const snapped = nearestNiceWindow(workbookLongMs * scale);
    const longMs = Math.max(MIN_LONG_WINDOW_MS, snapped);
    const shortMs = Math.max(MIN_WINDOW_MS, nearestNiceWindow(longMs / 12));
    const windows = { long: formatDuration(longMs), short: formatDuration(shortMs) };
    if (snapped >= MIN_LONG_WINDOW_MS) return resolveTier({ ...tier, ...windows }, sloWindowMs);
    const factor = burnFactor(tier.budgetPercent, WORKBOOK_WINDOW_MS, workbookLongMs);
    const budgetPercent = roundFactor((factor * 100 * longMs) / sloWindowMs);
    return { ...resolveTier({ ...tier, ...windows, budgetPercent }, sloWindowMs), factor };
  });
  return tiers.filter(
    (tier) => !tiers.some((other) => other !== tier && other.severity === tier.severity && other.longMs === tier.longMs && other.shortMs === tier.shortMs && other.factor < tier.factor),
  );
}

/** Fills in a tier's window lengths and its exact burn-rate factor. Windows must already be valid. */
export function resolveTier(tier: BurnTierInput, sloWindowMs: number): BurnTier {
  const longMs = parseDuration(tier.long) ?? NaN;
  const shortMs = parseDuration(tier.short) ?? NaN;
  return {
    severity: tier.severity,
    budgetPercent: tier.budgetPercent,
    long: formatDuration(longMs),
    longMs,
    short: formatDuration(shortMs),
    shortMs,
    factor: burnFactor(tier.budgetPercent, sloWindowMs, longMs),
  };
}

/** Workbook detection time: how long a constant burn of `burnRate` takes to trip a tier. */
export function detectionTimeMs(tier: BurnTier, burnRate: number): number {
  return (tier.longMs * tier.factor) / burnRate;
}
