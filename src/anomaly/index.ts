// Public boundary of src/anomaly: streaming detectors, their saved state, and the NAB scorer.
export type { AnomalyDetector, DetectorStateBase } from './detector.js';
export { Cooldown, type CooldownOptions, type CooldownState } from './cooldown.js';
export {
  ENSEMBLE_DEFAULTS,
  EnsembleDetector,
  type EnsembleMember,
  type EnsembleOptions,
  type EnsembleState,
} from './ensemble.js';
export { LEVEL_SHIFT_DEFAULTS, LevelShiftDetector, type LevelShiftOptions, type LevelShiftState } from './level-shift.js';
export { LIKELIHOOD_DEFAULTS, LikelihoodDetector, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
export { RANGE_DEFAULTS, RangeDetector, type RangeOptions, type RangeState } from './range.js';
export { AnomalyLikelihood, minusLog10UpperTail, type AnomalyLikelihoodState } from './anomaly-likelihood.js';
export { ROBUST_Z_DEFAULTS, RobustZDetector, type RobustZOptions, type RobustZState } from './robust-z.js';
export {
  SEASONAL_BASELINE_DEFAULTS,
  SeasonalBaselineDetector,
  type SeasonalBaselineOptions,
  type SeasonalBaselineState,
} from './seasonal-baseline.js';
export {
  WINDOWED_GAUSSIAN_DEFAULTS,
  WindowedGaussianDetector,
  type WindowedGaussianOptions,
  type WindowedGaussianState,
} from './windowed-gaussian.js';
export {
  ALERT_THRESHOLDS,
  DETECTOR_KINDS,
  createDetector,
  restoreDetector,
  type DetectorKind,
  type DetectorState,
} from './registry.js';
export { SortedWindow } from './sorted-window.js';
export { erfc, normalUpperTail } from './normal-tail.js';
export { MAD_TO_SIGMA, scoreFromZ } from './z-score.js';
export { NAB_PROFILES, type NabProfile } from './nab-profile.js';
export {
  nabNormalize,
  nabProbationLength,
  nabScaledSigmoid,
  scoreNabAtThreshold,
  sweepNabThreshold,
  type NabResult,
  type NabScoredSeries,
  type NabWindow,
} from './nab-scorer.js';
export { NabCorpusError, loadNabCorpus, type NabCorpus, type NabSeries } from './nab-corpus.js';
