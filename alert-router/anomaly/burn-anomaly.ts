import { MAD_TO_SIGMA, scoreFromZ } from '../../src/anomaly/index.js';
import type { RangePoint } from './prometheus-range-client.js';

/** How the current burn compares with the same time of day over the past days. */
export interface BurnAnomaly {
  /** 0..1: 0.5 at `halfScoreZ` robust standard deviations above the usual. */
  score: number;
  /** Robust z of the current error ratio against the same time of day on earlier days. */
  z: number;
  current: number;
  /** Median of the same time of day on earlier days. */
  usual: number;
  /** Earlier days that had data at this time of day. */
  days: number;
  /** "error ratio 12σ above its usual for Tuesday 14:00 UTC (2.40% vs 0.10%)". */
  sentence: string;
}

export interface BurnAnomalyOptions {
  /** Minutes of the latest samples averaged into "now". */
  currentMinutes: number;
  /** Half-width (minutes) of the same-time-of-day window taken from each earlier day. */
  slotMinutes: number;
  /** Earlier days needed before a score is given. */
  minDays: number;
  /** Robust z at which the score is 0.5. */
  halfScoreZ: number;
  /**
   * IANA time zone of "Tuesday 14:00 UTC": the sentence names it, and "the same time of day" on an
   * earlier day is the same wall-clock time there (so a daylight-saving change does not shift it by an hour).
   */
  timeZone: string;
}

export const BURN_ANOMALY_DEFAULTS: BurnAnomalyOptions = {
  currentMinutes: 15,
  slotMinutes: 30,
  minDays: 3,
  halfScoreZ: 6,
  timeZone: 'UTC',
};

const DAY_MS = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `t` (ms). */
function zoneOffsetMs(t: number, parts: Intl.DateTimeFormat): number {
  const n: Record<string, number> = {};
  for (const p of parts.formatToParts(t)) if (p.type !== 'literal') n[p.type] = Number(p.value);
  const wall = Date.UTC(n['year']!, n['month']! - 1, n['day']!, n['hour']!, n['minute']!, n['second']!);
  return wall - Math.floor(t / 1000) * 1000;
}

function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 ? p.toFixed(1) : p >= 0.1 ? p.toFixed(2) : p.toPrecision(2)}%`;
}

/**
 * Scores an SLO's current error ratio against its own history at the same time of day (robust:
 * median and MAD of each earlier day's slot, so one bad day does not become "usual"). Returns
 * undefined when there is too little history to say anything.
 */
export function scoreBurn(points: readonly RangePoint[], nowMs: number, options: BurnAnomalyOptions = BURN_ANOMALY_DEFAULTS): BurnAnomaly | undefined {
  // NaN, ±Inf (a 0/0 or x/0 ratio) and gaps are missing samples, never part of a mean or a median.
  const finite = points.filter((p) => Number.isFinite(p.v) && Number.isFinite(p.t));
  const recent = finite.filter((p) => p.t > nowMs - options.currentMinutes * 60_000 && p.t <= nowMs);
  if (recent.length === 0) return undefined;
  const current = recent.reduce((a, p) => a + p.v, 0) / recent.length;
  const slotMs = options.slotMinutes * 60_000;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: options.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const nowOffset = zoneOffsetMs(nowMs, parts);
  const dayMeans: number[] = [];
  const dayValues: number[] = [];
  for (let d = 1; d <= 7; d++) {
    // The same wall-clock time d days ago: 24 h back, corrected by any daylight-saving change since.
    const dayBack = nowMs - d * DAY_MS;
    const centre = dayBack + nowOffset - zoneOffsetMs(dayBack, parts);
    const values = finite.filter((p) => Math.abs(p.t - centre) <= slotMs).map((p) => p.v);
    if (values.length === 0) continue;
    dayMeans.push(values.reduce((a, v) => a + v, 0) / values.length);
    dayValues.push(...values);
  }
  if (dayMeans.length < options.minDays) return undefined;
  const usual = median(dayMeans);
  const mad = median(dayValues.map((v) => Math.abs(v - usual))) * MAD_TO_SIGMA;
  // A floor on the spread: a series that was flat at 0 must not turn a 0.01% blip into 1000σ.
  const sigma = Math.max(mad, usual * 0.1, 1e-5);
  const z = (current - usual) / sigma;
  const score = z > 0 ? scoreFromZ(z, options.halfScoreZ) : 0;
  const when = new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: options.timeZone,
    timeZoneName: 'short',
  }).format(nowMs);
  const magnitude = Math.abs(z) >= 10 ? Math.round(Math.abs(z)).toString() : Math.abs(z).toFixed(1);
  const relation = Math.abs(z) < 3 ? 'within its usual range' : `${magnitude}σ ${z > 0 ? 'above' : 'below'} its usual`;
  return {
    score,
    z,
    current,
    usual,
    days: dayMeans.length,
    sentence: `error ratio ${relation} for ${when.replace(',', '')} (${percent(current)} vs ${percent(usual)})`,
  };
}
