/**
 * Prometheus durations ("5m", "1h30m", "30d") to milliseconds and back.
 * Only the units Prometheus accepts: ms, s, m, h, d, w, y (y = 365d).
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const UNIT_MS = new Map(UNITS);
const DURATION_RE = /^(?:\d+(?:ms|[smhdwy]))+$/;
const PART_RE = /(\d+)(ms|[smhdwy])/g;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Parses a Prometheus duration; returns undefined for anything Prometheus would reject. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(PART_RE)) {
    total += Number(match[1]) * (UNIT_MS.get(match[2] ?? '') ?? 0);
  }
  return total > 0 ? total : undefined;
}

/**
 * Formats milliseconds the way Prometheus prints durations, largest units first ("1d12h", "5m").
 * Weeks and years are not used so that record names read "7d", "30d", "90d".
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`duration must be a positive whole number of ms, got ${ms}`);
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
