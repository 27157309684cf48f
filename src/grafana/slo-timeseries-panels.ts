import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { BASE_WINDOW, parseDuration, record, type LabelStyle, type Slo } from '../slo/index.js';
import { disabledAlertsNote, enabledTiers } from './alert-tiers.js';
import { prometheusDatasource } from './datasource.js';
import type { PanelPlacement } from './panel-placement.js';
import { prometheusTarget, refId, type TargetSpec } from './prometheus-target.js';
import { sloSelector } from './slo-selector.js';
import { BURN_RATE_UNIT } from './slo-stat-panels.js';
import { budgetThresholds, burnRateThresholds, COLOR } from './thresholds.js';

/** How the event-rate panel reads events: slokit's 5m recordings, or the SLI's own source queries. */
export type EventSource = 'aggregated' | 'raw';

function timeseriesPanel(title: string, description: string, at: PanelPlacement, targets: readonly TargetSpec[]): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .id(at.id)
    .gridPos({ ...at.gridPos })
    .title(title)
    .description(description)
    .datasource(prometheusDatasource())
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .lineWidth(1)
    .fillOpacity(0);
  for (const target of targets) panel.withTarget(prometheusTarget(target));
  return panel;
}

/** A dashed line for a reference series (objective, threshold) named by its legend. */
function dashed(panel: TimeseriesPanelBuilder, seriesName: string, color: string): TimeseriesPanelBuilder {
  return panel.overrideByName(seriesName, [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'color', value: { mode: 'fixed', fixedColor: color } },
  ]);
}

/** The SLI over the SLO's window, over time, against the objective drawn as a dashed line. */
export function sliOverTimePanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): TimeseriesPanelBuilder {
  const sel = sloSelector(slo, labelStyle);
  const objective = 'objective';
  const panel = timeseriesPanel(
    `SLI over ${slo.window} against the objective`,
    `Share of good events over the trailing ${slo.window} at each point in time, and the ${slo.objective}% objective.`,
    at,
    [
      { refId: 'A', expr: `1 - max(${record.errorRatio(slo.window)}${sel})`, legend: `SLI (${slo.window})` },
      { refId: 'B', expr: `max(${record.objective}${sel})`, legend: objective },
    ],
  )
    .unit('percentunit')
    .decimals(3);
  return dashed(panel, objective, COLOR.bad);
}

/**
 * The windows the SLO's alerts read, shortest first (each alerting tier's long and short window);
 * the 5m base window alone when no tier alerts.
 */
export function alertWindows(slo: Slo): string[] {
  const windows = new Set<string>();
  for (const tier of enabledTiers(slo)) windows.add(tier.long).add(tier.short);
  if (windows.size === 0) windows.add(BASE_WINDOW);
  return [...windows].sort((a, b) => (parseDuration(a) ?? 0) - (parseDuration(b) ?? 0));
}

/**
 * Burn rate over time for each alert window, with every alerting tier's threshold drawn as a line
 * (red for page tiers, amber for ticket tiers): a tier fires when both its windows are over its line.
 * Tiers of a disabled severity are left out, and the description says that severity is disabled.
 */
export function burnRateByWindowPanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): TimeseriesPanelBuilder {
  const sel = sloSelector(slo, labelStyle);
  const budget = Number(slo.errorBudget.toPrecision(12));
  const alerting = enabledTiers(slo);
  const tiers = [
    ...alerting.map((t) => `${t.severity} ${Number(t.factor.toPrecision(12))}× over ${t.long} and ${t.short}`),
    ...[disabledAlertsNote(slo)].filter((n) => n !== undefined),
  ].join('; ');
  return timeseriesPanel(
    'Burn rate by alert window',
    `Error ratio of each alert window divided by the error budget (${budget}). Tiers: ${tiers || 'none'}.`,
    at,
    alertWindows(slo).map((w, i) => ({ refId: refId(i), expr: `max(${record.errorRatio(w)}${sel}) / ${budget}`, legend: w })),
  )
    .unit(BURN_RATE_UNIT)
    .decimals(2)
    .min(0)
    .thresholds(burnRateThresholds(alerting))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
}

/** Error budget remaining across the whole SLO window: the burn-down, with amber and red zones. */
export function budgetBurnDownPanel(slo: Slo, labelStyle: LabelStyle, at: PanelPlacement): TimeseriesPanelBuilder {
  return timeseriesPanel(
    `Error budget burn-down (${slo.window})`,
    `Share of the error budget left over the trailing ${slo.window}, over the last ${slo.window}. Below 0 the objective is missed.`,
    at,
    [{ refId: 'A', expr: `max(${record.periodErrorBudgetRemaining}${sloSelector(slo, labelStyle)})`, legend: 'budget remaining' }],
  )
    .unit('percentunit')
    .decimals(1)
    .timeFrom(slo.window)
    .thresholds(budgetThresholds())
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.LineAndArea));
}

/**
 * Good, bad and total events per second over 5m. From slokit's 5m recordings, or, under the raw
 * formulation (which records no event rates), from the SLI's source queries. A ratio-only SLI has
 * no events: its panel shows the 5m error ratio instead.
 */
export function eventRatesPanel(slo: Slo, labelStyle: LabelStyle, source: EventSource, at: PanelPlacement): TimeseriesPanelBuilder {
  const sel = sloSelector(slo, labelStyle);
  const sli = slo.sli;
  if (sli.kind === 'raw') {
    return timeseriesPanel(
      `Error ratio (${BASE_WINDOW})`,
      'This SLI is given as a ratio: there are no event counts to show.',
      at,
      [{ refId: 'A', expr: `max(${record.errorRatio(BASE_WINDOW)}${sel})`, legend: 'error ratio' }],
    ).unit('percentunit');
  }
  let total: string;
  let bad: string;
  if (source === 'aggregated') {
    total = `max(${record.totalRate(BASE_WINDOW)}${sel})`;
    bad = `max(${record.errorRate(BASE_WINDOW)}${sel})`;
  } else {
    // The source queries carry no SLO labels: gate them on the SLO's own series so the variable applies.
    const gate = ` and on() max(${record.objective}${sel})`;
    total = `sum(${sli.total(BASE_WINDOW)})${gate}`;
    bad = `sum(${sli.errors(BASE_WINDOW)})${gate}`;
  }
  return timeseriesPanel(
    'Good, bad and total events',
    `Events per second over ${BASE_WINDOW}, as the SLI counts them (${sli.source}).`,
    at,
    [
      { refId: 'A', expr: `(${total}) - (${bad})`, legend: 'good' },
      { refId: 'B', expr: bad, legend: 'bad' },
      { refId: 'C', expr: total, legend: 'total' },
    ],
  )
    .unit('reqps')
    .min(0)
    .overrideByName('bad', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLOR.bad } }])
    .overrideByName('good', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLOR.ok } }]);
}

