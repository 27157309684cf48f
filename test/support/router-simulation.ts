import { loadCatalog } from '../../alert-router/config/load-catalog.js';
import { CatalogIndex } from '../../alert-router/pipeline/catalog-index.js';
import { parseMatcher } from '../../alert-router/pipeline/matcher.js';
import type { PipelineSettings } from '../../alert-router/pipeline/process-batch.js';
import { DEFAULT_SUPPRESSION, type SuppressionSettings } from '../../alert-router/pipeline/suppression-types.js';
import { PipelineSimulator } from '../../alert-router/replay/simulator.js';
import { ZERO_TIME } from './alertmanager-payload.js';
import { FakeClock } from './fake-clock.js';

export const MINUTE = 60_000;

/** Pipeline settings over the example catalog (checkout → payments, catalog; storefront → checkout, catalog). */
export function exampleSettings(suppression: Partial<SuppressionSettings> = {}): PipelineSettings {
  const catalog = loadCatalog(new URL('../../alert-router/catalog.json', import.meta.url).pathname);
  if (catalog === undefined) throw new Error('alert-router/catalog.json is missing');
  return {
    catalog: new CatalogIndex(catalog),
    reopenWindowMs: 15 * MINUTE,
    suppression: { ...DEFAULT_SUPPRESSION, ...suppression },
    routing: {
      routes: [{ name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'owner', slack: 'owner', continue: false }],
      pagerdutyServices: { PD_CHECKOUT: 'PD_KEY_CHECKOUT', PD_PAYMENTS: 'PD_KEY_PAYMENTS', PD_WEB: 'PD_KEY_WEB' },
      defaultPagerdutyKeyEnv: undefined,
      defaultSlackChannel: '#alerts',
    },
  };
}

/**
 * A simulator on a fake clock, with helpers that send one-alert webhooks and list what went out.
 * `anomaly`: SLO incidents' first notifications wait for a score (`sim.score`) up to `holdMs`.
 * `options.bulk`: webhooks run in the service's bulk transaction (PipelineSimulator).
 */
export function simulation(suppression: Partial<SuppressionSettings> = {}, anomaly?: { holdMs: number }, options: { bulk?: boolean } = {}) {
  const clock = new FakeClock();
  const sim = new PipelineSimulator({ ...exampleSettings(suppression), ...(anomaly === undefined ? {} : { anomaly }) }, clock.now, options);
  let seen = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    clock,
    sim,
    /** Moves the clock by `ms` and runs the tick at the end, as the service's interval would. */
    advance(ms: number) {
      clock.advance(ms);
      return sim.tick();
    },
    /** An SLO burn alert for `sloId` (service/name from the id's first dash) firing or resolved now. */
    slo(sloId: string, status: 'firing' | 'resolved', startsAt: number, severity: 'page' | 'ticket' = 'page') {
      const [service = '', ...rest] = sloId.split('-');
      return this.alert(
        { alertname: severity === 'page' ? 'SLOErrorBudgetBurnPage' : 'SLOErrorBudgetBurnTicket', slo_id: sloId, slo_service: service, slo_name: rest.join('-'), severity },
        status,
        startsAt,
        `fp-${sloId}-${severity}`,
      );
    },
    alert(labels: Record<string, string>, status: 'firing' | 'resolved', startsAt: number, fingerprint?: string) {
      return sim.webhook({
        version: '4',
        groupKey: `{}:{alertname="${labels['alertname'] ?? ''}"}`,
        truncatedAlerts: 0,
        status,
        receiver: 'slokit',
        groupLabels: { alertname: labels['alertname'] ?? '' },
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
        alerts: [
          {
            status,
            labels,
            annotations: { summary: `${labels['alertname']} ${labels['slo_id'] ?? labels['instance'] ?? ''}` },
            startsAt: iso(startsAt),
            endsAt: status === 'firing' ? ZERO_TIME : iso(clock.now()),
            generatorURL: 'http://prometheus:9090/graph',
            ...(fingerprint === undefined ? {} : { fingerprint }),
          },
        ],
      });
    },
    /** Notifications sent since the last call, as `action target destination incident-title`. */
    sent(): string[] {
      const out = sim.sent.slice(seen).map(({ notification: n }) => {
        const title = sim.store.incidentById(n.incidentId)?.title.split(':')[0] ?? n.incidentId;
        return `${n.action} ${n.target.kind} ${n.target.destination} ${title}`;
      });
      seen = sim.sent.length;
      return out;
    },
  };
}
