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
  burnOverPage: 'Burn ÷ page threshold',
  alert: 'Alert firing',
} as const;

/** Absolute thresholds from their steps, as a column override takes them. */
function steps(list: { value: number | null; color: string }[]) {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list).build();
}

function colored(mode: TableCellDisplayMode.ColorBackground | TableCellDisplayMode.ColorText): DynamicConfigValue {
  return { id: 'custom.cellOptions', value: { type: mode } };
}

/**
 * Every SLO on one line: service, SLO, window, objective, SLI over its window, error budget remaining
 * (green, amber under 25%, red when spent), burn rate now (amber from 1×), how near the page alert
 * is (each page tier's lower window ÷ its threshold, red from 1), and which alert fires. Paging SLOs come first, then
 * ticketing ones, then the rest by the share of budget spent. The SLO name links to its service
 * dashboard with that SLO selected.
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
  // Each query's table frame has its own Time field; the join names them Time, Time 1, Time 2, ...
  const times = Object.keys(queries).map((_, i) => (i === 0 ? 'Time' : `Time ${i}`));
  const hidden = Object.fromEntries([...times, 'Value #A', 'Value #G', JOIN_LABEL, keys.id].map((k) => [k, true]));
  const order = [
    keys.service,
    keys.name,
    keys.window,
    'Value #B',
    'Value #C',
    'Value #D',
    'Value #E',
    'Value #H',
    'Value #F',
    DASHBOARD_URL_LABEL,
  ];
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
          'Value #H': OVERVIEW_COLUMNS.burnOverPage,
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
    // Amber from 1× for every SLO; red would need each SLO's own page threshold, which a column's
    // thresholds cannot vary by line: the next column carries that comparison instead.
    .overrideByName(OVERVIEW_COLUMNS.burn, [
      { id: 'unit', value: BURN_RATE_UNIT },
      { id: 'decimals', value: 2 },
      { id: 'thresholds', value: steps([{ value: null, color: COLOR.ok }, { value: 1, color: COLOR.warn }]) },
      colored(TableCellDisplayMode.ColorText),
    ])
    .overrideByName(OVERVIEW_COLUMNS.burnOverPage, [
      {
        id: 'description',
        value:
          "How near the page alert is: for each page tier, the lower of its two windows' burn divided by the tier's threshold, the highest over the tiers. 1 or more means a page condition holds now (the alert fires once it has held for its 'for'). Blank when the SLO does not page or a window has no data.",
      },
      { id: 'unit', value: 'none' },
      { id: 'decimals', value: 2 },
      { id: 'thresholds', value: steps([{ value: null, color: COLOR.ok }, { value: 1, color: COLOR.bad }]) },
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
