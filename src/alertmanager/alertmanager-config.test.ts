import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveServices, type Service, type ServiceInput } from '../slo/index.js';
import { DEFAULT_ALERTMANAGER_OPTIONS, SELF_RECEIVER, generateAlertmanagerConfig } from './alertmanager-config.js';

function aService(name: string): ServiceInput {
  return {
    name,
    description: `${name} service`,
    owner: { team: 'core' },
    slos: [
      {
        name: 'availability',
        objective: 99.9,
        sli: {
          kind: 'ratio',
          errors: `sum(rate(http_requests_total{job="${name}",code=~"5.."}[{{.window}}]))`,
          total: `sum(rate(http_requests_total{job="${name}"}[{{.window}}]))`,
        },
      },
    ],
  };
}

const services = (...names: string[]): Service[] =>
  resolveServices(names.map((name) => ({ file: `slos/${name}.ts`, value: aService(name) })));

interface Route {
  receiver: string;
  matchers?: string[];
  group_by: string[];
  routes?: Route[];
}

const generated = (...names: string[]) =>
  parse(generateAlertmanagerConfig(services(...names), DEFAULT_ALERTMANAGER_OPTIONS)) as {
    route: Route;
    inhibit_rules?: unknown;
    receivers: { name: string }[];
  };

describe('generateAlertmanagerConfig', () => {
  it('sets no inhibit rule, which would lose the resolve of a ticket muted under its page', () => {
    expect(generated('checkout', 'alert-router').inhibit_rules).toBeUndefined();
  });

  it('groups non-SLO alerts by alertname, job and service, the labels the router finds an owner by', () => {
    expect(generated('checkout').route.group_by).toEqual(['alertname', 'job', 'service']);
  });

  it('groups every SLO route by slo_id, so one SLO\'s page and ticket share a group and two SLOs never do', () => {
    const routes = generated('checkout', 'alert-router').route.routes ?? [];
    expect(routes.map((r) => r.group_by)).toEqual([['slo_id'], ['slo_id'], ['slo_id']]);
  });

  it.each([
    { input: ['checkout'], expected: { routes: ['slokit-alert-router'], receivers: ['slokit-alert-router'] } },
    {
      input: ['alert-router', 'checkout'],
      expected: { routes: [SELF_RECEIVER, SELF_RECEIVER, 'slokit-alert-router'], receivers: ['slokit-alert-router', SELF_RECEIVER] },
    },
  ])('sends the router\'s own alerts past it only when its SLOs are defined: $input', ({ input, expected }) => {
    const config = generated(...input);
    expect({ routes: (config.route.routes ?? []).map((r) => r.receiver), receivers: config.receivers.map((r) => r.name) }).toEqual(expected);
  });
});
