/**
 * Prometheus durations ("5m", "1h30m", "30d") to milliseconds and back, with Prometheus's own
 * grammar (prometheus/common `model.ParseDuration`): units y, w, d, h, m, s, ms (y = 365d), each at
 * most once and largest first, so "1h30m" is a duration and "30m1h", "1m1m" and "5m30d" are not.
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
/** One optional `<digits><unit>` group per unit, in the order of UNITS. */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
/** Prometheus keeps durations as int64 nanoseconds and rejects longer ones ("duration out of range"). */
const MAX_NS = 2n ** 63n - 1n;

/** What a valid duration looks like, for error messages. */
export const DURATION_HINT =
  'whole numbers with units y, w, d, h, m, s, ms, largest first and each at most once, e.g. "30s", "5m", "1h30m"';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface ParseDurationOptions {
  /** Accept a zero duration ("0", "0s"), which Prometheus allows; off by default because most uses need a positive one. */
  allowZero?: boolean;
}

/**
 * Parses a Prometheus duration to milliseconds. Returns undefined for anything Prometheus would
 * reject (units out of order or repeated, longer than int64 nanoseconds) and, unless `allowZero`,
 * for a zero duration.
 */
export function parseDuration(text: string, options: ParseDurationOptions = {}): number | undefined {
  const total = text === '0' ? 0 : parseUnits(text);
  if (total === undefined) return undefined;
  return total > 0 || options.allowZero === true ? total : undefined;
}

function parseUnits(text: string): number | undefined {
  const match = text === '' ? null : DURATION_RE.exec(text);
  if (!match) return undefined;
  let ns = 0n;
  UNITS.forEach(([, size], i) => {
    const digits = match[i + 1];
    if (digits !== undefined) ns += BigInt(digits) * BigInt(size) * 1_000_000n;
  });
  return ns > MAX_NS ? undefined : Number(ns / 1_000_000n);
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
