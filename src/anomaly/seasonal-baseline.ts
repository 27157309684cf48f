import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { SortedWindow } from './sorted-window.js';
import { scoreFromZ } from './z-score.js';

/** Tunables of {@link SeasonalBaselineDetector}. */
export interface SeasonalBaselineOptions {
  /** Length of a season (ms): 86,400,000 for time of day, 604,800,000 for time of week. */
  period: number;
  /** Width of a slot within the season (ms); must divide `period`. */
  slotWidth: number;
  /** Past seasons whose slot means are remembered; the baseline is their median (seasons). */
  seasons: number;
  /** Seasons a slot needs before it is scored (seasons). */
  minSeasons: number;
  /** Recent residuals whose median and MAD scale the score (points). */
  residualWindow: number;
  /** Residuals needed before anything is scored above 0 (points). */
  minResiduals: number;
  /** Robust z of a residual at which the score is 0.5 (standard deviations). */
  halfScoreZ: number;
  /** Added to timestamps before slotting (ms): the offset of the local time zone, if the season is local. */
  offset: number;
}

/** Saved state of a {@link SeasonalBaselineDetector}. */
export interface SeasonalBaselineState extends DetectorStateBase {
  readonly kind: 'seasonal-baseline';
  readonly options: SeasonalBaselineOptions;
  /** Per slot: the season being accumulated, its sum and count, and past seasons' means (oldest first). */
  readonly slots: { season: number; sum: number; count: number; history: number[] }[];
  readonly residuals: number[];
}

/** Defaults: time of day in 15-minute slots, the median of the last 5 days, residuals over 2 days of 5-minute points. */
export const SEASONAL_BASELINE_DEFAULTS: Readonly<SeasonalBaselineOptions> = {
  period: 86_400_000,
  slotWidth: 900_000,
  seasons: 5,
  minSeasons: 2,
  residualWindow: 576,
  minResiduals: 30,
  halfScoreZ: 6,
  offset: 0,
};

const NO_SEASON = -1e300;

/**
 * Seasonal baseline: the expected value of a point is the median of the means of the same slot
 * (time of day, or of week) over the last `seasons` seasons, so one bad day or week moves it little.
 * The residual (value − baseline) is scored as a robust z against recent residuals. A normal
 * level at an unusual hour is caught here where a plain sliding window sees nothing wrong.
 */
export class SeasonalBaselineDetector implements AnomalyDetector<SeasonalBaselineState> {
  readonly kind = 'seasonal-baseline' as const;
  private readonly options: SeasonalBaselineOptions;
  private readonly slotCount: number;
  private readonly season: Float64Array;
  private readonly sum: Float64Array;
  private readonly count: Float64Array;
  /** `seasons` past means per slot, as a ring. */
  private readonly history: Float64Array;
  private readonly historyHead: Int32Array;
  private readonly historySize: Int32Array;
  private residuals: SortedWindow;
  private readonly scratch: Float64Array;

  constructor(options: Partial<SeasonalBaselineOptions> = {}) {
    this.options = { ...SEASONAL_BASELINE_DEFAULTS, ...options };
    const { period, slotWidth, seasons } = this.options;
    const slots = period / slotWidth;
    if (!(Number.isInteger(slots) && slots >= 1 && Number.isInteger(seasons) && seasons >= 1)) {
      throw new RangeError(
        `seasonal-baseline: slotWidth (${slotWidth} ms) must divide period (${period} ms) and seasons (${seasons}) be an integer ≥ 1`,
      );
    }
    this.slotCount = slots;
    this.season = new Float64Array(slots).fill(NO_SEASON);
    this.sum = new Float64Array(slots);
    this.count = new Float64Array(slots);
    this.history = new Float64Array(slots * seasons);
    this.historyHead = new Int32Array(slots);
    this.historySize = new Int32Array(slots);
    this.residuals = new SortedWindow(this.options.residualWindow);
    this.scratch = new Float64Array(seasons);
  }

  /** Rebuilds a detector from {@link SeasonalBaselineDetector.save}'s output. */
  static restore(state: SeasonalBaselineState): SeasonalBaselineDetector {
    const d = new SeasonalBaselineDetector(state.options);
    const k = state.options.seasons;
    state.slots.forEach((slot, i) => {
      d.season[i] = slot.season;
      d.sum[i] = slot.sum;
      d.count[i] = slot.count;
      const h = slot.history.slice(-k);
      h.forEach((v, j) => (d.history[i * k + j] = v));
      d.historySize[i] = h.length;
      d.historyHead[i] = h.length % k;
    });
    d.residuals = SortedWindow.from(state.options.residualWindow, state.residuals);
    return d;
  }

  observe(timestamp: number, value: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(timestamp)) return 0;
    const { period, slotWidth, seasons: k, minSeasons, minResiduals, halfScoreZ } = this.options;
    const t = timestamp + this.options.offset;
    const season = Math.floor(t / period);
    const slot = Math.min(this.slotCount - 1, Math.floor((t - season * period) / slotWidth));
    if (this.season[slot] !== season) {
      if (this.count[slot]! > 0 && this.season[slot]! < season) {
        const head = this.historyHead[slot]!;
        this.history[slot * k + head] = this.sum[slot]! / this.count[slot]!;
        this.historyHead[slot] = (head + 1) % k;
        this.historySize[slot] = Math.min(k, this.historySize[slot]! + 1);
      }
      this.season[slot] = season;
      this.sum[slot] = 0;
      this.count[slot] = 0;
    }
    this.sum[slot]! += value;
    this.count[slot]! += 1;
    const size = this.historySize[slot]!;
    if (size < minSeasons) return 0;
    const baseline = this.medianOfHistory(slot, size);
    const residual = value - baseline;
    const r = this.residuals;
    let score = 0;
    if (r.size >= minResiduals) {
      const m = r.median();
      const floor = 1e-6 * Math.max(1, Math.abs(baseline)) + 1e-12;
      const scale = r.robustScale(floor);
      score = scoreFromZ((residual - m) / scale, halfScoreZ);
    }
    r.push(residual);
    return score;
  }

  save(): SeasonalBaselineState {
    const k = this.options.seasons;
    const slots: SeasonalBaselineState['slots'] = [];
    for (let i = 0; i < this.slotCount; i++) {
      const size = this.historySize[i]!;
      const head = this.historyHead[i]!;
      const history: number[] = [];
      for (let j = 0; j < size; j++) history.push(this.history[i * k + ((head - size + j + k) % k)]!);
      slots.push({ season: this.season[i]!, sum: this.sum[i]!, count: this.count[i]!, history });
    }
    return { kind: this.kind, version: 1, options: { ...this.options }, slots, residuals: this.residuals.values() };
  }

  private medianOfHistory(slot: number, size: number): number {
    const k = this.options.seasons;
    const s = this.scratch;
    // Insertion sort: `seasons` is a handful, and this avoids allocating a subarray per point.
    for (let i = 0; i < size; i++) {
      const v = this.history[slot * k + i]!;
      let j = i - 1;
      while (j >= 0 && s[j]! > v) {
        s[j + 1] = s[j]!;
        j--;
      }
      s[j + 1] = v;
    }
    const h = size >> 1;
    return size & 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  }
}
