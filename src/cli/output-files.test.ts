import type * as FsPromises from 'node:fs/promises';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dirSnapshot } from '../../test/support/dir-snapshot.js';
import { GENERATED_HEADER, generatedMarker } from '../slo/index.js';
import { ForeignFilesError, findStale, writeOutputs, type OutputSet } from './output-files.js';
import { LOCK_FILE } from './output-lock.js';

/**
 * A rename or hard link refused, which a directory in place of a file cannot give (the tests run as
 * root, where permissions refuse nothing, on a file system with hard links): a test sets `onRename`
 * or `onLink`, which sees every call before it is done and may throw instead.
 */
let onRename: (from: string, to: string) => void = () => undefined;
let onLink: (from: string, to: string) => void = () => undefined;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      onRename(from, to);
      return real.rename(from, to);
    },
    link: async (from: string, to: string) => {
      onLink(from, to);
      return real.link(from, to);
    },
  };
});

const refused = (from: string, to: string) =>
  Object.assign(new Error(`EACCES: permission denied, rename '${from}' -> '${to}'`), { code: 'EACCES' });

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slokit-outputs-'));
});
afterEach(async () => {
  onRename = () => undefined;
  onLink = () => undefined;
  await rm(base, { recursive: true, force: true });
});

const PROJECT = 'shop/slos';
const generated = (body: string, project = PROJECT) => `# ${generatedMarker(project, '\n# ')}\n${body}\n`;

/** A previous run's outputs on disk: a dashboard, the router catalog, and a dashboard no longer generated. */
async function previousRun(): Promise<void> {
  await mkdir(join(base, 'dashboards'), { recursive: true });
  await mkdir(join(base, 'router'), { recursive: true });
  await writeFile(join(base, 'dashboards', 'checkout.json'), generated('old dashboard'));
  await writeFile(join(base, 'dashboards', 'retired.json'), generated('retired dashboard'));
  await writeFile(join(base, 'router', 'catalog.json'), 'old catalog\n');
}

/** This run's outputs: new content for every file, retired.json no longer produced. */
function thisRun(): OutputSet {
  return {
    files: new Map([
      [join(base, 'dashboards', 'checkout.json'), generated('new dashboard')],
      [join(base, 'router', 'catalog.json'), 'new catalog\n'],
      [join(base, 'rules', 'checkout.yml'), generated('new rules')],
      [join(base, 'rules', 'payments.yml'), generated('new rules')],
    ]),
    managedDirs: [join(base, 'rules'), join(base, 'dashboards')],
    project: PROJECT,
  };
}

const read = (...parts: string[]) => readFile(join(base, ...parts), 'utf8');

/** The error a write rejects with, so a test can look at the files first and the message after. */
const failureOf = (run: Promise<unknown>): Promise<Error | undefined> =>
  run.then(
    () => undefined,
    (err: unknown) => err as Error,
  );

describe('writeOutputs', () => {
  it('writes every changed file and then removes generated files that are no longer produced', async () => {
    await previousRun();
    const result = await writeOutputs(thisRun());
    expect(result.written).toEqual([...thisRun().files.keys()].sort());
    expect(result.removed).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(await read('dashboards', 'checkout.json')).toBe(generated('new dashboard'));
    expect(await read('rules', 'payments.yml')).toBe(generated('new rules'));
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['checkout.json']);
  });

  it('writes its outputs when a killed run with the same pid left the temp file of one it rewrites', async () => {
    await previousRun();
    // A run killed (SIGKILL, a CI job's timeout) while staging left its temp file; in a container the
    // next run often has the same pid, so it stages to that name too, and renames it into place.
    const leftover = join(base, 'dashboards', `.checkout.json.${process.pid}.tmp`);
    await writeFile(leftover, generated('half-written dashboard'));
    const result = await writeOutputs(thisRun());
    expect(result.removed).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(await read('dashboards', 'checkout.json')).toBe(generated('new dashboard'));
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['checkout.json']);
  });

  it("takes a killed run's temp files and backups for no generated file, though they hold one, header and all", async () => {
    await previousRun();
    // Another run's (pid 4242), killed as it renamed: checkout.json replaced, its backup and the rule file's temp file left.
    await mkdir(join(base, 'rules'));
    await writeFile(join(base, 'dashboards', '.checkout.json.4242.bak'), generated('old dashboard'));
    await writeFile(join(base, 'dashboards', '.retired.json.4242.tmp'), generated('retired dashboard'));
    await writeFile(join(base, 'rules', '.payments.yml.4242.tmp'), generated('new rules'));
    const stale = await findStale(thisRun());
    expect(stale.extra).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(stale.unclaimed).toEqual([]);
  });

  it("takes the run's lock file for no generated file, whatever project it names", async () => {
    await previousRun();
    // A project name may be any text without a quote or backslash, this header's too.
    const lock = `{"pid":${process.pid},"hostname":"h","startedAt":"2026-12-03T08:00:00.000Z","project":"${GENERATED_HEADER} Project: shop/slos"}\n`;
    await writeFile(join(base, 'dashboards', LOCK_FILE), lock);
    const result = await writeOutputs(thisRun());
    expect(result.removed).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(result.unclaimed).toEqual([]);
    expect(await read('dashboards', LOCK_FILE)).toBe(lock);
  });

  it('takes a lock a killed takeover moved aside for no generated file either, so --check does not call it stale', async () => {
    await previousRun();
    const lock = `{"pid":4242,"hostname":"h","startedAt":"2026-12-03T08:00:00.000Z","project":"${GENERATED_HEADER} Project: shop/slos"}\n`;
    await writeFile(join(base, 'dashboards', `${LOCK_FILE}.4243.stale`), lock);
    const stale = await findStale(thisRun());
    expect(stale.extra).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(stale.unclaimed).toEqual([]);
  });

  it("removes only its own project's files no longer produced, keeping another project's and those of no project", async () => {
    await previousRun();
    await writeFile(join(base, 'dashboards', 'blog.json'), generated('blog dashboard', 'blog/slos'));
    await writeFile(join(base, 'dashboards', 'older.json'), `# ${GENERATED_HEADER}\nolder slokit\n`);
    const result = await writeOutputs(thisRun());
    expect(result.removed).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(result.unclaimed).toEqual([join(base, 'dashboards', 'older.json')]);
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['blog.json', 'checkout.json', 'older.json']);
  });

  it('replaces a file of no project that it produces: an older slokit wrote it, and replaced it every run', async () => {
    await previousRun();
    await writeFile(join(base, 'dashboards', 'checkout.json'), `# ${GENERATED_HEADER}\nolder slokit\n`);
    await writeOutputs(thisRun());
    expect(await read('dashboards', 'checkout.json')).toBe(generated('new dashboard'));
  });

  it("changes nothing and names the file and its project when it would replace another project's file", async () => {
    await previousRun();
    await mkdir(join(base, 'rules'));
    await writeFile(join(base, 'rules', 'payments.yml'), generated('blog rules', 'blog/slos'));
    const error = await failureOf(writeOutputs(thisRun()));
    expect(error).toBeInstanceOf(ForeignFilesError);
    expect(error?.message).toContain(`  ${join(base, 'rules', 'payments.yml')}: written by project "blog/slos"\n`);
    expect(await read('rules', 'payments.yml')).toBe(generated('blog rules', 'blog/slos'));
    expect(await readdir(join(base, 'rules'))).toEqual(['payments.yml']);
    expect(await read('dashboards', 'checkout.json')).toBe(generated('old dashboard'));
    expect(await read('dashboards', 'retired.json')).toBe(generated('retired dashboard'));
  });

  it("replaces and removes the files of a project it adopts, as its own, and keeps every other project's", async () => {
    await previousRun();
    // The same project under its earlier name (its package was "shop"), and another project.
    await writeFile(join(base, 'dashboards', 'checkout.json'), generated('old dashboard', 'shop-old/slos'));
    await writeFile(join(base, 'dashboards', 'retired.json'), generated('retired dashboard', 'shop-old/slos'));
    await writeFile(join(base, 'dashboards', 'blog.json'), generated('blog dashboard', 'blog/slos'));
    const result = await writeOutputs({ ...thisRun(), adopt: ['shop-old/slos'] });
    expect(result.removed).toEqual([join(base, 'dashboards', 'retired.json')]);
    expect(await read('dashboards', 'checkout.json')).toBe(generated('new dashboard'));
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['blog.json', 'checkout.json']);
    expect(await read('dashboards', 'blog.json')).toBe(generated('blog dashboard', 'blog/slos'));
  });

  it("still refuses a file of a project it does not adopt, and says to adopt it if it is this one's earlier name", async () => {
    await previousRun();
    await writeFile(join(base, 'dashboards', 'checkout.json'), generated('blog dashboard', 'blog/slos'));
    const before = await dirSnapshot(base);
    const error = await failureOf(writeOutputs({ ...thisRun(), adopt: ['shop-old/slos'] }));
    expect(error).toBeInstanceOf(ForeignFilesError);
    expect(error?.message).toContain(`  ${join(base, 'dashboards', 'checkout.json')}: written by project "blog/slos"\n`);
    expect(error?.message).toContain('If that project is this one under an earlier name (its package.json name or SLO directory changed), run again with --adopt-project naming it');
    expect(await dirSnapshot(base)).toEqual(before);
  });

  it('changes no output and leaves no temp file when one file cannot be written', async () => {
    await previousRun();
    // A regular file where the rules directory should be: its files cannot be written, even as root.
    await writeFile(join(base, 'rules'), 'not a directory\n');
    const error = await failureOf(writeOutputs(thisRun()));
    expect(await read('dashboards', 'checkout.json')).toBe(generated('old dashboard'));
    expect(await read('router', 'catalog.json')).toBe('old catalog\n');
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['checkout.json', 'retired.json']);
    expect(await readdir(join(base, 'router'))).toEqual(['catalog.json']);
    expect(error?.message).toBe(`could not write ${join(base, 'rules', 'checkout.yml')}, so no output was changed`);
  });

  it('removes the directories it created when a later file cannot be written', async () => {
    const outputs: OutputSet = {
      files: new Map([
        [join(base, 'a', 'new', 'x.json'), 'x\n'],
        [join(base, 'b', 'y.yml'), 'y\n'],
      ]),
      managedDirs: [],
    };
    await writeFile(join(base, 'b'), 'not a directory\n');
    const error = await failureOf(writeOutputs(outputs));
    expect(await readdir(base)).toEqual(['b']);
    expect(error?.message).toBe(`could not write ${join(base, 'b', 'y.yml')}, so no output was changed`);
  });

  it('changes no output and leaves no backup or temp file when a rename fails midway, naming the file and the cause', async () => {
    await previousRun();
    // A non-empty directory where rules/payments.yml goes: its temp file writes, but nothing can be
    // renamed onto it, after dashboards/checkout.json and router/catalog.json were replaced and
    // rules/checkout.yml was added.
    await mkdir(join(base, 'rules', 'payments.yml'), { recursive: true });
    await writeFile(join(base, 'rules', 'payments.yml', 'keep'), 'a file of its own\n');
    const before = await dirSnapshot(base);
    const error = await failureOf(writeOutputs(thisRun()));
    expect(await dirSnapshot(base)).toEqual(before);
    expect(error?.message).toBe(`could not replace ${join(base, 'rules', 'payments.yml')}, so no output was changed`);
    expect((error?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('EISDIR');
  });

  it.each([
    { how: 'given both relative and absolute', secondName: async (out: string) => relative(process.cwd(), out) },
    {
      how: 'reached through a symlink',
      secondName: async (out: string) => {
        await symlink(out, join(base, 'alias'));
        return join(base, 'alias');
      },
    },
  ])('keeps the files it writes when one directory is $how, on this run and the next', async ({ secondName }) => {
    const out = join(base, 'out');
    await mkdir(out);
    const sameOut = await secondName(out);
    await writeFile(join(out, 'retired.json'), generated('retired dashboard'));
    const outputs: OutputSet = {
      files: new Map([
        [join(out, 'checkout.yml'), generated('rules')],
        [join(sameOut, 'checkout.json'), generated('dashboard')],
      ]),
      managedDirs: [out, sameOut],
      project: PROJECT,
    };
    expect((await writeOutputs(outputs)).removed).toEqual([join(out, 'retired.json')]);
    expect((await writeOutputs(outputs)).removed).toEqual([]);
    expect((await readdir(out)).sort()).toEqual(['checkout.json', 'checkout.yml']);
  });

  it('keeps the mode of a file it rewrites and gives a new file the default mode', async () => {
    await previousRun();
    await chmod(join(base, 'router', 'catalog.json'), 0o666);
    await chmod(join(base, 'dashboards', 'checkout.json'), 0o600);
    const reference = join(base, 'reference');
    await writeFile(reference, '');
    await writeOutputs(thisRun());
    const mode = async (...parts: string[]) => (await stat(join(base, ...parts))).mode & 0o7777;
    expect(await mode('router', 'catalog.json')).toBe(0o666);
    expect(await mode('dashboards', 'checkout.json')).toBe(0o600);
    expect(await mode('rules', 'checkout.yml')).toBe(await mode('reference'));
  });
});

/** A previous run, then this run with the retired dashboard's removal refused: nothing on disk changes. */
async function undoneWhenRetiredCannotGo(): Promise<void> {
  await previousRun();
  const before = await dirSnapshot(base);
  const retired = join(base, 'dashboards', 'retired.json');
  onRename = (from, to) => {
    if (from === retired) throw refused(from, to);
  };
  await expect(writeOutputs(thisRun())).rejects.toThrow(`could not remove ${retired}, no longer generated, so no output was changed`);
  expect(await dirSnapshot(base)).toEqual(before);
}

describe("writeOutputs' commit", () => {
  it('keeps the previous content as a copy where the file system has no hard links (vfat, some network shares), and puts it back on a failure', async () => {
    onLink = (from, to) => {
      throw Object.assign(new Error(`EPERM: operation not permitted, link '${from}' -> '${to}'`), { code: 'EPERM' });
    };
    await undoneWhenRetiredCannotGo();
    onRename = () => undefined;
    await writeOutputs(thisRun());
    expect(await readFile(join(base, 'dashboards', 'checkout.json'), 'utf8')).toBe(generated('new dashboard'));
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['checkout.json']);
  });

  it('puts back every file it replaced and removes every file it added when a file no longer generated cannot be removed', async () => {
    await undoneWhenRetiredCannotGo();
  });

  it('names each change it could not undo, and where the previous content is, when putting a file back fails too', async () => {
    await previousRun();
    const catalog = join(base, 'router', 'catalog.json');
    const dashboard = join(base, 'dashboards', 'checkout.json');
    const dashboardBackup = join(base, 'dashboards', `.checkout.json.${process.pid}.bak`);
    onRename = (from, to) => {
      // The rule file, renamed after the dashboard and the catalog, fails; so does putting the dashboard back.
      if (to === join(base, 'rules', 'checkout.yml') || from === dashboardBackup) throw refused(from, to);
    };
    await expect(writeOutputs(thisRun())).rejects.toThrow(
      `could not replace ${join(base, 'rules', 'checkout.yml')}, and could not undo every change before it: ` +
        `${dashboard}'s previous content is in ${dashboardBackup}`,
    );
    expect(await readFile(dashboardBackup, 'utf8')).toBe(generated('old dashboard'));
    expect(await readFile(catalog, 'utf8')).toBe('old catalog\n');
    expect(await readdir(join(base, 'router'))).toEqual(['catalog.json']);
    // The rule file's temp file is gone, and the directory staging made for it.
    expect((await readdir(base)).sort()).toEqual(['dashboards', 'router']);
  });
});
