import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNabCorpus, type NabCorpus } from './nab-corpus.js';
import { NAB_PROFILES, type NabProfile } from './nab-profile.js';
import {
  nabProbationLength,
  nabScaledSigmoid,
  scoreNabAtThreshold,
  sweepNabThreshold,
  type NabScoredSeries,
} from './nab-scorer.js';
import { normalUpperTail } from './normal-tail.js';
import { ALERT_THRESHOLDS, createDetector } from './registry.js';
import { WindowedGaussianDetector } from './windowed-gaussian.js';

/** The NAB subset beside the checkout (`../shared/nab`), or wherever SLOKIT_NAB_DIR points. */
const NAB_DIR = process.env.SLOKIT_NAB_DIR ?? resolve(import.meta.dirname, '../../../shared/nab');
const standard = NAB_PROFILES[0]!;

function profile(name: string): NabProfile {
  const p = NAB_PROFILES.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no profile ${name}`);
  return p;
}

/** A 1,000-row series (probation 150 rows) with windows at rows 300–399 and 700–799. */
function synthetic(detections: readonly number[]): NabScoredSeries {
  const scores = new Float64Array(1000);
  for (const i of detections) scores[i] = 1;
  return { name: 'synthetic', windows: [{ start: 300, end: 399 }, { start: 700, end: 799 }], scores };
}

describe('NAB scoring rules', () => {
  it('leaves the first 15 % of rows, at most 750, unscored', () => {
    expect(nabProbationLength(1000)).toBe(150);
    expect(nabProbationLength(4032)).toBe(604);
    expect(nabProbationLength(22695)).toBe(750);
  });

  it('uses the scaled sigmoid NAB describes', () => {
    expect(nabScaledSigmoid(0)).toBe(0);
    expect(nabScaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(nabScaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(nabScaledSigmoid(3)).toBe(-1);
  });

  it('scores a detection at the first row of every window as perfect', () => {
    const r = scoreNabAtThreshold([synthetic([300, 700])], standard, 0.5);
    expect(r.raw).toBeCloseTo(2, 12);
    expect(r.normalized).toBeCloseTo(100, 10);
  });

  it('counts only the earliest detection in a window', () => {
    const once = scoreNabAtThreshold([synthetic([350])], standard, 0.5);
    const many = scoreNabAtThreshold([synthetic([350, 360, 399])], standard, 0.5);
    expect(many.raw).toBe(once.raw);
    expect(once.raw).toBeCloseTo(nabScaledSigmoid(-50 / 100) / nabScaledSigmoid(-1) - 1, 12);
  });

  it('charges a full false positive before any window ends and less just after one', () => {
    const base = scoreNabAtThreshold([synthetic([])], standard, 0.5).raw;
    const early = scoreNabAtThreshold([synthetic([200])], standard, 0.5).raw - base;
    const justAfter = scoreNabAtThreshold([synthetic([400])], standard, 0.5).raw - base;
    const inProbation = scoreNabAtThreshold([synthetic([100])], standard, 0.5).raw - base;
    expect(early).toBeCloseTo(-0.11, 12);
    expect(justAfter).toBeCloseTo(0.11 * nabScaledSigmoid(1 / 99), 12);
    expect(justAfter).toBeGreaterThan(early);
    expect(inProbation).toBe(0);
  });

  it('sweeps to the threshold that separates detections from noise', () => {
    const s = synthetic([]);
    const scores = Float64Array.from(s.scores, () => 0.2);
    scores[305] = 0.9;
    scores[705] = 0.8;
    scores[500] = 0.5;
    const r = sweepNabThreshold([{ ...s, scores }], standard);
    expect(r.threshold).toBe(0.8);
    expect(r.truePositives).toBe(2);
    expect(r.falsePositives).toBe(0);
  });
});

describe('NAB scorer on the NAB corpus', () => {
  let corpus: NabCorpus;
  beforeAll(() => {
    try {
      corpus = loadNabCorpus(NAB_DIR);
    } catch (cause) {
      throw new Error(`the NAB subset is not at ${NAB_DIR}: put shared/nab beside the checkout or set SLOKIT_NAB_DIR`, { cause });
    }
  });

  function run(score: (values: Float64Array, timestamps: Float64Array, windows: NabScoredSeries['windows']) => Float64Array) {
    return corpus.series.map((s) => ({ name: s.name, windows: s.windows, scores: score(s.values, s.timestamps, s.windows) }));
  }

  it('reads the 42 labelled series and their 69 windows', () => {
    expect(corpus.series).toHaveLength(42);
    expect(corpus.series.reduce((n, s) => n + s.windows.length, 0)).toBe(69);
    expect(corpus.profiles.map((p) => p.name)).toEqual(NAB_PROFILES.map((p) => p.name));
  });

  it.each(NAB_PROFILES.map((p) => ({ profile: p })))(
    'scores the null detector −fnWeight × windows raw and 0 normalized ($profile.name)',
    ({ profile: p }) => {
      const scored = run((v) => new Float64Array(v.length));
      const r = sweepNabThreshold(scored, p);
      expect(r.raw).toBeCloseTo(-p.fnWeight * 69, 9);
      expect(r.normalized).toBeCloseTo(0, 9);
    },
  );

  it.each(NAB_PROFILES.map((p) => ({ profile: p })))('scores a perfect detector 100 ($profile.name)', ({ profile: p }) => {
    const scored = run((v, _t, windows) => {
      const s = new Float64Array(v.length);
      for (const w of windows) s[w.start] = 1;
      return s;
    });
    expect(sweepNabThreshold(scored, p).normalized).toBeCloseTo(100, 9);
    expect(scoreNabAtThreshold(scored, p, 1).normalized).toBeCloseTo(100, 9);
  });

  it('scores the default ensemble at least 70 on the standard profile with its threshold fixed in advance', () => {
    const scored = run((values, timestamps) => {
      const d = createDetector('ensemble');
      return values.map((v, i) => d.observe(timestamps[i]!, v));
    });
    const fixed = scoreNabAtThreshold(scored, standard, ALERT_THRESHOLDS.ensemble);
    expect(fixed.normalized).toBeGreaterThanOrEqual(70);
    expect(sweepNabThreshold(scored, standard).normalized).toBeGreaterThanOrEqual(fixed.normalized);
  });

  it.each([
    { input: 'standard', expected: 30.53 },
    { input: 'reward_low_FP_rate', expected: 16.37 },
    { input: 'reward_low_FN_rate', expected: 36.78 },
  ])("reproduces NAB's Windowed Gaussian score $expected on $input at |z| ≥ 7.1305", ({ input, expected }) => {
    const scored = run((values, timestamps) => {
      const d = new WindowedGaussianDetector();
      return values.map((v, i) => d.observe(timestamps[i]!, v));
    });
    const r = scoreNabAtThreshold(scored, profile(input), 1 - normalUpperTail(7.1305));
    expect(Math.abs(r.normalized - expected)).toBeLessThanOrEqual(0.02);
    // Sweeping can only do as well or better than any one fixed threshold.
    expect(sweepNabThreshold(scored, profile(input)).normalized).toBeGreaterThanOrEqual(r.normalized);
  });
});
