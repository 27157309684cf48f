import { describe, expect, it } from 'vitest';
import { JOURNAL_APPLIED_KEY, StoreFlusher, type FlushableStore } from './store-flusher.js';

/** A store that records what the flusher did to it, a manual clock and a sync the test settles. */
function harness(options: { maxAgeMs?: number; maxWeight?: number; sync?: boolean; commitThrows?: Error } = {}) {
  const log: string[] = [];
  let open = false;
  let outboxSeq = 0;
  const deliverable: number[] = [];
  const store: FlushableStore = {
    get bulkOpen() {
      return open;
    },
    commitBulk(state) {
      if (state !== undefined) log.push(`${state.key}=${state.value}`);
      if (options.commitThrows !== undefined) throw options.commitThrows;
      log.push('commit');
      open = false;
      return true;
    },
    maxOutboxSeq: () => outboxSeq,
    setDeliverableUpTo: (seq) => deliverable.push(seq),
  };
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let now = 0;
  let nextId = 1;
  let armed = 0;
  const syncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let applied = 0;
  const durableUpTo: number[] = [];
  const errors: unknown[] = [];
  const flusher = new StoreFlusher({
    store,
    ...(options.sync === false
      ? {}
      : {
          syncWal: () =>
            new Promise<void>((resolve, reject) => {
              log.push('sync');
              syncs.push({ resolve, reject });
            }),
        }),
    appliedSeq: () => applied,
    onDurable: (seq) => durableUpTo.push(seq),
    maxAgeMs: options.maxAgeMs ?? 100,
    maxWeight: options.maxWeight ?? 1000,
    now: () => now,
    setTimeout: (fn, ms) => {
      armed++;
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    onCommitError: (e) => errors.push(e),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  /** A webhook group written into the bulk transaction, journaled up to `seq`. */
  const write = (weight: number, seq: number, queued = 0) => {
    open = true;
    applied = seq;
    outboxSeq += queued;
    flusher.wrote(weight);
  };
  return { flusher, log, advance, write, syncs, deliverable, durableUpTo, errors, timers, armed: () => armed };
}

const flushMicrotasks = () => new Promise((r) => setImmediate(r));

describe('StoreFlusher', () => {
  it("commits the bulk transaction maxAge after its first write, recording the journal seq it applied in it", () => {
    const h = harness({ maxAgeMs: 100 });
    h.write(1, 1);
    h.advance(60);
    h.write(1, 2);
    expect(h.log).toEqual([]);
    h.advance(40); // 100 ms after the first write, not the last
    expect(h.log).toEqual([`${JOURNAL_APPLIED_KEY}=2`, 'commit']);
    h.advance(500);
    expect(h.log).toHaveLength(2); // nothing open: no timer, no commit
  });

  it('commits on the next turn once the transaction holds maxWeight alerts, never inside the write', () => {
    const h = harness({ maxWeight: 10 });
    h.write(6, 1);
    h.write(6, 2);
    h.write(6, 3); // already due: not armed again
    expect(h.armed()).toBe(2); // the age timer of the first write, then once for the next turn
    expect(h.timers).toHaveLength(1);
    expect(h.log).toEqual([]); // the caller may be inside a savepoint
    h.advance(0);
    expect(h.log).toEqual([`${JOURNAL_APPLIED_KEY}=3`, 'commit']);
  });

  it('lets the worker deliver and the journal drop records only after a sync that started after the commit', async () => {
    const h = harness();
    h.write(1, 7, 3);
    const first = h.flusher.durable();
    expect(h.log).toEqual([`${JOURNAL_APPLIED_KEY}=7`, 'commit', 'sync']);
    // Written while that sync runs: it needs a sync of its own, started when the first ends.
    h.write(1, 8, 2);
    const second = h.flusher.durable();
    const third = h.flusher.durable(); // shares the second's sync
    expect(h.syncs).toHaveLength(1);
    expect(h.deliverable).toEqual([]);
    h.syncs[0]!.resolve();
    await first;
    expect(h.deliverable).toEqual([3]);
    expect(h.durableUpTo).toEqual([7]);
    await flushMicrotasks();
    expect(h.syncs).toHaveLength(2);
    h.syncs[1]!.resolve();
    await Promise.all([second, third]);
    expect(h.deliverable).toEqual([3, 5, 5]);
    expect(h.durableUpTo).toEqual([7, 8, 8]);
  });

  it('rejects durable() when the sync fails, and delivers nothing it covered', async () => {
    const h = harness();
    h.write(1, 1, 1);
    const d = h.flusher.durable();
    h.syncs[0]!.reject(new Error('EIO'));
    await expect(d).rejects.toThrow('EIO');
    expect(h.deliverable).toEqual([]);
    expect(h.durableUpTo).toEqual([]);
  });

  it('with synchronous: normal, makes the commit deliverable at once', async () => {
    const h = harness({ sync: false });
    h.write(1, 4, 1);
    await h.flusher.durable();
    expect(h.log).toEqual([`${JOURNAL_APPLIED_KEY}=4`, 'commit']);
    expect(h.deliverable).toEqual([1]);
    expect(h.durableUpTo).toEqual([4]);
  });

  it('reports a failed commit, and durable() rejects with it', async () => {
    const h = harness({ commitThrows: new Error('database or disk is full') });
    h.write(1, 1);
    await expect(h.flusher.durable()).rejects.toThrow('database or disk is full');
    expect(h.errors).toHaveLength(1);
    h.write(1, 2);
    h.advance(100); // the timer's commit fails too: reported, not thrown out of the timer
    expect(h.errors).toHaveLength(2);
  });
});
