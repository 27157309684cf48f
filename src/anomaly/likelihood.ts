import { AnomalyLikelihood, minusLog10UpperTail, type AnomalyLikelihoodState } from './anomaly-likelihood.js';
import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { Ring, type RingState } from './ring.js';
import { RobustBaseline, type RobustBaselineState } from './robust-baseline.js';

/** Tunables of {@link LikelihoodDetector}. */
export interface LikelihoodOptions {
  /** Previous points whose median and robust spread are the baseline of values, differences and seasonal residuals (points). */
  baselinePoints: number;
  /** The baselines are recomputed every this many points (points; O(baselinePoints) each time). */
  refreshEvery: number;
  /** Latest points, the current one included, whose mean is compared with the baseline for a level shift (points). */
  recentPoints: number;
  /** Raw scores each member's likelihood is fitted on (points). */
  likelihoodPoints: number;
  /** Latest raw scores each member averages before asking how unlikely they are (points). */
  likelihoodShort: number;
  /** Raw scores a member needs before it scores above 0 (points). */
  minLikelihoodPoints: number;
  /** First points of a series that always score 0 while everything is learnt (points). */
  warmup: number;
  /** Length of a season (ms); the seasonal member compares a point with the same phase of earlier seasons. */
  period: number;
  /** Earlier seasons the seasonal member looks back at (seasons). */
  seasons: number;
  /** Also compare with the same phase a week (7 seasons) earlier. */
  weekly: boolean;
  /** Largest season, in points, that the seasonal member keeps (points; longer seasons disable it). */
  maxSeasonPoints: number;
  /** −log10 of the likelihood at which the score reaches 1 (score = min(1, −log10 p / this)). */
  scoreScale: number;
  /** Phase tolerance of the seasonal echo: points either side of the same phase of an earlier season (points). */
  echoPoints: number;
  /**
   * Seasonal echo: a point that would score at least 0.3 scores 0 instead when its value is within
   * this many robust spreads (of the seasonal residuals) of a value seen within `echoPoints` of the
   * same phase of an earlier season compared, as when a daily spike comes back; 0 turns it off.
   */
  echoSpread: number;
}

/** Saved state of a {@link LikelihoodDetector}. */
export interface LikelihoodState extends DetectorStateBase {
  readonly kind: 'likelihood';
  readonly options: LikelihoodOptions;
  /** Points learnt so far. */
  readonly seen: number;
  readonly firstTimestamp: number;
  /** Points per season: 0 until two points are seen, −1 when the seasonal member is off. */
  readonly seasonPoints: number;
  /** The last value learnt (0 before the first). */
  readonly previous: number;
  readonly untilRefresh: number;
  readonly values: RingState;
  readonly differences: RingState;
  readonly residuals: RingState;
  readonly recent: RingState;
  readonly history: RingState | null;
  readonly baselines: { values: RobustBaselineState; differences: RobustBaselineState; residuals: RobustBaselineState };
  readonly members: { level: AnomalyLikelihoodState; point: AnomalyLikelihoodState; difference: AnomalyLikelihoodState; seasonal: AnomalyLikelihoodState };
}

/**
 * Defaults, chosen by a global grid on the 42-series NAB benchmark (one setting for every series;
 * see docs/anomaly.md): baselines over 1,000 points refreshed every 100, a 10-point level window,
 * likelihood of the mean of the last 3 raw scores against the last 4,000, a day as the season
 * (also compared with a week earlier), and 150 quiet points to learn.
 */
export const LIKELIHOOD_DEFAULTS: Readonly<LikelihoodOptions> = {
  baselinePoints: 1000,
  refreshEvery: 100,
  recentPoints: 10,
  likelihoodPoints: 4000,
  likelihoodShort: 3,
  minLikelihoodPoints: 100,
  warmup: 150,
  period: 86_400_000,
  seasons: 3,
  weekly: true,
  maxSeasonPoints: 2000,
  scoreScale: 10,
  echoPoints: 3,
  echoSpread: 3,
};

/**
 * max(−log10 Q(z)) over the z-scores given (0 for z ≤ 0), taking the tail of the largest only:
 * the tail is strictly increasing, by far more than its rounding error between z-scores more than
 * 1e-9 apart, so the others are only evaluated when they are that close to the largest.
 */
function largestTail(a: number, b: number, c: number, d: number): number {
  let z = a > b ? a : b;
  if (c > z) z = c;
  if (d > z) z = d;
  if (!(z > 0)) return 0;
  const tail = minusLog10UpperTail(z);
  const near = z - 1e-9;
  if ((a === z || a < near) && (b === z || b < near) && (c === z || c < near) && (d === z || d < near)) return tail;
  return Math.max(tail, tailNear(a, z, near), tailNear(b, z, near), tailNear(c, z, near), tailNear(d, z, near));
}

function tailNear(x: number, z: number, near: number): number {
  return x !== z && x >= near ? minusLog10UpperTail(x) : 0;
}

/** Scores below this are never checked for a seasonal echo (far below any alert threshold; keeps the check rare). */
const ECHO_FROM = 0.3;

/** Points needed in a baseline before its member scores (points). */
const MIN_BASELINE = 30;
const WEEK = 7;

/**
 * Four cheap raw surprises, each calibrated by an {@link AnomalyLikelihood} and combined by maximum:
 * - level: mean of the last `recentPoints` values against the baseline median, in robust spreads;
 * - point: the value against the baseline (spikes and dips);
 * - difference: the step from the previous value against the baseline of steps (a spike on a trend);
 * - seasonal: the smallest residual against the same phase of the last `seasons` seasons and a week
 *   back (a normal level at an unusual hour, a missing daily peak), against the baseline of residuals.
 * Raw surprise is |z|; a member's output is −log10 of how unlikely its recent raw scores are given
 * its own history, so a member that is always noisy on a series is quiet there, and all four share
 * one scale. Score = min(1, max over members / `scoreScale`): 0.5 is a one-in-10⁵ event.
 * The season's length in points comes from the spacing of the first two timestamps.
 * O(1) per point plus an O(baselinePoints) refresh every `refreshEvery` points; no allocation per point.
 */
export class LikelihoodDetector implements AnomalyDetector<LikelihoodState> {
  readonly kind = 'likelihood' as const;
  private readonly options: LikelihoodOptions;
  private seen = 0;
  private firstTimestamp = 0;
  private seasonPoints = 0;
  private previous = 0;
  private untilRefresh = 0;
  private values: Ring;
  private differences: Ring;
  private residuals: Ring;
  private recent: Ring;
  private history: Ring | null = null;
  private valueBaseline: RobustBaseline;
  private differenceBaseline: RobustBaseline;
  private residualBaseline: RobustBaseline;
  private level: AnomalyLikelihood;
  private point: AnomalyLikelihood;
  private difference: AnomalyLikelihood;
  private seasonal: AnomalyLikelihood;

  constructor(options: Partial<LikelihoodOptions> = {}) {
    const o = { ...LIKELIHOOD_DEFAULTS, ...options };
    for (const key of ['baselinePoints', 'refreshEvery', 'recentPoints', 'likelihoodPoints', 'likelihoodShort', 'seasons'] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 1)) throw new RangeError(`likelihood: ${key} must be an integer ≥ 1, got ${o[key]}`);
    }
    if (!(Number.isInteger(o.echoPoints) && o.echoPoints >= 0)) throw new RangeError(`likelihood: echoPoints must be an integer ≥ 0, got ${o.echoPoints}`);
    if (!(o.echoSpread >= 0 && Number.isFinite(o.echoSpread))) throw new RangeError(`likelihood: echoSpread must be finite and ≥ 0, got ${o.echoSpread}`);
    if (o.seasons > WEEK) throw new RangeError(`likelihood: seasons must be at most ${WEEK}, got ${o.seasons}`);
    this.options = o;
    this.values = new Ring(o.baselinePoints);
    this.differences = new Ring(o.baselinePoints);
    this.residuals = new Ring(o.baselinePoints);
    this.recent = new Ring(o.recentPoints);
    this.valueBaseline = new RobustBaseline(o.baselinePoints);
    this.differenceBaseline = new RobustBaseline(o.baselinePoints);
    this.residualBaseline = new RobustBaseline(o.baselinePoints);
    this.level = this.newLikelihood();
    this.point = this.newLikelihood();
    this.difference = this.newLikelihood();
    this.seasonal = this.newLikelihood();
  }

  /** Rebuilds a detector from {@link LikelihoodDetector.save}'s output. */
  static restore(state: LikelihoodState): LikelihoodDetector {
    const o = state.options;
    const d = new LikelihoodDetector(o);
    d.seen = state.seen;
    d.firstTimestamp = state.firstTimestamp;
    d.seasonPoints = state.seasonPoints;
    d.previous = state.previous;
    d.untilRefresh = state.untilRefresh;
    d.values = Ring.restore(o.baselinePoints, state.values);
    d.differences = Ring.restore(o.baselinePoints, state.differences);
    d.residuals = Ring.restore(o.baselinePoints, state.residuals);
    d.recent = Ring.restore(o.recentPoints, state.recent);
    if (state.history !== null && d.seasonPoints > 0) d.history = Ring.restore(d.historyCapacity(), state.history);
    d.valueBaseline = RobustBaseline.restore(o.baselinePoints, state.baselines.values);
    d.differenceBaseline = RobustBaseline.restore(o.baselinePoints, state.baselines.differences);
    d.residualBaseline = RobustBaseline.restore(o.baselinePoints, state.baselines.residuals);
    const m = state.members;
    const like = (s: AnomalyLikelihoodState): AnomalyLikelihood =>
      AnomalyLikelihood.restore(o.likelihoodPoints, o.likelihoodShort, o.minLikelihoodPoints, s);
    d.level = like(m.level);
    d.point = like(m.point);
    d.difference = like(m.difference);
    d.seasonal = like(m.seasonal);
    return d;
  }

  observe(timestamp: number, value: number): number {
    return this.step(timestamp, value, true);
  }

  /**
   * Learns a point exactly as {@link LikelihoodDetector.observe} does, without working out its
   * score (the tail probability): for a caller that would discard it, such as an ensemble in its
   * cooldown. Subsequent scores are the same as after `observe`.
   */
  learn(timestamp: number, value: number): void {
    this.step(timestamp, value, false);
  }

  /** Scores (when `scored`) and learns a point; 0 when not scored. */
  private step(timestamp: number, value: number, scored: boolean): number {
    if (!Number.isFinite(value)) return 0;
    const o = this.options;
    const step = this.seen === 0 ? 0 : value - this.previous;
    this.previous = value;
    this.recent.push(value);
    if (this.seen === 0) this.firstTimestamp = timestamp;
    else if (this.seen === 1 && this.seasonPoints === 0) this.startSeasons(timestamp - this.firstTimestamp);
    const residual = this.seasonalResidual(value);

    // Each member's z against its own history; the surprise is the tail of the largest.
    let zLevel = 0;
    let zPoint = 0;
    let zDifference = 0;
    let zSeasonal = 0;
    if (this.values.size >= MIN_BASELINE) {
      if (this.untilRefresh <= 0) {
        this.valueBaseline.update(this.values);
        this.differenceBaseline.update(this.differences);
        if (this.residuals.size >= MIN_BASELINE) this.residualBaseline.update(this.residuals);
        this.untilRefresh = o.refreshEvery;
      }
      this.untilRefresh--;
      const vb = this.valueBaseline;
      const db = this.differenceBaseline;
      zLevel = this.level.pushZ(Math.abs(this.recent.sum / this.recent.size - vb.median) / vb.scale);
      zPoint = this.point.pushZ(Math.abs(value - vb.median) / vb.scale);
      zDifference = this.difference.pushZ(Math.abs(step - db.median) / db.scale);
      if (this.residuals.size >= MIN_BASELINE && !Number.isNaN(residual)) {
        const rb = this.residualBaseline;
        zSeasonal = this.seasonal.pushZ(Math.abs(residual - rb.median) / rb.scale);
      }
    }
    if (!Number.isNaN(residual)) this.residuals.push(residual);
    this.values.push(value);
    this.differences.push(step);
    this.seen++;
    if (!scored || this.seen <= o.warmup) return 0;
    const score = largestTail(zLevel, zPoint, zDifference, zSeasonal) / o.scoreScale;
    if (score >= ECHO_FROM && this.isEcho(value)) return 0;
    return score < 1 ? score : 1;
  }

  save(): LikelihoodState {
    return {
      kind: this.kind,
      version: 1,
      options: { ...this.options },
      seen: this.seen,
      firstTimestamp: this.firstTimestamp,
      seasonPoints: this.seasonPoints,
      previous: this.previous,
      untilRefresh: this.untilRefresh,
      values: this.values.save(),
      differences: this.differences.save(),
      residuals: this.residuals.save(),
      recent: this.recent.save(),
      history: this.history === null ? null : this.history.save(),
      baselines: {
        values: this.valueBaseline.save(),
        differences: this.differenceBaseline.save(),
        residuals: this.residualBaseline.save(),
      },
      members: {
        level: this.level.save(),
        point: this.point.save(),
        difference: this.difference.save(),
        seasonal: this.seasonal.save(),
      },
    };
  }

  private newLikelihood(): AnomalyLikelihood {
    const o = this.options;
    return new AnomalyLikelihood(o.likelihoodPoints, o.likelihoodShort, o.minLikelihoodPoints);
  }

  /** Seasons in points from the spacing of the first two points; off when that is not 4..maxSeasonPoints. */
  private startSeasons(spacing: number): void {
    const p = Math.round(this.options.period / spacing);
    this.seasonPoints = Number.isFinite(p) && p >= 4 && p <= this.options.maxSeasonPoints ? p : -1;
    if (this.seasonPoints > 0) this.history = new Ring(this.historyCapacity());
  }

  private historyCapacity(): number {
    const o = this.options;
    // The current value is in the history when an echo is looked for, and an echo looks echoPoints past the oldest phase.
    return this.seasonPoints * (o.weekly ? WEEK : o.seasons) + (o.echoSpread > 0 ? o.echoPoints + 1 : 0);
  }

  /**
   * True when the value (already in the history) is within `echoSpread` residual spreads of a value
   * `echoPoints` or fewer points from the same phase of one of the earlier seasons compared.
   * Runs only for points that would score ≥ 0.3, so its O(seasons × echoPoints) cost is rare.
   */
  private isEcho(value: number): boolean {
    const o = this.options;
    const h = this.history;
    if (o.echoSpread <= 0 || h === null || this.residuals.size < MIN_BASELINE) return false;
    const near = o.echoSpread * this.residualBaseline.scale;
    const p = this.seasonPoints;
    const lags = o.seasons;
    const k = o.echoPoints;
    for (let j = 1; j <= lags + 1; j++) {
      const lag = j <= lags ? j : WEEK;
      if (j > lags && (!o.weekly || lags >= WEEK)) break;
      // ago(1) is the value itself, so the same phase `lag` seasons back is ago(lag × p + 1).
      for (let offset = -k; offset <= k; offset++) {
        // A phase not held yet is NaN, and the comparison is false.
        if (Math.abs(value - h.ago(lag * p + 1 + offset)) <= near) return true;
      }
    }
    return false;
  }

  /** value − (the same phase of an earlier season closest to it), or NaN without history; then learns the value. */
  private seasonalResidual(value: number): number {
    const h = this.history;
    if (h === null) return Number.NaN;
    const p = this.seasonPoints;
    let best = Number.NaN;
    let bestAbs = Number.POSITIVE_INFINITY;
    const lags = this.options.seasons;
    for (let j = 1; j <= lags + 1; j++) {
      const lag = j <= lags ? j : WEEK;
      if (j > lags && (!this.options.weekly || lags >= WEEK)) break;
      const r = value - h.ago(lag * p);
      const a = Math.abs(r);
      if (a < bestAbs) {
        bestAbs = a;
        best = r;
      }
    }
    h.push(value);
    return best;
  }
}
