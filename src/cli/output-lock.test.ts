import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, withOutputLocks, type LockOptions } from './output-lock.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slokit-lock-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Options that fail at once on a held lock and keep what they are told. */
function options(notices: string[] = []): LockOptions {
  return { project: 'shop/slos', waitMs: 0, notice: (line) => notices.push(line) };
}

describe('withOutputLocks', () => {
  it('holds one lock for a directory given under two names, instead of waiting on itself', async () => {
    await mkdir(join(base, 'out'));
    await symlink(join(base, 'out'), join(base, 'alias'));
    const notices: string[] = [];
    const during = await withOutputLocks([join(base, 'out'), join(base, 'alias')], options(notices), async () => {
      return JSON.parse(await readFile(join(base, 'out', LOCK_FILE), 'utf8')) as unknown;
    });
    expect(during).toMatchObject({ pid: process.pid, project: 'shop/slos' });
    expect(notices).toEqual([]);
    expect(await readdir(join(base, 'out'))).toEqual([]);
  });

  it('releases its locks when the work throws, and removes the directories it created that stayed empty', async () => {
    await mkdir(join(base, 'rules'));
    const failure = withOutputLocks([join(base, 'rules'), join(base, 'new', 'dashboards')], options(), async () => {
      await writeFile(join(base, 'rules', 'cart.yml'), 'written\n');
      throw new Error('could not replace a file');
    });
    await expect(failure).rejects.toThrow('could not replace a file');
    expect(await readdir(base)).toEqual(['rules']);
    expect(await readdir(join(base, 'rules'))).toEqual(['cart.yml']);
  });

  it('leaves a lock that another run took over while it worked', async () => {
    const other = '{"pid":1,"hostname":"elsewhere","startedAt":"2026-12-03T08:00:00.000Z","project":"blog/slos"}\n';
    await withOutputLocks([base], options(), async () => {
      await writeFile(join(base, LOCK_FILE), other);
    });
    expect(await readFile(join(base, LOCK_FILE), 'utf8')).toBe(other);
  });
});
