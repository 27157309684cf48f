import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import type { Dashboard, GridPos, Panel, ThresholdsConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadServices } from '../../src/cli/load-slos.js';
import {
  DASHBOARD_PROVISIONING_FILE,
  DATASOURCE_VARIABLE,
  GENERATED_HEADER,
  SLO_VARIABLE,
  dashboardFile,
  dashboardUid,
  dashboardUrl,
  type Service,
  type ServiceInput,
} from '../../src/slo/index.js';
import { dashboardPanels, dashboardQueries } from '../../src/grafana/dashboard-queries.js';
import { generateDashboards, type DashboardOptions } from '../../src/grafana/generate-dashboards.js';

const GOLDEN_DIR = resolve('test/golden/dashboards');
const OPTIONS: DashboardOptions = { labelStyle: 'slo', formulation: 'aggregated', project: 'slokit/slos' };

let examples: Service[] = [];
let files = new Map<string, string>();

const REFUNDS_SLO = `    {
      name: 'refunds',
      description: 'Refunds that go through',
      objective: 99.5,
      sli: {
        kind: 'ratio',
        errors: (w) => \`sum(rate(refunds_total{outcome="failed"}[\${w}]))\`,
        total: (w) => \`sum(rate(refunds_total[\${w}]))\`,
      },
    },
`;

/** Runs `node bin/slokit.js ...args`, as `npm run generate` does. */
function runCli(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/slokit.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, output });
    });
  });
}

function dashboardsOf(generated: Map<string, string>): Map<string, Dashboard> {
  return new Map([...generated].filter(([name]) => name.endsWith('.json')).map(([name, text]) => [name, JSON.parse(text) as Dashboard]));
}

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

beforeAll(async () => {
  examples = await loadServices(resolve('slos'));
  files = generateDashboards(examples, OPTIONS);
});

describe('generated dashboards of the example SLOs', () => {
  it('match the golden files byte for byte (UPDATE_GOLDEN=1 rewrites them)', async () => {
    if (process.env.UPDATE_GOLDEN === '1') {
      await mkdir(GOLDEN_DIR, { recursive: true });
      for (const [name, text] of files) await writeFile(join(GOLDEN_DIR, name), text);
    }
    const golden = (await readdir(GOLDEN_DIR)).sort();
    expect(golden).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(text, name).toBe(await readFile(join(GOLDEN_DIR, name), 'utf8'));
  });

  it('are byte-identical when generated twice', () => {
    expect(generateDashboards(examples, OPTIONS)).toEqual(files);
  });

  it('write an overview, one dashboard per service and a provisioning config, each marked as generated', () => {
    expect([...files.keys()].sort()).toEqual(
      [dashboardFile.overview, DASHBOARD_PROVISIONING_FILE, ...examples.map((s) => dashboardFile.service(s.name))].sort(),
    );
    for (const [name, text] of files) expect(text, name).toContain(GENERATED_HEADER);
  });

  it('give every panel and row an id unique within its dashboard', () => {
    for (const [name, dashboard] of dashboardsOf(files)) {
      const ids = (dashboard.panels ?? []).map((p) => p.id);
      expect(ids.every((id) => typeof id === 'number' && id > 0), name).toBe(true);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
  });

  it('place no two panels on the same grid cells, all within 24 columns', () => {
    for (const [name, dashboard] of dashboardsOf(files)) {
      const placed = (dashboard.panels ?? []).map((p) => ({ id: p.id, pos: p.gridPos! }));
      for (const [i, a] of placed.entries()) {
        expect(a.pos.x + a.pos.w, `${name} panel ${a.id}`).toBeLessThanOrEqual(24);
        for (const b of placed.slice(i + 1)) expect(overlaps(a.pos, b.pos), `${name}: panels ${a.id} and ${b.id} overlap`).toBe(false);
      }
    }
  });

  it('query only through the datasource variable', () => {
    const ds = `\${${DATASOURCE_VARIABLE}}`;
    for (const [name, dashboard] of dashboardsOf(files)) {
      const queries = dashboardQueries(dashboard);
      expect(queries.length, name).toBeGreaterThan(0);
      for (const q of queries) expect(q.datasourceUid, `${name} ${q.source} ${q.refId}`).toBe(ds);
      for (const panel of dashboardPanels(dashboard)) {
        if (panel.type !== 'text') expect(panel.datasource?.uid, `${name} ${panel.title}`).toBe(ds);
      }
      const variable = dashboard.templating?.list?.find((v) => v.name === DATASOURCE_VARIABLE);
      expect(variable?.type, name).toBe('datasource');
    }
  });

  it('set a unit on every panel that shows numbers: percent, ratio, events per second or counts', () => {
    const units = new Set(['percentunit', 'suffix:×', 'reqps', 'short']);
    for (const [name, dashboard] of dashboardsOf(files)) {
      for (const panel of dashboardPanels(dashboard) as Panel[]) {
        if (panel.type === 'text') continue;
        expect(units.has(panel.fieldConfig?.defaults?.unit ?? ''), `${name} ${panel.title}: ${panel.fieldConfig?.defaults?.unit}`).toBe(true);
      }
    }
  });

  it('give every query of a panel its own refId', () => {
    for (const [name, dashboard] of dashboardsOf(files)) {
      for (const panel of dashboardPanels(dashboard)) {
        const refIds = (panel.targets ?? []).map((t) => (t as { refId?: string }).refId);
        expect(refIds.every((r) => typeof r === 'string' && r !== ''), `${name} ${panel.title}`).toBe(true);
        expect(new Set(refIds).size, `${name} ${panel.title}`).toBe(refIds.length);
      }
    }
  });

  it('keep expanded rows with their panels beside them, as Grafana expects for open rows', () => {
    for (const [name, dashboard] of dashboardsOf(files)) {
      for (const row of (dashboard.panels ?? []).filter((p) => p.type === 'row')) {
        expect(row, name).toMatchObject({ collapsed: false, panels: [] });
      }
    }
  });

  it('lay out each service\'s rows and slo options in the order its file defines the SLOs, not by name', async () => {
    const dashboards = dashboardsOf(files);
    let reordered = 0;
    for (const service of examples) {
      const input = ((await import(pathToFileURL(resolve(service.file)).href)) as { default: ServiceInput }).default;
      const defined = input.slos.map((s) => s.name);
      if (defined.join() !== [...defined].sort().join()) reordered++;
      const dashboard = dashboards.get(dashboardFile.service(service.name))!;
      const rows = (dashboard.panels ?? []).filter((p) => p.type === 'row').map((p) => [p.id, p.title?.split(':')[0]]);
      expect(rows, service.name).toEqual(defined.map((name, i) => [(i + 1) * 100, name]));
      const options = dashboard.templating?.list?.find((v) => v.name === SLO_VARIABLE)?.options?.map((o) => o.value);
      expect(options, service.name).toEqual(['$__all', ...defined]);
    }
    // slos/alert-router.ts lists webhook-availability, webhook-latency, notification-delivery.
    expect(reordered).toBeGreaterThan(0);
  });

  it('neither list nor draw page tiers for catalog, whose page alerts are disabled, and say so', () => {
    expect(examples.find((s) => s.name === 'catalog')?.slos.map((slo) => slo.page.disable)).toEqual([true]);
    const panels = dashboardPanels(dashboardsOf(files).get(dashboardFile.service('catalog'))!);
    const notes = (panels.find((p) => p.title === 'About this SLO')?.options as { content: string }).content;
    expect(notes).toContain('\nPage alerts disabled.\n');
    expect(notes).not.toMatch(/^\| page \|/m);
    expect(notes).toMatch(/^\| ticket \|/m);
    const coloured = panels.filter((p) => p.title === 'Burn rate now' || p.title === 'Burn rate by alert window');
    expect(coloured).toHaveLength(2);
    for (const panel of coloured) {
      const steps = (panel.fieldConfig?.defaults?.thresholds as ThresholdsConfig).steps;
      expect(steps.map((s) => s.color), panel.title).not.toContain('red');
      expect(steps.map((s) => s.color), panel.title).toContain('orange');
    }
  });

  it('open the right SLO from every alert: dashboard_url names a service dashboard uid and an slo option', () => {
    const dashboards = dashboardsOf(files);
    for (const service of examples) {
      const dashboard = dashboards.get(dashboardFile.service(service.name))!;
      expect(dashboard.uid).toBe(dashboardUid.service(service.name));
      const variable = dashboard.templating?.list?.find((v) => v.name === SLO_VARIABLE);
      const options = (variable?.options ?? []).map((o) => o.value);
      for (const slo of service.slos) {
        const url = new URL(dashboardUrl('https://grafana.example.com/', service.name, slo.name));
        expect(url.pathname).toBe(`/d/${dashboard.uid}/${service.name}`);
        expect(options).toContain(url.searchParams.get(`var-${SLO_VARIABLE}`));
        expect(dashboard.panels?.some((p) => p.type === 'row' && p.title?.startsWith(`${slo.name}:`))).toBe(true);
      }
    }
    expect(dashboards.get(dashboardFile.overview)?.uid).toBe(dashboardUid.overview);
  });
});

describe('an SLO added to the definitions', () => {
  it('appears on its service dashboard and the overview after slokit generate, and nothing else changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slokit-added-'));
    try {
      // A copy of slos/ with one more SLO in checkout.ts, importing the real src/slo.
      await mkdir(join(dir, 'slos'));
      // Outside the repo: tell the loader the copies are ES modules, as the repo's package.json does,
      // and keep its name, so the copy is the same project wherever it is.
      await writeFile(join(dir, 'package.json'), '{ "name": "slokit", "type": "module" }\n');
      for (const name of await readdir('slos')) {
        let text = (await readFile(join('slos', name), 'utf8')).replace("'../src/slo/index.js'", `'${pathToFileURL(resolve('src/slo/index.ts')).href}'`);
        if (name === 'checkout.ts') text = text.replace(/\n  \],\n\}\);\s*$/, `\n${REFUNDS_SLO}  ],\n});\n`);
        await writeFile(join(dir, 'slos', name), text);
      }
      const out = join(dir, 'dashboards');
      const result = await runCli(['generate', '--slos', join(dir, 'slos'), '--rules-out', join(dir, 'rules'), '--dashboards-out', out, '--router-out', join(dir, 'router')]);
      expect(result.code, result.output).toBe(0);
      const read = async (name: string) => readFile(join(out, name), 'utf8');
      const checkout = JSON.parse(await read(dashboardFile.service('checkout'))) as Dashboard;
      const rows = (checkout.panels ?? []).filter((p) => p.type === 'row').map((p) => p.title);
      expect(rows).toEqual(['availability: 99.9% over 30d', 'latency: 99% over 30d', 'refunds: 99.5% over 30d']);
      expect(dashboardQueries(checkout).filter((q) => q.expr.includes('slo_id="checkout-refunds"')).length).toBeGreaterThan(8);
      expect(checkout.templating?.list?.find((v) => v.name === SLO_VARIABLE)?.options?.map((o) => o.value)).toContain('refunds');
      // The rows that were there keep their panels, ids and positions.
      const before = JSON.parse(files.get(dashboardFile.service('checkout'))!) as Dashboard;
      expect(checkout.panels?.slice(0, before.panels?.length)).toEqual(before.panels);
      const overview = dashboardQueries(JSON.parse(await read(dashboardFile.overview)) as Dashboard);
      const list = overview.find((q) => q.expr.includes('dashboard_url'))!;
      expect(list.expr).toContain('slo_id="checkout-refunds"');
      expect(list.expr).toContain('/d/slokit-svc-checkout/checkout?var-slo=refunds');
      for (const service of examples.filter((s) => s.name !== 'checkout')) {
        expect(await read(dashboardFile.service(service.name))).toBe(files.get(dashboardFile.service(service.name)));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('label styles and formulations', () => {
  it('select recordings by the Sloth label keys under the sloth style, and join the overview on slo_id', () => {
    const generated = dashboardsOf(generateDashboards(examples, { ...OPTIONS, labelStyle: 'sloth' }));
    const service = dashboardQueries(generated.get(dashboardFile.service('payments'))!);
    for (const q of service.filter((x) => x.panelId !== undefined)) expect(q.expr).toContain('sloth_id="payments-authorisations"');
    const overview = dashboardQueries(generated.get(dashboardFile.overview)!);
    expect(overview.find((q) => q.expr.includes('dashboard_url'))?.expr).toContain('sloth_slo_info{sloth_id="payments-authorisations"}');
    expect(overview.find((q) => q.source === 'Service level objectives' && q.refId === 'B')?.expr).toContain('"slo_id", "$1", "sloth_id"');
  });

  it('read event rates from the SLI source queries under the raw formulation, which records none', () => {
    const generated = dashboardsOf(generateDashboards(examples, { ...OPTIONS, formulation: 'raw' }));
    const events = dashboardQueries(generated.get(dashboardFile.service('payments'))!).filter((q) => q.source === 'Good, bad and total events');
    expect(events).toHaveLength(3);
    for (const q of events) {
      expect(q.expr).toContain('grpc_server_handled_total');
      expect(q.expr).not.toContain('slo:sli_total:rate5m');
    }
  });
});
