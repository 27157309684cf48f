import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { record, type LabelStyle, type Slo } from '../slo/index.js';
import { enabledTiers } from './alert-tiers.js';
import { prometheusDatasource } from './datasource.js';
import type { PanelPlacement } from './panel-placement.js';
import { prometheusTarget } from './prometheus-target.js';
import { sloSelector } from './slo-selector.js';
import { budgetThresholds, burnRateThresholds, sliThresholds } from './thresholds.js';

/** Grafana unit of a burn rate: a plain multiple, shown as `3.2×`. */
export const BURN_RATE_UNIT = 'suffix:×';

function statPanel(title: string, description: string, at: PanelPlacement, expr: string): StatPanelBuilder {
  return new StatPanelBuilder()
    .id(at.id)
    .gridPos({ ...at.gridPos })
    .title(title)
    .description(description)
    .datasource(prometheusDatasource())
    .withTarget(prometheusTarget({ refId: 'A', expr, instant: true }))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None);
}

/** The SLI over the SLO's whole window (event-weighted), red below the objective. */
export function sliStatPanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): StatPanelBuilder {
  return statPanel(
    `SLI over ${slo.window}`,
    `Share of good events over the last ${slo.window}; the objective is ${slo.objective}%.`,
    at,
    `1 - max(${record.errorRatio(slo.window)}${sloSelector(slo, labelStyle)})`,
  )
    .unit('percentunit')
    .decimals(3)
    .thresholds(sliThresholds(slo.objective));
}

/** Error budget left over the window: 100% untouched, 0% spent, negative overspent. */
export function budgetStatPanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): StatPanelBuilder {
  return statPanel(
    'Error budget remaining',
    `Share of the ${slo.window} error budget (${Number((slo.errorBudget * 100).toPrecision(12))}% of events) not yet spent.`,
    at,
    `max(${record.periodErrorBudgetRemaining}${sloSelector(slo, labelStyle)})`,
  )
    .unit('percentunit')
    .decimals(1)
    .thresholds(budgetThresholds());
}

/** Burn rate over the last 5 minutes: 1× spends the budget exactly over the window. Coloured by the tiers that alert. */
export function burnRateStatPanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): StatPanelBuilder {
  return statPanel(
    'Burn rate now',
    `Error ratio over the last 5m divided by the error budget: at 1× the budget lasts exactly ${slo.window}.`,
    at,
    `max(${record.currentBurnRate}${sloSelector(slo, labelStyle)})`,
  )
    .unit(BURN_RATE_UNIT)
    .decimals(2)
    .thresholds(burnRateThresholds(enabledTiers(slo)));
}
