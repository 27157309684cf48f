import { MIN_WINDOW_MS, defaultTiers, resolveTier } from './burn-rate.js';
import { LABEL_NAME_RE, SLO_NAME_RE, sloId } from './conventions.js';
import { DAY, formatDuration, parseDuration } from './duration.js';
import { leMatcher, leSpellings } from './le.js';
import { locateField } from './locate.js';
import { labelMatchersError, normalizeQuery, promqlError, seriesSelectorError, windowed } from './promql.js';
import { formatPath, serviceSchema } from './schema.js';
import { SpecError, type SpecProblem } from './spec-error.js';
import type { AlertOptions, AlertOptionsInput, BurnTier, ServiceInput, Service, Sli, SliInput, Slo, SloInput } from './types.js';

/** One loaded SLO file: its path, its text (for line numbers) and its default export. */
export interface SourceEntry {
  file: string;
  source?: string;
  value: unknown;
}

const MIN_SLO_WINDOW_MS = DAY;
const MAX_SLO_WINDOW_MS = 90 * DAY;
const DEFAULT_WINDOW = '30d';
const DEFAULT_NO_DATA_FOR = '15m';
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Label keys slokit writes itself; user labels may not take them. */
/** The longest service name: it names files (`rules/<service>.yml`), which file systems cap at 255 bytes. */
const MAX_SERVICE_NAME = 100;
const RESERVED_LABEL_RE = /^(slo_|sloth_)|^(severity|alertname|__.*)$/;

export interface ResolveOptions {
  /**
   * SLO files that failed to load (a syntax error, a throw): the services they define are unknown, so
   * a dependency on a service no loaded file defines is not reported until they load.
   */
  unloaded?: readonly string[];
}

/**
 * Validates loaded SLO files and resolves them into the model the generators use. Reports every
 * problem in every file at once (a SpecError), sorted by file and line; returns services sorted by name.
 */
export function resolveServices(entries: readonly SourceEntry[], options: ResolveOptions = {}): Service[] {
  const problems: SpecProblem[] = [];
  const services: Service[] = [];
  const parsedInputs: ParsedInput[] = [];
  const invalidNames = new Set<string>();
  for (const entry of entries) {
    const report = (path: string, message: string) => problems.push(problem(entry, path, message));
    const parsed = serviceSchema.safeParse(entry.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) report(formatPath(issue.path), issue.message);
      // Its service exists, invalid as it is: a dependency on it is not a second problem.
      const name = (entry.value as { name?: unknown } | null)?.name;
      if (typeof name === 'string') invalidNames.add(name);
      continue;
    }
    const input = parsed.data as ServiceInput;
    parsedInputs.push({ entry, input });
    const service = resolveService(input, entry.file, report);
    if (service) services.push(service);
  }
  checkAcrossServices(parsedInputs, problems, { invalidNames, someUnloaded: (options.unloaded ?? []).length > 0 });
  if (problems.length > 0) throw new SpecError(problems);
  return services.sort((a, b) => a.name.localeCompare(b.name));
}

function problem(entry: SourceEntry, path: string, message: string): SpecProblem {
  const at = entry.source === undefined ? undefined : locateField(entry.source, path);
  return { file: entry.file, path, message, ...(at ? { line: at.line, column: at.column } : {}) };
}

type Report = (path: string, message: string) => void;

function resolveService(input: ServiceInput, file: string, report: Report): Service | undefined {
  let ok = true;
  const fail: Report = (path, message) => {
    ok = false;
    report(path, message);
  };
  if (!SLO_NAME_RE.test(input.name)) {
    fail('name', `"${input.name}" must be lower-case letters, digits and dashes (e.g. "checkout-api")`);
  } else if (input.name.length > MAX_SERVICE_NAME) {
    // It names the service's rule file and dashboard: past the file system's name limit, the write fails.
    fail('name', `"${input.name.slice(0, 20)}…" is ${input.name.length} characters long: at most ${MAX_SERVICE_NAME} (it names the service's files)`);
  }
  checkLabels(input.labels, 'labels', fail);
  checkLiterals(input.labels, 'labels', fail);
  checkLiteral(input.owner.team, 'owner.team', fail);
  const slos: Slo[] = [];
  const seen = new Map<string, number>();
  input.slos.forEach((sloInput, i) => {
    const path = `slos[${i}]`;
    const first = seen.get(sloInput.name);
    if (first !== undefined) {
      fail(`${path}.name`, `duplicate SLO id "${sloId(input.name, sloInput.name)}": slos[${first}] has the same name`);
    } else seen.set(sloInput.name, i);
    const slo = resolveSlo(input.name, sloInput, path, fail);
    if (slo) slos.push(slo);
  });
  if (!ok) return undefined;
  return {
    name: input.name,
    description: input.description,
    owner: input.owner,
    dependsOn: [...new Set(input.dependsOn ?? [])],
    labels: input.labels ?? {},
    slos,
    file,
  };
}

function resolveSlo(service: string, input: SloInput, path: string, report: Report): Slo | undefined {
  let ok = true;
  const fail: Report = (p, message) => {
    ok = false;
    report(p, message);
  };
  if (!SLO_NAME_RE.test(input.name)) {
    fail(`${path}.name`, `"${input.name}" must be lower-case letters, digits and dashes (e.g. "availability")`);
  }
  const objectiveOk = Number.isFinite(input.objective) && input.objective > 0 && input.objective < 100;
  if (!objectiveOk) {
    fail(`${path}.objective`, `${input.objective} must be a percentage between 0 and 100, exclusive (e.g. 99.9)`);
  }
  const windowText = input.window ?? DEFAULT_WINDOW;
  const windowMs = parseDuration(windowText);
  if (windowMs === undefined) {
    fail(`${path}.window`, `"${windowText}" is not a Prometheus duration (e.g. "30d", "28d", "7d")`);
  } else if (windowMs < MIN_SLO_WINDOW_MS || windowMs > MAX_SLO_WINDOW_MS) {
    fail(`${path}.window`, `"${windowText}" must be between 1d and 90d`);
  } else if (windowMs % (60_000) !== 0) {
    fail(`${path}.window`, `"${windowText}" must be a whole number of minutes`);
  }
  checkLabels(input.labels, `${path}.labels`, fail);
  checkLabels(input.alerting?.page?.labels, `${path}.alerting.page.labels`, fail);
  checkLabels(input.alerting?.ticket?.labels, `${path}.alerting.ticket.labels`, fail);
  checkLiterals(input.labels, `${path}.labels`, fail);
  for (const tier of ['page', 'ticket'] as const) {
    checkTemplates(input.alerting?.[tier]?.labels, `${path}.alerting.${tier}.labels`, fail);
    checkTemplates(input.alerting?.[tier]?.annotations, `${path}.alerting.${tier}.annotations`, fail);
    checkAnnotationNames(input.alerting?.[tier]?.annotations, `${path}.alerting.${tier}.annotations`, fail);
  }
  if (input.runbookUrl !== undefined && !URL.canParse(input.runbookUrl)) {
    fail(`${path}.runbookUrl`, `"${input.runbookUrl}" is not an absolute URL`);
  } else if (input.runbookUrl !== undefined) {
    checkLiteral(input.runbookUrl, `${path}.runbookUrl`, fail);
  }
  const noDataFor = input.alerting?.noData?.for ?? DEFAULT_NO_DATA_FOR;
  if (parseDuration(noDataFor) === undefined) {
    fail(`${path}.alerting.noData.for`, `"${noDataFor}" is not a Prometheus duration (e.g. "15m")`);
  }
  // From 100 − objective, which is exact for objectives of a few decimals (1 − 0.99999 is not).
  const errorBudget = Number(((100 - input.objective) / 100).toPrecision(10));
  // Without a valid objective there is no budget for a tier to burn: its checks would only add noise.
  const tiers = windowMs === undefined || !objectiveOk ? [] : resolveTiers(input, windowMs, errorBudget, path, fail);
  // Every window the rules will render a window function at (the tiers' and the period), beyond the
  // 5m and 1h every function is first checked at.
  const windows = [...new Set([...(windowMs === undefined ? [] : [windowMs]), ...tiers.flatMap((t) => [t.longMs, t.shortMs])])]
    .sort((a, b) => a - b)
    .map(formatDuration);
  const sli = resolveSli(input.sli, `${path}.sli`, fail, windows);
  if (!ok || !sli || windowMs === undefined) return undefined;
  return {
    id: sloId(service, input.name),
    service,
    name: input.name,
    description: input.description ?? '',
    objective: input.objective,
    errorBudget,
    window: formatDuration(windowMs),
    windowMs,
    sli,
    labels: input.labels ?? {},
    ...(input.runbookUrl === undefined ? {} : { runbookUrl: input.runbookUrl }),
    page: alertOptions(input.alerting?.page),
    ticket: alertOptions(input.alerting?.ticket),
    tiers,
    noData: { disable: input.alerting?.noData?.disable ?? false, for: noDataFor },
  };
}

function alertOptions(input: AlertOptionsInput | undefined): AlertOptions {
  return { disable: input?.disable ?? false, labels: input?.labels ?? {}, annotations: input?.annotations ?? {} };
}

function resolveTiers(input: SloInput, windowMs: number, errorBudget: number, path: string, fail: Report): BurnTier[] {
  const given = input.alerting?.tiers;
  const tiers: BurnTier[] = [];
  if (given === undefined) {
    tiers.push(...defaultTiers(windowMs));
  } else {
    given.forEach((tier, i) => {
      const at = `${path}.alerting.tiers[${i}]`;
      const longMs = parseDuration(tier.long);
      const shortMs = parseDuration(tier.short);
      let ok = true;
      const bad = (field: string, message: string) => {
        ok = false;
        fail(`${at}.${field}`, message);
      };
      if (!(tier.budgetPercent > 0 && tier.budgetPercent <= 100)) bad('budgetPercent', `${tier.budgetPercent} must be in (0, 100]`);
      if (longMs === undefined) bad('long', `"${tier.long}" is not a Prometheus duration`);
      else if (longMs > windowMs) bad('long', `"${tier.long}" is longer than the SLO window ${formatDuration(windowMs)}`);
      if (shortMs === undefined) bad('short', `"${tier.short}" is not a Prometheus duration`);
      else if (shortMs < MIN_WINDOW_MS) bad('short', `"${tier.short}" is shorter than 5m, the base window every window is built from`);
      else if (longMs !== undefined && shortMs >= longMs) bad('short', `"${tier.short}" must be shorter than long "${tier.long}"`);
      if (ok) tiers.push(resolveTier(tier, windowMs));
    });
  }
  tiers.forEach((tier, i) => {
    const threshold = tier.factor * errorBudget;
    if (threshold >= 1) {
      const where = given === undefined ? `${path}.objective` : `${path}.alerting.tiers[${i}]`;
      fail(
        where,
        `the ${tier.severity} tier ${tier.long}/${tier.short} (burn ×${tier.factor}) needs an error ratio of ` +
          `${Number((threshold * 100).toPrecision(4))}% and can never fire: set alerting.tiers for an objective this loose`,
      );
    }
  });
  return tiers.sort((a, b) => a.longMs - b.longMs || (a.severity === b.severity ? 0 : a.severity === 'page' ? -1 : 1));
}

function checkLabels(labels: Record<string, string> | undefined, path: string, fail: Report): void {
  for (const key of Object.keys(labels ?? {}).sort()) {
    if (!LABEL_NAME_RE.test(key)) fail(`${path}.${key}`, `"${key}" is not a valid Prometheus label name`);
    else if (RESERVED_LABEL_RE.test(key)) fail(`${path}.${key}`, `"${key}" is set by slokit; choose another label name`);
    else if (key === 'team') fail(`${path}.${key}`, '"team" is set by slokit from owner.team on every alert; set owner.team instead');
  }
}

/**
 * Annotation names follow label-name rules (`runbook-url` is refused by Prometheus, with the whole rule
 * file); unlike labels, any name is the user's to choose.
 */
function checkAnnotationNames(annotations: Record<string, string> | undefined, path: string, fail: Report): void {
  for (const key of Object.keys(annotations ?? {}).sort()) {
    if (!LABEL_NAME_RE.test(key)) fail(`${path}.${key}`, `"${key}" is not a valid annotation name (letters, digits and _, not starting with a digit)`);
  }
}

/**
 * A value slokit copies as text into alert labels or annotations (the team, a runbook URL, a label's
 * value), where Prometheus expands `{{ }}` as a template: "{{" or "}}" in it would be read as one and
 * could make Prometheus refuse the rule file, so it is refused here.
 */
function checkLiteral(value: string, path: string, fail: Report): void {
  if (value.includes('{{') || value.includes('}}')) {
    fail(path, `"${value}" contains "{{" or "}}": it is copied into alert labels and annotations, which Prometheus reads as templates`);
  }
}

function checkLiterals(values: Record<string, string> | undefined, path: string, fail: Report): void {
  for (const key of Object.keys(values ?? {}).sort()) checkLiteral(values![key]!, `${path}.${key}`, fail);
}

/**
 * Prometheus expands `{{ }}` templates in an alert's labels and annotations, and one action left open
 * makes it reject the whole rule file. Only that is checked here; what is inside an action is Go's
 * template language, which `promtool check rules` (tests, CI) checks in full.
 */
function checkTemplates(values: Record<string, string> | undefined, path: string, fail: Report): void {
  for (const key of Object.keys(values ?? {}).sort()) {
    const value = values![key]!;
    for (let open = value.indexOf('{{'); open >= 0; open = value.indexOf('{{', value.indexOf('}}', open + 2) + 2)) {
      if (value.indexOf('}}', open + 2) < 0) {
        fail(`${path}.${key}`, `"${value}" opens a template action "{{" at character ${open + 1} that no "}}" closes`);
        break;
      }
    }
  }
}

/** Calls a user's window function, turning a throw into a reported problem. */
function render(query: (w: string) => string, window: string, path: string, fail: Report, nameWindow = false): string | undefined {
  const at = nameWindow ? ` at window ${window}` : '';
  try {
    const out = query(window);
    if (typeof out !== 'string') {
      fail(path, `the window function returned ${typeof out}${at}, not a PromQL string`);
      return undefined;
    }
    return out;
  } catch (err) {
    fail(path, `the window function threw${at}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function checkWindowedQuery(query: (w: string) => string, path: string, fail: Report, windows: readonly string[] = []): string | undefined {
  const at5m = render(query, '5m', path, fail);
  // One report per field: a function that throws for 5m is not called again for 1h.
  const at1h = at5m === undefined ? undefined : render(query, '1h', path, fail);
  if (at5m === undefined || at1h === undefined) return undefined;
  if (at5m === at1h) {
    fail(path, 'does not use the window: write {{.window}} (or ${w} in a function) inside the range, e.g. rate(x[{{.window}}])');
    return undefined;
  }
  const err = promqlError(at5m, 'instant vector');
  if (err) {
    fail(path, `PromQL ${err.message} at offset ${err.offset} near "${err.near}": ${at5m}`);
    return undefined;
  }
  // The rules render it at every window the SLO uses: one it cannot render (a lookup table that has
  // only 5m and 1h) would write `rate(x[undefined])` and make Prometheus refuse the file.
  for (const w of windows) {
    if (w === '5m' || w === '1h') continue;
    const text = render(query, w, path, fail, true);
    if (text === undefined) return undefined;
    const err = promqlError(text, 'instant vector');
    if (err) {
      fail(path, `at window ${w}: PromQL ${err.message} at offset ${err.offset} near "${err.near}": ${text}`);
      return undefined;
    }
  }
  return at5m;
}

function checkSelector(selector: string, path: string, fail: Report): string | undefined {
  const inner = selector.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  const err = labelMatchersError(inner);
  if (err) {
    fail(path, `"${selector}" is not a list of label matchers such as job="api", route!="/healthz": it ${err.message} at offset ${err.offset}`);
    return undefined;
  }
  return inner;
}

function resolveSli(input: SliInput, path: string, fail: Report, windows: readonly string[]): Sli | undefined {
  switch (input.kind) {
    case 'ratio': {
      if ((input.errors === undefined) === (input.good === undefined)) {
        fail(path, 'a ratio SLI needs exactly one of "errors" or "good", with "total"');
        return undefined;
      }
      const total = windowed(input.total);
      const totalText = checkWindowedQuery(total, `${path}.total`, fail, windows);
      const partKey = input.errors === undefined ? 'good' : 'errors';
      const part = windowed((input.errors ?? input.good)!);
      const partText = checkWindowedQuery(part, `${path}.${partKey}`, fail, windows);
      if (totalText === undefined || partText === undefined) return undefined;
      if (normalizeQuery(totalText) === normalizeQuery(partText)) {
        fail(`${path}.${partKey}`, `is the same query as total, so the SLI would always be ${partKey === 'errors' ? '0%' : '100%'}`);
        return undefined;
      }
      const errors =
        partKey === 'errors'
          ? (w: string) => `(${summed(part(w))} or vector(0))`
          : (w: string) => `clamp_min(${summed(total(w))} - (${summed(part(w))} or vector(0)), 0)`;
      return { kind: 'events', source: 'ratio', errors, total: (w) => summed(total(w)) };
    }
    case 'latency': {
      let ok = true;
      if (!METRIC_NAME_RE.test(input.metric)) {
        fail(`${path}.metric`, `"${input.metric}" is not a metric name`);
        ok = false;
      } else if (/_(bucket|count|sum)$/.test(input.metric)) {
        const base = input.metric.replace(/_(bucket|count|sum)$/, '');
        fail(`${path}.metric`, `give the histogram's base name "${base}", not "${input.metric}"`);
        ok = false;
      }
      const selector = input.selector === undefined ? '' : checkSelector(input.selector, `${path}.selector`, fail);
      // SLOLatencyBucketMissing's description gives the query that lists the series, selector and all.
      if (input.selector !== undefined && selector !== undefined) checkLiteral(input.selector, `${path}.selector`, fail);
      const le = checkThreshold(input.threshold, `${path}.threshold`, fail);
      if (!ok || selector === undefined || le === undefined) return undefined;
      const sel = (extra: string) => `{${[selector, extra].filter((s) => s !== '').join(', ')}}`;
      const counts = `${input.metric}_count${sel('')}`;
      const buckets = `${input.metric}_bucket${sel(le.matcher)}`;
      // Only the series that have the threshold bucket: one without it (another bucket layout, an old
      // client library) would count every request it serves as slow and page for an outage that is
      // not one. Its requests are left out, and SLOLatencyBucketMissing says so. `ignoring(le)` pairs
      // a bucket with the count of its series (which has no le); `and` is many-to-many, so a series
      // whose bucket is spelled both "1" and "1.0" in the window (across an upgrade to Prometheus 3)
      // is counted once. No `or vector(0)`: when no series has the bucket, the threshold is not a
      // bucket bound and the SLI is absent (SLOSLINoData) rather than 0 events.
      const total = (w: string) => `sum(rate(${counts}[${w}]) and ignoring(le) rate(${buckets}[${w}]))`;
      const good = (w: string) => `sum(rate(${buckets}[${w}]))`;
      return {
        kind: 'events',
        source: 'latency',
        errors: (w) => `clamp_min(${total(w)} - ${good(w)}, 0)`,
        total,
        thresholdBucket: { metric: input.metric, le: le.spellings, missing: `${counts} unless ignoring(le) ${buckets}` },
      };
    }
    case 'raw': {
      const ratio = windowed(input.errorRatio);
      if (checkWindowedQuery(ratio, `${path}.errorRatio`, fail, windows) === undefined) return undefined;
      return { kind: 'raw', errorRatio: (w) => `max(${ratio(w)})` };
    }
    case 'boolGauge': {
      const selector = input.selector.trim();
      const err = seriesSelectorError(selector);
      if (err) {
        fail(`${path}.selector`, `"${selector}" must be a series selector such as probe_success{job="blackbox"}: it ${err.message}`);
        return undefined;
      }
      const seconds = (w: string) => (parseDuration(w) ?? 0) / 1000;
      // Samples per second over the window: samples at 0 are errors, all samples are events.
      return {
        kind: 'events',
        source: 'boolGauge',
        errors: (w) =>
          `clamp_min(sum(count_over_time(${selector}[${w}])) - sum(sum_over_time(${selector}[${w}])), 0) / ${seconds(w)}`,
        total: (w) => `sum(count_over_time(${selector}[${w}])) / ${seconds(w)}`,
      };
    }
  }
}

/**
 * The query summed to one series: an SLI is one number. A query that already is a plain `sum(...)`
 * (no by/without) is kept as written.
 */
function summed(expr: string): string {
  const text = expr.trim();
  const m = /^sum\s*\(/.exec(text);
  if (m && text.endsWith(')')) {
    let depth = 0;
    for (let i = m[0].length - 1; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        if (i === text.length - 1) return text;
        break;
      }
    }
  }
  return `sum(${text})`;
}

/** The threshold's `le` spellings and the label matcher that selects its bucket in all of them. */
function checkThreshold(threshold: number | string, path: string, fail: Report): { matcher: string; spellings: string[] } | undefined {
  const value = typeof threshold === 'number' ? threshold : Number(threshold);
  if (!Number.isFinite(value) || value <= 0 || (typeof threshold === 'string' && threshold.trim() === '')) {
    fail(path, `${JSON.stringify(threshold)} must be a positive number of seconds`);
    return undefined;
  }
  const spellings = leSpellings(value);
  if (typeof threshold === 'string' && !spellings.includes(threshold)) {
    fail(path, `"${threshold}" is not how Prometheus writes this bucket's le label: use ${spellings.map((s) => `"${s}"`).join(' or ')}`);
    return undefined;
  }
  return { matcher: leMatcher(value), spellings };
}

interface ParsedInput {
  entry: SourceEntry;
  input: ServiceInput;
}

/** Checks between files: unique service names and SLO ids, known dependencies, no cycles. */
function checkAcrossServices(
  parsed: readonly ParsedInput[],
  problems: SpecProblem[],
  elsewhere: { invalidNames: ReadonlySet<string>; someUnloaded: boolean },
): void {
  const byName = new Map<string, ParsedInput>();
  for (const p of parsed) {
    const other = byName.get(p.input.name);
    if (other) problems.push(problem(p.entry, 'name', `duplicate service "${p.input.name}": also defined in ${other.entry.file}`));
    else byName.set(p.input.name, p);
  }
  const ids = new Map<string, ParsedInput>();
  for (const p of parsed) {
    p.input.slos.forEach((slo, i) => {
      const id = sloId(p.input.name, slo.name);
      const other = ids.get(id);
      if (other && other !== p) {
        problems.push(problem(p.entry, `slos[${i}].name`, `duplicate SLO id "${id}": ${other.entry.file} makes the same id`));
      } else ids.set(id, p);
    });
  }
  for (const p of parsed) {
    (p.input.dependsOn ?? []).forEach((dep, i) => {
      if (dep === p.input.name) problems.push(problem(p.entry, `dependsOn[${i}]`, `"${dep}" cannot depend on itself`));
      else if (!byName.has(dep) && !elsewhere.invalidNames.has(dep) && !elsewhere.someUnloaded) {
        const known = [...byName.keys()].filter((n) => n !== '').sort().join(', ');
        problems.push(problem(p.entry, `dependsOn[${i}]`, `unknown service "${dep}" (known: ${known})`));
      }
    });
  }
  const graph = new Map([...byName].map(([name, p]) => [name, p.input.dependsOn ?? []]));
  for (const cycle of findCycles(graph)) {
    const first = byName.get(cycle[0] ?? '');
    if (first) {
      const i = (first.input.dependsOn ?? []).indexOf(cycle[1] ?? '');
      problems.push(problem(first.entry, `dependsOn[${i}]`, `dependency cycle: ${cycle.join(' → ')}`));
    }
  }
}

/**
 * Dependency cycles, each once, rotated to start at its smallest name. A depth-first search that
 * never re-enters a finished service: linear in the graph, and every cycle it misses shares a
 * service with one it reports.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const done = new Set<string>();
  const visit = (name: string, stack: string[]) => {
    if (done.has(name)) return;
    const at = stack.indexOf(name);
    if (at >= 0) {
      const loop = stack.slice(at);
      const min = loop.indexOf([...loop].sort()[0] ?? '');
      const rotated = [...loop.slice(min), ...loop.slice(0, min)];
      cycles.set(rotated.join(' '), [...rotated, rotated[0] ?? '']);
      return;
    }
    for (const dep of graph.get(name) ?? []) {
      if (dep !== name && graph.has(dep)) visit(dep, [...stack, name]);
    }
    done.add(name);
  };
  for (const name of [...graph.keys()].sort()) visit(name, []);
  return [...cycles.values()];
}
