import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerCatalog } from './router-catalog.js';

export const ROUTER_TOKEN = 'test-webhook-token';

export interface RouterFixtureOptions {
  /** PagerDuty mock `server` (127.0.0.1:PORT) and its CA certificate (PEM). */
  pagerduty: { server: string; ca: string };
  slack: { url: string; token: string };
  /** Extra YAML appended under `delivery:` (e.g. fast backoff for tests). */
  delivery?: Record<string, string | number>;
  bodyLimit?: string;
  synchronous?: 'full' | 'normal';
  /** `store.retention` (the config's default when absent). */
  retention?: string;
  /** `suppression.tickInterval` (the config's default when absent). */
  tickInterval?: string;
  /** An `anomaly:` section (key → YAML value), e.g. `{ prometheusUrl: 'http://127.0.0.1:9090', timeout: '300ms' }`. */
  anomaly?: Record<string, string | number>;
}

/** A temp directory with a router config, the test catalog and the env holding its secrets. */
export interface RouterFixture {
  dir: string;
  configPath: string;
  storePath: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * Writes a config that routes the checkout SLO's pages to the PagerDuty mock and the owner's Slack
 * channel (#checkout) on the Slack mock, with secrets in env vars only.
 */
export function routerFixture(options: RouterFixtureOptions): RouterFixture {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-router-'));
  const caFile = join(dir, 'pagerduty-ca.pem');
  writeFileSync(caFile, options.pagerduty.ca);
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(routerCatalog()));
  const delivery = { backoffBase: '100ms', backoffMax: '2s', attemptTimeout: '5s', drainTimeout: '3s', ...options.delivery };
  const config = [
    'listen:',
    '  host: 127.0.0.1',
    '  port: 0',
    'store:',
    `  path: ${join(dir, 'data', 'router.db')}`,
    `  synchronous: ${options.synchronous ?? 'full'}`,
    ...(options.retention === undefined ? [] : [`  retention: ${options.retention}`]),
    `catalog: ${join(dir, 'catalog.json')}`,
    'auth:',
    '  bearerTokenEnv: TEST_ROUTER_TOKEN',
    'webhook:',
    `  bodyLimit: ${options.bodyLimit ?? '1mb'}`,
    'incidents:',
    '  reopenWindow: 15m',
    'delivery:',
    ...Object.entries(delivery).map(([k, v]) => `  ${k}: ${v}`),
    'pagerduty:',
    `  server: "${options.pagerduty.server}"`,
    `  caFile: ${caFile}`,
    '  defaultRoutingKeyEnv: TEST_PD_DEFAULT_KEY',
    '  services:',
    '    checkout-oncall: TEST_PD_CHECKOUT_KEY',
    'slack:',
    '  tokenEnv: TEST_SLACK_TOKEN',
    `  apiUrl: ${options.slack.url}`,
    "  defaultChannel: '#alerts'",
    'routes:',
    '  - name: pages',
    '    matchers: [\'severity="page"\']',
    '    pagerduty: owner',
    '    slack: owner',
    ...(options.tickInterval === undefined ? [] : ['suppression:', `  tickInterval: ${options.tickInterval}`]),
    ...(options.anomaly === undefined ? [] : ['anomaly:', ...Object.entries(options.anomaly).map(([k, v]) => `  ${k}: ${v}`)]),
    '',
  ].join('\n');
  const configPath = join(dir, 'router.yml');
  writeFileSync(configPath, config);
  return {
    dir,
    configPath,
    storePath: join(dir, 'data', 'router.db'),
    env: {
      TEST_ROUTER_TOKEN: ROUTER_TOKEN,
      TEST_PD_CHECKOUT_KEY: 'checkoutroutingkey0000000000000a',
      TEST_PD_DEFAULT_KEY: 'defaultroutingkey00000000000000b',
      TEST_SLACK_TOKEN: options.slack.token,
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** POSTs a webhook body to the router with the test token (or `auth`). */
export function postWebhook(url: string, body: unknown, auth = `Bearer ${ROUTER_TOKEN}`): Promise<Response> {
  return fetch(`${url}/api/v1/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
