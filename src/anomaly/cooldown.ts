/** Tunables of {@link Cooldown}. */
export interface CooldownOptions {
  /** A score at or above this fires and starts the cooldown (score in [0, 1]). */
  fireLevel: number;
  /** Points after a firing whose scores are held at 0 (points; 0 disables the cooldown). */
  points: number;
  /**
   * When set, a cooldown lasts at most this share of the points seen so far (and at most `points`):
   * early in a stream, when a firing is least trustworthy and the next incident may be close, the
   * quiet is short; it reaches `points` after `points / shareOfSeen` points. Unset: always `points`.
   */
  shareOfSeen?: number;
}

/** Saved state of a {@link Cooldown}: points of quiet left, and points seen. */
export interface CooldownState {
  readonly remaining: number;
  /** Points passed through {@link Cooldown.apply} so far (absent in states saved before it was kept). */
  readonly seen?: number;
}

/**
 * Keeps one anomaly from firing on every point: after a score reaches `fireLevel`, the next
 * `points` scores (or fewer, see {@link CooldownOptions.shareOfSeen}) are reported as 0. An
 * incident pages once; its tail, and the detectors' disagreement while they re-learn the new
 * level, stay quiet.
 */
export class Cooldown {
  private remaining = 0;
  private seen = 0;

  constructor(readonly options: CooldownOptions) {}

  /** Rebuilds a cooldown from {@link Cooldown.save}'s output. */
  static restore(options: CooldownOptions, state: CooldownState): Cooldown {
    const c = new Cooldown(options);
    c.remaining = state.remaining;
    c.seen = state.seen ?? 0;
    return c;
  }

  /** True while scores are held at 0: the next {@link Cooldown.apply} returns 0 whatever its score. */
  get cooling(): boolean {
    return this.remaining > 0;
  }

  /** Passes a score through, or 0 while cooling down; a score ≥ fireLevel starts a cooldown. */
  apply(score: number): number {
    this.seen++;
    if (this.remaining > 0) {
      this.remaining--;
      return 0;
    }
    if (score >= this.options.fireLevel) {
      const { points, shareOfSeen } = this.options;
      this.remaining = shareOfSeen === undefined ? points : Math.min(points, Math.floor(shareOfSeen * this.seen));
    }
    return score;
  }

  save(): CooldownState {
    return { remaining: this.remaining, seen: this.seen };
  }
}
