import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file and directory under `dir`, dotfiles included, by path from `dir`, with each file's
 * content: what a user would find there. Two equal snapshots mean nothing was changed, added
 * (a temp file, a backup) or left out.
 */
export async function dirSnapshot(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(out, { [path]: '(directory)' }, await dirSnapshot(dir, path));
    else out[path] = await readFile(join(dir, path), 'utf8');
  }
  return out;
}
