import { AT_RISK_SPENT, MIN_COVERAGE, type Bucket, type DataGap, type DayStat, type PeriodSummary, type SloStatus, type Verdict } from './review-model.js';
import { DAY_MS, HOUR_MS, formatDate, type ReviewPeriod } from './review-period.js';

/** Hourly buckets that start inside the period. */
function inPeriod(hours: readonly Bucket[], p: ReviewPeriod): Bucket[] {
  return hours.filter((h) => h.startMs >= p.startMs && h.startMs < p.endMs);
}

/**
 * Hours of the period without data that start before `heldFromMs`: Prometheus's retention has
 * dropped them, they are not gaps. `-Infinity` when where retention begins is unknown.
 */
function hoursBeforeRetention(inside: readonly Bucket[], p: ReviewPeriod, heldFromMs: number): number {
  const held = Math.min(p.endMs, Math.max(p.startMs, heldFromMs));
  const before = Math.round((held - p.startMs) / HOUR_MS);
  return before - inside.filter((h) => h.startMs < held).length;
}

/**
 * The period's SLI, event-weighted: 1 − Σerrors ÷ Σtotal over its hours (never a mean of ratios), and
 * the share of its error budget spent, errors ÷ (budget × total). Zero events is no outage: attainment 1.
 * Hours without data before `heldFromMs`, where Prometheus's retention begins, count as before retention.
 */
export function summarizePeriod(hours: readonly Bucket[], p: ReviewPeriod, errorBudget: number, heldFromMs = -Infinity): PeriodSummary {
  const inside = inPeriod(hours, p);
  const beforeRetention = hoursBeforeRetention(inside, p, heldFromMs);
  let errors = 0;
  let total = 0;
  for (const h of inside) {
    errors += h.errors;
    total += h.total;
  }
  const hoursCount = Math.round((p.endMs - p.startMs) / HOUR_MS);
  if (inside.length === 0) {
    return { period: p, errors, total, attainment: undefined, budgetSpent: undefined, budgetLeft: undefined, status: 'no data', hoursWithData: 0, hours: hoursCount, hoursBeforeRetention: beforeRetention };
  }
  const ratio = total > 0 ? errors / total : 0;
  const budgetSpent = ratio / errorBudget;
  return {
    period: p,
    errors,
    total,
    attainment: 1 - ratio,
    budgetSpent,
    budgetLeft: 1 - budgetSpent,
    status: statusOf(budgetSpent),
    hoursWithData: inside.length,
    hours: hoursCount,
    hoursBeforeRetention: beforeRetention,
  };
}

/** Whether the period has SLI data for at least {@link MIN_COVERAGE} of its hours. */
export function wellCovered(s: PeriodSummary): boolean {
  return s.status !== 'no data' && s.hoursWithData >= MIN_COVERAGE * s.hours;
}

/**
 * The period's status when it is {@link wellCovered}, else `too little held` (no verdict): the rule
 * the comparison with the previous period and the three-period history judge by, for any period.
 */
export function verdictOf(s: PeriodSummary): Verdict {
  return s.status === 'no data' || wellCovered(s) ? s.status : 'too little held';
}

/** met / at risk / missed from the share of the budget spent. */
export function statusOf(budgetSpent: number | undefined): SloStatus {
  if (budgetSpent === undefined) return 'no data';
  if (budgetSpent > 1) return 'missed';
  return budgetSpent > AT_RISK_SPENT ? 'at risk' : 'met';
}

/**
 * Per UTC day of the period: events, error ratio, budget spent that day and left at its end. A day
 * without data that ends by `heldFromMs`, where Prometheus's retention begins, is before retention.
 */
export function dailyStats(hours: readonly Bucket[], p: ReviewPeriod, errorBudget: number, heldFromMs = -Infinity): DayStat[] {
  const inside = inPeriod(hours, p);
  const periodTotal = inside.reduce((n, h) => n + h.total, 0);
  const budgetEvents = errorBudget * periodTotal;
  const days: DayStat[] = [];
  let spentSoFar = 0;
  for (let start = p.startMs; start < p.endMs; start += DAY_MS) {
    const dayHours = inside.filter((h) => h.startMs >= start && h.startMs < start + DAY_MS);
    const errors = dayHours.reduce((n, h) => n + h.errors, 0);
    const total = dayHours.reduce((n, h) => n + h.total, 0);
    const budgetSpent = budgetEvents > 0 ? errors / budgetEvents : 0;
    spentSoFar += budgetSpent;
    days.push({
      date: formatDate(start),
      startMs: start,
      errors,
      total,
      errorRatio: dayHours.length === 0 ? undefined : total > 0 ? errors / total : 0,
      beforeRetention: dayHours.length === 0 && start + DAY_MS <= heldFromMs,
      budgetSpent,
      budgetLeftAfter: 1 - spentSoFar,
    });
  }
  return days;
}

/** The days that spent the most budget, most first (ties by date), only days that spent any. */
export function worstDays(days: readonly DayStat[], count = 3): DayStat[] {
  return [...days]
    .filter((d) => d.budgetSpent > 0)
    .sort((a, b) => b.budgetSpent - a.budgetSpent || a.startMs - b.startMs)
    .slice(0, count);
}

/**
 * Runs of hours in the period with no SLI data at all, from `heldFromMs` on: an hour before it that
 * has no data is gone with Prometheus's retention, which no scrape fix brings back.
 */
export function dataGaps(hours: readonly Bucket[], p: ReviewPeriod, heldFromMs = -Infinity): DataGap[] {
  const have = new Set(inPeriod(hours, p).map((h) => h.startMs));
  const gaps: DataGap[] = [];
  for (let t = Math.max(p.startMs, heldFromMs); t < p.endMs; t += HOUR_MS) {
    if (have.has(t)) continue;
    const last = gaps[gaps.length - 1];
    if (last && last.endMs === t) last.endMs = t + HOUR_MS;
    else gaps.push({ startMs: t, endMs: t + HOUR_MS });
  }
  return gaps;
}
