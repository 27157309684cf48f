import { MAD_TO_SIGMA } from './z-score.js';
import type { Ring } from './ring.js';

/** Saved state of a {@link RobustBaseline}. */
export interface RobustBaselineState {
  readonly median: number;
  readonly scale: number;
}

/** Half-width of the band around the last result: at first, at least and at most (in last scales or last MADs). */
const BAND_START = 0.1;
const BAND_MIN = 0.02;
const BAND_MAX = 4;

/**
 * Median and robust spread of a {@link Ring}, refreshed on demand (detectors refresh every k
 * points) instead of per point. Spread is 1.4826 × MAD; when the MAD is 0 the mean absolute
 * deviation × 1.2533; never below 1e-6 × max(1, |median|), so a flat stretch does not make every
 * wiggle infinitely surprising.
 *
 * Between refreshes most of the ring is unchanged, so the new median is close to the last one and
 * the new MAD to the last MAD: see {@link selectNear}. Results do not depend on how good the guess
 * is, only the cost does: about two linear passes per refresh instead of two quickselects of the
 * whole ring.
 */
export class RobustBaseline {
  median = 0;
  scale = 1;
  private readonly values: Float64Array;
  private readonly band: Float64Array;
  /** Unscaled MAD of the last refresh; −1 before the first (or after a restore). */
  private mad = -1;
  private readonly medianHint = new Hint();
  private readonly madHint = new Hint();

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
    this.band = new Float64Array(capacity);
  }

  static restore(capacity: number, state: RobustBaselineState): RobustBaseline {
    const b = new RobustBaseline(capacity);
    b.median = state.median;
    b.scale = state.scale;
    return b;
  }

  /** Recomputes median and scale from the ring's values (upper median for an even count). */
  update(ring: Ring): void {
    const n = ring.size;
    if (n === 0) return;
    const s = this.values;
    const band = this.band;
    const h = n >> 1;
    let m: number;
    let mad: number;
    if (this.mad >= 0) {
      // Straight from the ring's storage: the passes only read it, and the distances are taken on the fly.
      const held = ring.held();
      m = selectNear(held, n, h, this.median, this.scale, this.medianHint, band);
      mad = selectNearDistance(held, n, h, m, this.mad, this.mad, this.madHint, band);
    } else {
      ring.copyTo(s);
      m = selectAll(s, n, h, band);
      for (let i = 0; i < n; i++) s[i] = Math.abs(s[i]! - m);
      mad = selectAll(s, n, h, band);
    }
    this.mad = mad;
    let spread = MAD_TO_SIGMA * mad;
    if (!(spread > 0)) {
      ring.copyTo(s);
      spread = (1.2533 * sumAbsoluteDeviation(s, n, h, m)) / n;
    }
    const floor = 1e-6 * Math.max(1, Math.abs(m)) + 1e-12;
    this.median = m;
    this.scale = spread > floor ? spread : floor;
  }

  save(): RobustBaselineState {
    return { median: this.median, scale: this.scale };
  }
}

/** Where {@link selectNear} looks next time for one order statistic of one baseline. */
class Hint {
  /** Half-width of the band, in units of the caller's scale. */
  width = BAND_START;
  /** The last refresh found the same value as the one before: check for a repeat first. */
  repeats = false;
}

/**
 * The k-th smallest (0-based) of s[0..n), looked for near `last` (the previous refresh's answer).
 * One pass counts the values below a band of `hint.width × unit` around `last` and collects
 * those inside it; when rank k falls inside, a quickselect of the band (tens of values) finds it,
 * else a quickselect of the side of the band that holds it. When the last answer repeated (ties are common: counts, idle
 * series) a cheaper pass first checks whether it repeats again. Exactly the k-th smallest either way.
 * {@link selectNearDistance} repeats these passes over distances; change both together.
 */
function selectNear(s: Float64Array, n: number, k: number, last: number, unit: number, hint: Hint, band: Float64Array): number {
  if (hint.repeats) {
    let under = 0;
    let same = 0;
    for (let i = 0; i < n; i++) {
      const v = s[i]!;
      under += +(v < last);
      same += +(v === last);
    }
    if (under <= k && k < under + same) return last;
    hint.repeats = false;
  }
  const half = hint.width * unit;
  const lo = last - half;
  const hi = last + half;
  let below = 0;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const v = s[i]!;
    below += +(v < lo);
    band[inside] = v;
    inside += +(v >= lo) & +(v <= hi);
  }
  let result: number;
  if (below <= k && k < below + inside) {
    hint.width = Math.max(BAND_MIN, hint.width * 0.9);
    result = select(band, inside, k - below);
  } else {
    // Rank k lies on one side of the band, and the counts say which: select among that side only.
    hint.width = Math.min(BAND_MAX, hint.width * 2);
    let side = 0;
    if (k < below) {
      for (let i = 0; i < n; i++) {
        const v = s[i]!;
        band[side] = v;
        side += +(v < lo);
      }
      result = select(band, side, k);
    } else {
      for (let i = 0; i < n; i++) {
        const v = s[i]!;
        band[side] = v;
        side += +(v > hi);
      }
      result = select(band, side, k - below - inside);
    }
  }
  hint.repeats = result === last;
  return result;
}

/**
 * {@link selectNear} of the distances |s[i] − center| without storing them: the k-th smallest
 * distance, looked for near `last`. The same passes, each taking the distance as it reads a value,
 * so the band holds the same distances in the same order as a pass over stored distances would.
 * A copy of selectNear's passes on purpose: folding it in as an optional `center` (a branch per
 * value) gave bit-identical scores but cost the ensemble ~6 % of its points/s in three interleaved
 * pairs of `npm run bench:anomaly -- --detector ensemble,likelihood --clock cpu` (1.01–1.30 M against
 * 1.11–1.38 M), and its margin over the 1 M target is thin. Change both together.
 */
function selectNearDistance(
  s: Float64Array,
  n: number,
  k: number,
  center: number,
  last: number,
  unit: number,
  hint: Hint,
  band: Float64Array,
): number {
  if (hint.repeats) {
    let under = 0;
    let same = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(s[i]! - center);
      under += +(v < last);
      same += +(v === last);
    }
    if (under <= k && k < under + same) return last;
    hint.repeats = false;
  }
  const half = hint.width * unit;
  const lo = last - half;
  const hi = last + half;
  let below = 0;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(s[i]! - center);
    below += +(v < lo);
    band[inside] = v;
    inside += +(v >= lo) & +(v <= hi);
  }
  let result: number;
  if (below <= k && k < below + inside) {
    hint.width = Math.max(BAND_MIN, hint.width * 0.9);
    result = select(band, inside, k - below);
  } else {
    hint.width = Math.min(BAND_MAX, hint.width * 2);
    let side = 0;
    if (k < below) {
      for (let i = 0; i < n; i++) {
        const v = Math.abs(s[i]! - center);
        band[side] = v;
        side += +(v < lo);
      }
      result = select(band, side, k);
    } else {
      for (let i = 0; i < n; i++) {
        const v = Math.abs(s[i]! - center);
        band[side] = v;
        side += +(v > hi);
      }
      result = select(band, side, k - below - inside);
    }
  }
  hint.repeats = result === last;
  return result;
}

/** The k-th smallest of s[0..n) by quickselect of a copy in `scratch` (`s` keeps its order). */
function selectAll(s: Float64Array, n: number, k: number, scratch: Float64Array): number {
  for (let i = 0; i < n; i++) scratch[i] = s[i]!;
  return select(scratch, n, k);
}

/**
 * Sum of |v − median| over s[0..n), added in the order in which the quickselects of the original
 * implementation (select the median, take distances, select their median) leave the values, so
 * that a spread taken from it is the same to the last bit. Reorders `s`. Only used when the MAD is 0.
 */
function sumAbsoluteDeviation(s: Float64Array, n: number, h: number, median: number): number {
  // Integer distances whose total is below 2^53 add up exactly in any order: no need for the
  // original order then (counts, bytes, idle series: most series whose MAD is 0).
  let total = 0;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(s[i]! - median);
    total += d;
    integers &&= Number.isInteger(d);
  }
  if (integers && total < 2 ** 53) return total;
  const m = select(s, n, h);
  for (let i = 0; i < n; i++) s[i] = Math.abs(s[i]! - m);
  select(s, n, h);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  return sum;
}

/** k-th smallest (0-based) of a[0..n), partially reordering `a` in place (Hoare quickselect). */
function select(a: Float64Array, n: number, k: number): number {
  let l = 0;
  let r = n - 1;
  while (r > l) {
    const pivot = a[(l + r) >> 1]!;
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  return a[k]!;
}
