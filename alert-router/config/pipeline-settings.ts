import type { Catalog } from '../../src/slo/catalog.js';
import { CatalogIndex } from '../pipeline/catalog-index.js';
import type { PipelineSettings } from '../pipeline/process-batch.js';
import { EMPTY_CATALOG } from './load-catalog.js';
import type { RouterConfig } from './load-config.js';

/** How much longer than `anomaly.timeout` a first notification waits for its score to be applied. */
export const ANOMALY_APPLY_MARGIN_MS = 100;

/** The pipeline's settings from a loaded config and catalog: one mapping for the service and replay. */
export function pipelineSettings(config: RouterConfig, catalog: Catalog | undefined): PipelineSettings {
  return {
    catalog: new CatalogIndex(catalog ?? EMPTY_CATALOG),
    reopenWindowMs: config.reopenWindowMs,
    suppression: config.suppression,
    // The score's query has anomaly.timeout; the hold gives its transaction a moment more to land.
    ...(config.anomaly === undefined ? {} : { anomaly: { holdMs: config.anomaly.timeoutMs + ANOMALY_APPLY_MARGIN_MS } }),
    routing: {
      routes: config.routes,
      pagerdutyServices: config.pagerduty.services,
      defaultPagerdutyKeyEnv: config.pagerduty.defaultRoutingKeyEnv,
      defaultSlackChannel: config.slack.defaultChannel,
    },
  };
}
