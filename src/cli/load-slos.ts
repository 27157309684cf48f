import { readdir, readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpecError, resolveServices, type Service, type SourceEntry } from '../slo/index.js';

const SLO_FILE_RE = /\.(ts|mts|js|mjs)$/;

/**
 * Loads every SLO file in `dir` (each `export default defineService(...)`) and resolves them.
 * Import errors (syntax, a throw at load) become problems of their file, so one bad file does not
 * hide the problems of the others. Throws SpecError with every problem found.
 */
export async function loadServices(dir: string): Promise<Service[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => SLO_FILE_RE.test(n) && !n.endsWith('.d.ts') && !n.includes('.test.')).sort();
  } catch (cause) {
    throw new Error(`could not read the SLO directory ${dir}`, { cause });
  }
  if (names.length === 0) {
    throw new SpecError([{ file: dir, path: '', message: 'no SLO files (*.ts) found' }]);
  }
  const entries: SourceEntry[] = [];
  const problems: SpecError['problems'] = [];
  for (const name of names) {
    const path = resolve(dir, name);
    const file = relative(process.cwd(), path) || name;
    const source = await readFile(path, 'utf8');
    try {
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      if (mod.default === undefined) {
        problems.push({ file, path: '', message: 'has no default export: write `export default defineService({...})`' });
        continue;
      }
      entries.push({ file, source, value: mod.default });
    } catch (err) {
      problems.push({ file, path: '', message: `could not be loaded: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  let services: Service[] = [];
  try {
    services = resolveServices(entries);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return services;
}
