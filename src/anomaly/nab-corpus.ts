import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { NAB_PROFILES, type NabProfile } from './nab-profile.js';
import type { NabWindow } from './nab-scorer.js';

/** One labelled series of a NAB-layout folder, rows in file order (real series may step back in time). */
export interface NabSeries {
  /** Path under `data/`, with `/` separators, as in the label files: `realKnownCause/nyc_taxi.csv`. */
  readonly name: string;
  /** Row timestamps, milliseconds since the Unix epoch (the files' times read as UTC). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly windows: readonly NabWindow[];
}

/** A NAB-layout folder read into memory. */
export interface NabCorpus {
  readonly root: string;
  /** Every series under `data/` that has an entry in the window labels, sorted by name. */
  readonly series: readonly NabSeries[];
  /** From `config/profiles.json` when present, else NAB v1.1's three profiles. */
  readonly profiles: readonly NabProfile[];
}

/** A NAB folder that is missing, incomplete or malformed; the message names the offending path. */
export class NabCorpusError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'NabCorpusError';
  }
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;

/** Reads "YYYY-MM-DD HH:MM:SS[.ffffff]" as UTC milliseconds; NaN when it is not that shape. */
function parseTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text);
  if (m === null) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new NabCorpusError(path, 'file not found');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new NabCorpusError(path, 'is not valid JSON', { cause });
  }
}

function listCsv(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCsv(path));
    else if (entry.isFile() && entry.name.endsWith('.csv')) out.push(path);
  }
  return out;
}

function readSeriesCsv(path: string): { keys: string[]; timestamps: Float64Array; values: Float64Array } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines[0]?.trim() !== 'timestamp,value') {
    throw new NabCorpusError(path, `line 1: expected the header "timestamp,value", got ${JSON.stringify(lines[0] ?? '')}`);
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const n = lines.length - 1;
  const keys: string[] = new Array<string>(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const line = lines[i + 1]!;
    const comma = line.indexOf(',');
    const key = line.slice(0, comma).slice(0, 19);
    const t = parseTimestamp(key);
    const v = Number(line.slice(comma + 1));
    if (comma < 0 || Number.isNaN(t) || line.slice(comma + 1).trim() === '' || Number.isNaN(v)) {
      throw new NabCorpusError(path, `line ${i + 2}: expected "YYYY-MM-DD HH:MM:SS,number", got ${JSON.stringify(line)}`);
    }
    keys[i] = key;
    timestamps[i] = t;
    values[i] = v;
  }
  return { keys, timestamps, values };
}

function readProfiles(path: string): readonly NabProfile[] {
  if (!existsSync(path)) return NAB_PROFILES;
  const json = readJson(path);
  if (typeof json !== 'object' || json === null) throw new NabCorpusError(path, 'expected an object of profiles');
  return Object.entries(json as Record<string, unknown>).map(([name, body]) => {
    const m = (body as { CostMatrix?: Record<string, unknown> } | null)?.CostMatrix;
    const weight = (key: string): number => {
      const w = m?.[key];
      if (typeof w !== 'number' || !Number.isFinite(w)) {
        throw new NabCorpusError(path, `${name}.CostMatrix.${key}: expected a number, got ${JSON.stringify(w)}`);
      }
      return w;
    };
    return { name, tpWeight: weight('tpWeight'), fpWeight: weight('fpWeight'), fnWeight: weight('fnWeight') };
  });
}

/**
 * Reads a NAB-layout folder: `data/<category>/*.csv`, `labels/combined_windows.json` and optionally
 * `config/profiles.json`. Window ends are matched to rows on their first 19 characters, as NAB's
 * timestamps are written with microseconds. Reads files: this is the shell for the benchmark and
 * the scorer's tests, not for the alert-router.
 *
 * @throws NabCorpusError naming the folder or file that is missing or malformed.
 */
export function loadNabCorpus(root: string): NabCorpus {
  if (!existsSync(root)) throw new NabCorpusError(root, 'no such folder');
  if (!statSync(root).isDirectory()) throw new NabCorpusError(root, 'is not a folder');
  const dataDir = join(root, 'data');
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new NabCorpusError(dataDir, 'missing: a NAB folder holds data/<category>/*.csv');
  }
  const windowsPath = join(root, 'labels', 'combined_windows.json');
  const labels = readJson(windowsPath);
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new NabCorpusError(windowsPath, 'expected an object mapping "category/file.csv" to a list of windows');
  }
  const labelMap = labels as Record<string, unknown>;
  const series: NabSeries[] = [];
  for (const path of listCsv(dataDir).sort()) {
    const name = relative(dataDir, path).split(sep).join('/');
    const rawWindows = labelMap[name];
    if (rawWindows === undefined) continue;
    const { keys, timestamps, values } = readSeriesCsv(path);
    const rowOf = new Map<string, number>();
    // The first row with a timestamp wins, as in NAB (a few real series repeat an hour).
    keys.forEach((k, i) => {
      if (!rowOf.has(k)) rowOf.set(k, i);
    });
    if (!Array.isArray(rawWindows)) throw new NabCorpusError(windowsPath, `${name}: expected a list of [start, end] windows`);
    const windows = rawWindows.map((w: unknown, index): NabWindow => {
      const pair = Array.isArray(w) && w.length === 2 && w.every((x) => typeof x === 'string') ? (w as [string, string]) : undefined;
      if (pair === undefined) throw new NabCorpusError(windowsPath, `${name}[${index}]: expected ["start", "end"] timestamps`);
      const [start, end] = pair.map((x) => rowOf.get(x.slice(0, 19)));
      if (start === undefined || end === undefined) {
        throw new NabCorpusError(windowsPath, `${name}[${index}]: window ${JSON.stringify(pair)} does not start and end on rows of ${path}`);
      }
      return { start, end };
    });
    series.push({ name, timestamps, values, windows });
  }
  return { root, series, profiles: readProfiles(join(root, 'config', 'profiles.json')) };
}
