import type { AnomalyDetector, DetectorStateBase } from './detector.js';

/** Tunables of {@link RangeDetector}. */
export interface RangeOptions {
  /** How far outside the range seen so far a value must be, as a share of that range (0.2 = 20 % of max − min). */
  tolerance: number;
  /** First points of a series that always score 0 while the range is learnt (points). */
  warmup: number;
}

/** Saved state of a {@link RangeDetector}. */
export interface RangeState extends DetectorStateBase {
  readonly kind: 'range';
  readonly options: RangeOptions;
  /** Points learnt so far. */
  readonly seen: number;
  /** Smallest and largest value learnt so far (both 0 before the first point). */
  readonly min: number;
  readonly max: number;
}

/**
 * Defaults, chosen with the ensemble on the 42-series NAB benchmark (see docs/anomaly.md): a value
 * 20 % of the range beyond anything seen, after the likelihood detector's 150-point warm-up.
 */
export const RANGE_DEFAULTS: Readonly<RangeOptions> = {
  tolerance: 0.2,
  warmup: 150,
};

/**
 * A new extreme: scores 1 when a value lies more than `tolerance` × (max − min) above the largest
 * or below the smallest value seen so far in the series, else 0 (after the points seen so far,
 * never the series' global range, which a stream does not know). After Numenta's "spatial
 * anomaly" check in NAB's HTM detector. It catches the spike that towers over a spiky series,
 * whose robust z-scores are always huge and so calibrate to nothing, and it costs O(1) per point.
 * A flat series (max = min) never scores.
 */
export class RangeDetector implements AnomalyDetector<RangeState> {
  readonly kind = 'range' as const;
  private readonly options: RangeOptions;
  private seen = 0;
  private min = 0;
  private max = 0;

  constructor(options: Partial<RangeOptions> = {}) {
    const o = { ...RANGE_DEFAULTS, ...options };
    if (!(o.tolerance >= 0 && Number.isFinite(o.tolerance))) throw new RangeError(`range: tolerance must be finite and ≥ 0, got ${o.tolerance}`);
    if (!(Number.isInteger(o.warmup) && o.warmup >= 0)) throw new RangeError(`range: warmup must be an integer ≥ 0, got ${o.warmup}`);
    this.options = o;
  }

  /** Rebuilds a detector from {@link RangeDetector.save}'s output. */
  static restore(state: RangeState): RangeDetector {
    const d = new RangeDetector(state.options);
    d.seen = state.seen;
    d.min = state.min;
    d.max = state.max;
    return d;
  }

  observe(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    let score = 0;
    if (this.seen === 0) {
      this.min = value;
      this.max = value;
    } else {
      const spread = this.max - this.min;
      if (this.seen >= this.options.warmup && spread > 0) {
        const margin = spread * this.options.tolerance;
        if (value > this.max + margin || value < this.min - margin) score = 1;
      }
      if (value > this.max) this.max = value;
      else if (value < this.min) this.min = value;
    }
    this.seen++;
    return score;
  }

  save(): RangeState {
    return { kind: this.kind, version: 1, options: { ...this.options }, seen: this.seen, min: this.min, max: this.max };
  }
}
