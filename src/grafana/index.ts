export { generateDashboards, type DashboardOptions } from './generate-dashboards.js';
export { overviewDashboard } from './overview-dashboard.js';
export { serviceDashboard, type ServiceDashboardOptions } from './service-dashboard.js';
export { renderDashboard } from './render-dashboard.js';
export { provisioningConfig, DEFAULT_PROVISIONED_PATH } from './provisioning.js';
export { dashboardPanels, dashboardQueries, type DashboardQuery } from './dashboard-queries.js';
