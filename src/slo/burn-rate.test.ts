import { describe, expect, it } from 'vitest';
import { burnFactor, defaultTiers, detectionTimeMs } from './burn-rate.js';
import { DAY, HOUR, MINUTE } from './duration.js';

const summary = (windowDays: number) =>
  defaultTiers(windowDays * DAY).map((t) => `${t.severity} ${t.long}/${t.short} ×${t.factor}`);

describe('burn-rate tiers', () => {
  it.each([
    { input: { percent: 2, window: 30 * DAY, long: HOUR }, expected: 14.4 },
    { input: { percent: 5, window: 30 * DAY, long: 6 * HOUR }, expected: 6 },
    { input: { percent: 10, window: 30 * DAY, long: DAY }, expected: 3 },
    { input: { percent: 10, window: 30 * DAY, long: 3 * DAY }, expected: 1 },
    { input: { percent: 2, window: 28 * DAY, long: HOUR }, expected: 13.44 },
  ])('computes factor $expected from budget share × window ÷ long window', ({ input, expected }) => {
    expect(burnFactor(input.percent, input.window, input.long)).toBe(expected);
  });

  it('gives a 30d SLO exactly the workbook tiers', () => {
    expect(summary(30)).toEqual(['page 1h/5m ×14.4', 'page 6h/30m ×6', 'ticket 1d/2h ×3', 'ticket 3d/6h ×1']);
  });

  it('keeps round windows for a 28d SLO and recomputes the factors exactly', () => {
    expect(summary(28)).toEqual([
      'page 1h/5m ×13.44',
      'page 6h/30m ×5.6',
      'ticket 1d/2h ×2.8',
      'ticket 3d/6h ×0.933333333333',
    ]);
  });

  it('scales windows down for a 7d SLO without going under the 5m base window', () => {
    expect(summary(7)).toEqual(['page 15m/5m ×13.44', 'page 1h/5m ×8.4', 'ticket 6h/30m ×2.8', 'ticket 12h/1h ×1.4']);
  });

  it('scales windows up for a 90d SLO', () => {
    const tiers = defaultTiers(90 * DAY);
    expect(tiers.map((t) => t.long)).toEqual(['3h', '1d', '3d', '10d']);
    for (const t of tiers) expect(t.shortMs).toBeLessThan(t.longMs);
  });

  it('keeps the workbook burn rate for a tier whose window is raised to 15m, and drops the tier it makes redundant', () => {
    // A 1d SLO: 1h and 6h scale to 2m and 12m, both raised to 15m. Keeping their budget shares gave
    // page ×1.92 and ×4.8 on the same windows, under the ticket's ×2.4.
    expect(summary(1)).toEqual(['page 15m/5m ×6', 'ticket 1h/5m ×2.4', 'ticket 2h/10m ×1.2']);
    expect(summary(2)).toEqual(['page 15m/5m ×14.4', 'page 30m/5m ×4.8', 'ticket 2h/10m ×2.4', 'ticket 6h/30m ×0.8']);
  });

  it.each([1, 2, 3, 5, 7, 14, 28, 30, 60, 90])('pages above tickets and lowers the factor as windows lengthen for a %id SLO', (days) => {
    const tiers = defaultTiers(days * DAY);
    for (let i = 1; i < tiers.length; i++) {
      expect(tiers[i]!.longMs, `${summary(days).join(', ')}`).toBeGreaterThan(tiers[i - 1]!.longMs);
      expect(tiers[i]!.factor, `${summary(days).join(', ')}`).toBeLessThan(tiers[i - 1]!.factor);
    }
    const lowestPage = Math.min(...tiers.filter((t) => t.severity === 'page').map((t) => t.factor));
    const highestTicket = Math.max(...tiers.filter((t) => t.severity === 'ticket').map((t) => t.factor));
    expect(lowestPage).toBeGreaterThan(highestTicket);
  });

  it('detects a burn at 1.1× the fast threshold in the workbook time', () => {
    const [fast] = defaultTiers(30 * DAY);
    expect(detectionTimeMs(fast!, 14.4 * 1.1) / MINUTE).toBeCloseTo(54.545, 2);
  });
});
