import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpecError, resolveServices, type Service, type SourceEntry, type SpecProblem } from '../slo/index.js';

const SLO_FILE_RE = /\.(ts|mts|js|mjs)$/;
/** tsx's (esbuild's) syntax errors: `Transform failed with 1 error:\n<file>:<line>:<column>: ERROR: <text>`, column 0-based. */
const SYNTAX_ERROR_RE = /^(.+?):(\d+):(\d+): ERROR: (.+)$/gm;

/** What a thrown value says, whatever was thrown (`throw 'text'` and `throw null` included). */
function thrownText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why a file failed to load: each syntax error at its position, or the throw at the file's line in the stack. */
function loadProblems(file: string, path: string, err: unknown): SpecProblem[] {
  const text = thrownText(err);
  const syntax = [...text.matchAll(SYNTAX_ERROR_RE)];
  if (syntax.length > 0) {
    return syntax.map(([, at = '', line, column, message]) =>
      resolve(at) === path
        ? { file, path: '', line: Number(line), column: Number(column) + 1, message: `does not parse: ${message}` }
        : { file, path: '', message: `could not be loaded: ${relative(process.cwd(), at)}:${line}:${Number(column) + 1}: ${message}` },
    );
  }
  // A throw while the file runs: its line from the first stack frame in the file (tsx maps it to the source).
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const frame = [`(${path}:`, `${pathToFileURL(path).href}:`]
    .map((prefix) => ({ prefix, at: stack.indexOf(prefix) }))
    .filter(({ at }) => at >= 0)
    .map(({ prefix, at }) => /^(\d+):(\d+)/.exec(stack.slice(at + prefix.length)))
    .find((m) => m !== null);
  const where = frame === undefined ? {} : { line: Number(frame[1]), column: Number(frame[2]) };
  // A .ts file in a CommonJS package: Node cannot load its `export default` as an ES module.
  const hint = /require\(\) ES Module|Cannot use import statement outside a module/.test(text)
    ? ' (SLO files are ES modules: give their directory a package.json with "type": "module", or name them .mts)'
    : '';
  return [{ file, path: '', ...where, message: `could not be loaded: ${text.split('\n')[0]}${hint}` }];
}

/**
 * Imports one SLO file. A file whose top-level await never settles would otherwise end the process
 * silently (Node exits with code 13 once nothing else is pending): when the event loop runs dry
 * while the import is pending, it fails instead, naming the file.
 */
function importSloFile(path: string): Promise<{ default?: unknown }> {
  return new Promise((resolvePromise, reject) => {
    const stuck = () => reject(new Error('did not finish loading: a top-level await in it (or in a module it imports) never settles'));
    process.once('beforeExit', stuck);
    (import(pathToFileURL(path).href) as Promise<{ default?: unknown }>).then(
      (mod) => {
        process.off('beforeExit', stuck);
        resolvePromise(mod);
      },
      (err: unknown) => {
        process.off('beforeExit', stuck);
        reject(err);
      },
    );
  });
}

/** The nearest directory from `dir` up that holds a package.json; `dir` itself when none does. */
function projectRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/**
 * The name generated files give the project whose SLOs are in `dir`, when `--project` gives none:
 * the name in the project root's package.json (the root's directory name when it has no name or no
 * package.json), a slash, and the SLO directory from the root, e.g. `shop/slos`. Not the absolute
 * path: a project moved or cloned elsewhere stays the same project, and two SLO directories of one
 * package are two projects. A root with no package.json takes its directory's name, which a clone
 * into another directory name changes; generate then refuses the old files instead of removing them.
 * `from` says where the name came from, for an error about it.
 */
export async function projectName(dir: string): Promise<{ name: string; from: string }> {
  const slos = resolve(dir);
  const root = projectRoot(dirname(slos));
  const manifest = join(root, 'package.json');
  const sloDir = relative(root, slos).split(sep).join('/');
  let from = `the name of the project directory ${root}`;
  let name = basename(root);
  if (existsSync(manifest)) {
    let pkg: unknown;
    try {
      pkg = JSON.parse(await readFile(manifest, 'utf8'));
    } catch (cause) {
      throw new Error(`could not read the project's name from ${manifest}`, { cause });
    }
    const named = typeof pkg === 'object' && pkg !== null ? (pkg as { name?: unknown }).name : undefined;
    if (typeof named === 'string' && named !== '') {
      name = named;
      from = `the "name" in ${manifest}`;
    }
  }
  return { name: `${name}/${sloDir}`, from: `${from} and the SLO directory ${sloDir}` };
}

/**
 * Loads every SLO file in `dir` (each `export default defineService(...)`) and resolves them.
 * Import errors (syntax, a throw at load) become problems of their file, so one bad file does not
 * hide the problems of the others. Throws SpecError with every problem found.
 */
export async function loadServices(dir: string): Promise<Service[]> {
  let names: string[];
  try {
    // Files only: a directory that happens to end in .ts (a helpers.ts/ folder) is not an SLO file.
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => !e.isDirectory() && SLO_FILE_RE.test(e.name) && !e.name.endsWith('.d.ts') && !e.name.includes('.test.'))
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    throw new Error(`could not read the SLO directory ${dir}`, { cause });
  }
  if (names.length === 0) {
    throw new SpecError([{ file: dir, path: '', message: 'no SLO files (*.ts) found' }]);
  }
  const entries: SourceEntry[] = [];
  const problems: SpecProblem[] = [];
  /** Files that did not load: the services they define are unknown, not missing. */
  const unloaded: string[] = [];
  // Files are named from the project's root (the nearest directory above the SLO directory with a
  // package.json), not from where the command runs: the name is in every generated file's header, so
  // `--check` from another directory (a CI step, a hook) must produce the same bytes.
  const root = projectRoot(dirname(resolve(dir)));
  for (const name of names) {
    const path = resolve(dir, name);
    const file = relative(root, path).split(sep).join('/') || name;
    const source = await readFile(path, 'utf8');
    try {
      const mod = await importSloFile(path);
      if (mod.default === undefined) {
        problems.push({ file, path: '', message: 'has no default export: write `export default defineService({...})`' });
        unloaded.push(file);
        continue;
      }
      entries.push({ file, source, value: mod.default });
    } catch (err) {
      problems.push(...loadProblems(file, path, err));
      unloaded.push(file);
    }
  }
  let services: Service[] = [];
  try {
    services = resolveServices(entries, { unloaded });
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return services;
}
