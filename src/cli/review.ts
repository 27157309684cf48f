import { writeOutputs } from './output-files.js';
import { join, resolve } from 'node:path';
import { DAY, SpecError, type Service } from '../slo/index.js';
import {
  NoDataError,
  PeerQueryError,
  PeerUnreachableError,
  PeriodError,
  collectReview,
  createPrometheusClient,
  createRouterClient,
  periodName,
  renderHtml,
  renderMarkdown,
  resolvePeriod,
  verdictOf,
  type Review,
  type Verdict,
} from '../review/index.js';
import { loadServices } from './load-slos.js';

export interface ReviewOptions {
  prometheusUrl: string;
  routerUrl?: string;
  /** `YYYY-MM-DD` (UTC), inclusive. */
  from?: string;
  /** `YYYY-MM-DD` (UTC), inclusive. */
  to?: string;
  slosDir: string;
  outDir: string;
  /** Epoch ms; the default period ends the day before. */
  nowMs: number;
  fetch?: typeof fetch;
}

export interface ReviewResult {
  review: Review;
  markdownPath: string;
  htmlPath: string;
}

/**
 * The review use case: load the SLOs, read Prometheus (and the router), write
 * `<outDir>/<period>.md` and `.html` atomically. Without `from`, the period is the last full window
 * of the longest SLO window (every SLO's window then fits).
 */
export async function writeReview(options: ReviewOptions, services?: readonly Service[]): Promise<ReviewResult> {
  const loaded = services ?? (await loadServices(resolve(options.slosDir)));
  const longest = Math.max(...loaded.flatMap((s) => s.slos.map((slo) => slo.windowMs)));
  const period = resolvePeriod({
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    nowMs: options.nowMs,
    defaultDays: Math.round(longest / DAY),
  });
  const fetchOpt = options.fetch === undefined ? {} : { fetch: options.fetch };
  const review = await collectReview(loaded, period, {
    prometheus: createPrometheusClient({ url: options.prometheusUrl, ...fetchOpt }),
    ...(options.routerUrl === undefined ? {} : { router: createRouterClient({ url: options.routerUrl, ...fetchOpt }) }),
    nowMs: options.nowMs,
  });
  const name = periodName(period);
  const markdownPath = join(options.outDir, `${name}.md`);
  const htmlPath = join(options.outDir, `${name}.html`);
  // As one set, like generate's outputs: both temp files first, then both renames, so a failed
  // write leaves neither report changed (never a new .md beside last run's .html).
  await writeOutputs({
    files: new Map([
      [markdownPath, renderMarkdown(review)],
      [htmlPath, renderHtml(review)],
    ]),
    managedDirs: [],
  });
  return { review, markdownPath, htmlPath };
}

/** Exit code of a review failure: usage (2: the period), invalid input (1) or I/O and network (3). */
export function reviewExitCode(err: unknown): 1 | 2 | 3 {
  if (err instanceof PeriodError) return 2;
  if (err instanceof SpecError || err instanceof NoDataError) return 1;
  if (err instanceof PeerUnreachableError || err instanceof PeerQueryError) return 3;
  let e: unknown = err;
  while (e instanceof Error) {
    if (e instanceof PeerUnreachableError || e instanceof PeerQueryError) return 3;
    e = e.cause;
  }
  return 3;
}

/**
 * What the command prints on success: the counts by verdict and the files written. An SLO too little
 * held to judge counts as neither met nor missed, but as one of those.
 */
export function reviewSummary(result: ReviewResult): string {
  const slos = result.review.slos;
  const count = (verdict: Verdict) => slos.filter((s) => verdictOf(s.current) === verdict).length;
  const unjudged = count('too little held');
  const noData = count('no data');
  return (
    `slokit: ${slos.length} SLOs: ${count('met')} met, ${count('at risk')} at risk, ${count('missed')} missed` +
    `${unjudged > 0 ? `, ${unjudged} too little held to judge` : ''}${noData > 0 ? `, ${noData} without data` : ''}` +
    `\n  wrote ${result.markdownPath}\n  wrote ${result.htmlPath}\n`
  );
}
