import type { AlertQuality, DataGap, PeriodSummary, Recommendation, SloInfo } from './review-model.js';
import { HOUR_MS } from './review-period.js';
import { wellCovered } from './summarize.js';

/** A met SLO that spent less than this share of its budget in every one of three periods can be tightened. */
export const TIGHTEN_BELOW_SPENT = 0.5;
export const TIGHTEN_PERIODS = 3;
/** Missed in at least this many of the last three periods: "missed repeatedly". */
export const MISSED_REPEATEDLY = 2;

const pct = (r: number) => `${Number((r * 100).toFixed(1))}%`;

/**
 * Recommendations with their reason, most pressing first. `history` is the current period first,
 * then the earlier ones. A period without data, or with data for under 90% of its hours
 * ({@link wellCovered}), is unknown: it counts neither as met nor as missed.
 */
export function recommend(input: {
  slo: SloInfo;
  history: readonly PeriodSummary[];
  gaps: readonly DataGap[];
  alertQuality: AlertQuality | undefined;
  rulesLoaded: boolean;
  /** ` since <time>` when the burns with no page could only be looked for from then on (format.ts, `unpagedSince`). */
  unpagedSince?: string;
}): Recommendation[] {
  const out: Recommendation[] = [];
  const { slo, history } = input;
  const recent = history.slice(0, TIGHTEN_PERIODS);
  const known = recent.filter(wellCovered);
  const missed = known.filter((p) => p.status === 'missed');
  if (missed.length >= MISSED_REPEATEDLY) {
    out.push({
      kind: 'improve-or-loosen',
      action: `Invest in reliability, or loosen the ${slo.objective}% objective to what users actually need`,
      reason: `missed in ${missed.length} of the last ${recent.length} periods (budget spent: ${recent
        .map((p) => (p.budgetSpent === undefined ? 'no data' : wellCovered(p) ? pct(p.budgetSpent) : `${pct(p.budgetSpent)} on partial data`))
        .join(', ')})`,
    });
  }
  if (!input.rulesLoaded) {
    out.push({
      kind: 'rules-not-loaded',
      action: 'Load the generated rules (rules/<service>.yml) into Prometheus',
      reason: `Prometheus has no rules for ${slo.id}: its burn-rate alerts cannot fire`,
    });
  }
  const quality = input.alertQuality;
  if (quality && quality.unpagedBurns.length > 0) {
    const spent = quality.unpagedBurns.reduce((n, b) => n + b.budgetSpent, 0);
    out.push({
      kind: 'missed-pages',
      action: slo.pagesDisabled
        ? 'Turn this SLO\'s page alerts on (alerting.page.disable is set): budget burned fast enough to page and nobody was paged'
        : 'Check the page tiers and routing: budget burned fast enough to page and nobody was paged',
      reason: `${quality.unpagedBurns.length} burn(s)${input.unpagedSince ?? ''} spent ${pct(spent)} of the budget with no page`,
    });
  }
  if (quality && quality.noisePages.length > 0) {
    out.push({
      kind: 'noisy-pages',
      action: 'Make the paging tiers less sensitive (longer short window or higher burn factor), or send these as tickets',
      reason: `${quality.noisePages.length} page(s) spent under 1% of the budget each`,
    });
  }
  // The gaps are the held part's only: hours before Prometheus's retention are gone, and no scrape fix brings them back.
  const missingHours = input.gaps.reduce((n, g) => n + (g.endMs - g.startMs) / HOUR_MS, 0);
  if (missingHours > 0) {
    const longest = Math.max(...input.gaps.map((g) => (g.endMs - g.startMs) / HOUR_MS));
    const gone = history[0]?.hoursBeforeRetention ?? 0;
    out.push({
      kind: 'data-gaps',
      action: 'Fix the SLI\'s data: scrape failures or a missing exporter hide both good and bad events',
      reason:
        `${missingHours} hour(s) without SLI data in ${input.gaps.length} gap(s), the longest ${longest} h` +
        (gone > 0 ? ` (not counting the ${gone} h before Prometheus's retention)` : ''),
    });
  }
  if (known.length >= TIGHTEN_PERIODS && known.every((p) => p.status === 'met' && (p.budgetSpent ?? 1) < TIGHTEN_BELOW_SPENT)) {
    const worst = Math.min(...recent.map((p) => p.attainment ?? 1));
    out.push({
      kind: 'tighten',
      action: `Candidate to tighten the ${slo.objective}% objective (the lowest attainment was ${Number((worst * 100).toFixed(3))}%)`,
      reason: `met with most of the budget unspent in each of the last ${recent.length} periods (spent: ${recent
        .map((p) => pct(p.budgetSpent ?? 0))
        .join(', ')})`,
    });
  }
  return out;
}
