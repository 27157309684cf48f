import { join, resolve } from 'node:path';
import { generateAlertmanagerConfig, type AlertmanagerConfigOptions } from '../alertmanager/index.js';
import { generateDashboards } from '../grafana/index.js';
import { generateRuleGroups, renderRuleFile, type RuleFileFormat, type RuleOptions } from '../prometheus/index.js';
import {
  DASHBOARD_PROVISIONING_FILE,
  SpecError,
  buildCatalog,
  dashboardFile,
  rulesFile,
  type Service,
  type SpecProblem,
} from '../slo/index.js';
import type { OutputSet } from './output-files.js';

export interface GenerateOptions extends RuleOptions {
  /**
   * The project every file is written for, named in its header: in an output directory that
   * projects share, generate removes or replaces only its own project's files.
   */
  project: string;
  rulesDir: string;
  dashboardsDir: string;
  routerDir: string;
  ruleFormat: RuleFileFormat;
  alertmanager: AlertmanagerConfigOptions;
}

type OutFlag = '--rules-out' | '--dashboards-out' | '--router-out';

/** What writes one generated file: named in the message when two outputs would share a path. */
interface Writer {
  /** For messages, e.g. `the overview dashboard` or `service "checkout"'s dashboard`. */
  what: string;
  /** The option that chose the file's directory. */
  flag: OutFlag;
  /** The service whose name chose the file name, when one did: renaming it is a fix. */
  service?: Service;
}

interface Output {
  path: string;
  writer: Writer;
  content: string;
}

/**
 * Every file `slokit generate` writes, from resolved services: pure, so --check and tests share it.
 * Throws SpecError, before anything is written, when two outputs would go to the same path (a
 * service named after a fixed file, or output directories that are the same): one would silently
 * replace the other.
 */
export function buildOutputs(services: readonly Service[], options: GenerateOptions): OutputSet {
  const outputs: Output[] = [];
  for (const service of services) {
    const groups = generateRuleGroups(service, options);
    outputs.push({
      path: join(options.rulesDir, rulesFile(service.name)),
      writer: { what: `service "${service.name}"'s rule file`, flag: '--rules-out', service },
      content: renderRuleFile(service, groups, options.project, options.ruleFormat),
    });
  }
  outputs.push(...dashboardOutputs(services, options));
  const catalog = buildCatalog(services, { grafanaUrl: options.grafanaUrl, labelStyle: options.labelStyle, project: options.project });
  outputs.push({
    path: join(options.routerDir, 'catalog.json'),
    writer: { what: 'the alert-router catalog', flag: '--router-out' },
    content: `${JSON.stringify(catalog, null, 2)}\n`,
  });
  outputs.push({
    path: join(options.routerDir, 'alertmanager.yml'),
    writer: { what: 'the Alertmanager config', flag: '--router-out' },
    content: generateAlertmanagerConfig(services, options.alertmanager, options.project),
  });
  rejectCollisions(outputs);
  const managedDirs = [options.rulesDir, options.dashboardsDir].filter(
    (dir, i, dirs) => dirs.findIndex((other) => resolve(other) === resolve(dir)) === i,
  );
  return { files: new Map(outputs.map((o) => [o.path, o.content])), managedDirs, project: options.project };
}

/**
 * The dashboard files with their writers. The file names come from the same conventions that
 * generateDashboards uses; it returns a map by file name, so a service whose dashboard has the
 * overview's name has already replaced it there. Listing the writers here is what notices.
 */
function dashboardOutputs(services: readonly Service[], options: GenerateOptions): Output[] {
  const dashboards = generateDashboards(services, { labelStyle: options.labelStyle, formulation: options.formulation, project: options.project });
  const flag: OutFlag = '--dashboards-out';
  const named: { name: string; writer: Writer }[] = [
    { name: dashboardFile.overview, writer: { what: 'the overview dashboard', flag } },
    ...services.map((service) => ({
      name: dashboardFile.service(service.name),
      writer: { what: `service "${service.name}"'s dashboard`, flag, service } satisfies Writer,
    })),
    { name: DASHBOARD_PROVISIONING_FILE, writer: { what: "Grafana's dashboard provisioning config", flag } },
  ];
  const known = new Set(named.map((n) => n.name));
  const others = [...dashboards.keys()].filter((name) => !known.has(name));
  return [
    ...named.map(({ name, writer }) => ({ path: join(options.dashboardsDir, name), writer, content: dashboards.get(name) ?? '' })),
    ...others.map((name) => ({
      path: join(options.dashboardsDir, name),
      writer: { what: `dashboard ${name}`, flag },
      content: dashboards.get(name) ?? '',
    })),
  ];
}

/** Throws when two outputs resolve to the same file, naming both writers and what to change. */
function rejectCollisions(outputs: readonly Output[]): void {
  const byPath = new Map<string, Output>();
  const problems: SpecProblem[] = [];
  const unattributed: string[] = [];
  for (const output of outputs) {
    const key = resolve(output.path);
    const first = byPath.get(key);
    if (first === undefined) {
      byPath.set(key, output);
      continue;
    }
    // Blame the writer whose file name a service chose; fixed names (catalog.json) cannot be renamed.
    const [fixed, renamable] = first.writer.service === undefined ? [first, output] : [output, first];
    const service = renamable.writer.service;
    if (service === undefined) {
      unattributed.push(`${first.writer.what} and ${output.writer.what} would both write ${first.path}`);
      continue;
    }
    const message =
      fixed.writer.flag === renamable.writer.flag
        ? `service "${service.name}" would write ${renamable.path}, which ${fixed.writer.what} writes: rename the service`
        : `${fixed.writer.flag} and ${renamable.writer.flag} both write ${renamable.path} ` +
          `(${fixed.writer.what}, and ${renamable.writer.what}): give them different directories or rename the service`;
    problems.push({ file: service.file, path: 'name', message });
  }
  if (unattributed.length > 0) throw new Error(`generated files would replace each other: ${unattributed.join('; ')}`);
  if (problems.length > 0) throw new SpecError(problems);
}
