import { describe, expect, it } from 'vitest';
import { Cooldown } from './cooldown.js';

/** Applies the cooldown to `n` points, firing at the rows listed; returns the rows that passed a score ≥ 0.5. */
function firings(c: Cooldown, n: number, fireAt: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (c.apply(fireAt.includes(i) ? 1 : 0) >= 0.5) out.push(i);
  return out;
}

describe('Cooldown', () => {
  it.each([
    { input: 'a fixed 50-point cooldown', options: { fireLevel: 0.5, points: 50 }, fireAt: [100, 120, 151, 1000, 1040], expected: [100, 151, 1000] },
    {
      input: 'a cooldown of 5 % of the points seen, at most 50',
      options: { fireLevel: 0.5, points: 50, shareOfSeen: 0.05 },
      fireAt: [100, 104, 106, 1000, 1040, 1051],
      // 101 points seen at row 100: 5 quiet points; at row 1000, 50.
      expected: [100, 106, 1000, 1051],
    },
  ])('holds scores at 0 after a firing with $input', ({ options, fireAt, expected }) => {
    expect(firings(new Cooldown(options), 1100, fireAt)).toEqual(expected);
  });

  it('restores from JSON with the same quiet left and the same length of the next cooldown', () => {
    const options = { fireLevel: 0.5, points: 300, shareOfSeen: 0.05 };
    const original = new Cooldown(options);
    firings(original, 700, [600]);
    const restored = Cooldown.restore(options, JSON.parse(JSON.stringify(original.save())) as ReturnType<Cooldown['save']>);
    const later = [705, 720, 780, 790];
    expect(firings(restored, 500, later.map((i) => i - 700))).toEqual(firings(original, 500, later.map((i) => i - 700)));
  });
});
