import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { SortedWindow } from './sorted-window.js';
import { scoreFromZ } from './z-score.js';

/** Tunables of {@link RobustZDetector}. */
export interface RobustZOptions {
  /** Previous points the median and MAD are taken over (points). */
  windowSize: number;
  /** Points needed in the window before anything is scored above 0 (warm-up, points). */
  minPoints: number;
  /** Score the values themselves, or their first differences (catches spikes on a trend or a cycle). */
  input: 'value' | 'difference';
  /** Robust z at which the score is 0.5 (standard deviations). */
  halfScoreZ: number;
  /** Smallest spread used, relative to the window's median magnitude (dimensionless). */
  relativeFloor: number;
}

/** Saved state of a {@link RobustZDetector}. */
export interface RobustZState extends DetectorStateBase {
  readonly kind: 'robust-z';
  readonly options: RobustZOptions;
  /** The window, oldest first. */
  readonly window: number[];
  /** Last raw value seen (for differences); null before the first. */
  readonly previous: number | null;
}

/** Defaults: one day of 5-minute points; a point 6 robust sigmas out scores 0.5. */
export const ROBUST_Z_DEFAULTS: Readonly<RobustZOptions> = {
  windowSize: 288,
  minPoints: 30,
  input: 'value',
  halfScoreZ: 6,
  relativeFloor: 1e-6,
};

/**
 * Robust z-score against a sliding window: z = (x − median) / (1.4826 · MAD) of the previous
 * `windowSize` points. The median and MAD ignore the anomalies themselves, unlike a mean and a
 * standard deviation, so one outlier neither hides the next nor inflates the baseline.
 */
export class RobustZDetector implements AnomalyDetector<RobustZState> {
  readonly kind = 'robust-z' as const;
  private readonly options: RobustZOptions;
  private window: SortedWindow;
  private previous: number | null = null;

  constructor(options: Partial<RobustZOptions> = {}) {
    this.options = { ...ROBUST_Z_DEFAULTS, ...options };
    this.window = new SortedWindow(this.options.windowSize);
  }

  /** Rebuilds a detector from {@link RobustZDetector.save}'s output. */
  static restore(state: RobustZState): RobustZDetector {
    const d = new RobustZDetector(state.options);
    d.window = SortedWindow.from(state.options.windowSize, state.window);
    d.previous = state.previous;
    return d;
  }

  observe(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const prev = this.previous;
    this.previous = value;
    let x = value;
    if (this.options.input === 'difference') {
      if (prev === null) return 0;
      x = value - prev;
    }
    const w = this.window;
    let score = 0;
    if (w.size >= this.options.minPoints) {
      const m = w.median();
      const floor = this.options.relativeFloor * Math.max(1, Math.abs(m)) + 1e-12;
      const scale = w.robustScale(floor);
      score = scoreFromZ((x - m) / scale, this.options.halfScoreZ);
    }
    w.push(x);
    return score;
  }

  save(): RobustZState {
    return { kind: this.kind, version: 1, options: { ...this.options }, window: this.window.values(), previous: this.previous };
  }
}
