import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Every fdatasync and close the journal makes, in order, by descriptor. */
const calls: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fdatasync: (fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      calls.push(`fdatasync ${fd}`);
      fs.fdatasync(fd, cb);
    },
    openSync: (...args: Parameters<typeof fs.openSync>) => {
      const fd = fs.openSync(...args);
      calls.push(`open ${String(args[0]).split('/').pop()} ${fd}`);
      return fd;
    },
    closeSync: (fd: number) => {
      calls.push(`close ${fd}`);
      fs.closeSync(fd);
    },
  };
});

const { BatchJournal } = await import('./batch-journal.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slokit-journal-sync-'));
  calls.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const body = Buffer.from('{"version":"4","alerts":[]}');

describe('BatchJournal.sync across a segment roll', () => {
  it('flushes the segment an append went to even when the next append rolled over before the sync began, and closes it only after', async () => {
    const { journal } = BatchJournal.open(join(dir, 'j'), { afterSeq: 0, segmentBytes: 100, preallocate: false });
    journal.append([{ at: 1, body }]); // segment 1
    journal.append([{ at: 2, body }]); // does not fit: segment 2
    const fdOf = (name: string) => Number(calls.find((c) => c.startsWith(`open ${name} `))!.split(' ')[2]);
    const first = fdOf('journal-0000000000000001.log');
    const second = fdOf('journal-0000000000000002.log');
    expect(calls).not.toContain(`close ${first}`); // not at the roll: its last append is not synced yet
    await journal.sync();
    expect(calls).toContain(`fdatasync ${first}`);
    expect(calls).toContain(`fdatasync ${second}`);
    expect(calls.indexOf(`close ${first}`)).toBeGreaterThan(calls.indexOf(`fdatasync ${first}`));
    journal.close();
  });

  it('without fsync (store.synchronous: normal), closes a rolled-over segment at once', () => {
    const { journal } = BatchJournal.open(join(dir, 'j'), { afterSeq: 0, segmentBytes: 100, preallocate: false, fsync: false });
    journal.append([{ at: 1, body }]);
    journal.append([{ at: 2, body }]);
    const first = Number(calls.find((c) => c.startsWith('open journal-0000000000000001.log '))!.split(' ')[2]);
    expect(calls).toContain(`close ${first}`);
    expect(calls.some((c) => c.startsWith('fdatasync'))).toBe(false);
    journal.close();
  });
});
