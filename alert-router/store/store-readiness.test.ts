import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { StoreError } from './group-commit.js';
import { isStoreFault, StoreReadiness, type StoreFailing } from './store-readiness.js';

/** A system error as node:fs gives it. */
const errno = (code: string, syscall: string) => Object.assign(new Error(`${code}: ${syscall} failed`), { code, syscall, errno: -5 });
/** An error as better-sqlite3 gives it (a SqliteError: a message and an extended result code). */
const sqlite = (code: string, message: string) => Object.assign(new Error(message), { name: 'SqliteError', code });
const journalFull = () => new StoreError('could not record the batch', { cause: new Error('could not append to the journal in /d', { cause: errno('ENOSPC', 'write') }) });

/** A readiness on a fake clock whose probe the test answers, with what it told and when it probed. */
function harness() {
  const clock = new FakeClock(0);
  const told: string[] = [];
  const probes: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const readiness = new StoreReadiness({
    probe: () => new Promise<void>((resolve, reject) => probes.push({ at: clock.now(), resolve, reject })),
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    firstDelayMs: 1000,
    maxDelayMs: 30_000,
    onFailing: (f: StoreFailing) => told.push(`failing at ${f.since}: ${f.reason}`),
    onRecovered: (ended, by) => told.push(`recovered by ${by} after ${ended.failures}`),
  });
  /** Lets a settled probe's result reach the readiness. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { clock, told, probes, readiness, settle };
}

describe('StoreReadiness', () => {
  it('is not ready from a store fault until a probe goes through, probing 1 s after it and backing off doubling to 30 s', async () => {
    const { clock, told, probes, readiness, settle } = harness();
    expect(readiness.failing).toBeUndefined();
    clock.advance(500);
    readiness.webhookFailed(journalFull());
    expect(readiness.failing).toEqual({
      reason: 'could not record the batch: could not append to the journal in /d: ENOSPC: write failed',
      since: 500,
      failures: 1,
    });
    // Each probe comes this long after the last one failed, not a millisecond before.
    for (const delay of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]) {
      const before = probes.length;
      clock.advance(delay - 1);
      expect(probes).toHaveLength(before);
      clock.advance(1);
      expect(probes).toHaveLength(before + 1);
      probes.at(-1)!.reject(errno('EIO', 'fdatasync'));
      await settle();
    }
    expect(readiness.failing).toMatchObject({ reason: 'EIO: fdatasync failed', since: 500, failures: 8 });
    clock.advance(30_000);
    probes.at(-1)!.resolve();
    await settle();
    expect(readiness.failing).toBeUndefined();
    expect(told).toEqual(['failing at 500: could not record the batch: could not append to the journal in /d: ENOSPC: write failed', 'recovered by probe after 8']);
    clock.advance(120_000);
    expect(probes).toHaveLength(8);
  });

  it('tells a change once, not each failure, and counts the failures with the last one as the reason', () => {
    const { told, readiness } = harness();
    readiness.webhookFailed(journalFull());
    readiness.webhookFailed(new StoreError('could not commit the batch', { cause: sqlite('SQLITE_BUSY', 'database is locked') }));
    readiness.webhookFailed(new StoreError('could not make the batch durable (fsync failed)', { cause: errno('EIO', 'fdatasync') }));
    expect(readiness.failing).toMatchObject({ failures: 3, reason: 'could not make the batch durable (fsync failed): EIO: fdatasync failed' });
    expect(told).toHaveLength(1);
  });

  it('is ready again once a webhook commits, and stops probing', () => {
    const { clock, told, probes, readiness } = harness();
    readiness.webhookFailed(journalFull());
    readiness.webhookFailed(journalFull());
    readiness.webhookCommitted();
    expect(readiness.failing).toBeUndefined();
    clock.advance(60_000);
    expect(probes).toEqual([]);
    expect(told.at(-1)).toBe('recovered by webhook after 2');
  });

  it("does not take a probe's success for the store's when a webhook went through and the store failed again while it ran", async () => {
    const { clock, told, probes, readiness, settle } = harness();
    readiness.webhookFailed(journalFull());
    clock.advance(1000);
    readiness.webhookCommitted();
    clock.advance(1000);
    readiness.webhookFailed(journalFull());
    probes[0]!.resolve();
    await settle();
    expect(readiness.failing).toMatchObject({ since: 2000, failures: 1 });
    clock.advance(1000);
    expect(probes.map((p) => p.at)).toEqual([1000, 3000]);
    expect(told).toHaveLength(3);
  });

  it('stays ready when the pipeline threw on one batch: the store took it, the batch is refused alone', () => {
    const { clock, probes, readiness } = harness();
    readiness.webhookFailed(new StoreError('could not commit the batch', { cause: new TypeError("Cannot read properties of undefined (reading 'labels')") }));
    readiness.webhookFailed(new StoreError('could not commit the batch', { cause: sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: alerts.id') }));
    expect(readiness.failing).toBeUndefined();
    clock.advance(60_000);
    expect(probes).toEqual([]);
  });

  it('probes no more once stopped (drain)', () => {
    const { clock, probes, readiness } = harness();
    readiness.webhookFailed(journalFull());
    readiness.stop();
    clock.advance(60_000);
    expect(probes).toEqual([]);
  });
});

describe('isStoreFault', () => {
  const cases = [
    { name: 'a journal append on a full disk', input: journalFull(), expected: true },
    { name: 'a failed fdatasync', input: new StoreError('could not make the batch durable (fsync failed)', { cause: errno('EIO', 'fdatasync') }), expected: true },
    { name: 'a database locked beyond busy_timeout', input: new StoreError('could not commit the batch', { cause: sqlite('SQLITE_BUSY', 'database is locked') }), expected: true },
    { name: 'SQLite on a full disk', input: new StoreError('could not commit the batch', { cause: sqlite('SQLITE_FULL', 'database or disk is full') }), expected: true },
    { name: 'a SQLite write I/O error', input: sqlite('SQLITE_IOERR_WRITE', 'disk I/O error'), expected: true },
    { name: 'a read-only store', input: sqlite('SQLITE_READONLY', 'attempt to write a readonly database'), expected: true },
    { name: 'a constraint one batch broke', input: new StoreError('could not commit the batch', { cause: sqlite('SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed') }), expected: false },
    { name: 'a pipeline bug', input: new StoreError('could not commit the batch', { cause: new TypeError('x is undefined') }), expected: false },
    { name: 'not an Error', input: 'EIO', expected: false },
  ];
  it.each(cases)('$name: $expected', ({ input, expected }) => {
    expect(isStoreFault(input)).toBe(expected);
  });
});
