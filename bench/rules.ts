/**
 * npm run bench:rules [-- --json] [--instances 500] [--days 3] [--evaluations 7]
 *
 * Loads the default (aggregated) and the textbook (raw) formulation of the same SLO into one real
 * Prometheus over backfilled data: `--instances` × 2 source request series (code 200 and 500) over
 * `--days` days at one sample a minute, made with `promtool tsdb create-blocks-from openmetrics`.
 * The aggregated formulation's 5m base recordings are backfilled over the same range with
 * `promtool tsdb create-blocks-from rules`, as an operator would when deploying it.
 * Reports each group's evaluation time from Prometheus's own
 * `prometheus_rule_group_last_duration_seconds` (median of several evaluations), their ratio, and
 * whether both fire the same alerts and agree on every window's error ratio.
 */
import { Command } from 'commander';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { generateRuleGroups, renderRuleFile, sloWindows, type RuleOptions } from '../src/prometheus/index.js';
import { defineService, resolveServices, toGeneratedYaml, type Service } from '../src/slo/index.js';
import { startPrometheus, waitFor, type PrometheusInstance } from '../test/support/prometheus.js';
import { run } from '../test/support/promtool.js';

const program = new Command('bench:rules')
  .option('--json', 'print one JSON object with the figures')
  .option('--instances <n>', 'instances (×2 series: code 200 and 500)', (v) => Number(v), 500)
  .option('--days <n>', 'days of backfilled data', (v) => Number(v), 3)
  .option('--evaluations <n>', 'evaluations of each group to take the median of', (v) => Number(v), 7)
  .option('--interval <duration>', 'rule evaluation interval', '15s')
  .parse();
const opts = program.opts<{ json?: boolean; instances: number; days: number; evaluations: number; interval: string }>();
const log = (line: string) => {
  if (!opts.json) console.error(line);
};

const MINUTE = 60;
const PER_INSTANCE_PER_MINUTE = 600;
/** Normal error ratio (half the budget), then the last two hours at 5% (a burn of 50×): both page and ticket fire. */
const BASE_ERROR_RATIO = 0.0005;
const INCIDENT_ERROR_RATIO = 0.05;
const INCIDENT_MINUTES = 120;

function sloFor(name: string) {
  return defineService({
    name: 'bench',
    description: 'benchmark service',
    owner: { team: 'bench' },
    slos: [
      {
        name,
        objective: 99.9,
        sli: {
          kind: 'ratio',
          errors: (w) => `sum(rate(http_requests_total{job="bench", code=~"5.."}[${w}]))`,
          total: (w) => `sum(rate(http_requests_total{job="bench"}[${w}]))`,
        },
      },
    ],
  });
}

async function writeOpenMetrics(path: string, start: number, minutes: number): Promise<number> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('# TYPE http_requests counter\n');
  let samples = 0;
  for (let i = 0; i < opts.instances; i++) {
    // Instances differ a little in traffic so the series are not identical.
    const perMinute = PER_INSTANCE_PER_MINUTE * (0.5 + ((i * 7919) % 1000) / 1000);
    for (const code of ['200', '500'] as const) {
      const labels = `{job="bench",instance="i-${String(i).padStart(4, '0')}",code="${code}"}`;
      let value = 0;
      let chunk = '';
      for (let m = 0; m <= minutes; m++) {
        const errorRatio = m > minutes - INCIDENT_MINUTES ? INCIDENT_ERROR_RATIO : BASE_ERROR_RATIO;
        if (m > 0) value += perMinute * (code === '500' ? errorRatio : 1 - errorRatio);
        chunk += `http_requests_total${labels} ${value.toFixed(3)} ${start + m * MINUTE}\n`;
        samples++;
        if (chunk.length > 1 << 16) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}

interface GroupTiming {
  durations: number[];
}

function parseGroupMetrics(text: string): Map<string, { duration: number; last: number }> {
  const out = new Map<string, { duration: number; last: number }>();
  const re = /^prometheus_rule_group_last_(duration_seconds|evaluation_timestamp_seconds)\{rule_group="[^"]*;([^"]+)"\} (\S+)$/gm;
  for (const m of text.matchAll(re)) {
    const entry = out.get(m[2]!) ?? { duration: NaN, last: NaN };
    if (m[1] === 'duration_seconds') entry.duration = Number(m[3]);
    else entry.last = Number(m[3]);
    out.set(m[2]!, entry);
  }
  return out;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-bench-rules-'));
  let prom: PrometheusInstance | undefined;
  try {
    const minutes = opts.days * 24 * 60;
    const end = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - MINUTE;
    const start = end - minutes * MINUTE;
    const tsdb = join(dir, 'tsdb');
    await mkdir(tsdb);

    log(`writing ${opts.instances * 2} series × ${minutes + 1} samples of OpenMetrics...`);
    const om = join(dir, 'data.om');
    const samples = await writeOpenMetrics(om, start, minutes);
    log(`backfilling ${samples.toLocaleString('en')} samples with promtool tsdb create-blocks-from openmetrics...`);
    let t0 = performance.now();
    const backfill = await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, tsdb], { timeoutMs: 900_000 });
    if (backfill.code !== 0) throw new Error(`promtool create-blocks-from openmetrics failed: ${backfill.output}`);
    await rm(om);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const base: Omit<RuleOptions, 'formulation'> = { labelStyle: 'slo', grafanaUrl: 'http://localhost:3000' };
    const [aggService] = resolveServices([{ file: 'bench-aggregated', value: sloFor('aggregated') }]) as [Service];
    const [rawService] = resolveServices([{ file: 'bench-raw', value: sloFor('raw') }]) as [Service];
    const aggGroups = generateRuleGroups(aggService, { ...base, formulation: 'aggregated' });
    const rawGroups = generateRuleGroups(rawService, { ...base, formulation: 'raw' });
    const aggFile = join(dir, 'aggregated.yml');
    const rawFile = join(dir, 'raw.yml');
    await writeFile(aggFile, renderRuleFile(aggService, aggGroups, 'bench'));
    await writeFile(rawFile, renderRuleFile(rawService, rawGroups, 'bench'));

    // Backfill the 5m base recordings every long window is computed from.
    const baseRules = aggGroups.map((g) => ({ name: `${g.name}-base`, rules: g.rules.slice(0, 2) }));
    const baseFile = join(dir, 'base.yml');
    await writeFile(baseFile, toGeneratedYaml({ groups: baseRules }, 'bench', ['bench']));
    prom = await startPrometheus({ tsdbPath: tsdb });
    const rulesOut = join(dir, 'rules-blocks');
    log('backfilling the aggregated formulation\'s 5m base recordings with promtool tsdb create-blocks-from rules...');
    t0 = performance.now();
    const rulesBackfill = await run(
      'promtool',
      ['tsdb', 'create-blocks-from', 'rules', `--start=${start}`, `--end=${end}`, `--url=${prom.url}`, `--output-dir=${rulesOut}`, '--eval-interval=1m', baseFile],
      { timeoutMs: 900_000 },
    );
    if (rulesBackfill.code !== 0) throw new Error(`promtool create-blocks-from rules failed: ${rulesBackfill.output}`);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await prom.stop();
    prom = undefined;
    for (const block of await readdir(rulesOut)) await rename(join(rulesOut, block), join(tsdb, block));

    prom = await startPrometheus({ tsdbPath: tsdb, ruleFiles: [aggFile, rawFile], evaluationInterval: opts.interval });
    const timings = new Map<string, GroupTiming>([
      [aggGroups[0]!.name, { durations: [] }],
      [rawGroups[0]!.name, { durations: [] }],
    ]);
    const seen = new Map<string, number>();
    log(`measuring ${opts.evaluations} evaluations of each group (interval ${opts.interval})...`);
    const enough = await waitFor(async () => {
      const groups = parseGroupMetrics(await prom!.metrics());
      for (const [name, timing] of timings) {
        const g = groups.get(name);
        if (g && g.last > 0 && g.last !== seen.get(name)) {
          seen.set(name, g.last);
          timing.durations.push(g.duration);
        }
      }
      // The first evaluation pays for cold caches: skip it.
      return [...timings.values()].every((t) => t.durations.length > opts.evaluations);
    }, 900_000, 1000);
    if (!enough) throw new Error('the rule groups were not evaluated often enough in 15 minutes');

    const aggMedian = median(timings.get(aggGroups[0]!.name)!.durations.slice(1));
    const rawMedian = median(timings.get(rawGroups[0]!.name)!.durations.slice(1));

    // Same alerts, same numbers?
    const firing = async (sloId: string) => {
      const data = await prom!.query(`ALERTS{alertstate="firing", slo_id="${sloId}"}`);
      return data.resultType === 'vector' ? data.result.map((s) => `${s.metric.alertname}/${s.metric.severity}`).sort() : [];
    };
    const aggAlerts = await firing(aggService.slos[0]!.id);
    const rawAlerts = await firing(rawService.slos[0]!.id);
    const windows: Record<string, { aggregated: number; raw: number; relativeDifference: number }> = {};
    for (const w of sloWindows(aggService.slos[0]!)) {
      const value = async (id: string) => {
        const data = await prom!.query(`slo:sli_error:ratio_rate${w}{slo_id="${id}"}`);
        return data.resultType === 'vector' && data.result[0] ? Number(data.result[0].value[1]) : NaN;
      };
      const a = await value(aggService.slos[0]!.id);
      const r = await value(rawService.slos[0]!.id);
      windows[w] = { aggregated: a, raw: r, relativeDifference: Math.abs(a / r - 1) };
    }
    const result = {
      sourceSeries: opts.instances * 2,
      days: opts.days,
      samples,
      evaluations: opts.evaluations,
      aggregated: { group: aggGroups[0]!.name, medianSeconds: aggMedian, rules: aggGroups[0]!.rules.length, firing: aggAlerts },
      raw: { group: rawGroups[0]!.name, medianSeconds: rawMedian, rules: rawGroups[0]!.rules.length, firing: rawAlerts },
      ratio: aggMedian / rawMedian,
      target: 0.05,
      sameAlerts: JSON.stringify(aggAlerts) === JSON.stringify(rawAlerts) && aggAlerts.length > 0,
      windows,
    };
    if (opts.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`source series: ${result.sourceSeries} over ${opts.days} days (${samples.toLocaleString('en')} samples)`);
      console.log(`aggregated (default): median ${(aggMedian * 1000).toFixed(2)} ms per evaluation (${result.aggregated.rules} rules)`);
      console.log(`raw (textbook):       median ${(rawMedian * 1000).toFixed(2)} ms per evaluation (${result.raw.rules} rules)`);
      console.log(`ratio: ${result.ratio.toFixed(4)}× (target ≤ ${result.target}×)`);
      console.log(`firing: aggregated [${aggAlerts.join(', ')}], raw [${rawAlerts.join(', ')}]: ${result.sameAlerts ? 'same' : 'DIFFERENT'}`);
      for (const [w, v] of Object.entries(windows)) {
        if (Number.isNaN(v.relativeDifference)) {
          console.log(`  ratio_rate${w}: no samples (the backfilled data ends before the measurement)`);
          continue;
        }
        console.log(`  ratio_rate${w}: aggregated ${v.aggregated.toFixed(6)} raw ${v.raw.toFixed(6)} (differ by ${(v.relativeDifference * 100).toFixed(2)}%)`);
      }
    }
    if (!result.sameAlerts || result.ratio > result.target) process.exitCode = 1;
  } finally {
    await prom?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
