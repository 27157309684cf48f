import { chmod, mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
  // By resolved path: a directory given as `out` and as `/abs/out` holds the same files.
  const produced = new Set([...outputs.files.keys()].map((path) => resolve(path)));
  const extra: string[] = [];
  for (const dir of outputs.managedDirs) {
    for (const path of await generatedFilesIn(dir)) {
      if (!produced.has(resolve(path))) extra.push(path);
      produced.add(resolve(path));
    }
  }
  return { changed, missing, extra };
}

/** A file to replace and the temp file, beside it, that holds its new content. */
interface Pending {
  path: string;
  tmp: string;
}

/** The temp file for `path`: next to it, so the rename stays within one filesystem and is atomic. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Mode bits of the file at `path` (permissions, setuid/gid, sticky), or undefined when there is none. */
async function modeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

/** Removes what a failed run created: its temp files, then the directories it made (only when empty). */
async function cleanUp(temps: readonly string[], createdDirs: readonly string[]): Promise<void> {
  await Promise.all(temps.map((tmp) => rm(tmp, { force: true })));
  // Deepest first, so a parent is empty by the time its turn comes; rmdir never removes content.
  for (const dir of [...createdDirs].sort((a, b) => b.length - a.length)) await rmdir(dir).catch(() => undefined);
}

/**
 * Writes the changed and missing files as one set: every temp file first (each next to its target),
 * then, only when all were written, renames them into place, then removes generated files that are
 * no longer produced. When a temp file cannot be written no output changes; a rewritten file keeps
 * its mode. Files whose content is unchanged are not touched. Returns the paths written and removed.
 */
export async function writeOutputs(outputs: OutputSet): Promise<{ written: string[]; removed: string[] }> {
  const stale = await findStale(outputs);
  const toWrite = [...stale.changed, ...stale.missing].sort();

  const pending: Pending[] = [];
  const temps: string[] = [];
  const createdDirs: string[] = [];
  for (const path of toWrite) {
    const tmp = tempPathFor(path);
    try {
      let dir = resolve(dirname(path));
      const created = await mkdir(dir, { recursive: true });
      if (created !== undefined) {
        // mkdir returns the first directory it made; record every one from there down to `dir`.
        for (const top = resolve(created); dir.length >= top.length; dir = dirname(dir)) createdDirs.push(dir);
      }
      const mode = await modeOf(path);
      temps.push(tmp);
      await writeFile(tmp, outputs.files.get(path) ?? '');
      if (mode !== undefined) await chmod(tmp, mode);
      pending.push({ path, tmp });
    } catch (cause) {
      await cleanUp(temps, createdDirs);
      throw new Error(`could not write ${path}, so no output was changed`, { cause });
    }
  }

  const replaced: string[] = [];
  for (const [i, { path, tmp }] of pending.entries()) {
    try {
      await rename(tmp, path);
      replaced.push(path);
    } catch (cause) {
      const notReplaced = pending.slice(i);
      await cleanUp(notReplaced.map((p) => p.tmp), []);
      throw new Error(
        `could not replace ${path}, so outputs are partly updated ` +
          `(replaced: ${replaced.join(', ') || 'none'}; not replaced: ${notReplaced.map((p) => p.path).join(', ')})`,
        { cause },
      );
    }
  }

  for (const path of stale.extra) {
    try {
      await rm(path, { force: true });
    } catch (cause) {
      throw new Error(`every output was written, but ${path}, no longer generated, could not be removed`, { cause });
    }
  }
  return { written: toWrite, removed: stale.extra };
}
