import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { LabelStyle, Service } from '../slo/index.js';
import { prometheusDatasource } from './datasource.js';
import { overviewCountQueries } from './overview-queries.js';
import type { PanelPlacement } from './panel-placement.js';
import { prometheusTarget } from './prometheus-target.js';
import { COLOR } from './thresholds.js';

type Count = keyof ReturnType<typeof overviewCountQueries>;

const TITLES: Record<Count, { title: string; description: string; alarm: string }> = {
  slos: { title: 'SLOs', description: 'SLOs of these definitions whose recording rules Prometheus evaluates.', alarm: COLOR.ok },
  outOfBudget: { title: 'Out of error budget', description: 'SLOs that have spent their whole error budget over their window.', alarm: COLOR.bad },
  paging: { title: 'Paging', description: 'SLO page alerts firing now.', alarm: COLOR.page },
  ticketing: { title: 'Tickets', description: 'SLO ticket and no-data alerts firing now.', alarm: COLOR.ticket },
};

/** One count above the overview table, of these definitions' SLOs only, green at 0 and coloured by its alarm from 1. */
export function overviewCountPanel(
  count: Count,
  services: readonly Service[],
  labelStyle: LabelStyle,
  at: PanelPlacement,
): StatPanelBuilder {
  const { title, description, alarm } = TITLES[count];
  return new StatPanelBuilder()
    .id(at.id)
    .gridPos({ ...at.gridPos })
    .title(title)
    .description(description)
    .datasource(prometheusDatasource())
    .withTarget(prometheusTarget({ refId: 'A', expr: overviewCountQueries(services, labelStyle)[count], instant: true }))
    .unit('short')
    .decimals(0)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: COLOR.ok },
        { value: 1, color: alarm },
      ]),
    );
}

/** The overview's counts, in display order. */
export const OVERVIEW_COUNTS: readonly Count[] = ['slos', 'outOfBudget', 'paging', 'ticketing'];
