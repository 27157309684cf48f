import { mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadPid } from '../../test/support/dead-pid.js';
import { LOCK_FILE, withOutputLocks, type LockOptions } from './output-lock.js';

let base: string;
beforeEach(async () => {
  // By its real path, as the locks name their directories.
  base = await realpath(await mkdtemp(join(tmpdir(), 'slokit-lock-')));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Options that fail at once on a held lock and keep what they are told. */
function options(notices: string[] = []): LockOptions {
  return { command: 'generate', project: 'shop/slos', waitMs: 0, notice: (line) => notices.push(line) };
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

  it('removes the locks that takeovers since killed moved aside, says so in one line, and leaves those of a live process', async () => {
    const [rules, dashboards] = [join(base, 'rules'), join(base, 'dashboards')];
    await mkdir(rules);
    await mkdir(dashboards);
    const [dead, otherDead] = [await deadPid(), await deadPid()];
    const stale = '{"pid":1,"hostname":"h","startedAt":"2026-12-03T08:00:00.000Z","project":"blog/slos"}\n';
    const left = [join(dashboards, `.slokit.lock.${dead}.stale`), join(rules, `.slokit.lock.${otherDead}.stale`)];
    for (const path of left) await writeFile(path, stale);
    // A takeover going on now (the test runner's parent is alive), and names that are no takeover's.
    const kept = [`.slokit.lock.${process.ppid}.stale`, `.slokit.lock.${dead}.stale.orig`, `.slokit.lock.x${dead}.stale`, `slokit.lock.${dead}.stale`];
    for (const name of kept) await writeFile(join(rules, name), stale);
    const notices: string[] = [];
    await withOutputLocks([rules, dashboards], options(notices), async () => undefined);
    expect(notices).toEqual([`removed 2 files a run killed while taking over a stale lock left: ${left.join(', ')}`]);
    expect(await readdir(dashboards)).toEqual([]);
    expect((await readdir(rules)).sort()).toEqual([...kept].sort());
  });

  it('leaves a lock that another run took over while it worked', async () => {
    const other = '{"pid":1,"hostname":"elsewhere","startedAt":"2026-12-03T08:00:00.000Z","project":"blog/slos"}\n';
    await withOutputLocks([base], options(), async () => {
      await writeFile(join(base, LOCK_FILE), other);
    });
    expect(await readFile(join(base, LOCK_FILE), 'utf8')).toBe(other);
  });
});
