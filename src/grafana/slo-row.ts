import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { RowBuilder, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { panelId, type LabelStyle, type Slo } from '../slo/index.js';
import { placeAt } from './panel-placement.js';
import { sloNotesPanel } from './slo-notes-panel.js';
import { budgetStatPanel, burnRateStatPanel, sliStatPanel } from './slo-stat-panels.js';
import { budgetBurnDownPanel, burnRateByWindowPanel, eventRatesPanel, sliOverTimePanel, type EventSource } from './slo-timeseries-panels.js';

/** One SLO's section of a service dashboard: an expanded row and the panels under it. */
export interface SloRow {
  row: RowBuilder;
  panels: cog.Builder<Panel>[];
  /** Grid rows taken, the row header included. */
  height: number;
}

/** Grid rows of one SLO's section: header, stats, then two lines of time series. */
export const SLO_ROW_HEIGHT = 1 + 6 + 8 + 8;

/**
 * The section of the `index`-th SLO (0-based) starting at grid row `y`. Layout, 24 columns:
 * SLI, budget and burn-rate stats beside the SLO's notes; the SLI against the objective beside the
 * budget burn-down; burn rate by alert window beside the event rates.
 */
export function sloRow(slo: Slo, index: number, y: number, labelStyle: LabelStyle, events: EventSource): SloRow {
  const id = (slot: number) => panelId.sloPanel(index, slot);
  const stats = y + 1;
  const charts = stats + 6;
  const lower = charts + 8;
  return {
    row: new RowBuilder(`${slo.name}: ${slo.objective}% over ${slo.window}`)
      .id(panelId.sloRow(index))
      .collapsed(false)
      .gridPos({ x: 0, y, w: 24, h: 1 }),
    panels: [
      sliStatPanel(slo, labelStyle, placeAt(id(1), 0, stats, 5, 6)),
      budgetStatPanel(slo, labelStyle, placeAt(id(2), 5, stats, 5, 6)),
      burnRateStatPanel(slo, labelStyle, placeAt(id(3), 10, stats, 5, 6)),
      sloNotesPanel(slo, placeAt(id(4), 15, stats, 9, 6)),
      sliOverTimePanel(slo, labelStyle, placeAt(id(5), 0, charts, 12, 8)),
      budgetBurnDownPanel(slo, labelStyle, placeAt(id(6), 12, charts, 12, 8)),
      burnRateByWindowPanel(slo, labelStyle, placeAt(id(7), 0, lower, 12, 8)),
      eventRatesPanel(slo, labelStyle, events, placeAt(id(8), 12, lower, 12, 8)),
    ],
    height: SLO_ROW_HEIGHT,
  };
}
