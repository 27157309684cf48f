/**
 * The one streaming interface every detector implements.
 *
 * A detector sees a series one point at a time, in time order, and scores each point before it
 * learns from it: it never sees a point before scoring it, nor any global property of the series
 * (its minimum, maximum or length). Its whole memory is a plain JSON-serialisable state, so the
 * alert-router can persist baselines and resume after a restart with identical subsequent scores.
 */
export interface AnomalyDetector<State extends DetectorStateBase = DetectorStateBase> {
  /** Discriminant of the detector's saved state, e.g. `"robust-z"`. */
  readonly kind: State['kind'];
  /**
   * Scores one point, then learns it.
   *
   * @param timestamp milliseconds since the Unix epoch (UTC); normally increasing, but a step back (a repeated hour) is tolerated.
   * @param value the observation; a non-finite value is scored 0 and not learnt.
   * @returns anomaly score in [0, 1]: 0 is ordinary, 1 is as anomalous as the detector can say.
   */
  observe(timestamp: number, value: number): number;
  /** A deep copy of the detector's state: JSON-serialisable, with no NaN or Infinity inside. */
  save(): State;
}

/** What every saved state carries: which detector it belongs to, and the format version. */
export interface DetectorStateBase {
  readonly kind: string;
  /** Bumped when the layout of a kind's state changes incompatibly. */
  readonly version: 1;
}
