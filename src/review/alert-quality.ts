import type { AlertQuality, Bucket, IncidentReview, UnpagedBurn } from './review-model.js';
import { DAY_MS, HOUR_MS, type ReviewPeriod } from './review-period.js';

/** A page that spent less than this share of the budget was noise. */
export const NOISE_BUDGET = 0.01;
/**
 * The slow page tier: this share of a {@link PAGE_WORTHY_WINDOW_MS} budget spent within
 * {@link PAGE_WINDOW_HOURS} deserves a page (burn rate 6).
 */
export const PAGE_WORTHY_BUDGET = 0.05;
export const PAGE_WINDOW_HOURS = 6;
/** The window the workbook's tiers are stated for. */
export const PAGE_WORTHY_WINDOW_MS = 30 * DAY_MS;

/**
 * Noise: pages whose incident, opened in the period and resolved, spent under 1% of the budget from
 * its burn's start to its resolve, before or after the period's end (an incident opened before the
 * period is its page's noise or not in that period's review; one still open has not said, nor has one
 * whose burn began before Prometheus's retention). Missed: every 6-hour stretch whose
 * errors reach 5% of a 30-day budget at the period's average traffic (burn rate 6 over 6 h, the SRE
 * workbook's slower page tier, whatever the period's length) while no paged incident was open,
 * merged into episodes and trimmed to the hours burning faster than the budget allows (error ratio
 * over `errorBudget`). `budgetEvents` is the period's budget in events; the budget each burn spent
 * is a share of the period's budget.
 */
export function alertQuality(
  incidents: readonly IncidentReview[],
  hours: readonly Bucket[],
  budgetEvents: number,
  errorBudget: number,
  period: ReviewPeriod,
): AlertQuality {
  // Judged on its budget inside the period, a page for a burn mostly before the period's start (or
  // after its end) looked like noise and asked for less sensitive pages.
  const noisePages = incidents.filter(
    (i) => i.paged && i.openedAtMs >= period.startMs && i.wholeBudgetSpent !== undefined && i.wholeBudgetSpent < NOISE_BUDGET,
  );
  const pages = incidents.filter((i) => i.paged);
  const sorted = [...hours].sort((a, b) => a.startMs - b.startMs);
  const burns: UnpagedBurn[] = [];
  const pageWorthyErrors = (PAGE_WORTHY_BUDGET * budgetEvents * PAGE_WORTHY_WINDOW_MS) / (period.endMs - period.startMs);
  if (budgetEvents > 0) {
    for (let i = 0; i < sorted.length; i++) {
      const startMs = sorted[i]!.startMs;
      const endMs = startMs + PAGE_WINDOW_HOURS * HOUR_MS;
      const inWindow = sorted.slice(i).filter((h) => h.startMs < endMs);
      if (inWindow.reduce((n, h) => n + h.errors, 0) < pageWorthyErrors) continue;
      const pagedDuring = pages.some((p) => p.openedAtMs < endMs && (p.resolvedAtMs ?? Infinity) > startMs);
      if (pagedDuring) continue;
      const last = burns[burns.length - 1];
      if (last && last.endMs >= startMs) last.endMs = Math.max(last.endMs, endMs);
      else burns.push({ startMs, endMs, budgetSpent: 0 });
    }
    for (const burn of burns) {
      // Trim to the hours that burned faster than the budget allows (burn rate over 1), each counted once.
      const spending = sorted.filter(
        (h) => h.startMs >= burn.startMs && h.startMs < burn.endMs && h.total > 0 && h.errors / h.total > errorBudget,
      );
      burn.startMs = spending[0]?.startMs ?? burn.startMs;
      burn.endMs = (spending[spending.length - 1]?.startMs ?? burn.endMs - HOUR_MS) + HOUR_MS;
      burn.budgetSpent = spending.reduce((n, h) => n + h.errors, 0) / budgetEvents;
    }
  }
  return { noisePages, unpagedBurns: burns };
}
