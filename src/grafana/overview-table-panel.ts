import { TableCellDisplayMode } from '@grafana/grafana-foundation-sdk/common';
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode, type DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { DATASOURCE_VARIABLE, identityLabelKeys, type LabelStyle, type Service } from '../slo/index.js';
import { prometheusDatasource } from './datasource.js';
import { DASHBOARD_URL_LABEL, JOIN_LABEL, overviewTableQueries } from './overview-queries.js';
import type { PanelPlacement } from './panel-placement.js';
import { prometheusTarget } from './prometheus-target.js';
import { BURN_RATE_UNIT } from './slo-stat-panels.js';
import { budgetThresholds, COLOR } from './thresholds.js';

/** Column titles of the overview table. */
export const OVERVIEW_COLUMNS = {
  service: 'Service',
  slo: 'SLO',
  window: 'Window',
  objective: 'Objective',
  sli: 'SLI over window',
  budget: 'Error budget remaining',
  burn: 'Burn rate now',
  alert: 'Alert firing',
} as const;

/** The lowest page-tier burn rate of any SLO: the burn-rate column turns red from there. */
function lowestPageFactor(services: readonly Service[]): number {
  const factors = services.flatMap((s) => s.slos.flatMap((slo) => slo.tiers.filter((t) => t.severity === 'page').map((t) => t.factor)));
  return factors.length === 0 ? 10 : Number(Math.min(...factors).toPrecision(12));
}

function colored(mode: TableCellDisplayMode.ColorBackground | TableCellDisplayMode.ColorText): DynamicConfigValue {
  return { id: 'custom.cellOptions', value: { type: mode } };
}

/**
 * Every SLO on one line: service, SLO, window, objective, SLI over its window, error budget remaining
 * (green, amber under 25%, red when spent), burn rate now, and which alert fires. Paging SLOs come
 * first, then ticketing ones, then the rest by the share of budget spent. The SLO name links to its
 * service dashboard with that SLO selected.
 */
export function overviewTablePanel(services: readonly Service[], labelStyle: LabelStyle, at: PanelPlacement): TablePanelBuilder {
  const keys = identityLabelKeys(labelStyle);
  const queries = overviewTableQueries(services, labelStyle);
  const panel = new TablePanelBuilder()
    .id(at.id)
    .gridPos({ ...at.gridPos })
    .title('Service level objectives')
    .description('Every SLO, the ones in trouble first. Select an SLO to open its service dashboard.')
    .datasource(prometheusDatasource())
    .unit('percentunit')
    .cellHeight('sm' as never);
  for (const [ref, expr] of Object.entries(queries)) panel.withTarget(prometheusTarget({ refId: ref, expr, instant: true, format: 'table' }));
  const hidden = Object.fromEntries(
    ['Time', ...[1, 2, 3, 4, 5, 6, 7].map((i) => `Time ${i}`), 'Value #A', 'Value #G', JOIN_LABEL, keys.id].map((k) => [k, true]),
  );
  const order = [keys.service, keys.name, keys.window, 'Value #B', 'Value #C', 'Value #D', 'Value #E', 'Value #F', DASHBOARD_URL_LABEL];
  panel
    .withTransformation({ id: 'joinByField', options: { byField: JOIN_LABEL, mode: 'outer' } })
    .withTransformation({ id: 'sortBy', options: { fields: {}, sort: [{ field: 'Value #G', desc: true }] } })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: hidden,
        indexByName: Object.fromEntries(order.map((name, i) => [name, i])),
        renameByName: {
          [keys.service]: OVERVIEW_COLUMNS.service,
          [keys.name]: OVERVIEW_COLUMNS.slo,
          [keys.window]: OVERVIEW_COLUMNS.window,
          'Value #B': OVERVIEW_COLUMNS.objective,
          'Value #C': OVERVIEW_COLUMNS.sli,
          'Value #D': OVERVIEW_COLUMNS.budget,
          'Value #E': OVERVIEW_COLUMNS.burn,
          'Value #F': OVERVIEW_COLUMNS.alert,
        },
      },
    })
    .overrideByName(OVERVIEW_COLUMNS.slo, [
      {
        id: 'links',
        value: [
          {
            title: 'Open the service dashboard with this SLO selected',
            url: `\${__data.fields.${DASHBOARD_URL_LABEL}}&var-${DATASOURCE_VARIABLE}=\${${DATASOURCE_VARIABLE}}&\${__url_time_range}`,
          },
        ],
      },
    ])
    .overrideByName(DASHBOARD_URL_LABEL, [{ id: 'custom.hidden', value: true }])
    .overrideByName(OVERVIEW_COLUMNS.objective, [
      { id: 'unit', value: 'percentunit' },
      { id: 'decimals', value: 2 },
    ])
    .overrideByName(OVERVIEW_COLUMNS.sli, [
      { id: 'unit', value: 'percentunit' },
      { id: 'decimals', value: 3 },
    ])
    .overrideByName(OVERVIEW_COLUMNS.budget, [
      { id: 'unit', value: 'percentunit' },
      { id: 'decimals', value: 1 },
      { id: 'thresholds', value: budgetThresholds().build() },
      colored(TableCellDisplayMode.ColorBackground),
    ])
    .overrideByName(OVERVIEW_COLUMNS.burn, [
      { id: 'unit', value: BURN_RATE_UNIT },
      { id: 'decimals', value: 2 },
      {
        id: 'thresholds',
        value: new ThresholdsConfigBuilder()
          .mode(ThresholdsMode.Absolute)
          .steps([
            { value: null, color: COLOR.ok },
            { value: 1, color: COLOR.warn },
            { value: lowestPageFactor(services), color: COLOR.bad },
          ])
          .build(),
      },
      colored(TableCellDisplayMode.ColorText),
    ])
    .overrideByName(OVERVIEW_COLUMNS.alert, [
      { id: 'unit', value: 'none' },
      {
        id: 'mappings',
        value: [
          {
            type: MappingType.ValueToText,
            options: {
              '0': { text: 'none', color: COLOR.ok, index: 0 },
              '1': { text: 'ticket', color: COLOR.ticket, index: 1 },
              '2': { text: 'PAGE', color: COLOR.page, index: 2 },
            },
          },
        ],
      },
      colored(TableCellDisplayMode.ColorBackground),
    ]);
  return panel;
}
