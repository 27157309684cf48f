import { Cooldown, type CooldownOptions, type CooldownState } from './cooldown.js';
import type { AnomalyDetector, DetectorStateBase } from './detector.js';
import { LevelShiftDetector, type LevelShiftOptions, type LevelShiftState } from './level-shift.js';
import { LikelihoodDetector, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { RangeDetector, type RangeOptions, type RangeState } from './range.js';
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
  | { readonly kind: 'likelihood'; readonly options?: Partial<LikelihoodOptions> }
  | { readonly kind: 'range'; readonly options?: Partial<RangeOptions> };

type MemberState = RobustZState | SeasonalBaselineState | LevelShiftState | LikelihoodState | RangeState;
type MemberDetector = RobustZDetector | SeasonalBaselineDetector | LevelShiftDetector | LikelihoodDetector | RangeDetector;

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
 * each calibrated against its own history, quiet on a seasonal echo) and the range detector (a new
 * extreme), then a cooldown after a score of 0.5, so an incident fires once and the re-learning
 * that follows stays quiet: 3.5 % of the points seen so far, at most 300 points.
 */
export const ENSEMBLE_DEFAULTS: EnsembleOptions = {
  members: [{ kind: 'likelihood' }, { kind: 'range' }],
  cooldown: { fireLevel: 0.5, points: 300, shareOfSeen: 0.035 },
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
    case 'range':
      return new RangeDetector(m.options);
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
    case 'range':
      return RangeDetector.restore(s);
  }
}

/** The members when they are one likelihood detector, optionally followed by one range detector (the default). */
interface DirectMembers {
  readonly likelihood: LikelihoodDetector;
  readonly range: RangeDetector | null;
}

function directMembers(members: readonly MemberDetector[]): DirectMembers | null {
  const [first, second] = members;
  if (!(first instanceof LikelihoodDetector)) return null;
  if (members.length === 1) return { likelihood: first, range: null };
  return members.length === 2 && second instanceof RangeDetector ? { likelihood: first, range: second } : null;
}

/**
 * Ensemble: every member scores every point, the ensemble reports the highest score (each member
 * catches a different kind of anomaly, and each is calibrated so that its score means about the
 * same surprise), then a {@link Cooldown} so one incident fires once.
 */
export class EnsembleDetector implements AnomalyDetector<EnsembleState> {
  readonly kind = 'ensemble' as const;
  private members: MemberDetector[];
  /** The members when they are the default kinds: direct calls instead of the loop. */
  private direct: DirectMembers | null;
  private cooldown: Cooldown;

  constructor(options: Partial<EnsembleOptions> = {}) {
    const o = { ...ENSEMBLE_DEFAULTS, ...options };
    if (o.members.length === 0) throw new RangeError('ensemble: needs at least one member');
    this.members = o.members.map(createMember);
    this.direct = directMembers(this.members);
    this.cooldown = new Cooldown(o.cooldown);
  }

  /** Rebuilds a detector from {@link EnsembleDetector.save}'s output. */
  static restore(state: EnsembleState): EnsembleDetector {
    const d = new EnsembleDetector();
    d.members = state.members.map(restoreMember);
    d.direct = directMembers(d.members);
    const { remaining, seen, ...options } = state.cooldown;
    d.cooldown = Cooldown.restore(options, seen === undefined ? { remaining } : { remaining, seen });
    return d;
  }

  observe(timestamp: number, value: number): number {
    const cooldown = this.cooldown;
    // While cooling down the score is 0 whatever the members say: they only need to learn.
    const cooling = cooldown.cooling;
    const direct = this.direct;
    if (direct !== null) {
      const range = direct.range === null ? 0 : direct.range.observe(timestamp, value);
      if (cooling) {
        direct.likelihood.learn(timestamp, value);
        return cooldown.apply(0);
      }
      const score = direct.likelihood.observe(timestamp, value);
      return cooldown.apply(score > range ? score : range);
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
