import { dashboardUrl, generatedBy, record, identityLabelKeys, type GeneratedBy, type LabelStyle } from './conventions.js';
import type { Service } from './types.js';

/**
 * What the alert-router knows about each SLO and service: owners, where to page, dependencies and
 * links. `npm run generate` writes it to `alert-router/catalog.json` from the SLO definitions.
 */
export interface CatalogTier {
  severity: 'page' | 'ticket';
  budgetPercent: number;
  long: string;
  short: string;
  /** Burn-rate factor (×budget) the tier fires at. */
  factor: number;
}

export interface CatalogSlo {
  id: string;
  service: string;
  name: string;
  description: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  /** Ratio, e.g. 0.001. */
  errorBudget: number;
  window: string;
  sliKind: 'ratio' | 'latency' | 'boolGauge' | 'raw';
  team: string;
  slack?: string;
  pagerduty?: string;
  runbookUrl?: string;
  dashboardUrl: string;
  /** PromQL selecting this SLO's 5m error-ratio recording (one series), for anomaly scoring. */
  errorRatioQuery: string;
  tiers: CatalogTier[];
}

export interface CatalogService {
  name: string;
  description: string;
  team: string;
  slack?: string;
  pagerduty?: string;
  /** Direct dependencies; consumers compute the transitive closure. */
  dependsOn: string[];
  labels: Record<string, string>;
  /** Ids of this service's SLOs. */
  slos: string[];
}

export interface Catalog {
  version: 1;
  /**
   * The project that wrote the file, so `slokit generate` replaces only its own catalog in a shared
   * `--router-out`. The router does not read it: catalogs from before it was written load the same.
   */
  generatedBy?: GeneratedBy;
  services: CatalogService[];
  slos: CatalogSlo[];
}

export interface CatalogOptions {
  grafanaUrl: string;
  labelStyle: LabelStyle;
  /** Named in `generatedBy`. */
  project: string;
}

/** Builds the router catalog; sorted by name so the file is deterministic. */
export function buildCatalog(services: readonly Service[], options: CatalogOptions): Catalog {
  const keys = identityLabelKeys(options.labelStyle);
  const sorted = [...services].sort((a, b) => a.name.localeCompare(b.name));
  const catalogServices: CatalogService[] = sorted.map((s) => ({
    name: s.name,
    description: s.description,
    team: s.owner.team,
    ...(s.owner.slack === undefined ? {} : { slack: s.owner.slack }),
    ...(s.owner.pagerduty === undefined ? {} : { pagerduty: s.owner.pagerduty }),
    dependsOn: [...s.dependsOn].sort(),
    labels: s.labels,
    slos: s.slos.map((slo) => slo.id).sort(),
  }));
  const slos: CatalogSlo[] = sorted.flatMap((s) =>
    [...s.slos]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((slo) => ({
        id: slo.id,
        service: s.name,
        name: slo.name,
        description: slo.description,
        objective: slo.objective,
        errorBudget: slo.errorBudget,
        window: slo.window,
        sliKind: slo.sli.kind === 'raw' ? ('raw' as const) : slo.sli.source,
        team: s.owner.team,
        ...(s.owner.slack === undefined ? {} : { slack: s.owner.slack }),
        ...(s.owner.pagerduty === undefined ? {} : { pagerduty: s.owner.pagerduty }),
        ...(slo.runbookUrl === undefined ? {} : { runbookUrl: slo.runbookUrl }),
        dashboardUrl: dashboardUrl(options.grafanaUrl, s.name, slo.name),
        errorRatioQuery: `${record.errorRatio('5m')}{${keys.id}="${slo.id}"}`,
        tiers: slo.tiers.map((t) => ({
          severity: t.severity,
          budgetPercent: t.budgetPercent,
          long: t.long,
          short: t.short,
          factor: t.factor,
        })),
      })),
  );
  return { version: 1, generatedBy: generatedBy(options.project), services: catalogServices, slos };
}
