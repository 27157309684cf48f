import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchJournal } from './batch-journal.js';

// The disk fills while the spare segment is written out: its second 1 MiB write fails with ENOSPC.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (!String(args[0]).endsWith('journal-spare.tmp')) return handle;
      let writes = 0;
      const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<unknown>;
      Object.assign(handle, {
        write: (...a: unknown[]) => (++writes > 1 ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) : write(...a)),
      });
      return handle;
    },
  };
});

let dir: string;
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

describe('BatchJournal on a disk that fills while its spare segment is written out', () => {
  it('deletes what it wrote of the spare and goes on with plain segments', async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'slokit-journal-')), 'router.db.batch-journal');
    const { journal } = BatchJournal.open(dir, { afterSeq: 0 });
    expect(await journal.spareReady()).toBe(false);
    expect(existsSync(join(dir, 'journal-spare.tmp'))).toBe(false);
    expect(journal.append([{ at: 1, body: Buffer.from('{"version":"4","alerts":[]}') }]).map((r) => r.seq)).toEqual([1]);
    await journal.sync();
    journal.close();
    expect(readdirSync(dir)).toEqual(['journal-0000000000000001.log']);
  });
});
