import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadPid } from '../../test/support/dead-pid.js';
import type { OutputSet } from './output-files.js';
import { clearLeftovers, findLeftovers } from './staging-files.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slokit-staging-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('clearLeftovers', () => {
  it('clears each leftover once when its directory is named twice, relative and through a symlink', async () => {
    const out = join(base, 'out');
    await mkdir(out);
    await symlink(out, join(base, 'alias'));
    const pid = await deadPid();
    await writeFile(join(out, `.checkout.yml.${pid}.tmp`), 'staged\n');
    await writeFile(join(out, 'checkout.json'), 'dashboard\n');
    await writeFile(join(out, `.checkout.json.${pid}.bak`), 'previous dashboard\n');
    const outputs: OutputSet = {
      files: new Map([
        [join(relative(process.cwd(), out), 'checkout.yml'), 'rules\n'],
        [join(base, 'alias', 'checkout.json'), 'dashboard\n'],
      ]),
      managedDirs: [join(base, 'alias'), out],
    };
    expect(await clearLeftovers(outputs)).toEqual({
      removed: [join(base, 'alias', `.checkout.json.${pid}.bak`), join(base, 'alias', `.checkout.yml.${pid}.tmp`)],
      putBack: [],
    });
    expect(await readdir(out)).toEqual(['checkout.json']);
  });

  it('finds none in an output directory not made yet', async () => {
    const outputs: OutputSet = { files: new Map([[join(base, 'rules', 'checkout.yml'), 'rules\n']]), managedDirs: [join(base, 'rules')] };
    expect(await findLeftovers(outputs)).toEqual([]);
  });
});
