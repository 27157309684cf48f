/**
 * Number and time formatting shared by the Markdown and HTML reports: fixed decimals and en-US
 * digit grouping, so output depends only on the numbers.
 */
import { MIN_COVERAGE, type AlertQuality, type IncidentReview, type PeriodSummary, type RetentionStart, type RouterRetentionStart, type SloInfo, type SloReview, type Verdict } from './review-model.js';
import { HOUR_MS, type ReviewPeriod } from './review-period.js';
import { verdictOf, wellCovered } from './summarize.js';

/** A ratio as percent with `digits` decimals: `0.99912` → `99.912%`. */
export function percent(ratio: number | undefined, digits = 1): string {
  if (ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(digits)}%`.replace(/^-/, '−');
}

/** A change of a ratio in percentage points, signed: `+0.012 pp`. */
export function pointsChange(now: number | undefined, before: number | undefined, digits = 3): string {
  if (now === undefined || before === undefined) return '—';
  const d = (now - before) * 100;
  const text = Math.abs(d).toFixed(digits);
  if (Number(text) === 0) return `±${text} pp`;
  return `${d > 0 ? '+' : '−'}${text} pp`;
}

export function integer(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A duration for people: `3 d 4 h`, `2 h 5 min`, `43 min`, `20 s`. */
export function duration(ms: number): string {
  const negative = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = d > 0 ? [`${d} d`, h > 0 ? `${h} h` : ''] : h > 0 ? [`${h} h`, m > 0 ? `${m} min` : ''] : m > 0 ? [`${m} min`] : [`${s} s`];
  return `${negative ? '−' : ''}${parts.filter((p) => p !== '').join(' ')}`;
}

/** `2026-10-31 14:05 UTC`. */
export function dateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The budget spent in its natural unit: events for event SLIs (`1,234 of 5,000 errors`) and time of
 * full outage for time-weighted ones (`12 min of 43 min`).
 */
export function budgetAmount(s: PeriodSummary, slo: SloInfo): string {
  if (s.budgetSpent === undefined) return '—';
  if (slo.weighting === 'events') {
    return `${integer(s.errors)} of ${integer(slo.errorBudget * s.total)} allowed bad events`;
  }
  const len = heldMs(s);
  return `${duration(s.budgetSpent * slo.errorBudget * len)} of ${duration(slo.errorBudget * len)} allowed downtime`;
}

/** The budget as outage time whatever the weighting: errors ÷ total × the part of the period Prometheus holds. */
export function budgetTime(s: PeriodSummary, slo: SloInfo): string {
  if (s.budgetSpent === undefined) return '—';
  const len = heldMs(s);
  return `${duration(s.budgetSpent * slo.errorBudget * len)} of ${duration(slo.errorBudget * len)}`;
}

/** A period's attainment, or "no data" (never a 100% or 0% made up for a period Prometheus has nothing of). */
export function attained(s: PeriodSummary): string {
  return s.status === 'no data' ? 'no data' : percent(s.attainment, 3);
}

/** The part of the period Prometheus's retention still holds, in ms: all of it unless retention began inside it. */
function heldMs(s: PeriodSummary): number {
  return (s.hours - s.hoursBeforeRetention) * HOUR_MS;
}

/** What a period's numbers cover when retention began inside it: ` (over 15 d of 30 d)`, else nothing. */
export function heldPart(s: PeriodSummary): string {
  if (s.status === 'no data' || s.hoursBeforeRetention === 0) return '';
  return ` (over ${duration(heldMs(s))} of ${duration(s.hours * HOUR_MS)})`;
}

/**
 * A previous period's `value` as the comparison with it shows it. It is compared only with SLI data
 * for at least 90% of its hours ({@link wellCovered}, the rule the three-period history judges by);
 * under that it is partial, `99.950% (over 3 d of 30 d), too little to compare`
 * (`(partial data)` when gaps, not retention, took the hours), and when Prometheus holds none of it,
 * it says so instead of "no data".
 */
export function previousValue(p: PeriodSummary, value: string): string {
  if (p.status === 'no data') return p.hoursBeforeRetention === p.hours ? "none held: before Prometheus's retention" : 'no data';
  if (wellCovered(p)) return value + heldPart(p);
  return `${value}${p.hoursBeforeRetention > 0 ? heldPart(p) : ' (partial data)'}, too little to compare`;
}

/** The change from the previous period `p` to now, none when `p` is too little to compare ({@link previousValue}). */
function changeFrom(p: PeriodSummary, now: number | undefined, before: number | undefined, digits?: number): string {
  return wellCovered(p) ? pointsChange(now, before, digits) : '—';
}

/**
 * How much of the period has SLI data: `30 d of 30 d`, `2 d 4 h of 30 d`, or "no data"; the hours
 * before Prometheus's retention are named apart: `15 d of 30 d (partial: 15 d before retention)`.
 */
export function coverage(s: PeriodSummary): string {
  const gone = s.hoursBeforeRetention > 0 ? `${duration(s.hoursBeforeRetention * HOUR_MS)} before retention` : '';
  if (s.status === 'no data') return gone === '' ? 'no data' : `no data (${gone})`;
  const partial = wellCovered(s) ? '' : gone === '' ? ' (partial)' : ` (partial: ${gone})`;
  return `${duration(s.hoursWithData * HOUR_MS)} of ${duration(s.hours * HOUR_MS)}${partial}`;
}

/**
 * What Prometheus no longer holds of this period, for an SLO's section; undefined when it holds all
 * of it (or its retention is unknown).
 */
export function retentionNote(s: PeriodSummary, retention: RetentionStart | undefined): string | undefined {
  if (retention === undefined || s.hoursBeforeRetention === 0) return undefined;
  const before = `before Prometheus's retention (${retention.time}, since ${dateTime(retention.heldFromMs)})`;
  if (s.status === 'no data') return `Prometheus no longer holds any of this period: all of it is ${before}, so there is no data.`;
  return (
    `Prometheus no longer holds ${duration(s.hoursBeforeRetention * HOUR_MS)} of this period: it is ${before}, not a gap in the SLI's data. ` +
    `Attainment and budget cover the ${duration(heldMs(s))} it holds.`
  );
}

/** An incident's duration; one still open at the period's end says so (the duration is a lower bound). */
export function incidentDuration(i: IncidentReview): string {
  return i.openAtPeriodEnd ? `${duration(i.durationMs)}, open at the period's end` : duration(i.durationMs);
}

/**
 * The budget an incident spent in the period; one whose burn began before Prometheus's retention
 * says it counts only the held part (`12.0% since 2026-11-16 13:00 UTC`), or that none of it is held.
 */
export function incidentBudget(i: IncidentReview): string {
  if (i.sliHeldFromMs === undefined) return percent(i.budgetSpent);
  if (i.resolvedAtMs !== undefined && i.resolvedAtMs <= i.sliHeldFromMs) return 'unknown: before retention';
  return `${percent(i.budgetSpent)} since ${dateTime(i.sliHeldFromMs)}`;
}

/** An incident's time to detect, unknown (not "—", which says it was not burning) when its burn began before retention. */
export function timeToDetect(i: IncidentReview): string {
  if (i.sliHeldFromMs !== undefined) return 'unknown: before retention';
  return i.timeToDetectMs === undefined ? '—' : duration(i.timeToDetectMs);
}

/**
 * What the incidents section cannot know when the period begins before Prometheus's retention:
 * the alert-router keeps its incidents, but what they cost and how fast they were caught is read
 * from the SLI, and so are the burns that paged nobody (no incident of the router's shows them).
 * Undefined when Prometheus holds the whole period (or its retention is unknown).
 */
export function incidentsRetentionNote(period: ReviewPeriod, retention: RetentionStart | undefined): string | undefined {
  if (retention === undefined || retention.heldFromMs <= period.startMs) return undefined;
  return (
    `Prometheus holds the SLI from ${dateTime(retention.heldFromMs)} on: burns that paged nobody before then are not known, ` +
    "and an alert-router incident before then has no known budget spent or time to detect, nor is its page judged as noise."
  );
}

/**
 * What the incidents section cannot know when the alert-router's retention begins inside the period:
 * the incidents it deleted, and so whether a burn before then paged anyone. Undefined when it holds
 * the whole period (or did not say, or holds all it received).
 */
export function routerRetentionNote(period: ReviewPeriod, router: RouterRetentionStart | undefined): string | undefined {
  if (router === undefined || router.heldFromMs <= period.startMs) return undefined;
  return (
    `The alert-router holds the incidents resolved from ${dateTime(router.heldFromMs)} on (store.retention ${router.store}): ` +
    "those resolved before then may be deleted, or older than the router's store, and missing here, so burns that paged nobody before then are not known."
  );
}

/**
 * ` since <time>` when Prometheus's retention, or the alert-router's, begins inside the period (the
 * later of the two; the router's named): burns with no page before then cannot be found. Else empty.
 */
export function unpagedSince(period: ReviewPeriod, retention: RetentionStart | undefined, router: RouterRetentionStart | undefined): string {
  const prometheusFromMs = retention?.heldFromMs ?? -Infinity;
  if (router !== undefined && router.heldFromMs > Math.max(period.startMs, prometheusFromMs)) {
    return ` since ${dateTime(router.heldFromMs)}, where the alert-router's incidents begin (store.retention ${router.store})`;
  }
  return prometheusFromMs > period.startMs ? ` since ${dateTime(prometheusFromMs)}` : '';
}

/**
 * The alert-quality line's counts; the burns with no page are counted from where Prometheus's
 * retention, or the alert-router's, begins when that is inside the period: before it they cannot be
 * found, not none.
 */
export function alertQualityCounts(q: AlertQuality, period: ReviewPeriod, retention: RetentionStart | undefined, router: RouterRetentionStart | undefined): string {
  const since = unpagedSince(period, retention, router);
  return `${q.noisePages.length} noisy page(s) (under 1% of the budget), ${q.unpagedBurns.length} burn(s) with no page${since}.`;
}

export const statusText: Record<Verdict, string> = {
  met: 'met',
  'at risk': 'at risk',
  missed: 'missed',
  'no data': 'no data',
  'too little held': 'too little held to judge',
};

/**
 * Why a period with data has no verdict ({@link verdictOf}): `SLI data for 7% of the period's hours;
 * Prometheus holds data from 2026-11-16 13:00 UTC` (the second part when retention took hours of it).
 * Undefined when it has one, or no data at all. The share is rounded down: never "90%" for too little.
 */
function noVerdictReason(s: PeriodSummary, retention: RetentionStart | undefined): string | undefined {
  if (verdictOf(s) !== 'too little held') return undefined;
  const share = Math.floor((s.hoursWithData / s.hours) * 100);
  const held = retention !== undefined && s.hoursBeforeRetention > 0 ? `; Prometheus holds data from ${dateTime(retention.heldFromMs)}` : '';
  return `SLI data for ${share}% of the period's hours${held}`;
}

/**
 * Why an SLO's section has no met or missed verdict, for the top of the section; undefined when it
 * has one (or no data, which its heading says).
 */
export function verdictNote(s: PeriodSummary, retention: RetentionStart | undefined): string | undefined {
  const reason = noVerdictReason(s, retention);
  if (reason === undefined) return undefined;
  return `Too little held to judge: ${reason}. A met or missed verdict needs SLI data for at least ${MIN_COVERAGE * 100}% of the period's hours.`;
}

/** The overview table's header: every SLO on the first page, one row each. */
/**
 * The overview's heading: the order of its rows (collect-review sorts them), the SLOs without a
 * verdict or without data named when there are any, since they come last whatever their budget.
 */
export function overviewTitle(slos: readonly SloReview[]): string {
  const verdicts = new Set(slos.map((s) => verdictOf(s.current)));
  const last = [...(verdicts.has('too little held') ? ['those too little held to judge'] : []), ...(verdicts.has('no data') ? ['those without data'] : [])];
  return `All SLOs, least budget left first${last.length === 0 ? '' : `; ${last.join(', then ')}, last`}`;
}

export const OVERVIEW_HEAD = ['SLO', 'team', 'objective', 'attained', 'budget spent', 'budget left', 'status', 'previous left', 'attainment change'] as const;

/**
 * An SLO's row of the overview table, its numbers as its own section gives them (with the part of the
 * period they cover): `sloCell`, `teamCell` and `statusCell` (of its verdict) as each report writes
 * them (a link, a badge). An SLO without a verdict says why beside it.
 */
export function overviewRow(
  s: SloReview,
  retention: RetentionStart | undefined,
  sloCell: string,
  teamCell: string,
  statusCell: (verdict: Verdict) => string,
): string[] {
  const c = s.current;
  const reason = noVerdictReason(c, retention);
  return [
    sloCell,
    teamCell,
    `${s.slo.objective}%`,
    percent(c.attainment, 3) + heldPart(c),
    percent(c.budgetSpent) + heldPart(c),
    percent(c.budgetLeft) + heldPart(c),
    statusCell(verdictOf(c)) + (reason === undefined ? '' : `: ${reason}`),
    previousValue(s.previous, percent(s.previous.budgetLeft)),
    changeFrom(s.previous, c.attainment, s.previous.attainment),
  ];
}

/**
 * An SLO's summary table, this period beside the previous one, as both reports show it: each row its
 * label, the two periods' values and the change (cells are plain text, safe in HTML). A previous
 * period too little held to compare gets no change and no verdict ({@link previousValue}); this
 * period, too little held to judge, no verdict either.
 */
export function summaryRows(s: SloReview): [string, string, string, string][] {
  const c = s.current;
  const p = s.previous;
  const met = (v: Verdict) => (v === 'no data' || v === 'too little held' ? '—' : v === 'missed' ? 'no' : 'yes');
  return [
    ['attained', attained(c) + heldPart(c), previousValue(p, attained(p)), changeFrom(p, c.attainment, p.attainment)],
    ['budget spent', percent(c.budgetSpent) + heldPart(c), percent(p.budgetSpent) + heldPart(p), changeFrom(p, c.budgetSpent, p.budgetSpent, 1)],
    ['budget spent (amount)', budgetAmount(c, s.slo), budgetAmount(p, s.slo), ''],
    ['budget spent (as full outage)', budgetTime(c, s.slo), budgetTime(p, s.slo), ''],
    ['budget left at the end', percent(c.budgetLeft) + heldPart(c), percent(p.budgetLeft) + heldPart(p), changeFrom(p, c.budgetLeft, p.budgetLeft, 1)],
    ['SLI data for', coverage(c), coverage(p), ''],
    ['objective met', met(verdictOf(c)), met(verdictOf(p)), ''],
  ];
}
