import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERTMANAGER_OPTIONS } from '../../src/alertmanager/index.js';
import { buildOutputs } from '../../src/cli/generate.js';
import { loadServices } from '../../src/cli/load-slos.js';
import { dashboardQueries, type DashboardQuery } from '../../src/grafana/index.js';
import { DATASOURCE_VARIABLE, SLO_VARIABLE, dashboardFile, record, type Service } from '../../src/slo/index.js';
import { startPrometheus, waitFor, type PrometheusInstance, type QueryData } from '../support/prometheus.js';
import { exampleSloMetrics, startSyntheticTarget, type SyntheticGauge, type SyntheticTarget } from '../support/synthetic-target.js';

/** Grafana's variables as a dashboard would send them: every SLO selected, 5m ranges. */
function substitute(expr: string, slo: string): string {
  const vars: Record<string, string> = {
    [SLO_VARIABLE]: slo,
    [DATASOURCE_VARIABLE]: 'prometheus',
    __range: '5m',
    __interval: '15s',
    __rate_interval: '1m',
  };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return vars[name] ?? whole;
  });
}

/**
 * Another team's SLO in the same Prometheus, recorded by rules slokit did not generate (here scraped
 * as-is), paging and out of budget: the overview must neither list nor count it.
 */
const FOREIGN_ID = 'ledger-postings';

function foreignSloGauges(): SyntheticGauge[] {
  const labels = { slo_id: FOREIGN_ID, slo_service: 'ledger', slo_name: 'postings', slo_window: '30d' };
  const gauge = (name: string, value: number, extra: Record<string, string> = {}): SyntheticGauge => ({
    name,
    labels: { ...labels, ...extra },
    value: () => value,
  });
  return [
    gauge(record.info('slo'), 1),
    gauge(record.objective, 0.99),
    gauge(record.errorBudget, 0.01),
    gauge(record.periodBurnRate, 5),
    gauge(record.periodErrorBudgetRemaining, -4),
    gauge(record.currentBurnRate, 50),
    gauge('ALERTS', 1, { alertname: 'SLOErrorBudgetBurnPage', alertstate: 'firing', severity: 'page' }),
    gauge('ALERTS', 1, { alertname: 'SLOErrorBudgetBurnTicket', alertstate: 'firing', severity: 'ticket' }),
  ];
}

function hasData(data: QueryData): boolean {
  return data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length > 0 : true;
}

describe('generated dashboards against a real Prometheus', () => {
  let prom: PrometheusInstance | undefined;
  let target: SyntheticTarget | undefined;
  let dir: string | undefined;
  let services: Service[] = [];
  const dashboards = new Map<string, Dashboard>();

  beforeAll(async () => {
    services = await loadServices(resolve('slos'));
    dir = await mkdtemp(join(tmpdir(), 'slokit-dash-e2e-'));
    const outputs = buildOutputs(services, {
      rulesDir: join(dir, 'rules'),
      dashboardsDir: join(dir, 'dashboards'),
      routerDir: join(dir, 'router'),
      ruleFormat: 'prometheus',
      labelStyle: 'slo',
      formulation: 'aggregated',
      grafanaUrl: 'http://grafana.test',
      alertmanager: DEFAULT_ALERTMANAGER_OPTIONS,
      project: 'slokit/slos',
    });
    const ruleFiles: string[] = [];
    for (const [path, content] of outputs.files) {
      if (path.startsWith(join(dir, 'rules'))) {
        const file = join(dir, `${ruleFiles.length}.yml`);
        await writeFile(file, content);
        ruleFiles.push(file);
      } else if (path.startsWith(join(dir, 'dashboards')) && path.endsWith('.json')) {
        dashboards.set(path.slice(join(dir, 'dashboards').length + 1), JSON.parse(content) as Dashboard);
      }
    }
    const metrics = exampleSloMetrics();
    target = await startSyntheticTarget({ ...metrics, gauges: [...metrics.gauges, ...foreignSloGauges()] });
    prom = await startPrometheus({
      ruleFiles,
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      scrapeConfigs: [{ jobName: 'synthetic', targets: [target.address], honorLabels: true }],
    });
    const p = prom;
    const sloCount = services.reduce((n, s) => n + s.slos.length, 0);
    // Every SLO's budget, current burn rate and event rates are recorded, and the checkout page fires.
    const ready = await waitFor(async () => {
      const counts = await Promise.all(
        [record.periodErrorBudgetRemaining, record.currentBurnRate, record.totalRate('5m')].map(async (name) => {
          const d = await p.query(`count(${name}{slo_id!="${FOREIGN_ID}"})`);
          return d.resultType === 'vector' ? Number(d.result[0]?.value[1] ?? 0) : 0;
        }),
      );
      const firing = await p.query('ALERTS{alertstate="firing", alertname="SLOErrorBudgetBurnPage"}');
      const foreign = await p.query(`${record.info('slo')}{slo_id="${FOREIGN_ID}"}`);
      return counts.every((c) => c === sloCount) && hasData(firing) && hasData(foreign);
    }, 45_000);
    expect(ready, `recordings not ready; Prometheus log:\n${p.logs()}`).toBe(true);
  });

  afterAll(async () => {
    await prom?.stop();
    await target?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('evaluates every generated rule without error', async () => {
    const groups = await prom!.rules();
    const broken = groups.flatMap((g) => g.rules.filter((r) => r.health === 'err').map((r) => `${g.name}/${r.name}: ${r.lastError}`));
    expect(broken).toEqual([]);
    expect(groups).toHaveLength(services.reduce((n, s) => n + s.slos.length, 0));
  });

  it('answers every panel query of every dashboard with data, and every annotation query without error, when all SLOs are selected', async () => {
    const p = prom!;
    expect([...dashboards.keys()].sort()).toEqual(
      [dashboardFile.overview, ...services.map((s) => dashboardFile.service(s.name))].sort(),
    );
    const failures: string[] = [];
    const checked: DashboardQuery[] = [];
    const end = Date.now() / 1000;
    for (const [file, dashboard] of dashboards) {
      for (const q of dashboardQueries(dashboard)) {
        const expr = substitute(q.expr, '.*');
        const where = `${file} ${q.source}${q.refId ? ` ${q.refId}` : ''}`;
        try {
          const data = q.instant ? await p.query(expr) : await p.queryRange(expr, end - 60, end, 5);
          // Annotations show firing alerts: only checkout's burn is fast enough to fire one here.
          const expectsData = q.panelId !== undefined || file === dashboardFile.service('checkout');
          if (expectsData && !hasData(data)) failures.push(`${where}: no data for ${expr}`);
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
        }
        checked.push(q);
      }
    }
    expect(failures).toEqual([]);
    // 8 queries a slo row's panels hold, at least (stats 3, SLI 2, burn-down 1, windows, events 3).
    expect(checked.length).toBeGreaterThan(services.reduce((n, s) => n + s.slos.length, 0) * 9);
  });

  it('shows only the SLO an alert links to when the slo variable selects it', async () => {
    const p = prom!;
    const checkout = dashboards.get(dashboardFile.service('checkout'))!;
    const queries = dashboardQueries(checkout).filter((q) => q.panelId !== undefined);
    const rowOf = (id: number) => Math.floor(id / 100);
    const latencyRow = rowOf(queries.find((q) => q.expr.includes('checkout-latency'))!.panelId!);
    const withData = new Set<number>();
    for (const q of queries) {
      const data = await p.query(substitute(q.expr, 'latency'));
      if (hasData(data)) withData.add(rowOf(q.panelId!));
    }
    expect([...withData]).toEqual([latencyRow]);
  });

  it('lists every SLO on the overview with the paging one first in sort order', async () => {
    const p = prom!;
    const overview = dashboardQueries(dashboards.get(dashboardFile.overview)!);
    const list = overview.find((q) => q.refId === 'A' && q.expr.includes('dashboard_url'))!;
    const listed = await p.query(list.expr);
    expect(listed.resultType === 'vector' ? listed.result.map((s) => s.metric.slo_id).sort() : []).toEqual(
      services.flatMap((s) => s.slos.map((slo) => slo.id)).sort(),
    );
    const score = overview.find((q) => q.refId === 'G')!;
    const scores = await p.query(score.expr);
    const ranked = scores.resultType === 'vector' ? [...scores.result].sort((a, b) => Number(b.value[1]) - Number(a.value[1])) : [];
    expect(ranked[0]?.metric.slo_id).toBe('checkout-availability');
    expect(Number(ranked[0]?.value[1])).toBeGreaterThanOrEqual(2000);
    const url = listed.resultType === 'vector' ? listed.result.find((s) => s.metric.slo_id === 'checkout-latency')?.metric.dashboard_url : undefined;
    expect(url).toBe('/d/slokit-svc-checkout/checkout?var-slo=latency');
  });

  it('shows burn ÷ page threshold at 1 or more exactly for the SLOs whose page condition holds', async () => {
    const p = prom!;
    const overview = dashboardQueries(dashboards.get(dashboardFile.overview)!);
    const h = overview.find((q) => q.refId === 'H' && q.source === 'Service level objectives')!;
    // The page alert's own expression: pending or firing (before its `for`) is "the condition holds".
    const checkAt = async (at: number) => {
      const [near, paging] = await Promise.all([p.query(h.expr, at), p.query(`ALERTS{alertname="SLOErrorBudgetBurnPage", slo_id!="${FOREIGN_ID}"}`, at)]);
      const over = near.resultType === 'vector' ? near.result.filter((s) => Number(s.value[1]) >= 1).map((s) => s.metric.slo_id) : [];
      const alerting = paging.resultType === 'vector' ? paging.result.map((s) => s.metric.slo_id) : [];
      return { over: [...new Set(over)].sort(), alerting: [...new Set(alerting)].sort(), listed: near.resultType === 'vector' ? near.result.length : 0 };
    };
    // A rule evaluation between the two queries can move either side: take a second look before failing.
    let seen = await checkAt(Date.now() / 1000);
    if (seen.over.join() !== seen.alerting.join()) seen = await checkAt(Date.now() / 1000);
    expect(seen.alerting).toContain('checkout-availability');
    expect(seen.over).toEqual(seen.alerting);
    expect(seen.listed).toBeGreaterThan(1); // SLOs that page but are not near it have a value under 1
  });

  it("neither lists nor counts another team's SLO that the same Prometheus holds", async () => {
    const p = prom!;
    const at = Date.now() / 1000;
    const overview = dashboardQueries(dashboards.get(dashboardFile.overview)!);
    const listedIds = new Set<string>();
    for (const q of overview) {
      const data = await p.query(substitute(q.expr, '.*'), at);
      const ids = data.resultType === 'vector' ? data.result.map((s) => s.metric.slo_id) : [];
      expect(ids, `${q.source} ${q.refId}: ${q.expr}`).not.toContain(FOREIGN_ID);
      if (q.source === 'Service level objectives') for (const id of ids) if (id !== undefined) listedIds.add(id);
    }
    // The table's join would add a blank line for any slo_id a query returned beyond the SLO list.
    expect([...listedIds].sort()).toEqual(services.flatMap((s) => s.slos.map((slo) => slo.id)).sort());
    const count = async (title: string) => {
      const q = overview.find((x) => x.source === title)!;
      const data = await p.query(q.expr, at);
      return data.resultType === 'vector' ? Number(data.result[0]?.value[1]) : NaN;
    };
    const generated = async (expr: string) => {
      const data = await p.query(`count(${expr}) or vector(0)`, at);
      return data.resultType === 'vector' ? Number(data.result[0]?.value[1]) : NaN;
    };
    const ours = `slo_id!="${FOREIGN_ID}"`;
    expect(await count('SLOs')).toBe(services.reduce((n, s) => n + s.slos.length, 0));
    expect(await count('Out of error budget')).toBe(await generated(`${record.periodErrorBudgetRemaining}{${ours}} < 0`));
    expect(await count('Paging')).toBe(await generated(`ALERTS{alertstate="firing", alertname="SLOErrorBudgetBurnPage", ${ours}}`));
    expect(await count('Tickets')).toBe(
      await generated(`ALERTS{alertstate="firing", alertname=~"SLOErrorBudgetBurnTicket|SLOSLINoData|SLOLatencyBucketMissing", ${ours}}`),
    );
  });
});
