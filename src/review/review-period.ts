/**
 * The reviewed period: whole UTC days, `from` inclusive to `to` inclusive on the command line,
 * held as `[startMs, endMs)`. Its name is the report's file name.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface ReviewPeriod {
  /** Epoch ms of `from` at 00:00 UTC. */
  startMs: number;
  /** Epoch ms of the day after `to` at 00:00 UTC (exclusive). */
  endMs: number;
}

/** A period the command line cannot mean: a malformed date or `--from` after `--to` (a usage error). */
export class PeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of a `YYYY-MM-DD` date at 00:00 UTC, or undefined when it is not a real date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatDate(ms) === text ? ms : undefined;
}

/** `YYYY-MM-DD` of an epoch ms, in UTC. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The period from the command line's dates. Without `to`, yesterday (the last full day before `nowMs`);
 * without `from`, `defaultDays` days ending at `to` (the last full SLO window). A `to` of today or
 * later is refused: the hours not yet over would read as SLI data gaps and the budget as half spent.
 */
export function resolvePeriod(input: { from?: string; to?: string; nowMs: number; defaultDays: number }): ReviewPeriod {
  const today = Math.floor(input.nowMs / DAY_MS) * DAY_MS;
  const to = input.to === undefined ? today - DAY_MS : mustParse(input.to, '--to');
  if (to >= today) {
    throw new PeriodError(`--to ${formatDate(to)} is not over yet: the last full day is ${formatDate(today - DAY_MS)} (UTC)`);
  }
  const endMs = to + DAY_MS;
  const startMs = input.from === undefined ? endMs - input.defaultDays * DAY_MS : mustParse(input.from, '--from');
  if (startMs >= endMs) {
    // Without --to, naming it as if given sent people looking for a flag they never typed.
    const toText = input.to === undefined ? `${formatDate(to)}, the default --to (yesterday, the last full day in UTC)` : `--to ${formatDate(to)}`;
    throw new PeriodError(`--from ${formatDate(startMs)} must be on or before ${toText}`);
  }
  return { startMs, endMs };
}

function mustParse(text: string, flag: string): number {
  const ms = parseDate(text);
  if (ms === undefined) throw new PeriodError(`${flag} "${text}" is not a date such as 2026-10-31 (YYYY-MM-DD, UTC)`);
  return ms;
}

/**
 * The period `back` periods before this one: the calendar month(s) before a calendar month (so
 * October's review compares with September, as September's own review reported it), else the
 * period of the same length just before.
 */
export function previousPeriod(p: ReviewPeriod, back = 1): ReviewPeriod {
  if (isCalendarMonth(p)) {
    const from = new Date(p.startMs);
    const month = (k: number) => Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + k, 1);
    return { startMs: month(-back), endMs: month(1 - back) };
  }
  const len = p.endMs - p.startMs;
  return { startMs: p.startMs - back * len, endMs: p.endMs - back * len };
}

/** Whether the period is exactly one calendar month (UTC). */
function isCalendarMonth(p: ReviewPeriod): boolean {
  const from = new Date(p.startMs);
  return from.getUTCDate() === 1 && Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1) === p.endMs;
}

/** Whole days in the period. */
export function periodDays(p: ReviewPeriod): number {
  return Math.round((p.endMs - p.startMs) / DAY_MS);
}

/** `2026-10` for a calendar month, else `2026-10-02_2026-10-31` (both days inclusive). */
export function periodName(p: ReviewPeriod): string {
  if (isCalendarMonth(p)) return formatDate(p.startMs).slice(0, 7);
  return `${formatDate(p.startMs)}_${formatDate(p.endMs - DAY_MS)}`;
}

/** Whether `name` is one periodName gives: a review's file name without its extension. */
export const isPeriodName = (name: string): boolean => /^\d{4}-\d{2}(?:-\d{2}_\d{4}-\d{2}-\d{2})?$/.test(name);

/** `2026-10-02 – 2026-10-31` for people. */
export function periodLabel(p: ReviewPeriod): string {
  return `${formatDate(p.startMs)} – ${formatDate(p.endMs - DAY_MS)}`;
}
