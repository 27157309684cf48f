import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratioServices as services } from '../../test/support/ratio-services.js';
import { DEFAULT_ALERTMANAGER_OPTIONS } from '../alertmanager/index.js';
import { SpecError, generatedMarker } from '../slo/index.js';
import { buildOutputs, type GenerateOptions } from './generate.js';
import { findStale } from './output-files.js';

function options(dirs: Partial<Pick<GenerateOptions, 'rulesDir' | 'dashboardsDir' | 'routerDir'>> = {}): GenerateOptions {
  return {
    rulesDir: 'rules',
    dashboardsDir: 'dashboards',
    routerDir: 'alert-router',
    ruleFormat: 'prometheus',
    labelStyle: 'slo',
    formulation: 'aggregated',
    grafanaUrl: 'http://grafana.test',
    alertmanager: DEFAULT_ALERTMANAGER_OPTIONS,
    project: 'shop/slos',
    ...dirs,
  };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('buildOutputs', () => {
  it.each([
    {
      name: 'a service named after the overview dashboard',
      input: { services: ['checkout', 'slo-overview'], dirs: {} },
      expectedError: [
        'slos/slo-overview.ts: name: service "slo-overview" would write dashboards/slo-overview.json, ' +
          'which the overview dashboard writes: rename the service',
      ],
    },
    {
      name: 'a catalog service when the router and dashboards share a directory',
      input: { services: ['catalog', 'checkout'], dirs: { routerDir: 'out', dashboardsDir: 'out' } },
      expectedError: [
        'slos/catalog.ts: name: --router-out and --dashboards-out both write out/catalog.json ' +
          '(the alert-router catalog, and service "catalog"\'s dashboard): give them different directories or rename the service',
      ],
    },
    {
      name: 'an alertmanager service when the router and rules share a directory',
      input: { services: ['alertmanager'], dirs: { routerDir: 'out', rulesDir: 'out' } },
      expectedError: [
        'slos/alertmanager.ts: name: --router-out and --rules-out both write out/alertmanager.yml ' +
          '(the Alertmanager config, and service "alertmanager"\'s rule file): give them different directories or rename the service',
      ],
    },
    {
      name: 'the same directory given once relative and once absolute',
      input: { services: ['catalog'], dirs: { routerDir: resolve('out'), dashboardsDir: 'out' } },
      expectedError: [
        `slos/catalog.ts: name: --router-out and --dashboards-out both write out/catalog.json ` +
          '(the alert-router catalog, and service "catalog"\'s dashboard): give them different directories or rename the service',
      ],
    },
    {
      name: 'every collision at once',
      input: { services: ['alertmanager', 'catalog', 'slo-overview'], dirs: { routerDir: 'out', rulesDir: 'out', dashboardsDir: 'out' } },
      expectedError: [
        'slos/alertmanager.ts: name: --router-out and --rules-out both write out/alertmanager.yml ' +
          '(the Alertmanager config, and service "alertmanager"\'s rule file): give them different directories or rename the service',
        'slos/catalog.ts: name: --router-out and --dashboards-out both write out/catalog.json ' +
          '(the alert-router catalog, and service "catalog"\'s dashboard): give them different directories or rename the service',
        'slos/slo-overview.ts: name: service "slo-overview" would write out/slo-overview.json, ' +
          'which the overview dashboard writes: rename the service',
      ],
    },
  ])('refuses $name instead of letting one file replace another', ({ input, expectedError }) => {
    expect(problemsOf(() => buildOutputs(services(...input.services), options(input.dirs)))).toEqual(expectedError);
  });

  it('writes a catalog service dashboard beside the router catalog when their directories differ', () => {
    const outputs = buildOutputs(services('catalog', 'checkout'), options());
    expect([...outputs.files.keys()].sort()).toEqual([
      join('alert-router', 'alertmanager.yml'),
      join('alert-router', 'catalog.json'),
      join('dashboards', 'catalog.json'),
      join('dashboards', 'checkout.json'),
      join('dashboards', 'slo-overview.json'),
      join('dashboards', 'slokit-provisioning.yaml'),
      join('rules', 'catalog.yml'),
      join('rules', 'checkout.yml'),
    ]);
    expect(JSON.parse(outputs.files.get(join('dashboards', 'catalog.json')) ?? '{}')).toMatchObject({ uid: 'slokit-svc-catalog' });
    expect(outputs.files.get(join('alert-router', 'catalog.json'))).toContain('"catalog-availability"');
  });

  it('reports a stale file once when rules and dashboards share a directory', async () => {
    const out = await mkdtemp(join(tmpdir(), 'slokit-generate-'));
    try {
      await writeFile(join(out, 'retired.yml'), `# ${generatedMarker('shop/slos', '\n# ')}\n`);
      const outputs = buildOutputs(services('checkout'), options({ rulesDir: out, dashboardsDir: `${out}/.` }));
      expect((await findStale(outputs)).extra).toEqual([join(out, 'retired.yml')]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
