import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { SLO_VARIABLE, resolveServices, type Service, type SloInput } from '../slo/index.js';
import { renderDashboard } from './render-dashboard.js';
import { serviceDashboard } from './service-dashboard.js';

const sloInput = (name: string): SloInput => ({
  name,
  objective: 99.9,
  sli: {
    kind: 'ratio',
    errors: `sum(rate(requests_total{slo="${name}", code=~"5.."}[{{.window}}]))`,
    total: `sum(rate(requests_total{slo="${name}"}[{{.window}}]))`,
  },
});

/** A resolved service whose SLOs are defined in the order given (not alphabetical on purpose). */
function aService(names: readonly string[]): Service {
  const [service] = resolveServices([
    { file: 'slos/router.ts', value: { name: 'router', description: 'Router', owner: { team: 'sre' }, slos: names.map(sloInput) } },
  ]);
  return service!;
}

/** The service's dashboard as the generated file holds it. */
function dashboardOf(names: readonly string[]): Dashboard {
  return JSON.parse(renderDashboard(serviceDashboard(aService(names), { labelStyle: 'slo', formulation: 'aggregated', project: 'shop/slos' }))) as Dashboard;
}

const DEFINED = ['webhook-availability', 'webhook-latency', 'notification-delivery'];

describe('serviceDashboard', () => {
  it('lays out one row per SLO in definition order, numbered 100, 200, 300', () => {
    const rows = (dashboardOf(DEFINED).panels ?? []).filter((p) => p.type === 'row');
    expect(rows.map((r) => [r.id, r.title?.split(':')[0]])).toEqual([
      [100, 'webhook-availability'],
      [200, 'webhook-latency'],
      [300, 'notification-delivery'],
    ]);
  });

  it('offers the SLOs in the slo variable in definition order, after All', () => {
    const variable = dashboardOf(DEFINED).templating?.list?.find((v) => v.name === SLO_VARIABLE);
    expect(variable?.options?.map((o) => o.value)).toEqual(['$__all', ...DEFINED]);
  });

  it('keeps every existing panel id and position when an SLO is appended at the end, whatever its name', () => {
    const before = dashboardOf(DEFINED).panels ?? [];
    const after = dashboardOf([...DEFINED, 'a-appended']).panels ?? [];
    expect(after.slice(0, before.length)).toEqual(before);
    const appended = after.slice(before.length);
    expect(appended[0]).toMatchObject({ type: 'row', id: 400, title: 'a-appended: 99.9% over 30d' });
    expect(appended.slice(1).map((p) => p.id)).toEqual([401, 402, 403, 404, 405, 406, 407, 408]);
  });
});
