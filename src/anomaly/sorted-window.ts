import { MAD_TO_SIGMA } from './z-score.js';

/**
 * A sliding window of the last `capacity` numbers kept both in arrival order (a ring buffer, to
 * know which value leaves) and sorted (binary insertion), so the median is O(1) and the median
 * absolute deviation O(log² n) per query, instead of sorting a copied window for every point.
 */
export class SortedWindow {
  readonly capacity: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`window capacity must be an integer ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** Rebuilds a window from {@link SortedWindow.values} (oldest first); extra old values are dropped. */
  static from(capacity: number, values: readonly number[]): SortedWindow {
    const w = new SortedWindow(capacity);
    for (const v of values.slice(-capacity)) w.push(v);
    return w;
  }

  /** Values held, at most `capacity`. */
  get size(): number {
    return this.count;
  }

  /** The value that the next {@link SortedWindow.push} evicts, or undefined while the window is not full. */
  oldest(): number | undefined {
    return this.count === this.capacity ? this.ring[this.head] : undefined;
  }

  /** Adds a value (finite numbers only), evicting the oldest when full. */
  push(value: number): void {
    const a = this.sorted;
    if (this.count < this.capacity) {
      const p = this.upperBound(value, this.count);
      a.copyWithin(p + 1, p, this.count);
      a[p] = value;
      this.ring[(this.head + this.count) % this.capacity] = value;
      this.count++;
      return;
    }
    const old = this.ring[this.head]!;
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
    const r = this.lowerBound(old, this.count);
    const p = this.upperBound(value, this.count);
    // Remove a[r] and insert value with one shift of the values between them.
    if (p > r) {
      a.copyWithin(r, r + 1, p);
      a[p - 1] = value;
    } else {
      a.copyWithin(p + 1, p, r);
      a[p] = value;
    }
  }

  /** Median of the values held (mean of the two middle ones for an even count); NaN when empty. */
  median(): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const a = this.sorted;
    const h = n >> 1;
    return n & 1 ? a[h]! : (a[h - 1]! + a[h]!) / 2;
  }

  /**
   * Median absolute deviation from the median, unscaled (multiply by 1.4826 for a normal-consistent
   * scale, as simple-statistics' `medianAbsoluteDeviation`, which this equals); NaN when empty.
   */
  mad(): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const m = this.median();
    const split = this.upperBound(m, n);
    const h = n >> 1;
    return n & 1 ? this.kthDistance(h, m, split) : (this.kthDistance(h - 1, m, split) + this.kthDistance(h, m, split)) / 2;
  }

  /**
   * Robust spread (standard-deviation units): 1.4826 × MAD, or when more than half the values are
   * equal (MAD = 0) the mean absolute deviation from the median × 1.2533 (O(n), only then), never
   * less than `floor`, so a flat stretch does not make every wiggle infinitely surprising.
   */
  robustScale(floor: number): number {
    const s = MAD_TO_SIGMA * this.mad();
    if (s > floor) return s;
    const fallback = 1.2533 * this.meanAbsoluteDeviationFrom(this.median());
    return fallback > floor ? fallback : floor;
  }

  /** Mean of |x − m| over the values held: a fallback spread when the MAD is 0. O(n). */
  meanAbsoluteDeviationFrom(m: number): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += Math.abs(this.sorted[i]! - m);
    return this.count === 0 ? Number.NaN : sum / this.count;
  }

  /** Values held, oldest first. */
  values(): number[] {
    const out: number[] = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.head + i) % this.capacity]!;
    return out;
  }

  /** First index whose value is ≥ x. */
  private lowerBound(x: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose value is > x. */
  private upperBound(x: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * k-th smallest (0-based) of |a[i] − m| over the sorted values. The distances left of `split`
   * (m − a[split−1−i]) and right of it (a[split+j] − m) are two ascending lists; this selects the
   * k-th of their union by binary search on how many come from the left list.
   */
  private kthDistance(k: number, m: number, split: number): number {
    const a = this.sorted;
    const nl = split;
    const nr = this.count - split;
    // i values from the left list (m − a[split−1−i]) and k+1−i from the right (a[split+j] − m) make up the k+1 smallest.
    let lo = Math.max(0, k + 1 - nr);
    let hi = Math.min(k + 1, nl);
    while (lo < hi) {
      const i = (lo + hi) >> 1;
      // Too few from the left if the next left value is smaller than the last right value taken.
      if (m - a[split - 1 - i]! < a[split + k - i]! - m) lo = i + 1;
      else hi = i;
    }
    const j = k + 1 - lo;
    const lastLeft = lo > 0 ? m - a[split - lo]! : Number.NEGATIVE_INFINITY;
    const lastRight = j > 0 ? a[split + j - 1]! - m : Number.NEGATIVE_INFINITY;
    return lastLeft > lastRight ? lastLeft : lastRight;
  }
}
