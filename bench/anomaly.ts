// Benchmark of the anomaly detectors on a NAB-layout folder: NAB scores (threshold swept over all
// files at once, and fixed in advance) and throughput. Usage:
//   npm run bench:anomaly -- --data ../shared/nab [--json] [--detector ensemble,robust-z] [--rounds 5] [--clock wall|cpu]
import { Command, InvalidArgumentError } from 'commander';
import { median } from 'simple-statistics';
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

type Clock = 'wall' | 'cpu';

/** Milliseconds on a clock: elapsed time, or CPU time of this process (user + system, all its threads). */
const CLOCKS: Record<Clock, () => number> = {
  wall: () => performance.now(),
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

function parseClock(text: string): Clock {
  if (text !== 'wall' && text !== 'cpu') throw new InvalidArgumentError(`expected wall or cpu, got "${text}"`);
  return text;
}

/** Runs a fresh detector over every series; returns the scores and the time spent in `observe` (ms). */
function runDetector(kind: DetectorKind, corpus: NabCorpus, now: () => number): { scored: NabScoredSeries[]; ms: number } {
  let ms = 0;
  const scored = corpus.series.map((s) => {
    const d = createDetector(kind);
    const scores = new Float64Array(s.values.length);
    const { timestamps, values } = s;
    const start = now();
    for (let i = 0; i < values.length; i++) scores[i] = d.observe(timestamps[i]!, values[i]!);
    ms += now() - start;
    return { name: s.name, windows: s.windows, scores };
  });
  return { scored, ms };
}

/**
 * Scores every detector on the corpus and times it. Each round runs every detector once, in turn,
 * so that a burst of load from other processes on a shared machine slows all of them alike;
 * points per second is the median over the rounds (time spent in `observe` only, one core; on
 * the `cpu` clock, CPU time, which does not count time spent waiting for a busy core). The
 * first round also warms up the JIT; all rounds give the same scores (checked).
 */
function measureAll(kinds: readonly DetectorKind[], corpus: NabCorpus, rounds: number, clock: Clock): Record<string, DetectorFigures> {
  const points = corpus.series.reduce((n, s) => n + s.values.length, 0);
  const times = new Map<DetectorKind, number[]>(kinds.map((k) => [k, []]));
  const scoredBy = new Map<DetectorKind, NabScoredSeries[]>();
  for (let r = 0; r < rounds; r++) {
    for (const kind of kinds) {
      const { scored, ms } = runDetector(kind, corpus, CLOCKS[clock]);
      times.get(kind)!.push(ms);
      const first = scoredBy.get(kind);
      if (first === undefined) scoredBy.set(kind, scored);
      else if (!sameScores(first, scored)) throw new Error(`bench:anomaly: ${kind} scored differently in round ${r + 1}`);
    }
  }
  const results: Record<string, DetectorFigures> = {};
  for (const kind of kinds) {
    const scored = scoredBy.get(kind)!;
    const figures: DetectorFigures = { pointsPerSecond: Math.round(points / (median(times.get(kind)!) / 1000)) };
    for (const p of corpus.profiles) {
      const swept = sweepNabThreshold(scored, p);
      const fixed = scoreNabAtThreshold(scored, p, ALERT_THRESHOLDS[kind]);
      figures[p.name] = {
        swept: round(swept.normalized),
        sweptThreshold: Number.isFinite(swept.threshold) ? swept.threshold : null,
        fixed: round(fixed.normalized),
      };
    }
    results[kind] = figures;
  }
  return results;
}

function sameScores(a: readonly NabScoredSeries[], b: readonly NabScoredSeries[]): boolean {
  return a.every((s, i) => {
    const t = b[i]!.scores;
    for (let k = 0; k < s.scores.length; k++) if (!Object.is(s.scores[k], t[k])) return false;
    return true;
  });
}

function parseRounds(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError(`expected an integer ≥ 1, got "${text}"`);
  return n;
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
  .option('--rounds <n>', 'timed passes over the corpus per detector, interleaved; points/s is their median', parseRounds, 5)
  .option('--clock <clock>', 'wall (elapsed time) or cpu (CPU time of the process: steadier on a busy machine)', parseClock, 'wall')
  .action((opts: { data: string; json: boolean; detector?: DetectorKind[]; rounds: number; clock: Clock }) => {
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
    const results = measureAll(opts.detector ?? DETECTOR_KINDS, corpus, opts.rounds, opts.clock);
    if (opts.json) console.log(JSON.stringify(results, null, 2));
    else printTable(results, corpus);
  });

await program.parseAsync(process.argv);
