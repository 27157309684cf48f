import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { GENERATED_HEADER } from '../slo/index.js';

/** Generated files by path, and the directories whose generated files slokit owns. */
export interface OutputSet {
  files: Map<string, string>;
  /** Directories where a generated file that is no longer produced is stale (and removed on write). */
  managedDirs: string[];
}

export interface Staleness {
  changed: string[];
  missing: string[];
  extra: string[];
}

/** Generated files in a managed dir: they carry the DO-NOT-EDIT header (YAML) or a slokit marker (JSON). */
async function generatedFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.includes(GENERATED_HEADER)) out.push(path);
  }
  return out;
}

/** What `--check` reports: files whose content differs, that are missing, or that should be gone. */
export async function findStale(outputs: OutputSet): Promise<Staleness> {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of [...outputs.files].sort(([a], [b]) => a.localeCompare(b))) {
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === undefined) missing.push(path);
    else if (current !== content) changed.push(path);
  }
  const extra: string[] = [];
  for (const dir of outputs.managedDirs) {
    for (const path of await generatedFilesIn(dir)) if (!outputs.files.has(path)) extra.push(path);
  }
  return { changed, missing, extra };
}

/**
 * Writes every file atomically (temp file, then rename) and removes generated files that are no
 * longer produced. Files whose content is unchanged are not touched. Returns the paths written.
 */
export async function writeOutputs(outputs: OutputSet): Promise<{ written: string[]; removed: string[] }> {
  const stale = await findStale(outputs);
  const toWrite = [...stale.changed, ...stale.missing].sort();
  for (const path of toWrite) {
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${relative(dirname(path), path)}.${process.pid}.tmp`);
    try {
      await writeFile(tmp, outputs.files.get(path) ?? '');
      await rename(tmp, path);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw new Error(`could not write ${path}`, { cause });
    }
  }
  for (const path of stale.extra) await rm(path, { force: true });
  return { written: toWrite, removed: stale.extra };
}
