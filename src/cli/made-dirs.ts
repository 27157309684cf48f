import { mkdir, rmdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `dir` and any parent missing; returns the directories it made, `dir` first. */
export async function makeDir(dir: string): Promise<string[]> {
  const made: string[] = [];
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) {
    // mkdir returns the first directory it made; record every one from there down to `dir`.
    for (let at = resolve(dir), top = resolve(created); at.length >= top.length; at = dirname(at)) made.push(at);
  }
  return made;
}

/** Removes the directories a run made that are still empty: deepest first, so a parent is empty by its turn; rmdir never removes content. */
export async function removeEmptyDirs(made: readonly string[]): Promise<void> {
  for (const dir of [...made].sort((a, b) => b.length - a.length)) await rmdir(dir).catch(() => undefined);
}
