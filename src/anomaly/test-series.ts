/**
 * Synthetic series for the detectors' tests: seeded, so a failing test reproduces. Test fixtures
 * only; nothing outside tests imports this file. Points are 5 minutes apart from 2024-01-01 UTC.
 */

/** Spacing of the synthetic points (ms). */
export const STEP = 300_000;
const START = Date.UTC(2024, 0, 1);
/** Points in a day at {@link STEP}. */
export const DAY_POINTS = 288;

export interface TestSeries {
  readonly timestamps: number[];
  readonly values: number[];
}

/** Standard normal deviates from a seeded mulberry32 and Box–Muller. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `n` points of 100 + N(0, 1) noise, optionally plus a daily sine of amplitude `daily`. */
export function noise(n: number, seed = 1, daily = 0): TestSeries {
  const g = gaussian(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    timestamps.push(START + i * STEP);
    values.push(100 + daily * Math.sin((2 * Math.PI * i) / DAY_POINTS) + g());
  }
  return { timestamps, values };
}

/** Returns a copy of the series with `change(value, index)` applied to rows `from` to `to` (exclusive). */
export function withChange(
  s: TestSeries,
  from: number,
  to: number,
  change: (value: number, index: number) => number,
): TestSeries {
  return { timestamps: s.timestamps, values: s.values.map((v, i) => (i >= from && i < to ? change(v, i) : v)) };
}

/** Runs a detector-like `observe` over a series and returns its scores. */
export function scoresOf(observe: (t: number, v: number) => number, s: TestSeries): number[] {
  return s.values.map((v, i) => observe(s.timestamps[i]!, v));
}

/** Highest score over rows `from` to `to` (exclusive). */
export function maxBetween(scores: readonly number[], from: number, to: number): number {
  return Math.max(...scores.slice(from, to));
}
