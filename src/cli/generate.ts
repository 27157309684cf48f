import { join } from 'node:path';
import { generateAlertmanagerConfig, type AlertmanagerConfigOptions } from '../alertmanager/index.js';
import { generateDashboards } from '../grafana/index.js';
import { generateRuleGroups, renderRuleFile, type RuleFileFormat, type RuleOptions } from '../prometheus/index.js';
import { buildCatalog, rulesFile, type Service } from '../slo/index.js';
import type { OutputSet } from './output-files.js';

export interface GenerateOptions extends RuleOptions {
  rulesDir: string;
  dashboardsDir: string;
  routerDir: string;
  ruleFormat: RuleFileFormat;
  alertmanager: AlertmanagerConfigOptions;
}

/** Every file `slokit generate` writes, from resolved services: pure, so --check and tests share it. */
export function buildOutputs(services: readonly Service[], options: GenerateOptions): OutputSet {
  const files = new Map<string, string>();
  for (const service of services) {
    const groups = generateRuleGroups(service, options);
    files.set(join(options.rulesDir, rulesFile(service.name)), renderRuleFile(service, groups, options.ruleFormat));
  }
  const dashboards = generateDashboards(services, { labelStyle: options.labelStyle, formulation: options.formulation });
  for (const [name, content] of dashboards) files.set(join(options.dashboardsDir, name), content);
  const catalog = buildCatalog(services, { grafanaUrl: options.grafanaUrl, labelStyle: options.labelStyle });
  files.set(join(options.routerDir, 'catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
  files.set(join(options.routerDir, 'alertmanager.yml'), generateAlertmanagerConfig(services, options.alertmanager));
  return { files, managedDirs: [options.rulesDir, options.dashboardsDir] };
}
