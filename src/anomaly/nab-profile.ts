/**
 * A NAB cost profile: how much an early detection earns, and what a false positive and a missed
 * window cost. Weights are dimensionless points of raw NAB score.
 */
export interface NabProfile {
  readonly name: string;
  /** Earned by the earliest detection in a window (scaled by how early it is). */
  readonly tpWeight: number;
  /** Lost per detection outside every window (scaled down just after a window). */
  readonly fpWeight: number;
  /** Lost per window with no detection. */
  readonly fnWeight: number;
}

/** NAB v1.1's three profiles, as in its `config/profiles.json`. */
export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
];
