/** Tunables of {@link Cooldown}. */
export interface CooldownOptions {
  /** A score at or above this fires and starts the cooldown (score in [0, 1]). */
  fireLevel: number;
  /** Points after a firing whose scores are held at 0 (points; 0 disables the cooldown). */
  points: number;
}

/** Saved state of a {@link Cooldown}: points of quiet left. */
export interface CooldownState {
  readonly remaining: number;
}

/**
 * Keeps one anomaly from firing on every point: after a score reaches `fireLevel`, the next
 * `points` scores are reported as 0. An incident pages once; its tail, and the detectors'
 * disagreement while they re-learn the new level, stay quiet.
 */
export class Cooldown {
  private remaining = 0;

  constructor(readonly options: CooldownOptions) {}

  /** Rebuilds a cooldown from {@link Cooldown.save}'s output. */
  static restore(options: CooldownOptions, state: CooldownState): Cooldown {
    const c = new Cooldown(options);
    c.remaining = state.remaining;
    return c;
  }

  /** True while scores are held at 0: the next {@link Cooldown.apply} returns 0 whatever its score. */
  get cooling(): boolean {
    return this.remaining > 0;
  }

  /** Passes a score through, or 0 while cooling down; a score ≥ fireLevel starts a cooldown. */
  apply(score: number): number {
    if (this.remaining > 0) {
      this.remaining--;
      return 0;
    }
    if (score >= this.options.fireLevel) this.remaining = this.options.points;
    return score;
  }

  save(): CooldownState {
    return { remaining: this.remaining };
  }
}
