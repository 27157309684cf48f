import { mean, standardDeviation } from 'simple-statistics';
import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { normalUpperTail } from './normal-tail.js';

/** Tunables of {@link WindowedGaussianDetector}; the defaults are NAB's. */
export interface WindowedGaussianOptions {
  /** Most previous points the mean and standard deviation are computed over (points). */
  windowSize: number;
  /** Once the window is full, statistics are refreshed every this many points (points). */
  stepSize: number;
}

/** Saved state of a {@link WindowedGaussianDetector}. */
export interface WindowedGaussianState extends DetectorStateBase {
  readonly kind: 'windowed-gaussian';
  readonly options: WindowedGaussianOptions;
  readonly window: number[];
  readonly buffer: number[];
  readonly mean: number;
  readonly std: number;
  /** Welford's running sum of squared deviations while the window grows. */
  readonly m2: number;
}

/** NAB's defaults: 6,400 points of history refreshed 100 points at a time. */
export const WINDOWED_GAUSSIAN_DEFAULTS: Readonly<WindowedGaussianOptions> = { windowSize: 6400, stepSize: 100 };

/** A standard deviation of exactly 0 is replaced by this, as NAB does, so z stays finite. */
const MIN_STD = 1e-6;

/**
 * NAB's Windowed Gaussian reference detector, reimplemented: score = 1 − Q(|z|) where z is the
 * point's z-score against the previous points' mean and population standard deviation.
 *
 * It is here as the scorer's acceptance test (its NAB scores are published) and as a baseline in
 * the benchmark, not as a detector to alert on: it is neither robust nor seasonal. While the window
 * grows, statistics are updated after every point (Welford); once full, new points are buffered and
 * the window advances `stepSize` points at a time.
 */
export class WindowedGaussianDetector implements AnomalyDetector<WindowedGaussianState> {
  readonly kind = 'windowed-gaussian' as const;
  private readonly options: WindowedGaussianOptions;
  private window: number[];
  private buffer: number[];
  private mean: number;
  private std: number;
  private m2: number;

  constructor(options: Partial<WindowedGaussianOptions> = {}) {
    this.options = { ...WINDOWED_GAUSSIAN_DEFAULTS, ...options };
    if (!(this.options.windowSize >= 1 && this.options.stepSize >= 1)) {
      throw new RangeError(`windowed-gaussian: windowSize and stepSize must be ≥ 1, got ${JSON.stringify(this.options)}`);
    }
    this.window = [];
    this.buffer = [];
    this.mean = 0;
    this.std = 1;
    this.m2 = 0;
  }

  /** Rebuilds a detector from {@link WindowedGaussianDetector.save}'s output. */
  static restore(state: WindowedGaussianState): WindowedGaussianDetector {
    const d = new WindowedGaussianDetector(state.options);
    d.window = [...state.window];
    d.buffer = [...state.buffer];
    d.mean = state.mean;
    d.std = state.std;
    d.m2 = state.m2;
    return d;
  }

  observe(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const score = this.window.length > 0 ? 1 - normalUpperTail(Math.abs(value - this.mean) / this.std) : 0;
    const { windowSize, stepSize } = this.options;
    if (this.window.length < windowSize) {
      this.window.push(value);
      const n = this.window.length;
      const delta = value - (n === 1 ? 0 : this.mean);
      const newMean = n === 1 ? value : this.mean + delta / n;
      this.m2 += delta * (value - newMean);
      this.mean = newMean;
      this.setStd(Math.sqrt(Math.max(0, this.m2) / n));
    } else {
      this.buffer.push(value);
      if (this.buffer.length === stepSize) {
        this.window = this.window.slice(stepSize).concat(this.buffer);
        this.buffer = [];
        this.mean = mean(this.window);
        this.setStd(standardDeviation(this.window));
      }
    }
    return score;
  }

  save(): WindowedGaussianState {
    return {
      kind: this.kind,
      version: 1,
      options: { ...this.options },
      window: [...this.window],
      buffer: [...this.buffer],
      mean: this.mean,
      std: this.std,
      m2: this.m2,
    };
  }

  private setStd(std: number): void {
    this.std = std === 0 ? MIN_STD : std;
  }
}
