/**
 * What the router benchmarks share: a router config on a fresh store file, the production router with
 * notifiers that accept at once (deliveries are not what is measured, and an accepting notifier keeps
 * the outbox drained), and a real Alertmanager that only ingests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import type { Synchronous } from '../alert-router/store/open-database.js';
import type { Notifier } from '../alert-router/notify/types.js';
import type { RouterService } from '../alert-router/router-service.js';
import { ensureRouterBuilt } from '../scripts/build-router.mjs';
import { startAlertmanager } from '../test/support/alertmanager-process.js';

export const BENCH_TOKEN = 'bench-token';
/** The environment the bench config names its secrets in. */
export const BENCH_ENV = { BENCH_ROUTER_TOKEN: BENCH_TOKEN, BENCH_PD_KEY: 'k' };

/** Writes `router.yml` and an empty catalog into `dir` (store at `dir/router.db`); returns the config's path. */
export function writeBenchRouterConfig(dir: string, synchronous: Synchronous = 'full'): string {
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ version: 1, services: [], slos: [] }));
  const lines = [
    'listen: { host: 127.0.0.1, port: 0 }',
    `store: { path: ${join(dir, 'router.db')}, synchronous: ${synchronous} }`,
    `catalog: ${join(dir, 'catalog.json')}`,
    'auth: { bearerTokenEnv: BENCH_ROUTER_TOKEN }',
    'webhook: { bodyLimit: 8mb }',
    'pagerduty: { defaultRoutingKeyEnv: BENCH_PD_KEY }',
    '',
  ];
  writeFileSync(join(dir, 'router.yml'), lines.join('\n'));
  return join(dir, 'router.yml');
}

type StartRouterService = typeof import('../alert-router/router-service.js').startRouterService;

/**
 * The production router (`startRouterService`) on `configPath`, on a free port, from the build that
 * `npm run router` runs (dist/alert-router/router-service.mjs, built here when its sources changed),
 * not through tsx: what is measured is what runs.
 */
export async function startBenchRouter(configPath: string): Promise<RouterService> {
  const { paths } = ensureRouterBuilt();
  const { startRouterService } = (await import(pathToFileURL(paths['router-service']).href)) as { startRouterService: StartRouterService };
  const accept: Notifier = { kind: 'pagerduty', deliver: async () => ({ status: 202 }) };
  return startRouterService({
    configPath,
    env: BENCH_ENV,
    logger: pino({ level: 'warn' }),
    port: 0,
    notifiers: () => ({ pagerduty: accept, slack: { kind: 'slack', deliver: async () => ({ status: 200, ref: '1.0' }) } }),
  });
}

/** Alertmanager grouping by alertname, with waits long enough that it only ingests during a run. */
export function startBenchAlertmanager(): ReturnType<typeof startAlertmanager> {
  return startAlertmanager(
    [
      'route: { receiver: sink, group_by: [alertname], group_wait: 1h, group_interval: 1h, repeat_interval: 24h }',
      'receivers: [{ name: sink, webhook_configs: [{ url: "http://127.0.0.1:9/", send_resolved: false }] }]',
      '',
    ].join('\n'),
  );
}
