import { DASHBOARD_PROVISIONING_FILE, dashboardFile, type LabelStyle, type Service } from '../slo/index.js';
import { overviewDashboard } from './overview-dashboard.js';
import { provisioningConfig } from './provisioning.js';
import { renderDashboard } from './render-dashboard.js';
import { serviceDashboard } from './service-dashboard.js';
import type { EventSource } from './slo-timeseries-panels.js';

export interface DashboardOptions {
  labelStyle: LabelStyle;
  /** The rules' formulation: under `raw` there are no 5m event-rate recordings to read. */
  formulation: EventSource;
  /** The project that writes the files, named in each one. */
  project: string;
}

/**
 * Every dashboard file, by file name: the overview, one dashboard per service, and Grafana's
 * provisioning config. Pure: the CLI writes them and `--check` compares them.
 */
export function generateDashboards(services: readonly Service[], options: DashboardOptions): Map<string, string> {
  const files = new Map<string, string>();
  files.set(dashboardFile.overview, renderDashboard(overviewDashboard(services, options.labelStyle, options.project)));
  for (const service of services) {
    files.set(dashboardFile.service(service.name), renderDashboard(serviceDashboard(service, options)));
  }
  files.set(DASHBOARD_PROVISIONING_FILE, provisioningConfig(options.project));
  return files;
}
