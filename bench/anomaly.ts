// Benchmark of the anomaly detectors on a NAB-layout folder: NAB scores (threshold swept over all
// files at once, and fixed in advance) and throughput. Usage:
//   npm run bench:anomaly -- --data ../shared/nab [--json] [--detector ensemble,robust-z]
import { Command, InvalidArgumentError } from 'commander';
import {
  ALERT_THRESHOLDS,
  DETECTOR_KINDS,
  NabCorpusError,
  createDetector,
  loadNabCorpus,
  scoreNabAtThreshold,
  sweepNabThreshold,
  type DetectorKind,
  type NabCorpus,
  type NabScoredSeries,
} from '../src/anomaly/index.js';

interface ProfileFigures {
  swept: number;
  sweptThreshold: number | null;
  fixed: number;
}

type DetectorFigures = Record<string, ProfileFigures | number> & { pointsPerSecond: number };

function parseKinds(text: string): DetectorKind[] {
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(DETECTOR_KINDS as readonly string[]).includes(k)) {
      throw new InvalidArgumentError(`unknown detector "${k}"; expected some of ${DETECTOR_KINDS.join(', ')}`);
    }
  }
  return kinds as DetectorKind[];
}

/** Runs a fresh detector over every series; returns the scores and the time spent in `observe` (ms). */
function runDetector(kind: DetectorKind, corpus: NabCorpus): { scored: NabScoredSeries[]; ms: number } {
  let ms = 0;
  const scored = corpus.series.map((s) => {
    const d = createDetector(kind);
    const scores = new Float64Array(s.values.length);
    const { timestamps, values } = s;
    const start = performance.now();
    for (let i = 0; i < values.length; i++) scores[i] = d.observe(timestamps[i]!, values[i]!);
    ms += performance.now() - start;
    return { name: s.name, windows: s.windows, scores };
  });
  return { scored, ms };
}

function measure(kind: DetectorKind, corpus: NabCorpus): DetectorFigures {
  const points = corpus.series.reduce((n, s) => n + s.values.length, 0);
  // The first pass warms up the JIT; throughput is the faster of two passes.
  const first = runDetector(kind, corpus);
  const second = runDetector(kind, corpus);
  const figures: DetectorFigures = { pointsPerSecond: Math.round(points / (Math.min(first.ms, second.ms) / 1000)) };
  for (const p of corpus.profiles) {
    const swept = sweepNabThreshold(first.scored, p);
    const fixed = scoreNabAtThreshold(first.scored, p, ALERT_THRESHOLDS[kind]);
    figures[p.name] = {
      swept: round(swept.normalized),
      sweptThreshold: Number.isFinite(swept.threshold) ? swept.threshold : null,
      fixed: round(fixed.normalized),
    };
  }
  return figures;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function printTable(results: Record<string, DetectorFigures>, corpus: NabCorpus): void {
  const names = corpus.profiles.map((p) => p.name);
  const points = corpus.series.reduce((n, s) => n + s.values.length, 0);
  const windows = corpus.series.reduce((n, s) => n + s.windows.length, 0);
  console.log(`NAB folder ${corpus.root}: ${corpus.series.length} series, ${points} points, ${windows} windows`);
  console.log('normalized NAB score (null detector 0, perfect 100): swept = best single threshold for all files, fixed = threshold set in advance');
  const header = ['detector', ...names.flatMap((n) => [`${n} swept`, `${n} fixed`]), 'points/s'];
  const rows = Object.entries(results).map(([kind, f]) => [
    kind,
    ...names.flatMap((n) => {
      const p = f[n] as ProfileFigures;
      return [p.swept.toFixed(2), p.fixed.toFixed(2)];
    }),
    f.pointsPerSecond.toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

const program = new Command('bench:anomaly')
  .description('Scores the anomaly detectors on a NAB-layout folder (data/, labels/, config/)')
  .requiredOption('--data <dir>', 'NAB-layout folder, e.g. ../shared/nab')
  .option('--json', 'print one JSON object instead of a table', false)
  .option('--detector <kinds>', `comma-separated detectors (default: all of ${DETECTOR_KINDS.join(', ')})`, parseKinds)
  .action((opts: { data: string; json: boolean; detector?: DetectorKind[] }) => {
    let corpus: NabCorpus;
    try {
      corpus = loadNabCorpus(opts.data);
    } catch (err) {
      if (err instanceof NabCorpusError) {
        console.error(`bench:anomaly: ${err.message}`);
        process.exitCode = 1;
        return;
      }
      throw err;
    }
    if (corpus.series.length === 0 || corpus.series.every((s) => s.windows.length === 0)) {
      console.error(`bench:anomaly: ${opts.data}: no labelled series with anomaly windows, nothing to score`);
      process.exitCode = 1;
      return;
    }
    const results: Record<string, DetectorFigures> = {};
    for (const kind of opts.detector ?? DETECTOR_KINDS) results[kind] = measure(kind, corpus);
    if (opts.json) console.log(JSON.stringify(results, null, 2));
    else printTable(results, corpus);
  });

await program.parseAsync(process.argv);
