import type { NabProfile } from './nab-profile.js';

/** An anomaly window as row indices into its series, both ends inclusive. */
export interface NabWindow {
  readonly start: number;
  readonly end: number;
}

/** One labelled series to score: its length, its windows, and a detector's score for each row. */
export interface NabScoredSeries {
  readonly name: string;
  readonly windows: readonly NabWindow[];
  /** One anomaly score per row, in row order. */
  readonly scores: ArrayLike<number>;
}

/** A profile's result: raw NAB score and the normalized score (null detector 0, perfect 100). */
export interface NabResult {
  readonly profile: string;
  /** Detection rule: a row is detected when its score is ≥ this. `Infinity` detects nothing. */
  readonly threshold: number;
  readonly raw: number;
  readonly normalized: number;
  /** Windows with at least one detection. */
  readonly truePositives: number;
  /** Windows with no detection. */
  readonly falseNegatives: number;
  /** Detected rows outside every window (after the probationary period). */
  readonly falsePositives: number;
}

/** NAB's probationary share of a file: its first 15 % of rows, at most 750, are never scored. */
const PROBATION_SHARE = 0.15;
const PROBATION_CAP = 750;

/** Rows NAB leaves unscored at the start of a file of `rowCount` rows (a warm-up for detectors). */
export function nabProbationLength(rowCount: number): number {
  return Math.min(Math.floor(PROBATION_SHARE * rowCount), PROBATION_CAP);
}

/** NAB's scaled sigmoid: 2·sigmoid(−5y) − 1, and exactly −1 for y ≥ 3. Dimensionless. */
export function nabScaledSigmoid(y: number): number {
  return y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

const MAX_TP = nabScaledSigmoid(-1);

/**
 * What a detection at each row would be worth, before profile weights. Inside a window:
 * S(−(r−i+1)/(r−l+1)) / S(−1), and `window` is the window's index. Outside: S(|r−i|/(r−l)) of the
 * last window that ended, or −1 before any has; `window` is −1. Probationary rows are marked −2.
 */
interface RowValues {
  readonly window: Int32Array;
  readonly value: Float64Array;
}

const OUTSIDE = -1;
const PROBATIONARY = -2;

function rowValues(series: NabScoredSeries): RowValues {
  const n = series.scores.length;
  const window = new Int32Array(n).fill(OUTSIDE);
  const value = new Float64Array(n);
  const sorted = series.windows.map((w, index) => ({ ...w, index })).sort((a, b) => a.start - b.start);
  for (const w of sorted) {
    if (!(Number.isInteger(w.start) && Number.isInteger(w.end) && w.start >= 0 && w.start <= w.end && w.end < n)) {
      throw new RangeError(`${series.name}: window [${w.start}, ${w.end}] is not inside rows 0..${n - 1}`);
    }
  }
  let next = 0;
  let current: (typeof sorted)[number] | undefined;
  let previous: (typeof sorted)[number] | undefined;
  for (let i = 0; i < n; i++) {
    if (current === undefined && sorted[next]?.start === i) current = sorted[next++];
    if (current !== undefined) {
      window[i] = current.index;
      value[i] = nabScaledSigmoid(-(current.end - i + 1) / (current.end - current.start + 1)) / MAX_TP;
      if (i === current.end) {
        previous = current;
        current = undefined;
      }
    } else {
      value[i] = previous === undefined ? -1 : nabScaledSigmoid(Math.abs(previous.end - i) / (previous.end - previous.start));
    }
  }
  window.fill(PROBATIONARY, 0, Math.min(n, nabProbationLength(n)));
  return { window, value };
}

/** Raw score of the null detector (detects nothing) and of a perfect one (earliest row of every window). */
function bounds(series: readonly NabScoredSeries[], profile: NabProfile): { nullScore: number; perfect: number } {
  const windows = series.reduce((sum, s) => sum + s.windows.length, 0);
  return { nullScore: -profile.fnWeight * windows, perfect: profile.tpWeight * windows };
}

/** 100·(raw − null)/(perfect − null): 0 for the null detector, 100 for a perfect one; NaN without windows. */
export function nabNormalize(raw: number, series: readonly NabScoredSeries[], profile: NabProfile): number {
  const { nullScore, perfect } = bounds(series, profile);
  return perfect === nullScore ? Number.NaN : (100 * (raw - nullScore)) / (perfect - nullScore);
}

interface Flat {
  /** Row scores of every scorable row of every series. */
  readonly score: Float64Array;
  /** Global window id of the row, or −1 outside windows. */
  readonly window: Int32Array;
  readonly value: Float64Array;
  readonly windowCount: number;
}

function flatten(series: readonly NabScoredSeries[]): Flat {
  const parts = series.map((s) => ({ s, rows: rowValues(s) }));
  let total = 0;
  for (const { rows } of parts) for (let i = 0; i < rows.window.length; i++) if (rows.window[i] !== PROBATIONARY) total++;
  const score = new Float64Array(total);
  const window = new Int32Array(total);
  const value = new Float64Array(total);
  let k = 0;
  let windowBase = 0;
  for (const { s, rows } of parts) {
    for (let i = 0; i < rows.window.length; i++) {
      const w = rows.window[i]!;
      if (w === PROBATIONARY) continue;
      const x = s.scores[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`${s.name}: score of row ${i} is ${x}, not a finite number`);
      score[k] = x;
      window[k] = w === OUTSIDE ? OUTSIDE : windowBase + w;
      value[k] = rows.value[i]!;
      k++;
    }
    windowBase += s.windows.length;
  }
  return { score, window, value, windowCount: windowBase };
}

/**
 * Tracks NAB's score parts as detections are added: the best (earliest) detection per window, and
 * the sum of false-positive costs. A window enters the total only once it has a scorable row, as in NAB.
 */
class Tally {
  private readonly best: Float64Array;
  private readonly scorable: Uint8Array;
  raw = 0;
  falsePositives = 0;
  truePositives = 0;
  windowsScorable = 0;

  constructor(
    flat: Flat,
    private readonly profile: NabProfile,
  ) {
    this.best = new Float64Array(flat.windowCount).fill(-profile.fnWeight);
    this.scorable = new Uint8Array(flat.windowCount);
    for (let k = 0; k < flat.window.length; k++) {
      const w = flat.window[k]!;
      if (w >= 0 && this.scorable[w] === 0) {
        this.scorable[w] = 1;
        this.windowsScorable++;
        this.raw -= profile.fnWeight;
      }
    }
  }

  detect(window: number, value: number): void {
    if (window === OUTSIDE) {
      this.raw += value * this.profile.fpWeight;
      this.falsePositives++;
      return;
    }
    const worth = value * this.profile.tpWeight;
    const old = this.best[window]!;
    if (old === -this.profile.fnWeight) this.truePositives++;
    if (worth > old) {
      this.raw += worth - old;
      this.best[window] = worth;
    }
  }

  result(threshold: number, series: readonly NabScoredSeries[]): NabResult {
    return {
      profile: this.profile.name,
      threshold,
      raw: this.raw,
      normalized: nabNormalize(this.raw, series, this.profile),
      truePositives: this.truePositives,
      falseNegatives: this.windowsScorable - this.truePositives,
      falsePositives: this.falsePositives,
    };
  }
}

/**
 * NAB score of a detector whose scores are thresholded at `threshold` (a row is detected when its
 * score ≥ threshold), summed over all series. Follows NAB v1.1's scorer: probation, scaled sigmoid
 * weighting, earliest detection per window, weighted false positives.
 */
export function scoreNabAtThreshold(
  series: readonly NabScoredSeries[],
  profile: NabProfile,
  threshold: number,
): NabResult {
  const flat = flatten(series);
  const tally = new Tally(flat, profile);
  for (let k = 0; k < flat.score.length; k++) if (flat.score[k]! >= threshold) tally.detect(flat.window[k]!, flat.value[k]!);
  return tally.result(threshold, series);
}

/**
 * The best NAB score over every threshold, one threshold for all series at once, as NAB's optimiser
 * does: it tries every distinct score (and "detect nothing") and keeps the highest total; on a tie,
 * the highest threshold.
 */
export function sweepNabThreshold(series: readonly NabScoredSeries[], profile: NabProfile): NabResult {
  const flat = flatten(series);
  const order = new Uint32Array(flat.score.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  order.sort((a, b) => flat.score[b]! - flat.score[a]!);
  const tally = new Tally(flat, profile);
  let best = tally.result(Number.POSITIVE_INFINITY, series);
  for (let k = 0; k < order.length; ) {
    const threshold = flat.score[order[k]!]!;
    while (k < order.length && flat.score[order[k]!] === threshold) {
      tally.detect(flat.window[order[k]!]!, flat.value[order[k]!]!);
      k++;
    }
    if (tally.raw > best.raw) best = tally.result(threshold, series);
  }
  return best;
}
