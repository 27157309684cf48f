import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ratioServices as services } from '../../test/support/ratio-services.js';
import { DEFAULT_ALERTMANAGER_OPTIONS, SELF_RECEIVER, generateAlertmanagerConfig } from './alertmanager-config.js';

interface Route {
  receiver: string;
  matchers?: string[];
  group_by: string[];
  routes?: Route[];
}

const generated = (...names: string[]) =>
  parse(generateAlertmanagerConfig(services(...names), DEFAULT_ALERTMANAGER_OPTIONS, 'shop/slos')) as {
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
