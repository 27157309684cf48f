/**
 * npm run bench:generate [-- --json] [--sizes 1000,10000] [--runs 5]
 *
 * Wall time and peak memory to generate rules for N SLOs (validation, rule generation and YAML
 * rendering: everything `slokit generate` does for rules but reading and writing files). Each run is
 * a fresh child process, so peak RSS is that size's own; the figures are medians of `--runs`.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { generateRuleGroups, renderRuleFile } from '../src/prometheus/index.js';
import { resolveServices, type ServiceInput, type SourceEntry } from '../src/slo/index.js';

const SLOS_PER_SERVICE = 10;

/** N SLOs over N/10 services, a mix of ratio, latency and bool-gauge SLIs and windows. */
function syntheticEntries(slos: number): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (let s = 0; s * SLOS_PER_SERVICE < slos; s++) {
    const name = `svc-${s}`;
    const service: ServiceInput = {
      name,
      description: `service ${s}`,
      owner: { team: `team-${s % 50}` },
      ...(s > 0 ? { dependsOn: [`svc-${s - 1}`] } : {}),
      slos: Array.from({ length: Math.min(SLOS_PER_SERVICE, slos - s * SLOS_PER_SERVICE) }, (_, i) => {
        const job = `job="${name}", handler="/h${i}"`;
        const window = ['30d', '28d', '7d'][i % 3]!;
        if (i % 3 === 1) {
          return { name: `latency-${i}`, objective: 99, window, sli: { kind: 'latency' as const, metric: 'http_request_duration_seconds', selector: job, threshold: 0.25 } };
        }
        if (i % 5 === 4) {
          return { name: `probe-${i}`, objective: 99.5, window, sli: { kind: 'boolGauge' as const, selector: `probe_success{${job}}` } };
        }
        return {
          name: `availability-${i}`,
          objective: 99.9,
          window,
          sli: {
            kind: 'ratio' as const,
            errors: (w: string) => `sum(rate(http_requests_total{${job}, code=~"5.."}[${w}]))`,
            total: (w: string) => `sum(rate(http_requests_total{${job}}[${w}]))`,
          },
        };
      }),
    };
    entries.push({ file: `slos/${name}.ts`, value: service });
  }
  return entries;
}

function child(slos: number): void {
  const entries = syntheticEntries(slos);
  const t0 = performance.now();
  const services = resolveServices(entries);
  let bytes = 0;
  for (const service of services) {
    const text = renderRuleFile(service, generateRuleGroups(service, { labelStyle: 'slo', formulation: 'aggregated', grafanaUrl: 'http://localhost:3000' }), 'bench');
    bytes += text.length;
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ slos, ms, bytes, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

const program = new Command('bench:generate')
  .option('--json', 'print one JSON object with the figures')
  .option('--sizes <list>', 'comma-separated SLO counts', '1000,10000')
  .option('--runs <n>', 'runs per size (median)', (v) => Number(v), 5)
  .option('--child <slos>', 'internal: run one measurement', (v) => Number(v))
  .parse();
const opts = program.opts<{ json?: boolean; sizes: string; runs: number; child?: number }>();

if (opts.child !== undefined) {
  child(opts.child);
} else {
  const runner = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const sizes = opts.sizes.split(',').map(Number);
  const results: Record<string, { medianMs: number; peakRssMiB: number; outputMiB: number; runsMs: number[] }> = {};
  for (const size of sizes) {
    const runs: { ms: number; peakRssMiB: number; bytes: number }[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const out = spawnSync(process.execPath, [runner, self, '--child', String(size)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (out.status !== 0) throw new Error(`bench child failed: ${out.stderr}`);
      runs.push(JSON.parse(out.stdout) as { ms: number; peakRssMiB: number; bytes: number });
    }
    results[size] = {
      medianMs: median(runs.map((r) => r.ms)),
      peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
      outputMiB: (runs[0]?.bytes ?? 0) / 2 ** 20,
      runsMs: runs.map((r) => Math.round(r.ms)),
    };
  }
  const [small, large] = sizes;
  const growth = small !== undefined && large !== undefined ? results[large]!.medianMs / results[small]!.medianMs : NaN;
  const summary = { sizes: results, growth, sizeRatio: small && large ? large / small : NaN, targetMsFor1000: 2000 };
  if (opts.json) {
    console.log(JSON.stringify(summary));
  } else {
    for (const [size, r] of Object.entries(results)) {
      console.log(`${size} SLOs: median ${r.medianMs.toFixed(0)} ms, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, ${r.outputMiB.toFixed(1)} MiB of YAML (runs: ${r.runsMs.join(', ')} ms)`);
    }
    console.log(`time grows ${growth.toFixed(2)}× for ${summary.sizeRatio}× the SLOs`);
  }
  if ((results[1000]?.medianMs ?? 0) > 2000) process.exitCode = 1;
}
