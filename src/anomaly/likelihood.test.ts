import { describe, expect, it } from 'vitest';
import { minusLog10UpperTail } from './anomaly-likelihood.js';
import { LikelihoodDetector } from './likelihood.js';
import { normalUpperTail } from './normal-tail.js';
import { DAY_POINTS, maxBetween, noise, scoresOf, withChange } from './test-series.js';

const N = 9 * DAY_POINTS;
const AT = 8 * DAY_POINTS + 36;

describe('LikelihoodDetector', () => {
  it.each([
    { input: 'a spike', change: (v: number) => v + 15, to: AT + 1 },
    { input: 'a dip', change: (v: number) => v - 15, to: AT + 1 },
    { input: 'a level shift', change: (v: number) => v + 6, to: N },
  ])('scores 0.5 or more on $input and below 0.5 before it', ({ change, to }) => {
    const d = new LikelihoodDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(N), AT, to, change));
    expect(maxBetween(scores, AT, AT + 13)).toBeGreaterThanOrEqual(0.5);
    expect(maxBetween(scores, 0, AT)).toBeLessThan(0.5);
  });

  it('scores 0 during its warm-up, however wild the points', () => {
    const d = new LikelihoodDetector({ warmup: 200 });
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(noise(400), 150, 151, (v) => v + 1000));
    expect(maxBetween(scores, 0, 200)).toBe(0);
  });

  it('learns that a series is spiky: the tenth regular spike scores lower than the first', () => {
    const s = noise(N);
    const spikes = Array.from({ length: 10 }, (_, k) => 600 + k * 150);
    const spiky = withChange(s, 0, N, (v, i) => (spikes.includes(i) ? v + 15 : v));
    const d = new LikelihoodDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), spiky);
    expect(scores[spikes[9]!]!).toBeLessThan(scores[spikes[0]!]!);
  });
});

describe('LikelihoodDetector seasonal echo', () => {
  // A +15 spike every day at about the same time (within 2 points of 03:00), on noise.
  const jitter = [0, 1, -2, 2, -1, 0, 2, -2, 1];
  const spikes = jitter.map((j, day) => day * DAY_POINTS + 36 + j);
  const daily = withChange(noise(N), 0, N, (v, i) => (spikes.includes(i) ? v + 15 : v));
  const last = spikes[spikes.length - 1]!;

  it.each([
    { input: 'on', options: {}, expected: 'below' },
    { input: 'off', options: { echoSpread: 0 }, expected: 'at or above' },
  ])('with the echo $input, the ninth daily spike scores $expected 0.5', ({ options, expected }) => {
    const d = new LikelihoodDetector(options);
    const score = scoresOf((t, v) => d.observe(t, v), daily)[last]!;
    if (expected === 'below') expect(score).toBeLessThan(0.5);
    else expect(score).toBeGreaterThanOrEqual(0.5);
  });

  it('still scores a spike at an hour with no earlier spike', () => {
    const d = new LikelihoodDetector();
    const scores = scoresOf((t, v) => d.observe(t, v), withChange(daily, last + 100, last + 101, (v) => v + 15));
    expect(scores[last + 100]).toBeGreaterThanOrEqual(0.5);
  });
});

describe('minusLog10UpperTail', () => {
  it.each([0.5, 2, 5, 7.1305, 15])('agrees with the exact normal tail at z = %s to 1e-6 relative', (z) => {
    const exact = -Math.log10(normalUpperTail(z));
    expect(Math.abs(minusLog10UpperTail(z) - exact) / exact).toBeLessThan(1e-6);
  });
});

describe('LikelihoodDetector.learn', () => {
  it('leaves the same state as observe, so an ensemble can skip scoring during its cooldown', () => {
    const s = withChange(noise(3 * DAY_POINTS, 6, 10), 700, 760, (v) => v + 9);
    const observed = new LikelihoodDetector();
    const learnt = new LikelihoodDetector();
    for (let i = 0; i < s.values.length; i++) {
      observed.observe(s.timestamps[i]!, s.values[i]!);
      if (i % 3 === 0) learnt.learn(s.timestamps[i]!, s.values[i]!);
      else learnt.observe(s.timestamps[i]!, s.values[i]!);
    }
    expect(learnt.save()).toEqual(observed.save());
  });
});
