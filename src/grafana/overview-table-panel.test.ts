import type { Panel, ThresholdsConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { resolveServices, type AlertingInput, type Service } from '../slo/index.js';
import { promqlError } from '../slo/promql.js';
import { OVERVIEW_COLUMNS, overviewTablePanel } from './overview-table-panel.js';
import { placeAt } from './panel-placement.js';

const ratio = { kind: 'ratio' as const, errors: 'sum(rate(req_total{code=~"5.."}[{{.window}}]))', total: 'sum(rate(req_total[{{.window}}]))' };

/**
 * Three SLOs with different lowest page burn rates: api-fast (30d, pages from 6×), api-quick (a
 * custom page tier at 2% of 28d in 1h: 13.44×, and one at 5% in 6h: 5.6×) and api-quiet (page alerts
 * disabled; its tiers would page from 6×).
 */
function examples(): Service[] {
  const slo = (name: string, extra: { window?: string; alerting?: AlertingInput } = {}) => ({ name, objective: 99.9, sli: ratio, ...extra });
  return resolveServices([
    {
      file: 'slos/api.ts',
      value: {
        name: 'api',
        description: 'API',
        owner: { team: 'core' },
        slos: [
          slo('fast'),
          slo('quick', {
            window: '28d',
            alerting: {
              tiers: [
                { severity: 'page', budgetPercent: 2, long: '1h', short: '5m' },
                { severity: 'page', budgetPercent: 5, long: '6h', short: '30m' },
                { severity: 'ticket', budgetPercent: 10, long: '3d', short: '6h' },
              ],
            },
          }),
          slo('quiet', { alerting: { page: { disable: true } } }),
        ],
      },
    },
  ]);
}

function tableOf(services: readonly Service[]): Panel {
  return overviewTablePanel(services, 'slo', placeAt(5, 0, 4, 24, 8)).build();
}

const target = (panel: Panel, ref: string) => (panel.targets ?? []).find((t) => (t as { refId?: string }).refId === ref) as { expr?: string } | undefined;

function columnThresholds(panel: Panel, column: string): (number | null | string)[][] {
  const override = panel.fieldConfig?.overrides?.find((o) => o.matcher.options === column);
  const thresholds = override?.properties.find((p) => p.id === 'thresholds')?.value as ThresholdsConfig | undefined;
  return (thresholds?.steps ?? []).map((s) => [s.value, s.color]);
}

describe('the overview table', () => {
  it("divides each page tier's lower window by that tier's own threshold, for every SLO that pages", () => {
    const expr = target(tableOf(examples()), 'H')?.expr ?? '';
    expect(promqlError(expr, 'instant vector')).toBeUndefined();
    const perSlo = expr.split(/ or (?=max by \(slo_id\) \(label_replace)/);
    expect(perSlo).toHaveLength(2); // api-quiet does not page
    const thresholds = (term: string) => [...term.matchAll(/\) \/ ([\d.]+), "slokit_tier"/g)].map((m) => Number(m[1]));
    const windows = (term: string) => [...term.matchAll(/ratio_rate(\w+)\{slo_id="([\w-]+)"\}/g)].map((m) => `${m[2]} ${m[1]}`);
    // api-fast, 30d: 14.4× and 6× of a 0.1% budget; api-quick, 28d: 13.44× and 5.6×.
    expect(thresholds(perSlo[0]!)).toEqual([0.0144, 0.006]);
    expect(new Set(windows(perSlo[0]!))).toEqual(new Set(['api-fast 1h', 'api-fast 5m', 'api-fast 6h', 'api-fast 30m']));
    expect(thresholds(perSlo[1]!)).toEqual([0.01344, 0.0056]);
    expect(new Set(windows(perSlo[1]!))).toEqual(new Set(['api-quick 1h', 'api-quick 5m', 'api-quick 6h', 'api-quick 30m']));
  });

  it('colours burn ÷ page threshold red from 1, and burn rate now only amber from 1×, the same for every SLO', () => {
    const panel = tableOf(examples());
    expect(columnThresholds(panel, OVERVIEW_COLUMNS.burnOverPage)).toEqual([
      [null, 'green'],
      [1, 'red'],
    ]);
    expect(columnThresholds(panel, OVERVIEW_COLUMNS.burn)).toEqual([
      [null, 'green'],
      [1, 'orange'],
    ]);
  });

  it('names the burn ÷ page threshold column and hides the time column of every query', () => {
    const panel = tableOf(examples());
    const organize = panel.transformations?.find((t) => t.id === 'organize')?.options as {
      excludeByName: Record<string, boolean>;
      renameByName: Record<string, string>;
    };
    expect(organize.renameByName['Value #H']).toBe(OVERVIEW_COLUMNS.burnOverPage);
    const times = Object.keys(organize.excludeByName).filter((k) => k.startsWith('Time'));
    expect(times).toHaveLength((panel.targets ?? []).length);
  });

  it('has no burn ÷ page threshold query when no SLO pages', () => {
    const quiet = examples().map((s) => ({ ...s, slos: s.slos.filter((slo) => slo.name === 'quiet') }));
    const panel = tableOf(quiet);
    expect(target(panel, 'H')).toBeUndefined();
    expect((panel.targets ?? []).map((t) => (t as { refId?: string }).refId)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });
});
