import type { AnomalyDetector } from './detector.js';
import { EnsembleDetector, type EnsembleState } from './ensemble.js';
import { LevelShiftDetector, type LevelShiftState } from './level-shift.js';
import { LikelihoodDetector, type LikelihoodState } from './likelihood.js';
import { normalUpperTail } from './normal-tail.js';
import { RobustZDetector, type RobustZState } from './robust-z.js';
import { SeasonalBaselineDetector, type SeasonalBaselineState } from './seasonal-baseline.js';
import { WindowedGaussianDetector, type WindowedGaussianState } from './windowed-gaussian.js';

/** The saved state of any detector of this room, discriminated by `kind`. */
export type DetectorState =
  | RobustZState
  | SeasonalBaselineState
  | LevelShiftState
  | EnsembleState
  | LikelihoodState
  | WindowedGaussianState;

/** Every detector kind, the recommended one (`ensemble`) first. */
export const DETECTOR_KINDS = ['ensemble', 'likelihood', 'robust-z', 'seasonal-baseline', 'level-shift', 'windowed-gaussian'] as const;

export type DetectorKind = (typeof DETECTOR_KINDS)[number];

/**
 * Score at which each detector, with default options, is meant to alert: fixed in advance, not
 * swept. Our z-score detectors score 0.5 at their `halfScoreZ`, the likelihood detector at a one-in-10⁵ event; NAB's Windowed Gaussian alerts at |z| ≥ 7.1305.
 */
export const ALERT_THRESHOLDS: Readonly<Record<DetectorKind, number>> = {
  ensemble: 0.5,
  likelihood: 0.5,
  'robust-z': 0.5,
  'seasonal-baseline': 0.5,
  'level-shift': 0.5,
  'windowed-gaussian': 1 - normalUpperTail(7.1305),
};

/** A fresh detector of a kind with its default options. */
export function createDetector(kind: DetectorKind): AnomalyDetector<DetectorState> {
  switch (kind) {
    case 'ensemble':
      return new EnsembleDetector();
    case 'likelihood':
      return new LikelihoodDetector();
    case 'robust-z':
      return new RobustZDetector();
    case 'seasonal-baseline':
      return new SeasonalBaselineDetector();
    case 'level-shift':
      return new LevelShiftDetector();
    case 'windowed-gaussian':
      return new WindowedGaussianDetector();
  }
}

/**
 * Rebuilds any detector from its saved state (e.g. read back from the router's store after a
 * restart); subsequent scores are identical to those of the detector that was saved.
 *
 * @throws RangeError when the state is of an unknown kind or version.
 */
export function restoreDetector(state: DetectorState): AnomalyDetector<DetectorState> {
  if (state.version !== 1) throw new RangeError(`cannot restore ${String(state.kind)} state of version ${String(state.version)}`);
  switch (state.kind) {
    case 'ensemble':
      return EnsembleDetector.restore(state);
    case 'likelihood':
      return LikelihoodDetector.restore(state);
    case 'robust-z':
      return RobustZDetector.restore(state);
    case 'seasonal-baseline':
      return SeasonalBaselineDetector.restore(state);
    case 'level-shift':
      return LevelShiftDetector.restore(state);
    case 'windowed-gaussian':
      return WindowedGaussianDetector.restore(state);
    default:
      throw new RangeError(`cannot restore detector state of unknown kind ${JSON.stringify((state as { kind: unknown }).kind)}`);
  }
}
