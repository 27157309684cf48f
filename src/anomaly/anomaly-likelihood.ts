import { Ring, type RingState } from './ring.js';

/** Saved state of an {@link AnomalyLikelihood}. */
export interface AnomalyLikelihoodState {
  readonly long: RingState;
  readonly short: RingState;
}

const LN10 = Math.LN10;

/**
 * −log10 of the standard normal upper tail Q(z) for z > 0, from Numerical Recipes' erfc
 * approximation (relative error < 1.2e-7 everywhere) taken in log space, so it neither underflows
 * nor needs the continued fraction of {@link normalUpperTail}: a few multiplications and one log.
 */
export function minusLog10UpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const lnErfc =
    Math.log(t) -
    x * x -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return -(lnErfc - Math.LN2) / LN10;
}

/**
 * Numenta's "anomaly likelihood" post-processing of a raw anomaly score: how improbable the mean
 * of the last few raw scores is under a normal fit (mean, variance) of the raw scores over a long
 * window. A detector whose raw scores are always high (a noisy series) is thereby calibrated
 * against itself, and a short burst of surprise stands out where one noisy point does not.
 * O(1) per point: both windows are {@link Ring}s with running sums.
 */
export class AnomalyLikelihood {
  private long: Ring;
  private short: Ring;

  /**
   * @param longPoints raw scores the normal fit is taken over (points).
   * @param shortPoints latest raw scores, the current one included, that are averaged (points).
   * @param minPoints raw scores needed in the long window before anything is scored above 0 (points).
   */
  constructor(
    longPoints: number,
    shortPoints: number,
    private readonly minPoints: number,
  ) {
    this.long = new Ring(longPoints);
    this.short = new Ring(shortPoints);
  }

  static restore(longPoints: number, shortPoints: number, minPoints: number, state: AnomalyLikelihoodState): AnomalyLikelihood {
    const l = new AnomalyLikelihood(longPoints, shortPoints, minPoints);
    l.long = Ring.restore(longPoints, state.long);
    l.short = Ring.restore(shortPoints, state.short);
    return l;
  }

  /**
   * Scores a raw score, then learns it.
   *
   * @returns −log10 of the upper-tail probability of the short mean (0 while warming up or when
   *   the short mean is at or below the long mean): 5 means a one-in-100,000 event.
   */
  push(raw: number): number {
    const z = this.pushZ(raw);
    return z > 0 ? minusLog10UpperTail(z) : 0;
  }

  /**
   * {@link AnomalyLikelihood.push} without the last step: the z-score of the short mean against
   * the long window (standard deviations), or 0 while warming up or when it is not above the long
   * mean. The tail is monotone in z, so a caller combining several likelihoods by maximum takes
   * the tail of the largest z only (one logarithm instead of one per likelihood).
   */
  pushZ(raw: number): number {
    const short = this.short;
    short.push(raw);
    const long = this.long;
    let z = 0;
    const n = long.size;
    if (n >= this.minPoints) {
      const mean = long.sum / n;
      const excess = short.sum / short.size - mean;
      if (excess > 0) {
        let variance = long.sumSquares / n - mean * mean;
        if (variance < 1e-12) variance = 1e-12;
        z = excess / Math.sqrt(variance);
      }
    }
    long.push(raw);
    return z;
  }

  save(): AnomalyLikelihoodState {
    return { long: this.long.save(), short: this.short.save() };
  }
}
