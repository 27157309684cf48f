import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

const env = { SLOKIT_ROUTER_TOKEN: 'secret-token', ROUTER_PW: 'pw', PD_CHECKOUT: 'rk' };

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
});
