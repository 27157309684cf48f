import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_TAG, dashboardUid, type LabelStyle, type Service } from '../slo/index.js';
import { dashboardBase } from './dashboard-base.js';
import { firingAlertsAnnotation } from './firing-alerts-annotation.js';
import { sloRow } from './slo-row.js';
import type { EventSource } from './slo-timeseries-panels.js';
import { sloVariable } from './slo-variable.js';

export interface ServiceDashboardOptions {
  labelStyle: LabelStyle;
  /** `aggregated` reads event rates from slokit's 5m recordings; `raw` (no such recordings) from the SLI's queries. */
  formulation: EventSource;
  /** The project that writes the dashboard, named in its description. */
  project: string;
}

/**
 * One service's dashboard: datasource and SLO variables, firing SLO alerts as annotations, a link
 * to the overview, and one expanded row per SLO in definition order.
 */
export function serviceDashboard(service: Service, options: ServiceDashboardOptions): Dashboard {
  const builder = dashboardBase(
    dashboardUid.service(service.name),
    `SLOs / ${service.name}`,
    `${service.description}. Team ${service.owner.team}.`,
    [service.name],
    options.project,
  )
    .withVariable(sloVariable(service))
    .annotation(firingAlertsAnnotation(service))
    .link(
      new DashboardLinkBuilder('SLO dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true)
        .targetBlank(false)
        .icon('external link')
        .tooltip('')
        .url(''),
    );
  let y = 0;
  service.slos.forEach((slo, index) => {
    const section = sloRow(slo, index, y, options.labelStyle, options.formulation);
    // Rows are added empty, then their panels: RowBuilder.withPanel would collapse the row.
    builder.withRow(section.row);
    for (const panel of section.panels) builder.withPanel(panel);
    y += section.height;
  });
  return builder.build();
}
