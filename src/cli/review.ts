import { extname, join, resolve } from 'node:path';
import { DAY, SpecError, type Service } from '../slo/index.js';
import {
  NoDataError,
  PeerQueryError,
  PeerUnreachableError,
  PeriodError,
  collectReview,
  createPrometheusClient,
  createRouterClient,
  isPeriodName,
  periodName,
  renderHtml,
  renderMarkdown,
  resolvePeriod,
  verdictOf,
  type Review,
  type Verdict,
} from '../review/index.js';
import { loadServices, projectName } from './load-slos.js';
import { writeOutputs, type OutputSet } from './output-files.js';
import { withOutputLocks } from './output-lock.js';
import { clearLeftovers, clearedLines } from './staging-files.js';

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

/** A review collected and rendered, not yet written. */
export interface PreparedReview extends ReviewResult {
  outDir: string;
  /** The project the SLOs are, named in the output lock. */
  project: string;
  outputs: OutputSet;
}

/** How a review takes its output directory's lock, as generate does its own (see withOutputLocks). */
export interface ReviewLock {
  /** How long to wait for another run's lock before giving up, ms. */
  waitMs: number;
  /** Told a line, without "slokit: " or its end: a lock waited for or taken over, leftovers cleared. */
  notice: (line: string) => void;
  /** Aborted to stop the run (SIGINT, SIGTERM) while it waits for the lock or stages the reports. */
  signal?: AbortSignal;
}

/**
 * The review use case's first half: load the SLOs, read Prometheus (and the router) and render
 * `<outDir>/<period>.md` and `.html`. Without `from`, the period is the last full window of the
 * longest SLO window (every SLO's window then fits). Touches no file: reading may take minutes, and
 * a run holds the output lock only while it writes.
 */
export async function prepareReview(options: ReviewOptions, services?: readonly Service[]): Promise<PreparedReview> {
  const slosDir = resolve(options.slosDir);
  const loaded = services ?? (await loadServices(slosDir));
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
  const outputs = {
    files: new Map([
      [markdownPath, renderMarkdown(review)],
      [htmlPath, renderHtml(review)],
    ]),
    managedDirs: [],
  };
  return { review, markdownPath, htmlPath, outDir: options.outDir, project: (await projectName(slosDir)).name, outputs };
}

/** A review's report of any period, by its file name: what a review killed while writing one leaves the temp file of. */
const isReportName = (name: string): boolean => ['.md', '.html'].includes(extname(name)) && isPeriodName(name.slice(0, -extname(name).length));

/**
 * The review use case's second half: writes the reports holding the output directory's lock, so
 * that two reviews (or a review and a generate sharing the directory) never interleave their
 * renames. Holding it, first clears the temp files and backups of any period's report that a review
 * killed mid-write left there (a live process's are left alone), telling `lock.notice`. As one set,
 * like generate's outputs: both temp files first, then both renames, so a failed write leaves
 * neither report changed (never a new .md beside last run's .html). Returns whether `lock.signal`
 * came while the reports were renamed into place, which the run then finished.
 */
export async function writePreparedReview(prepared: PreparedReview, lock: ReviewLock): Promise<{ signalledInCommit: boolean }> {
  return withOutputLocks([prepared.outDir], { ...lock, command: 'review', project: prepared.project }, async () => {
    for (const line of clearedLines(await clearLeftovers(prepared.outputs, isReportName))) lock.notice(line);
    return writeOutputs(prepared.outputs, lock.signal);
  });
}

/**
 * The review use case in one call (prepareReview, then writePreparedReview): for a caller that
 * listens for no signal. By default it waits for no other run's lock and is told nothing.
 */
export async function writeReview(
  options: ReviewOptions,
  services?: readonly Service[],
  lock: ReviewLock = { waitMs: 0, notice: () => undefined },
): Promise<ReviewResult> {
  const prepared = await prepareReview(options, services);
  await writePreparedReview(prepared, lock);
  return { review: prepared.review, markdownPath: prepared.markdownPath, htmlPath: prepared.htmlPath };
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
