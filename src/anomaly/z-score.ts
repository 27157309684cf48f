/** 1.4826 × MAD estimates a normal distribution's standard deviation (MAD = 0.6745 σ). */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Maps a z-score (deviation in robust standard deviations) to a score in [0, 1):
 * z² / (z² + h²), which is 0.5 at |z| = h, rises smoothly and, unlike 1 − Q(|z|), does not round to
 * exactly 1 for every large deviation, so a threshold sweep can still tell z = 20 from z = 200.
 */
export function scoreFromZ(z: number, halfScoreZ: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 0 : 1;
  const z2 = z * z;
  return z2 / (z2 + halfScoreZ * halfScoreZ);
}

