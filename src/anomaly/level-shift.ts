import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { SortedWindow } from './sorted-window.js';
import { scoreFromZ } from './z-score.js';

/** Tunables of {@link LevelShiftDetector}. */
export interface LevelShiftOptions {
  /** Latest points, the current one included, whose median is the new level (points). */
  recent: number;
  /** Points before those whose median and MAD are the old level and its spread (points). */
  reference: number;
  /** Reference points needed before anything is scored above 0 (points). */
  minReference: number;
  /** Shift, in robust standard deviations of the reference, at which the score is 0.5. */
  halfScoreZ: number;
}

/** Saved state of a {@link LevelShiftDetector}. */
export interface LevelShiftState extends DetectorStateBase {
  readonly kind: 'level-shift';
  readonly options: LevelShiftOptions;
  readonly recent: number[];
  readonly reference: number[];
}

/** Defaults: the last hour of 5-minute points against the day before it (a full daily cycle, so a daily swing is not a shift). */
export const LEVEL_SHIFT_DEFAULTS: Readonly<LevelShiftOptions> = {
  recent: 12,
  reference: 288,
  minReference: 60,
  halfScoreZ: 3,
};

/**
 * Level-shift test by median of windows: the median of the latest `recent` points against the
 * median of the `reference` points before them, in units of the reference's robust spread. A median
 * ignores a lone spike, so this fires on sustained shifts (a new plateau, a drop to a lower level)
 * that a point-wise z-score forgets after a few points, and stays quiet on single outliers.
 */
export class LevelShiftDetector implements AnomalyDetector<LevelShiftState> {
  readonly kind = 'level-shift' as const;
  private readonly options: LevelShiftOptions;
  private recent: SortedWindow;
  private reference: SortedWindow;

  constructor(options: Partial<LevelShiftOptions> = {}) {
    this.options = { ...LEVEL_SHIFT_DEFAULTS, ...options };
    this.recent = new SortedWindow(this.options.recent);
    this.reference = new SortedWindow(this.options.reference);
  }

  /** Rebuilds a detector from {@link LevelShiftDetector.save}'s output. */
  static restore(state: LevelShiftState): LevelShiftDetector {
    const d = new LevelShiftDetector(state.options);
    d.recent = SortedWindow.from(state.options.recent, state.recent);
    d.reference = SortedWindow.from(state.options.reference, state.reference);
    return d;
  }

  observe(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const leaving = this.recent.oldest();
    if (leaving !== undefined) this.reference.push(leaving);
    this.recent.push(value);
    const ref = this.reference;
    if (ref.size < this.options.minReference || this.recent.size < this.options.recent) return 0;
    const m = ref.median();
    const floor = 1e-6 * Math.max(1, Math.abs(m)) + 1e-12;
    const scale = ref.robustScale(floor);
    return scoreFromZ((this.recent.median() - m) / scale, this.options.halfScoreZ);
  }

  save(): LevelShiftState {
    return {
      kind: this.kind,
      version: 1,
      options: { ...this.options },
      recent: this.recent.values(),
      reference: this.reference.values(),
    };
  }
}
