import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { link, readFile, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isOtherLivePid } from './live-pid.js';
import { makeDir, removeEmptyDirs } from './made-dirs.js';

/**
 * The lock file in each output directory while `slokit generate` or `slokit review` writes it. A
 * dotfile with no generated file's extension, so no glob of generated files (`rules/*.yml`,
 * Grafana's `*.json`) takes it for one.
 */
export const LOCK_FILE = '.slokit.lock';

/** How often a waiting run looks at the lock again, ms. */
const POLL_MS = 100;

/**
 * A lock older than this is taken over even when its process may be alive (another host's, whose pid
 * cannot be checked, or a hung run): a run holds it for the few seconds its writes take.
 */
const STALE_AFTER_MS = 10 * 60_000;

/** The slokit commands that write into directories under a lock. */
export type LockingCommand = 'generate' | 'review';

/** What a lock file holds: enough to name the run that holds it, and to tell whether it still runs. */
interface Holder {
  pid: number;
  hostname: string;
  startedAt: string;
  project: string;
  /** Absent from the locks of a slokit from before review took one: those were generate's. */
  command?: LockingCommand;
}

export interface LockOptions {
  /** The command this run is, named to a run that has to wait. */
  command: LockingCommand;
  /** The project this run writes for, named to a run that has to wait. */
  project: string;
  /** How long to wait for another run's lock before giving up, ms. */
  waitMs: number;
  /** Told, a line without its end, when a directory is found locked (once each) and when a stale lock is taken over. */
  notice: (message: string) => void;
  /**
   * Aborted to stop the run (SIGINT, SIGTERM): looked at before each lock is taken, while waiting
   * for one, and before the work; its reason is thrown, and every lock held is released.
   */
  signal?: AbortSignal;
}

/** Another run held an output directory's lock for longer than this run would wait. */
export class OutputLockedError extends Error {
  constructor(dir: string, lockFile: string, command: LockingCommand, holder: string, waitMs: number) {
    super(
      `${dir} is locked by another slokit ${command} (${holder}); waited ${waitMs / 1000}s for it to finish. ` +
        `Lock file: ${lockFile}. Run again once that run has finished; if no slokit ${command} is running, delete the lock file.`,
    );
    this.name = 'OutputLockedError';
  }
}

/**
 * Runs `work` holding the lock of every directory in `dirs`, so that two slokit runs into a shared
 * directory (two generates, two reviews, or one of each) do not interleave: each checks whose files
 * are there, stages, renames and removes while no other run does. Directories are created first (a lock needs one) and removed
 * again if they are still empty at the end, as a failed write leaves them. Locks are taken in order
 * of real path, so two runs that share several directories cannot each hold one the other waits for;
 * they are released however `work` ends, an interruption through `options.signal` included. A run
 * killed (SIGKILL, a crash) while it holds one leaves it behind: the next run takes it over once its
 * process is gone (see staleness); one killed while taking over a stale lock leaves that lock moved
 * aside, which a run holding the directory's lock removes once that process is gone, telling
 * `options.notice` in one line.
 */
export async function withOutputLocks<T>(dirs: readonly string[], options: LockOptions, work: () => Promise<T>): Promise<T> {
  const createdDirs: string[] = [];
  const held: { path: string; text: string }[] = [];
  try {
    const real = new Set<string>();
    for (const dir of dirs) {
      try {
        createdDirs.push(...(await makeDir(dir)));
      } catch (cause) {
        throw new Error(`could not create the output directory ${dir}, so no output was changed`, { cause });
      }
      // One lock per directory however it is named: a second name for it would wait on this run.
      real.add(await realpath(dir));
    }
    const deadline = Date.now() + options.waitMs;
    for (const dir of [...real].sort()) held.push(await acquire(dir, deadline, options, (made) => createdDirs.push(...made)));
    const cleared = (await Promise.all([...real].sort().map(clearDeadTakeovers))).flat();
    if (cleared.length > 0) {
      options.notice(`removed ${cleared.length === 1 ? '1 file' : `${cleared.length} files`} a run killed while taking over a stale lock left: ${cleared.join(', ')}`);
    }
    options.signal?.throwIfAborted();
    return await work();
  } finally {
    for (const { path, text } of held.reverse()) await release(path, text);
    await removeEmptyDirs(createdDirs);
  }
}

/**
 * Creates `dir`'s lock file, waiting until `deadline` while a live run holds it. Returns what it wrote.
 * `recreated` is told the directories it had to make again: a run that had created `dir`, and failed,
 * removes it when it lets go of its lock, while this run waits on that lock.
 */
async function acquire(dir: string, deadline: number, options: LockOptions, recreated: (dirs: string[]) => void): Promise<{ path: string; text: string }> {
  const path = join(dir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), project: options.project, command: options.command };
  const text = `${JSON.stringify(mine)}\n`;
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const created = create(path, text);
    if (created === 'created') return { path, text };
    if (created === 'no-directory') {
      try {
        recreated(await makeDir(dir));
      } catch (cause) {
        throw new Error(`could not create the output directory ${dir} again (a run that had created it removed it), so no output was changed`, { cause });
      }
      continue;
    }
    const found = await lockFile(path);
    // Released between the attempt and the look: try again at once.
    if (found === undefined) continue;
    const holder = parseHolder(found.text);
    const stale = staleness(holder, Date.now() - found.createdAt);
    if (stale !== undefined) {
      if (await takeOver(path, found.text)) options.notice(`warning: took over the lock ${path} of ${who(holder)}: ${stale}`);
      continue;
    }
    const command = holder?.command ?? 'generate';
    if (Date.now() >= deadline) throw new OutputLockedError(dir, path, command, who(holder), options.waitMs);
    if (!told) {
      options.notice(`${dir} is locked by another slokit ${command} (${who(holder)}); waiting up to ${options.waitMs / 1000}s for it`);
      told = true;
    }
    await new Promise((wake) => setTimeout(wake, Math.min(POLL_MS, deadline - Date.now())));
  }
}

/**
 * Creates the lock file only if there is none (O_EXCL), with `text`: 'created', 'exists' when one
 * does, 'no-directory' when its directory is gone.
 */
function create(path: string, text: string): 'created' | 'exists' | 'no-directory' {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (cause) {
    const { code } = cause as NodeJS.ErrnoException;
    if (code === 'EEXIST') return 'exists';
    if (code === 'ENOENT') return 'no-directory';
    throw new Error(`could not create the lock file ${path}`, { cause });
  }
  try {
    writeSync(fd, text);
  } catch (cause) {
    // An empty lock names no one: it would hold every run back until it is old enough to take over.
    closeSync(fd);
    unlinkSync(path);
    throw new Error(`could not write the lock file ${path}`, { cause });
  }
  closeSync(fd);
  return 'created';
}

/** The lock file's text and when it was created (its mtime, ms), or undefined when there is none. */
async function lockFile(path: string): Promise<{ text: string; createdAt: number } | undefined> {
  try {
    const { mtimeMs } = await stat(path);
    return { text: await readFile(path, 'utf8'), createdAt: mtimeMs };
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`could not read the lock file ${path}`, { cause });
  }
}

/** The holder a lock file names, or undefined when it names none (empty, or not slokit's). */
function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string' && typeof value.project === 'string') {
      const { pid, hostname, startedAt, project, command } = value;
      return { pid, hostname, startedAt, project, ...(command === 'generate' || command === 'review' ? { command } : {}) };
    }
  } catch {
    // Not a lock this slokit wrote; it is taken over by its age alone.
  }
  return undefined;
}

/** For messages: who holds a lock. */
function who(holder: Holder | undefined): string {
  if (holder === undefined) return 'a process the lock file does not name';
  return `project "${holder.project}", pid ${holder.pid} on host ${holder.hostname}, since ${holder.startedAt}`;
}

/**
 * Why a lock no longer holds anything (to say when taking it over), or undefined while its run may
 * still be going. A pid is checked only on its own host; it is stale there when no process has it,
 * or when this process has it: a process of an earlier container with the same hostname.
 */
function staleness(holder: Holder | undefined, ageMs: number): string | undefined {
  if (holder !== undefined && holder.hostname === hostname()) {
    if (holder.pid === process.pid) return 'its pid is this run\'s, so the run that took it has ended';
    if (!isOtherLivePid(holder.pid)) return `no process ${holder.pid} is running on this host`;
  }
  if (ageMs > STALE_AFTER_MS) return `it is older than ${STALE_AFTER_MS / 60_000} minutes, and a run holds its lock for seconds`;
  return undefined;
}

/**
 * Removes a stale lock whose text is `stale`; false when it was gone or no longer that lock. Moved
 * aside first, as one atomic step, and then compared: two runs that both found it stale cannot both
 * remove it, where the second would remove the lock the first had just taken. A fresh lock moved
 * aside by mistake is put back.
 */
async function takeOver(path: string, stale: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`could not take over the stale lock file ${path}`, { cause });
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== stale) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  return moved === stale;
}

/** takeOver's name for a lock it moved aside, `<lock file>.<pid of the run taking it over>.stale`. */
const ASIDE_NAME = /^\.slokit\.lock\.(\d+)\.stale$/;

/** A run's lock, or one a takeover moved aside: each quotes its project, and is never an output. */
export const isLockName = (name: string): boolean => name === LOCK_FILE || ASIDE_NAME.test(name);

/**
 * Removes from `dir` the locks moved aside by takeovers whose process is gone (killed between
 * takeOver's steps, which remove them otherwise); returns their paths. Each holds a lock that is no
 * longer in place, which no run reads again. One of a live process's is left: that takeover may be
 * comparing it, or putting it back. As with a lock, a pid is looked up on this host.
 */
async function clearDeadTakeovers(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new Error(`could not read ${dir} for the lock files a killed run moved aside`, { cause });
  }
  const cleared: string[] = [];
  for (const name of names.sort()) {
    const pid = ASIDE_NAME.exec(name)?.[1];
    if (pid === undefined || isOtherLivePid(Number(pid))) continue;
    const path = join(dir, name);
    await rm(path, { force: true }).catch((cause: unknown) => {
      throw new Error(`could not remove ${path}, a lock file a killed run moved aside`, { cause });
    });
    cleared.push(path);
  }
  return cleared;
}

/**
 * Removes this run's lock file, unless it is no longer this run's (another run took it over as
 * stale). Never throws: that would hide how the run ended, and a lock left behind names this
 * process, which the next run finds gone and takes over.
 */
async function release(path: string, text: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) await rm(path, { force: true }).catch(() => undefined);
}
