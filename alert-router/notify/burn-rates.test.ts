import { describe, expect, it } from 'vitest';
import { burnRatesOf } from './burn-rates.js';
import { aGeneratedSloAlert } from './generated-alert-fixture.js';

describe('burnRatesOf', () => {
  it('reads every window’s burn rate and the firing tier from a generated page alert as Prometheus renders it', () => {
    const { annotations } = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['15.8', '16.2', '3.1', '4.0']);
    expect(burnRatesOf(annotations)).toEqual({
      rates: { '1h': 15.8, '5m': 16.2, '6h': 3.1, '30m': 4 },
      firing: { window: '1h', rate: 15.8 },
    });
  });

  it('leaves out a window without data ("n/a")', () => {
    const { annotations } = aGeneratedSloAlert('SLOErrorBudgetBurnTicket', ['3.4', undefined, '1.2', '1.5']);
    expect(burnRatesOf(annotations)).toEqual({ rates: { '1d': 3.4, '3d': 1.2, '6h': 1.5 }, firing: { window: '1d', rate: 3.4 } });
  });

  it('says nothing of a firing tier when the description marks none', () => {
    const { annotations } = aGeneratedSloAlert('SLOErrorBudgetBurnPage', ['2.0'], false);
    expect(burnRatesOf(annotations)).toEqual({ rates: { '1h': 2, '5m': 2, '6h': 2, '30m': 2 } });
  });

  it.each([
    { name: 'a no-data alert', input: aGeneratedSloAlert('SLOSLINoData').annotations },
    { name: 'a hand-written alert', input: { summary: 'disk 95% full', description: 'sda1 on db-1 (threshold 90%)' } },
    { name: 'no description', input: {} },
  ])('finds no burn rates in $name', ({ input }) => {
    expect(burnRatesOf(input)).toBeUndefined();
  });
});
