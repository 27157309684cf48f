import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig, secretValues } from './load-config.js';

const env = { SLOKIT_ROUTER_TOKEN: 'secret-token', ROUTER_PW: 'pw', PD_CHECKOUT: 'rk', PAGERDUTY_ROUTING_KEY: 'rk-default', SLACK_BOT_TOKEN: 'xoxb-test' };

function problems(text: string, e: NodeJS.ProcessEnv = env) {
  try {
    parseConfig(text, 'router.yml', e);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.line}:${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('router config', () => {
  it('accepts the example config, with defaults and the secret read from the environment', () => {
    const text = readFileSync(new URL('../config.example.yml', import.meta.url), 'utf8');
    const c = parseConfig(text, 'config.example.yml', env);
    expect(c.auth).toEqual({ kind: 'bearer', token: 'secret-token' });
    expect(c.reopenWindowMs).toBe(15 * 60_000);
    expect(c.synchronous).toBe('full');
    expect(c.routes[0]!.matchers[0]!.text).toBe('severity="page"');
  });

  it('refuses a PagerDuty key or Slack token the config names and the environment does not hold, naming each field and line', () => {
    const text = readFileSync(new URL('../config.example.yml', import.meta.url), 'utf8').replace('  services: {}', '  services:\n    checkout-oncall: PD_CHECKOUT_MISSING');
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(problems(text, { SLOKIT_ROUTER_TOKEN: 'secret-token' })).toEqual([
      `${lineOf('defaultRoutingKeyEnv:')}:pagerduty.defaultRoutingKeyEnv: environment variable PAGERDUTY_ROUTING_KEY is not set`,
      `${lineOf('checkout-oncall: PD_CHECKOUT_MISSING')}:pagerduty.services.checkout-oncall: environment variable PD_CHECKOUT_MISSING is not set`,
      `${lineOf('tokenEnv: SLACK_BOT_TOKEN')}:slack.tokenEnv: environment variable SLACK_BOT_TOKEN is not set`,
    ]);
  });

  it('lists the values of every secret the config names, for the delivery worker to strip from errors', () => {
    const text = readFileSync(new URL('../config.example.yml', import.meta.url), 'utf8').replace('  services: {}', '  services:\n    checkout-oncall: PD_CHECKOUT');
    expect(secretValues(parseConfig(text, 'config.example.yml', env), env).sort()).toEqual(['rk', 'rk-default', 'secret-token', 'xoxb-test']);
  });

  const yamlAuth = 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\n';
  it.each([
    { name: 'a key given twice', input: yamlAuth + 'webhook:\n  bodyLimit: 1mb\n  bodyLimit: 2mb\n', expected: ['5:: key "bodyLimit" is given twice in one mapping: keep one (which value was meant?)'] },
    { name: 'a second document', input: yamlAuth + '---\nwebhook: {}\n', expected: ["3:: more than one YAML document (a second '---'): the file is one document"] },
    { name: 'an alias', input: yamlAuth + 'x: &a\n  y: 1\nslack: *a\n', expected: ['5:: YAML alias *a is not supported here: write the value out'] },
  ])('names the line of $name in words for the person editing the file', ({ input, expected }) => {
    expect(problems(input)).toEqual(expected);
  });

  const cases = [
    {
      name: 'names the line and field of a bad value',
      input: 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\nincidents:\n  reopenWindow: soon\n',
      expectedError: ['4:incidents.reopenWindow: must be a duration like 30s, 5m or 1h'],
    },
    {
      name: 'names a bad matcher inside a route',
      input: 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\nroutes:\n  - name: x\n    matchers:\n      - severity page\n',
      expectedError: ['6:routes[0].matchers[0]: "severity page" is not a matcher: want name="value" with =, !=, =~ or !~'],
    },
    {
      name: 'reports every problem at once, in line order',
      input: 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\nlisten:\n  port: "x"\ndelivery:\n  concurrency: 0\n  colour: red\n',
      expectedError: [
        '4:listen.port: Invalid input: expected number, received string',
        expect.stringMatching(/^6:delivery\.concurrency: Too small: expected number to be .*1$/),
        '7:delivery.colour: unknown field',
      ],
    },
    {
      name: 'refuses a secret written where an env var name belongs',
      input: 'auth:\n  bearerTokenEnv: hunter2-secret\n',
      expectedError: ['2:auth.bearerTokenEnv: must name an environment variable (A-Z, 0-9, _)'],
    },
    {
      name: 'says which environment variable is missing',
      input: 'auth:\n  basic:\n    username: am\n    passwordEnv: MISSING_PW\n',
      expectedError: ['4:auth.basic.passwordEnv: environment variable MISSING_PW is not set'],
    },
    {
      name: 'points at YAML syntax errors',
      input: 'auth:\n  bearerTokenEnv: [A\n',
      expectedError: [expect.stringMatching(/^\d+:: /)],
    },
  ];
  it.each(cases)('$name', ({ input, expectedError }) => {
    expect(problems(input)).toEqual(expectedError);
  });

  const auth = 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\n';
  const timerLimit = 'must be at most 24d20h31m23s647ms (2^31-1 ms, the longest timer Node can set)';
  const limitCases = [
    {
      name: 'refuses durations that set timers longer than Node can wait (it would fire every millisecond)',
      input:
        auth +
        'suppression:\n  tickInterval: 30d\ndelivery:\n  attemptTimeout: 1000d\n  drainTimeout: 25d\n  backoffBase: 25d\n  backoffMax: 30d\n',
      expectedError: [
        `4:suppression.tickInterval: ${timerLimit}`,
        `6:delivery.attemptTimeout: ${timerLimit}`,
        `7:delivery.drainTimeout: ${timerLimit}`,
        `8:delivery.backoffBase: ${timerLimit}`,
        `9:delivery.backoffMax: ${timerLimit}`,
      ],
    },
    {
      name: 'refuses a zero body limit, which would answer every webhook with 413',
      input: auth + 'webhook:\n  bodyLimit: 0kb\n',
      expectedError: ['4:webhook.bodyLimit: must be more than 0 bytes (every webhook would be refused with 413)'],
    },
    {
      name: 'refuses a body limit past 64mb',
      input: auth + 'webhook:\n  bodyLimit: 65mb\n',
      expectedError: ['4:webhook.bodyLimit: must be at most 64mb (a body is held in memory whole and journaled as one record)'],
    },
    {
      name: 'refuses a body limit too large for a number',
      input: auth + 'webhook:\n  bodyLimit: 99999999999999999999mb\n',
      expectedError: ['4:webhook.bodyLimit: must be at most 64mb (a body is held in memory whole and journaled as one record)'],
    },
    {
      name: 'says a zero duration is too short rather than not a duration',
      input: auth + 'incidents:\n  reopenWindow: 0s\n',
      expectedError: ['4:incidents.reopenWindow: must be longer than 0 (a duration like 30s, 5m or 1h)'],
    },
  ];
  it.each(limitCases)('$name', ({ input, expectedError }) => {
    expect(problems(input)).toEqual(expectedError);
  });

  it('keeps resolved incidents 90 days by default, as long as store.retention says, or forever', () => {
    const auth = 'auth:\n  bearerTokenEnv: SLOKIT_ROUTER_TOKEN\n';
    expect(parseConfig(auth, 'router.yml', env).retentionMs).toBe(90 * 86_400_000);
    expect(parseConfig(`${auth}store:\n  retention: 400d\n`, 'router.yml', env).retentionMs).toBe(400 * 86_400_000);
    expect(parseConfig(`${auth}store:\n  retention: forever\n`, 'router.yml', env).retentionMs).toBeUndefined();
    expect(problems(`${auth}store:\n  retention: 12h\n`)).toEqual(['4:store.retention: must be at least 1d']);
    expect(problems(`${auth}store:\n  retention: always\n`)).toEqual(['4:store.retention: must be a duration like 30d or 90d, or forever']);
    expect(problems(`${auth}store:\n  retention: 2d\nincidents:\n  reopenWindow: 3d\n`)).toEqual([
      '4:store.retention: 2d must be longer than incidents.reopenWindow (3d): an incident it deletes could still be reopened or correlated',
    ]);
  });

  it('counts a notification late after 2 minutes by default, or delivery.lateAfter, at least 10s and past anomaly.timeout', () => {
    expect(parseConfig(auth, 'router.yml', env).lateAfterMs).toBe(120_000);
    expect(parseConfig(`${auth}delivery:\n  lateAfter: 5m\n`, 'router.yml', env).lateAfterMs).toBe(300_000);
    expect(problems(`${auth}delivery:\n  lateAfter: 5s\n`)).toEqual(['4:delivery.lateAfter: must be at least 10s (a first retry alone can take seconds)']);
    expect(problems(`${auth}delivery:\n  lateAfter: soon\n`)).toEqual(['4:delivery.lateAfter: must be a duration like 30s, 5m or 1h']);
    expect(problems(`${auth}delivery:\n  lateAfter: 10s\nanomaly:\n  prometheusUrl: http://p:9090\n  timeout: 10s\n`)).toEqual([
      '4:delivery.lateAfter: 10s must be longer than anomaly.timeout (10s): a notification waiting for its score would count as late',
    ]);
  });

  it('reads the anomaly section with its defaults, and leaves scoring off without one', () => {
    expect(parseConfig(auth, 'router.yml', env).anomaly).toBeUndefined();
    expect(parseConfig(auth + 'anomaly:\n  prometheusUrl: http://127.0.0.1:9090\n', 'router.yml', env).anomaly).toEqual({
      prometheusUrl: 'http://127.0.0.1:9090',
      timeoutMs: 500,
      escalateTicketAt: 0.8,
      recurringBelowZ: 3,
      timeZone: 'UTC',
    });
  });

  it('names each bad anomaly setting', () => {
    const text =
      auth +
      'anomaly:\n  prometheusUrl: prometheus:9090\n  timeout: 0s\n  escalateTicketAt: 1.5\n  recurringBelowZ: 0\n  timeZone: Europe/Atlantis\n  threshold: 2\n';
    expect(problems(text)).toEqual([
      '4:anomaly.prometheusUrl: must be an http:// or https:// URL of Prometheus',
      '5:anomaly.timeout: must be longer than zero',
      expect.stringMatching(/^6:anomaly\.escalateTicketAt: Too big: expected number to be .*1$/),
      expect.stringMatching(/^7:anomaly\.recurringBelowZ: Too small: expected number to be .*0$/),
      '8:anomaly.timeZone: must be an IANA time zone such as UTC or Europe/Berlin',
      '9:anomaly.threshold: unknown field',
    ]);
    expect(problems(auth + 'anomaly:\n  prometheusUrl: http://p:9090\n  timeout: 30s\n')).toEqual([
      '5:anomaly.timeout: must be at most 10s: first notifications wait this long for a score',
    ]);
  });

  it('accepts timer durations up to 24 days, and longer windows where no timer waits on them', () => {
    const c = parseConfig(auth + 'suppression:\n  tickInterval: 24d\nincidents:\n  reopenWindow: 30d\nwebhook:\n  bodyLimit: 1b\n', 'router.yml', env);
    expect([c.tickIntervalMs, c.reopenWindowMs, c.bodyLimitBytes]).toEqual([24 * 86_400_000, 30 * 86_400_000, 1]);
  });

  function message(text: string): string {
    try {
      parseConfig(text, 'router.yml', env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('reports an unknown key whose value is a map at the key, not at the map below it', () => {
    const text = auth + 'delivery:\n  concurrency: 2\n  retry:\n    max: 3\nlisten:\n  host: 127.0.0.1\nwebhok:\n  bodyLimit: 1mb\n';
    expect(message(text)).toBe('2 problems in router config:\n  router.yml:5:3: delivery.retry: unknown field\n  router.yml:9:1: webhok: unknown field');
  });

  it('prints a YAML syntax error with its position once and no cut-off excerpt', () => {
    expect(message(auth + 'routes:\n  - name: [a\n')).toBe(
      '1 problem in router config:\n  router.yml:5:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('locates fields the file sets, for errors found after parsing, and nothing for defaults', () => {
    const c = parseConfig(auth + 'store:\n  path: /var/lib/router.db\n', 'router.yml', env);
    expect(c.locate(['store', 'path'])).toEqual({ line: 4, column: 9 });
    expect(c.locate(['listen', 'host'])).toEqual({});
  });
});
