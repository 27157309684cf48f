import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { StoreError } from './group-commit.js';
import { describeFailing, isStoreFault, StoreReadiness, type StoreFailing } from './store-readiness.js';

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
    onFailing: (f: StoreFailing, operation) => told.push(`${operation} failing at ${f.since}: ${f.reason}`),
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
    readiness.failed('webhook', journalFull());
    expect(readiness.failing).toEqual({
      reason: 'could not record the batch: could not append to the journal in /d: ENOSPC: write failed',
      since: 500,
      failures: 1,
      operations: ['webhook'],
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
    expect(told).toEqual(['webhook failing at 500: could not record the batch: could not append to the journal in /d: ENOSPC: write failed', 'recovered by probe after 8']);
    clock.advance(120_000);
    expect(probes).toHaveLength(8);
  });

  it('tells a change once, not each failure, and counts the failures with the last one as the reason', () => {
    const { told, readiness } = harness();
    readiness.failed('webhook', journalFull());
    readiness.failed('webhook', new StoreError('could not commit the batch', { cause: sqlite('SQLITE_BUSY', 'database is locked') }));
    readiness.failed('webhook', new StoreError('could not make the batch durable (fsync failed)', { cause: errno('EIO', 'fdatasync') }));
    expect(readiness.failing).toMatchObject({ failures: 3, reason: 'could not make the batch durable (fsync failed): EIO: fdatasync failed' });
    expect(told).toHaveLength(1);
  });

  it('is ready again once a webhook commits, and stops probing', () => {
    const { clock, told, probes, readiness } = harness();
    readiness.failed('webhook', journalFull());
    readiness.failed('webhook', journalFull());
    readiness.succeeded('webhook');
    expect(readiness.failing).toBeUndefined();
    clock.advance(60_000);
    expect(probes).toEqual([]);
    expect(told.at(-1)).toBe('recovered by webhook after 2');
  });

  it("does not take a probe's success for the store's when a webhook went through and the store failed again while it ran", async () => {
    const { clock, told, probes, readiness, settle } = harness();
    readiness.failed('webhook', journalFull());
    clock.advance(1000);
    readiness.succeeded('webhook');
    clock.advance(1000);
    readiness.failed('webhook', journalFull());
    probes[0]!.resolve();
    await settle();
    expect(readiness.failing).toMatchObject({ since: 2000, failures: 1 });
    clock.advance(1000);
    expect(probes.map((p) => p.at)).toEqual([1000, 3000]);
    expect(told).toHaveLength(3);
  });

  it('stays ready when the pipeline threw on one batch: the store took it, the batch is refused alone', () => {
    const { clock, probes, readiness } = harness();
    readiness.failed('webhook', new StoreError('could not commit the batch', { cause: new TypeError("Cannot read properties of undefined (reading 'labels')") }));
    readiness.failed('webhook', new StoreError('could not commit the batch', { cause: sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: alerts.id') }));
    expect(readiness.failing).toBeUndefined();
    clock.advance(60_000);
    expect(probes).toEqual([]);
  });

  it('is not ready while the suppression tick cannot commit, tells it once, and only a tick that goes through clears it: a probe does not', async () => {
    const { clock, told, probes, readiness, settle } = harness();
    const locked = () => new Error('could not commit the suppression tick', { cause: sqlite('SQLITE_BUSY', 'database is locked') });
    for (let i = 0; i < 5; i++) readiness.failed('tick', locked());
    expect(readiness.failing).toEqual({ reason: 'could not commit the suppression tick: database is locked', since: 0, failures: 5, operations: ['tick'] });
    // The tick retries itself each tickInterval: no probe for it.
    clock.advance(60_000);
    expect(probes).toEqual([]);
    readiness.failed('outbox', sqlite('SQLITE_BUSY', 'database is locked'));
    clock.advance(1000);
    expect(probes).toHaveLength(1);
    probes[0]!.resolve();
    await settle();
    expect(readiness.failing).toMatchObject({ operations: ['tick'], failures: 6 });
    expect(readiness.isFailing('outbox')).toBe(false);
    clock.advance(120_000);
    expect(probes).toHaveLength(1);
    readiness.succeeded('webhook'); // not failing: changes nothing
    expect(readiness.isFailing('tick')).toBe(true);
    readiness.succeeded('tick');
    expect(readiness.failing).toBeUndefined();
    expect(told).toEqual([
      'tick failing at 0: could not commit the suppression tick: database is locked',
      'outbox failing at 0: database is locked',
      'recovered by tick after 6',
    ]);
  });

  it('does not count what is not a store fault in an operation (a tick that threw on a bug)', () => {
    const { readiness } = harness();
    readiness.failed('tick', new TypeError("Cannot read properties of undefined (reading 'until')"));
    expect(readiness.failing).toBeUndefined();
  });

  it('probes no more once stopped (drain)', () => {
    const { clock, probes, readiness } = harness();
    readiness.failed('webhook', journalFull());
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

describe('describeFailing', () => {
  const since = Date.parse('2026-11-02T03:00:00Z');
  const cases = [
    {
      operations: ['webhook'] as const,
      expected: 'webhook batches cannot be committed since 2026-11-02T03:00:00.000Z (3 failed); a probe retries the store',
    },
    {
      operations: ['tick'] as const,
      expected: 'the suppression tick cannot commit (held notifications and storm digests wait for it) since 2026-11-02T03:00:00.000Z (3 failed); each tick retries',
    },
    {
      operations: ['tick', 'durable'] as const,
      expected:
        'the suppression tick cannot commit (held notifications and storm digests wait for it); store writes cannot be made durable (the notifications they queued wait) since 2026-11-02T03:00:00.000Z (3 failed); a probe retries the store, and each tick retries the tick',
    },
  ];
  it.each(cases)('$operations', ({ operations, expected }) => {
    expect(describeFailing({ reason: 'x', since, failures: 3, operations: [...operations] })).toBe(expected);
  });
});
