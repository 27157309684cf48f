import { Cooldown, type CooldownOptions, type CooldownState } from './cooldown.js';
import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { LevelShiftDetector, type LevelShiftOptions, type LevelShiftState } from './level-shift.js';
import { LikelihoodDetector, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { RobustZDetector, type RobustZOptions, type RobustZState } from './robust-z.js';
import {
  SeasonalBaselineDetector,
  type SeasonalBaselineOptions,
  type SeasonalBaselineState,
} from './seasonal-baseline.js';

/** One member of an ensemble: a detector kind and its options (defaults fill the rest). */
export type EnsembleMember =
  | { readonly kind: 'robust-z'; readonly options?: Partial<RobustZOptions> }
  | { readonly kind: 'seasonal-baseline'; readonly options?: Partial<SeasonalBaselineOptions> }
  | { readonly kind: 'level-shift'; readonly options?: Partial<LevelShiftOptions> }
  | { readonly kind: 'likelihood'; readonly options?: Partial<LikelihoodOptions> };

type MemberState = RobustZState | SeasonalBaselineState | LevelShiftState | LikelihoodState;
type MemberDetector = RobustZDetector | SeasonalBaselineDetector | LevelShiftDetector | LikelihoodDetector;

/** Tunables of {@link EnsembleDetector}. */
export interface EnsembleOptions {
  readonly members: readonly EnsembleMember[];
  readonly cooldown: CooldownOptions;
}

/** Saved state of an {@link EnsembleDetector}. */
export interface EnsembleState extends DetectorStateBase {
  readonly kind: 'ensemble';
  readonly cooldown: CooldownOptions & CooldownState;
  readonly members: MemberState[];
}

/**
 * Defaults, chosen once for all 42 series of the NAB benchmark (one global setting, no per-series
 * tuning; see docs/anomaly.md): the likelihood detector (level, point, step and seasonal surprise,
 * each calibrated against its own history), then a 200-point cooldown after a score of 0.5, so an
 * incident fires once and the re-learning that follows stays quiet.
 */
export const ENSEMBLE_DEFAULTS: EnsembleOptions = {
  members: [{ kind: 'likelihood' }],
  cooldown: { fireLevel: 0.5, points: 200 },
};

function createMember(m: EnsembleMember): MemberDetector {
  switch (m.kind) {
    case 'robust-z':
      return new RobustZDetector(m.options);
    case 'seasonal-baseline':
      return new SeasonalBaselineDetector(m.options);
    case 'level-shift':
      return new LevelShiftDetector(m.options);
    case 'likelihood':
      return new LikelihoodDetector(m.options);
  }
}

function restoreMember(s: MemberState): MemberDetector {
  switch (s.kind) {
    case 'robust-z':
      return RobustZDetector.restore(s);
    case 'seasonal-baseline':
      return SeasonalBaselineDetector.restore(s);
    case 'level-shift':
      return LevelShiftDetector.restore(s);
    case 'likelihood':
      return LikelihoodDetector.restore(s);
  }
}

function onlyLikelihood(members: readonly MemberDetector[]): LikelihoodDetector | null {
  const [first] = members;
  return members.length === 1 && first instanceof LikelihoodDetector ? first : null;
}

/**
 * Ensemble: every member scores every point, the ensemble reports the highest score (each member
 * catches a different kind of anomaly, and each is calibrated so that its score means about the
 * same surprise), then a {@link Cooldown} so one incident fires once.
 */
export class EnsembleDetector implements AnomalyDetector<EnsembleState> {
  readonly kind = 'ensemble' as const;
  private members: MemberDetector[];
  /** The member when it is the only one and a likelihood detector (the default): a direct call. */
  private only: LikelihoodDetector | null;
  private cooldown: Cooldown;

  constructor(options: Partial<EnsembleOptions> = {}) {
    const o = { ...ENSEMBLE_DEFAULTS, ...options };
    if (o.members.length === 0) throw new RangeError('ensemble: needs at least one member');
    this.members = o.members.map(createMember);
    this.only = onlyLikelihood(this.members);
    this.cooldown = new Cooldown(o.cooldown);
  }

  /** Rebuilds a detector from {@link EnsembleDetector.save}'s output. */
  static restore(state: EnsembleState): EnsembleDetector {
    const d = new EnsembleDetector();
    d.members = state.members.map(restoreMember);
    d.only = onlyLikelihood(d.members);
    const { remaining, ...options } = state.cooldown;
    d.cooldown = Cooldown.restore(options, { remaining });
    return d;
  }

  observe(timestamp: number, value: number): number {
    const cooldown = this.cooldown;
    // While cooling down the score is 0 whatever the members say: they only need to learn.
    const cooling = cooldown.cooling;
    const only = this.only;
    if (only !== null) {
      if (cooling) only.learn(timestamp, value);
      return cooldown.apply(cooling ? 0 : only.observe(timestamp, value));
    }
    let score = 0;
    for (const m of this.members) {
      if (cooling && m instanceof LikelihoodDetector) {
        m.learn(timestamp, value);
        continue;
      }
      const s = m.observe(timestamp, value);
      if (s > score) score = s;
    }
    return cooldown.apply(score);
  }

  save(): EnsembleState {
    return {
      kind: this.kind,
      version: 1,
      cooldown: { ...this.cooldown.options, ...this.cooldown.save() },
      members: this.members.map((m) => m.save()),
    };
  }
}
