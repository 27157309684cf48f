import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { generatedProject } from '../slo/index.js';
import { isLockName } from './output-lock.js';
import { makeDir, removeEmptyDirs } from './made-dirs.js';
import { isStagingName, stagingPath } from './staging-files.js';

/** Generated files by path, the directories whose generated files slokit owns, and whose they are. */
export interface OutputSet {
  files: Map<string, string>;
  /**
   * Directories where a generated file of this project that is no longer produced is stale (and
   * removed on write).
   */
  managedDirs: string[];
  /**
   * The project the files are written for, named in each one's header (see generatedMarker); none
   * for files without a header (review's reports), which are nobody's.
   */
  project?: string;
  /**
   * Earlier names of this project (`--adopt-project`): their files are taken as this project's,
   * replaced and, when no longer produced, removed, after a rename of the package or a move of the
   * SLO directory changed the project's name.
   */
  adopt?: readonly string[];
}

/** A file this run would write that another project's run wrote. */
export interface ForeignFile {
  path: string;
  project: string;
}

export interface Staleness {
  changed: string[];
  missing: string[];
  /** This project's generated files that are no longer produced. */
  extra: string[];
  /** Files to write that name another project: writing refuses them (see ForeignFilesError). */
  foreign: ForeignFile[];
  /**
   * Generated files no longer produced whose header names no project (an older slokit wrote them):
   * they may be another project's, so they are kept, and named, instead of removed.
   */
  unclaimed: string[];
  /** Projects `adopt` names that wrote none of the files read: a mistyped name, or one adopted already. */
  unadopted: string[];
}

/**
 * Files another project wrote where this one would write: two projects that share an output
 * directory and both produce one file name (a service name, or the overview dashboard) would
 * replace each other's file on every run. Nothing is written.
 */
export class ForeignFilesError extends Error {
  readonly foreign: ForeignFile[];
  /** The projects that wrote them, sorted: what `--adopt-project` would take over. */
  readonly projects: string[];

  constructor(project: string, foreign: readonly ForeignFile[]) {
    const projects = [...new Set(foreign.map((f) => f.project))].sort();
    super(
      `this project ("${project}") would replace ${foreign.length === 1 ? 'a file' : `${foreign.length} files`} another project wrote:\n` +
        foreign.map((f) => `  ${f.path}: written by project "${f.project}"`).join('\n') +
        '\ntwo projects cannot share a file: give them different output directories (or, for a rule file or a service ' +
        'dashboard, different service names). If that project is this one under an earlier name (its package.json name ' +
        "or SLO directory changed), run again with --adopt-project naming it, to replace that project's files and remove " +
        'those no longer generated, or delete its files.',
    );
    this.name = 'ForeignFilesError';
    this.foreign = [...foreign];
    this.projects = projects;
  }
}

/** The text of the file at `path`, or undefined when it cannot be read (missing, a directory). */
const textOf = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

/** Generated files in a managed dir with the project each names (null: none), by header or dashboard description. */
async function generatedFilesIn(dir: string): Promise<{ path: string; project: string | null }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: { path: string; project: string | null }[] = [];
  for (const name of names.sort()) {
    // A run's lock (or one a takeover moved aside) names its project, and could quote anything a project
    // name may hold; a temp file or backup holds an output's content, header included, but is no output
    // (see findLeftovers).
    if (isLockName(name) || isStagingName(name)) continue;
    const path = join(dir, name);
    const project = generatedProject((await textOf(path)) ?? '');
    if (project !== undefined) out.push({ path, project });
  }
  return out;
}

/** Every directory writing `outputs` may change: each file's, and those it removes files from. */
export function outputDirs(outputs: OutputSet): string[] {
  const dirs = [...[...outputs.files.keys()].map((path) => dirname(path)), ...outputs.managedDirs];
  return [...new Set(dirs.map((dir) => resolve(dir)))].sort();
}

/** Where `path` is on disk: its directory's real path (symlinks followed) and its name; resolved as given when the directory does not exist yet. */
async function placeOf(path: string): Promise<string> {
  const dir = await realpath(dirname(path)).catch(() => resolve(dirname(path)));
  return join(dir, basename(path));
}

/**
 * What `--check` reports and writing acts on: files whose content differs, that are missing, or
 * that should be gone, each only when it is this project's (or an adopted project's); and files
 * another project wrote.
 */
export async function findStale(outputs: OutputSet): Promise<Staleness> {
  const adopt = outputs.adopt ?? [];
  const adopted = new Set<string>();
  const ours = (project: string | null) => {
    if (project === null || project === outputs.project) return project !== null;
    if (!adopt.includes(project)) return false;
    adopted.add(project);
    return true;
  };
  const changed: string[] = [];
  const missing: string[] = [];
  const foreign: ForeignFile[] = [];
  for (const [path, content] of [...outputs.files].sort(([a], [b]) => a.localeCompare(b))) {
    const current = await textOf(path);
    const owner = current === undefined ? undefined : generatedProject(current);
    // A file of no project (an older slokit's) where this project writes is taken over: before
    // projects were recorded, every run replaced it.
    if (outputs.project !== undefined && typeof owner === 'string' && !ours(owner)) foreign.push({ path, project: owner });
    else if (current === undefined) missing.push(path);
    else if (current !== content) changed.push(path);
  }
  // By the file's place on disk: a directory given as `out`, as `/abs/out` and through a symlink holds
  // the same files, and one produced under either name is not stale under the other.
  const produced = new Set(await Promise.all([...outputs.files.keys()].map(placeOf)));
  const extra: string[] = [];
  const unclaimed: string[] = [];
  for (const dir of outputs.managedDirs) {
    for (const { path, project } of await generatedFilesIn(dir)) {
      const place = await placeOf(path);
      if (!produced.has(place)) {
        if (ours(project)) extra.push(path);
        else if (project === null) unclaimed.push(path);
      }
      produced.add(place);
    }
  }
  return { changed, missing, extra, foreign, unclaimed, unadopted: adopt.filter((p) => !adopted.has(p)) };
}

/** A file to replace and the temp file, beside it, that holds its new content. */
interface Pending {
  path: string;
  tmp: string;
}

/** A file the commit changed, and where its previous content is kept until it ends (none: the file is new). */
interface Changed {
  path: string;
  backup?: string;
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
  await removeEmptyDirs(createdDirs);
}

/**
 * Writes the changed and missing files as one set: every temp file first (each next to its target),
 * then, only when all were written, commits them (see commit): renames them into place and removes
 * this project's generated files that are no longer produced, all or none. A rewritten file keeps
 * its mode; files whose content is unchanged are not touched. Throws ForeignFilesError, before
 * writing anything, when a file to write is another project's. When `signal` aborts while files are
 * staged (looked at before each one and before the commit), the temp files are removed and its
 * reason thrown, no output changed; a commit that has begun is finished, and `signalledInCommit`
 * says so. Returns the paths written and removed, and the generated files of no project that were kept.
 */
export async function writeOutputs(
  outputs: OutputSet,
  signal?: AbortSignal,
): Promise<{ written: string[]; removed: string[]; unclaimed: string[]; unadopted: string[]; signalledInCommit: boolean }> {
  const stale = await findStale(outputs);
  if (outputs.project !== undefined && stale.foreign.length > 0) throw new ForeignFilesError(outputs.project, stale.foreign);
  const toWrite = [...stale.changed, ...stale.missing].sort();

  const pending: Pending[] = [];
  const temps: string[] = [];
  const createdDirs: string[] = [];
  const stopIfAborted = async (): Promise<void> => {
    if (signal?.aborted !== true) return;
    await cleanUp(temps, createdDirs);
    signal.throwIfAborted();
  };
  for (const path of toWrite) {
    await stopIfAborted();
    const tmp = stagingPath(path, 'tmp');
    try {
      createdDirs.push(...(await makeDir(dirname(path))));
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
  await stopIfAborted();
  await commit(pending, stale.extra, createdDirs);
  return { written: toWrite, removed: stale.extra, unclaimed: stale.unclaimed, unadopted: stale.unadopted, signalledInCommit: signal?.aborted === true };
}

/**
 * Renames the staged files into place and removes the stale ones as one change, as far as POSIX
 * allows: a file about to be replaced is first hard-linked to its backup (so a reader finds the old
 * file or the new one, never none), a stale one is renamed to its backup. When a step fails, those
 * before it are undone (backups renamed back, new files removed), the temp files left and the
 * directories staging made are removed, and the error names the file and says whether every
 * change was undone: rule files and the catalog never disagree because one rename of several
 * failed. Once every step is done the backups are removed.
 */
async function commit(pending: readonly Pending[], stale: readonly string[], createdDirs: readonly string[]): Promise<void> {
  const steps = [...pending, ...stale.map((path) => ({ path, tmp: undefined }))];
  const changed: Changed[] = [];
  for (const [i, { path, tmp }] of steps.entries()) {
    const backup = stagingPath(path, 'bak');
    try {
      if (tmp === undefined) {
        // Already gone is removed: deleted by hand since the run looked (no other run removes
        // files here while this one holds the output lock).
        if (await renameUnlessGone(path, backup)) changed.push({ path, backup });
      } else {
        const kept = await keepPrevious(path, backup);
        await rename(tmp, path);
        changed.push(kept ? { path, backup } : { path });
      }
    } catch (cause) {
      // The previous content is still in place: a backup just made is only a second name for it.
      await rm(backup, { force: true }).catch(() => undefined);
      const notUndone = await undo(changed);
      await cleanUp(steps.slice(i).flatMap((step) => (step.tmp === undefined ? [] : [step.tmp])), createdDirs);
      const what = tmp === undefined ? `remove ${path}, no longer generated` : `replace ${path}`;
      if (notUndone.length === 0) throw new Error(`could not ${what}, so no output was changed`, { cause });
      throw new Error(
        `could not ${what}, and could not undo every change before it: ` +
          notUndone.map((c) => (c.backup === undefined ? `${c.path} is new` : `${c.path}'s previous content is in ${c.backup}`)).join('; '),
        { cause },
      );
    }
  }
  for (const { path, backup } of changed) {
    if (backup === undefined) continue;
    try {
      await rm(backup, { force: true });
    } catch (cause) {
      throw new Error(`every output was written, but ${backup}, the previous content of ${path}, could not be removed`, { cause });
    }
  }
}

/** How a file system without hard links (vfat, exFAT, some SMB and FUSE mounts) refuses `link`. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

/**
 * Hard-links the file at `path`, if there is one, to `backup`, replacing a backup a killed run of
 * this pid left (a container's pid repeats); where the file system has no hard links, copies it
 * (mode included). True when there was a file to keep. A directory is not kept: renaming a file
 * onto it fails, and that failure names the cause.
 */
async function keepPrevious(path: string, backup: string): Promise<boolean> {
  try {
    if ((await lstat(path)).isDirectory()) return false;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cause;
  }
  await rm(backup, { force: true });
  try {
    await link(path, backup);
  } catch (cause) {
    if (!NO_HARD_LINKS.has((cause as NodeJS.ErrnoException).code ?? '')) throw cause;
    await copyFile(path, backup, constants.COPYFILE_EXCL);
  }
  return true;
}

/** Renames `from` to `to`; false, changing nothing, when there is no `from`. */
async function renameUnlessGone(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cause;
  }
}

/** Undoes the commit's changes, last first; returns those it could not undo. */
async function undo(changed: readonly Changed[]): Promise<Changed[]> {
  const failed: Changed[] = [];
  for (const change of [...changed].reverse()) {
    try {
      if (change.backup === undefined) await rm(change.path, { force: true });
      else await rename(change.backup, change.path);
    } catch {
      failed.push(change);
    }
  }
  return failed.reverse();
}
