import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { BASE_WINDOW, DURATION_HINT, SpecError, describeError, parseDuration, projectNameProblem } from '../slo/index.js';
import { DEFAULT_ALERTMANAGER_OPTIONS } from '../alertmanager/index.js';
import { buildOutputs, type GenerateOptions } from './generate.js';
import { InterruptedError, listenForInterrupt } from './interrupt.js';
import { loadServices, projectName } from './load-slos.js';
import { ForeignFilesError, findStale, outputDirs, writeOutputs } from './output-files.js';
import { OutputLockedError, withOutputLocks } from './output-lock.js';
import { prepareReview, reviewExitCode, reviewSummary, writePreparedReview } from './review.js';
import { clearLeftovers, clearedLines, files, findLeftovers, type Leftover } from './staging-files.js';

/** Exit codes: 0 ok, 1 invalid input, 2 usage, 3 I/O or network. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, io: 3 } as const;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * A duration flag, checked with the same grammar Prometheus and Alertmanager use. Zero only where
 * its reader accepts it: Alertmanager takes group_wait 0s but rejects a zero group_interval or
 * repeat_interval, and a zero rule group interval would only mean "omit --interval".
 */
function duration(options: { allowZero?: boolean } = {}): (value: string) => string {
  return (value) => {
    const ms = parseDuration(value, { allowZero: true });
    if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a Prometheus duration: use ${DURATION_HINT}`);
    if (ms === 0 && options.allowZero !== true) {
      throw new InvalidArgumentError(`"${value}" must be longer than zero, e.g. "30s" or "5m"`);
    }
    return value;
  };
}

/**
 * The rule groups' evaluation interval: no longer than the 5m recordings every longer window is built
 * from. Evaluated every hour, those would cover 5 minutes of each hour, and a 30-minute outage could
 * read as a 0 error ratio over 1h and never page.
 */
function ruleInterval(value: string): string {
  duration()(value);
  if (parseDuration(value)! > parseDuration(BASE_WINDOW)!) {
    throw new InvalidArgumentError(
      `"${value}" is longer than ${BASE_WINDOW}: every longer window is built from ${BASE_WINDOW} recordings, which evaluated every ${value} would leave most of the time unseen`,
    );
  }
  return value;
}

/**
 * The range slokit takes for each Alertmanager route timer. Alertmanager itself refuses only a zero
 * group_interval or repeat_interval; past these ends a value is a typo or defeats the timer's purpose.
 * repeat_interval's lower end is the group interval (checked in generate, as it takes both flags).
 */
const AM_TIMERS = {
  groupWait: {
    min: '0s',
    max: '5m',
    tooLong: "a new page waits this long for its SLO's other alerts before Alertmanager sends it",
  },
  groupInterval: {
    // Seconds are for test setups (the end-to-end tests use 1s); below that Alertmanager only spins.
    min: '1s',
    max: '1h',
    tooShort: "Alertmanager would flush every SLO's group more than once a second, while alerts change only when Prometheus evaluates rules",
    tooLong: 'a resolve, or a page joining a ticket, reaches the router only at the next group_interval',
  },
  repeatInterval: {
    min: 'the group interval',
    max: '5d',
    tooLong: 'Alertmanager forgets a notification after its --data.retention (120h by default) and sends it again then anyway',
  },
} as const;

const rangeOf = (range: { min: string; max: string }) => `${range.min} to ${range.max}`;

/**
 * A duration flag for an Alertmanager timer: the grammar, then the range, naming the range and what
 * lies past the end it crosses. The lower end is checked where `tooShort` says why.
 */
function amTimer(range: { min: string; max: string; tooLong: string; tooShort?: string }): (value: string) => string {
  return (value) => {
    duration({ allowZero: range.min === '0s' })(value);
    const ms = parseDuration(value, { allowZero: true })!;
    const allowed = `allowed: ${rangeOf(range)}`;
    if (ms > parseDuration(range.max)!) throw new InvalidArgumentError(`"${value}" is longer than ${range.max} (${allowed}): ${range.tooLong}`);
    if (range.tooShort !== undefined && ms < parseDuration(range.min)!) {
      throw new InvalidArgumentError(`"${value}" is shorter than ${range.min} (${allowed}): ${range.tooShort}`);
    }
    return value;
  };
}

function url(value: string): string {
  if (!URL.canParse(value)) throw new InvalidArgumentError(`"${value}" is not an absolute URL`);
  return value;
}

/**
 * Grafana's base URL, which dashboard paths are appended to and which every alert carries in its
 * `dashboard_url` annotation (a Prometheus template): http(s), no query or fragment (a path after
 * them would not be a path), no "{{" or "}}".
 */
function grafanaUrl(value: string): string {
  anyHttpUrl(value);
  const parsed = new URL(value);
  if (parsed.search !== '' || parsed.hash !== '') throw new InvalidArgumentError(`"${value}" has a query or fragment: give Grafana's base URL, dashboard paths are appended to it`);
  if (value.includes('{{') || value.includes('}}')) throw new InvalidArgumentError(`"${value}" contains "{{" or "}}", which Prometheus would read as a template in every alert's dashboard_url`);
  return value;
}

/** An absolute http(s) URL; `why` is appended to the error for any other scheme. */
function anyHttpUrl(value: string, why = ''): string {
  url(value);
  const { protocol } = new URL(value);
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidArgumentError(`"${value}" is not an http:// or https:// URL${why}`);
  return value;
}

/** A URL Alertmanager can post a webhook to: it refuses to load a config with any other scheme. */
function httpUrl(value: string): string {
  return anyHttpUrl(value, " (Alertmanager's webhook_configs take no other)");
}

/** A project name for generated headers: they hold it after `Project: ` in a YAML comment and a JSON string. */
function project(value: string): string {
  const problem = projectNameProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`"${value}" ${problem}`);
  return value;
}

/** `--adopt-project`, given once per earlier name. */
function adoptProject(value: string, previous: readonly string[] = []): string[] {
  return [...previous, project(value)];
}

/** `arg` as one POSIX shell word, for a command line to copy: as it is when the shell reads nothing in it. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The slokit command line. Returns the exit code (128 + the signal's number when interrupted); only this function prints. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('slokit')
    .description('SLOs as TypeScript: Prometheus rules, Grafana dashboards and an alert-router from one source')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run slokit --help for usage)');

  program
    .command('generate')
    .description('generate rules/, dashboards/, the alert-router catalog and Alertmanager config from slos/*.ts')
    .option('--slos <dir>', 'directory of SLO files', 'slos')
    .option('--rules-out <dir>', 'where rule files go', 'rules')
    .option('--dashboards-out <dir>', 'where dashboards go', 'dashboards')
    .option('--router-out <dir>', 'where the alert-router catalog and Alertmanager config go', 'alert-router')
    .option('--check', 'write nothing; exit 1 when generated files are stale', false)
    .option(
      '--lock-wait <duration>',
      'how long to wait while another generate or review run writes to the same output directories',
      duration({ allowZero: true }),
      '10s',
    )
    .option(
      '--project <name>',
      'the project named in every generated file; generate removes or replaces only its own (default: package.json name/SLO directory)',
      project,
    )
    .option(
      '--adopt-project <name>',
      "an earlier name of this project (repeatable): replace its files and remove those no longer generated, as this project's",
      adoptProject,
    )
    .addOption(new Option('--label-style <style>', 'identity label keys').choices(['slo', 'sloth']).default('slo'))
    .addOption(
      new Option('--formulation <kind>', 'how long windows are computed').choices(['aggregated', 'raw']).default('aggregated'),
    )
    .addOption(new Option('--format <format>', 'rule file format').choices(['prometheus', 'prometheus-rule']).default('prometheus'))
    .option('--grafana-url <url>', 'Grafana base URL for dashboard links', grafanaUrl, process.env.SLOKIT_GRAFANA_URL ?? 'http://localhost:3000')
    .option('--interval <duration>', `rule group evaluation interval, at most ${BASE_WINDOW} (default: Prometheus global)`, ruleInterval)
    .option('--router-url <url>', 'the alert-router webhook URL in alertmanager.yml', httpUrl, DEFAULT_ALERTMANAGER_OPTIONS.routerUrl)
    .option('--router-token-file <path>', 'file with the router bearer token, as Alertmanager sees it', DEFAULT_ALERTMANAGER_OPTIONS.routerTokenFile)
    .option(
      '--self-page-key-file <path>',
      "file with the PagerDuty routing key for the router's own pages",
      DEFAULT_ALERTMANAGER_OPTIONS.selfPageRoutingKeyFile,
    )
    .option('--am-group-wait <duration>', `Alertmanager group_wait for SLO alerts, ${rangeOf(AM_TIMERS.groupWait)}`, amTimer(AM_TIMERS.groupWait), DEFAULT_ALERTMANAGER_OPTIONS.groupWait)
    .option('--am-group-interval <duration>', `Alertmanager group_interval, ${rangeOf(AM_TIMERS.groupInterval)}`, amTimer(AM_TIMERS.groupInterval), DEFAULT_ALERTMANAGER_OPTIONS.groupInterval)
    .option(
      '--am-repeat-interval <duration>',
      `Alertmanager repeat_interval, ${rangeOf(AM_TIMERS.repeatInterval)}`,
      amTimer(AM_TIMERS.repeatInterval),
      DEFAULT_ALERTMANAGER_OPTIONS.repeatInterval,
    )
    .action(async (opts: Record<string, unknown>) => {
      code = await generate(opts, argv, io);
    });

  program
    .command('review')
    .description('write reviews/<period>.md and .html: each SLO\'s attainment, budget, burn, incidents and recommendations')
    .requiredOption('--prometheus <url>', 'Prometheus base URL', url)
    .option('--router <url>', 'alert-router base URL, for incidents and alert quality', url)
    .option('--from <date>', 'first day, YYYY-MM-DD (UTC); default: the last full SLO window')
    .option('--to <date>', 'last day, inclusive, YYYY-MM-DD (UTC); default: yesterday')
    .option('--slos <dir>', 'directory of SLO files', 'slos')
    .option('--out <dir>', 'where the review goes', 'reviews')
    .option(
      '--lock-wait <duration>',
      'how long to wait while another review or generate run writes to the same output directory',
      duration({ allowZero: true }),
      '10s',
    )
    .action(async (opts: Record<string, unknown>) => {
      code = await review(opts, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return code;
}

async function generate(opts: Record<string, unknown>, argv: readonly string[], io: Io): Promise<number> {
  // Alertmanager re-sends only when a group is flushed, every group_interval: a shorter repeat_interval
  // would silently mean group_interval.
  if ((parseDuration(String(opts.amRepeatInterval)) ?? 0) < (parseDuration(String(opts.amGroupInterval)) ?? 0)) {
    io.err(
      `slokit: --am-repeat-interval ${String(opts.amRepeatInterval)} is shorter than --am-group-interval ${String(opts.amGroupInterval)}: ` +
        `Alertmanager repeats only at group_interval ticks; use a repeat interval from ${String(opts.amGroupInterval)} to ${AM_TIMERS.repeatInterval.max}\n`,
    );
    return EXIT.usage;
  }
  const options: Omit<GenerateOptions, 'project'> = {
    rulesDir: String(opts.rulesOut),
    dashboardsDir: String(opts.dashboardsOut),
    routerDir: String(opts.routerOut),
    ruleFormat: opts.format as GenerateOptions['ruleFormat'],
    labelStyle: opts.labelStyle as GenerateOptions['labelStyle'],
    formulation: opts.formulation as GenerateOptions['formulation'],
    grafanaUrl: String(opts.grafanaUrl),
    ...(typeof opts.interval === 'string' ? { interval: opts.interval } : {}),
    alertmanager: {
      routerUrl: String(opts.routerUrl),
      routerTokenFile: String(opts.routerTokenFile),
      selfPageRoutingKeyFile: String(opts.selfPageKeyFile),
      groupWait: String(opts.amGroupWait),
      groupInterval: String(opts.amGroupInterval),
      repeatInterval: String(opts.amRepeatInterval),
    },
  };
  // SLO files are code: one that calls process.exit while it loads, or in a window function, would end
  // the run with that code (`--check` passing with every file missing). While they run, it throws
  // instead, and that becomes a problem of the file.
  const exit = process.exit;
  process.exit = ((code?: number | string | null) => {
    throw new Error(`called process.exit(${code ?? ''}): an SLO file defines services and must not end the run`);
  }) as typeof process.exit;
  try {
    const slosDir = resolve(String(opts.slos));
    const derived = typeof opts.project === 'string' ? { name: opts.project, from: '--project' } : await projectName(slosDir);
    const name = derived.name;
    const problem = projectNameProblem(name);
    if (problem !== undefined) {
      io.err(`slokit: the project name "${name}" (from ${derived.from}) ${problem}: name the project with --project\n`);
      return EXIT.usage;
    }
    const services = await loadServices(slosDir);
    const outputs = { ...buildOutputs(services, { ...options, project: name }), adopt: (opts.adoptProject as string[] | undefined) ?? [] };
    const sloCount = services.reduce((n, s) => n + s.slos.length, 0);
    if (opts.check) {
      const stale = await findStale(outputs);
      if (stale.foreign.length > 0) throw new ForeignFilesError(name, stale.foreign);
      warnUnclaimed(stale.unclaimed, io);
      warnUnadopted(stale.unadopted, outputs, io);
      warnLeftovers(await findLeftovers(outputs), io);
      const lines = [
        ...stale.changed.map((p) => `  changed: ${p}`),
        ...stale.missing.map((p) => `  missing: ${p}`),
        ...stale.extra.map((p) => `  no longer generated: ${p}`),
      ];
      if (lines.length > 0) {
        io.err(`slokit: generated files are stale; run npm run generate:\n${lines.join('\n')}\n`);
        return EXIT.invalid;
      }
      io.out(`slokit: ${outputs.files.size} generated files are up to date (${services.length} services, ${sloCount} SLOs)\n`);
      return EXIT.ok;
    }
    // From here the first SIGINT or SIGTERM stops the run at its next step, which removes its locks
    // and temp files, instead of ending the process with them left behind.
    const interrupt = listenForInterrupt();
    try {
      const { signal } = interrupt;
      // --check takes no lock: it writes nothing, so it cannot break a run that writes, and it works
      // on a checkout it may not write to (CI). Run beside a write, it reports what it finds.
      const lock = {
        command: 'generate' as const,
        project: name,
        waitMs: parseDuration(String(opts.lockWait), { allowZero: true })!,
        notice: (line: string) => io.err(`slokit: ${line}\n`),
        signal,
      };
      const { written, removed, unclaimed, unadopted, signalledInCommit } = await withOutputLocks(outputDirs(outputs), lock, async () => {
        // Holding the locks, no other run stages here: every temp file and backup of a process gone is a killed run's.
        for (const line of clearedLines(await clearLeftovers(outputs))) lock.notice(line);
        return writeOutputs(outputs, signal);
      });
      warnUnclaimed(unclaimed, io);
      warnUnadopted(unadopted, outputs, io);
      io.out(
        `slokit: ${services.length} services, ${sloCount} SLOs: ${written.length} files written, ` +
          `${outputs.files.size - written.length} unchanged${removed.length > 0 ? `, ${removed.length} removed` : ''}\n`,
      );
      for (const path of written) io.out(`  wrote ${path}\n`);
      for (const path of removed) io.out(`  removed ${path}\n`);
      if (signal.reason instanceof InterruptedError) return reportLateInterrupt(signal.reason, signalledInCommit, io);
      return EXIT.ok;
    } finally {
      interrupt.stop();
    }
  } catch (err) {
    const stopped = reportStopped(err, io);
    if (stopped !== undefined) return stopped;
    if (err instanceof ForeignFilesError) {
      io.err(`slokit: ${err.message}\nto adopt them: ${adoptCommand(argv, err.projects)}\nnothing was written.\n`);
      return EXIT.invalid;
    }
    if (err instanceof SpecError) {
      io.err(`slokit: ${err.message}\nnothing was written.\n`);
      return EXIT.invalid;
    }
    io.err(`slokit: ${describeError(err)}\n`);
    return EXIT.io;
  } finally {
    process.exit = exit;
  }
}

/**
 * Says how a writing run ended that a signal stopped, or another run's lock kept from writing, and
 * returns its exit code; undefined for any other error.
 */
function reportStopped(err: unknown, io: Io): number | undefined {
  if (err instanceof InterruptedError) {
    io.err(`slokit: ${err.message}: removed this run's locks and temp files; no output was changed\n`);
    return err.exitCode;
  }
  if (err instanceof OutputLockedError) {
    io.err(`slokit: ${err.message}\nnothing was written.\n`);
    return EXIT.io;
  }
  return undefined;
}

/**
 * Says how a run ended that a signal reached too late to stop it: while its outputs were renamed
 * into place (`inCommit`), which the run finished rather than stop halfway, or once every rename
 * was done, as it let go of its locks. Either way the outputs are this run's, as listed. Returns
 * the signal's exit code.
 */
function reportLateInterrupt(reason: InterruptedError, inCommit: boolean, io: Io): number {
  io.err(
    inCommit
      ? `slokit: ${reason.message} while renaming the outputs into place: finished renaming them, then removed this run's locks\n`
      : `slokit: ${reason.message} after every output was written, as listed: removed this run's locks; nothing was left half done\n`,
  );
  return reason.exitCode;
}

/** The command line that runs `argv` again, writing (not --check), with each of `projects` adopted. */
function adoptCommand(argv: readonly string[], projects: readonly string[]): string {
  const args = [...argv.filter((arg) => arg !== '--check'), ...projects.flatMap((p) => ['--adopt-project', p])];
  return ['slokit', ...args].map(shellWord).join(' ');
}

/**
 * Names the generated files of no project that were kept: an older slokit wrote them, so they may
 * be another project's in a shared directory, and only a person can tell.
 */
function warnUnclaimed(paths: readonly string[], io: Io): void {
  if (paths.length === 0) return;
  io.err(
    'slokit: warning: kept generated files that are no longer generated but name no project ' +
      '(an older slokit wrote them, and in a shared directory they may be another project\'s); delete those no project generates:\n' +
      paths.map((p) => `  ${p}\n`).join(''),
  );
}

/**
 * Names the temp files and backups `--check` found: not outputs, so no reason to fail, but a run
 * killed mid-write left them (or a run writing now, as `--check` takes no lock), and the next run
 * clears them.
 */
function warnLeftovers(leftovers: readonly Leftover[], io: Io): void {
  if (leftovers.length === 0) return;
  const named = leftovers.map((l) => (l.putBack === undefined ? l.path : `${l.path} (the only copy of ${l.putBack}, which is gone: the run puts it back)`));
  io.err(`slokit: warning: ${files(leftovers.length)} a killed generate run left (or one running now stages), not outputs: ${named.join(', ')}; run npm run generate to remove them\n`);
}

/** Names each `--adopt-project` that matched no file: most likely a typo in the earlier name. */
function warnUnadopted(projects: readonly string[], outputs: { managedDirs: readonly string[] }, io: Io): void {
  for (const project of projects) {
    io.err(`slokit: warning: --adopt-project ${JSON.stringify(project)} matched no generated file in ${outputs.managedDirs.join(', ')} or among this run's outputs (a mistyped name, or its files are this project's already)\n`);
  }
}

async function review(opts: Record<string, unknown>, io: Io): Promise<number> {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  try {
    const from = text(opts.from);
    const to = text(opts.to);
    const router = text(opts.router);
    const prepared = await prepareReview({
      prometheusUrl: String(opts.prometheus),
      ...(router === undefined ? {} : { routerUrl: router }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      slosDir: String(opts.slos),
      outDir: String(opts.out),
      nowMs: Date.now(),
    });
    // Only while it writes: reading Prometheus changes no file, and a signal then ends the run at once.
    const interrupt = listenForInterrupt();
    try {
      const { signal } = interrupt;
      const lock = {
        waitMs: parseDuration(String(opts.lockWait), { allowZero: true })!,
        notice: (line: string) => io.err(`slokit: ${line}\n`),
        signal,
      };
      const { signalledInCommit } = await writePreparedReview(prepared, lock);
      for (const w of prepared.review.warnings) io.err(`slokit: warning: ${w}\n`);
      io.out(reviewSummary(prepared));
      if (signal.reason instanceof InterruptedError) return reportLateInterrupt(signal.reason, signalledInCommit, io);
      return EXIT.ok;
    } finally {
      interrupt.stop();
    }
  } catch (err) {
    const stopped = reportStopped(err, io);
    if (stopped !== undefined) return stopped;
    io.err(`slokit: ${describeError(err)}\n`);
    return reviewExitCode(err);
  }
}

