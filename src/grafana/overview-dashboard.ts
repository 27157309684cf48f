import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardUid, panelId, type LabelStyle, type Service } from '../slo/index.js';
import { dashboardBase } from './dashboard-base.js';
import { OVERVIEW_COUNTS, overviewCountPanel } from './overview-stat-panels.js';
import { overviewTablePanel } from './overview-table-panel.js';
import { placeAt } from './panel-placement.js';

/** Grid rows of the overview's counts. */
const COUNT_HEIGHT = 4;

/**
 * Every SLO on one screen: counts of SLOs, spent budgets and firing alerts, then one table line per
 * SLO with the ones in trouble first, each linking to its service dashboard. `project` names the
 * project that writes it in its description.
 */
export function overviewDashboard(services: readonly Service[], labelStyle: LabelStyle, project: string): Dashboard {
  const builder = dashboardBase(
    dashboardUid.overview,
    'SLOs / Overview',
    'Every SLO slokit generates, the ones in trouble first.',
    ['overview'],
    project,
  );
  const width = 24 / OVERVIEW_COUNTS.length;
  OVERVIEW_COUNTS.forEach((count, i) => {
    builder.withPanel(overviewCountPanel(count, services, labelStyle, placeAt(panelId.overview(i), i * width, 0, width, COUNT_HEIGHT)));
  });
  const sloCount = services.reduce((n, s) => n + s.slos.length, 0);
  // A header line, then one line per SLO at the small cell height.
  const tableHeight = Math.max(8, 3 + sloCount);
  builder.withPanel(
    overviewTablePanel(services, labelStyle, placeAt(panelId.overview(OVERVIEW_COUNTS.length), 0, COUNT_HEIGHT, 24, tableHeight)),
  );
  return builder.build();
}
