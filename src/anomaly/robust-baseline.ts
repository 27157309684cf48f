import { MAD_TO_SIGMA } from './z-score.js';
import type { Ring } from './ring.js';

/** Saved state of a {@link RobustBaseline}. */
export interface RobustBaselineState {
  readonly median: number;
  readonly scale: number;
}

/**
 * Median and robust spread of a {@link Ring}, refreshed on demand (detectors refresh every k
 * points): one copy and two quickselects, O(n) per refresh, instead of a sorted window per point.
 * Spread is 1.4826 × MAD; when the MAD is 0 the mean absolute deviation × 1.2533; never below
 * 1e-6 × max(1, |median|), so a flat stretch does not make every wiggle infinitely surprising.
 */
export class RobustBaseline {
  median = 0;
  scale = 1;
  private readonly scratch: Float64Array;

  constructor(capacity: number) {
    this.scratch = new Float64Array(capacity);
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
    const s = this.scratch;
    ring.copyTo(s);
    const h = n >> 1;
    const m = select(s, n, h);
    for (let i = 0; i < n; i++) s[i] = Math.abs(s[i]! - m);
    let spread = MAD_TO_SIGMA * select(s, n, h);
    if (!(spread > 0)) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += s[i]!;
      spread = (1.2533 * sum) / n;
    }
    const floor = 1e-6 * Math.max(1, Math.abs(m)) + 1e-12;
    this.median = m;
    this.scale = spread > floor ? spread : floor;
  }

  save(): RobustBaselineState {
    return { median: this.median, scale: this.scale };
  }
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
