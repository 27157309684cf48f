import { describe, expect, it } from 'vitest';
import { GroupCommitter, StoreError } from './group-commit.js';

function harness(failOn?: string) {
  const commits: string[][] = [];
  const deferred: (() => void)[] = [];
  let open: string[] | undefined;
  const committer = new GroupCommitter<string, string>({
    transaction: (fn) => {
      open = [];
      try {
        const result = fn();
        commits.push(open);
        return result;
      } finally {
        open = undefined;
      }
    },
    process: (item) => {
      if (item === failOn) throw new Error(`cannot store ${item}`);
      open!.push(item);
      return `ok:${item}`;
    },
    maxWeight: 3,
    weight: () => 1,
    defer: (fn) => deferred.push(fn),
  });
  const tick = () => deferred.splice(0).forEach((fn) => fn());
  return { committer, commits, tick };
}

describe('GroupCommitter', () => {
  it('commits requests that arrive in the same tick together and answers each only after that commit', async () => {
    const { committer, commits, tick } = harness();
    let answered = 0;
    const results = ['a', 'b', 'c', 'd'].map((i) => committer.submit(i).then((r) => (answered++, r)));
    await Promise.resolve();
    expect(answered).toBe(0);
    tick(); // first group: a, b, c (maxWeight 3)
    tick(); // second group: d
    expect(await Promise.all(results)).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    expect(commits).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('retries a failed group one by one so a poison batch fails alone, as a StoreError (503)', async () => {
    const { committer, commits, tick } = harness('bad');
    const ok = committer.submit('a');
    const bad = committer.submit('bad');
    const ok2 = committer.submit('c');
    tick();
    await expect(ok).resolves.toBe('ok:a');
    await expect(bad).rejects.toBeInstanceOf(StoreError);
    await expect(ok2).resolves.toBe('ok:c');
    expect(commits).toEqual([['a'], ['c']]);
  });
});

describe('GroupCommitter with a journal record step', () => {
  function recordHarness(options: { failRecord?: (items: string[]) => boolean; failProcess?: string; sync?: boolean } = {}) {
    const events: string[] = [];
    const deferred: (() => void)[] = [];
    const syncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const committer = new GroupCommitter<string, string>({
      transaction: (fn) => {
        events.push('begin');
        try {
          const result = fn();
          events.push('commit');
          return result;
        } catch (error) {
          events.push('rollback');
          throw error;
        }
      },
      process: (item) => {
        if (item === options.failProcess) throw new Error(`cannot store ${item}`);
        events.push(`process:${item}`);
        return `ok:${item}`;
      },
      maxWeight: 3,
      weight: () => 1,
      defer: (fn) => deferred.push(fn),
      record: (items) => {
        if (options.failRecord?.(items) === true) throw new Error('ENOSPC: no space left on device');
        events.push(`record:${items.join('+')}`);
      },
      ...(options.sync === true
        ? {
            sync: () => {
              events.push('sync');
              return new Promise<void>((resolve, reject) => syncs.push({ resolve, reject }));
            },
          }
        : {}),
    });
    const tick = () => deferred.splice(0).forEach((fn) => fn());
    const settle = () => new Promise((r) => setImmediate(r));
    return { committer, events, syncs, tick, settle };
  }

  it("records a group's items in one call before its transaction processes them", async () => {
    const { committer, events, tick } = recordHarness();
    const results = ['a', 'b'].map((i) => committer.submit(i));
    tick();
    expect(await Promise.all(results)).toEqual(['ok:a', 'ok:b']);
    expect(events).toEqual(['record:a+b', 'begin', 'process:a', 'process:b', 'commit']);
  });

  it('starts the sync that covers the record before processing, and answers only when both are done', async () => {
    const { committer, events, syncs, tick, settle } = recordHarness({ sync: true });
    const answered: string[] = [];
    for (const item of ['a', 'b']) void committer.submit(item).then((r) => answered.push(r));
    tick();
    expect(events).toEqual(['record:a+b', 'sync', 'begin', 'process:a', 'process:b', 'commit']);
    await settle();
    expect(answered).toEqual([]); // processed, not yet durable
    syncs[0]!.resolve();
    await committer.drained();
    expect(answered).toEqual(['ok:a', 'ok:b']);
  });

  it('refuses a recorded batch whose processing fails (StoreError, 503) only once its sync ends, and answers its neighbours', async () => {
    const { committer, events, syncs, tick, settle } = recordHarness({ sync: true, failProcess: 'b' });
    const settled: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((i) =>
      committer.submit(i).then(
        (r) => (settled.push(r), r),
        (e: unknown) => {
          settled.push(`refused:${i}`);
          throw e;
        },
      ),
    );
    tick();
    // The shared transaction fails on b, then each is processed alone.
    expect(events).toEqual(['record:a+b+c', 'sync', 'begin', 'process:a', 'rollback', 'begin', 'process:a', 'commit', 'begin', 'rollback', 'begin', 'process:c', 'commit']);
    await settle();
    expect(settled).toEqual([]);
    syncs[0]!.resolve();
    await expect(a).resolves.toBe('ok:a');
    await expect(b).rejects.toBeInstanceOf(StoreError);
    await expect(c).resolves.toBe('ok:c');
  });

  it('records one by one when a group record fails, and refuses (StoreError, 503) without processing a batch whose own record fails', async () => {
    const { committer, events, tick } = recordHarness({ failRecord: (items) => items.includes('b') });
    const [a, b, c] = ['a', 'b', 'c'].map((i) => committer.submit(i));
    tick();
    await expect(a).resolves.toBe('ok:a');
    await expect(b).rejects.toThrow(StoreError);
    await expect(c).resolves.toBe('ok:c');
    expect(events).toEqual(['record:a', 'record:c', 'begin', 'process:a', 'process:c', 'commit']);
  });
});

describe('GroupCommitter with a sync step (WAL fsync off the event loop)', () => {
  function syncHarness(syncsInFlight?: number, holdWhileSyncing?: boolean) {
    const syncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const deferred: (() => void)[] = [];
    const commits: number[] = [];
    const committer = new GroupCommitter<string, string>({
      transaction: (fn) => {
        const result = fn();
        commits.push(Array.isArray(result) ? result.length : 1);
        return result;
      },
      process: (item) => `ok:${item}`,
      maxWeight: 3,
      weight: () => 1,
      defer: (fn) => deferred.push(fn),
      sync: () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
      ...(syncsInFlight === undefined ? {} : { syncsInFlight }),
      ...(holdWhileSyncing === undefined ? {} : { holdWhileSyncing }),
    });
    const tick = () => deferred.splice(0).forEach((fn) => fn());
    const settle = () => new Promise((r) => setImmediate(r));
    return { committer, syncs, tick, settle, commits };
  }

  it('answers a committed batch only after a sync that started after its commit, sharing one sync among later commits', async () => {
    const { committer, syncs, tick, settle } = syncHarness();
    const answered: string[] = [];
    void committer.submit('a').then((r) => answered.push(r));
    tick(); // commit a, sync #1 starts
    void committer.submit('b').then((r) => answered.push(r));
    tick(); // commit b while sync #1 runs: b waits for the next sync
    void committer.submit('c').then((r) => answered.push(r));
    tick();
    await settle();
    expect(answered).toEqual([]);
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await settle();
    expect(answered).toEqual(['ok:a']);
    expect(syncs).toHaveLength(2); // one sync for b and c
    syncs[1]!.resolve();
    await committer.drained();
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c']);
  });

  it('makes every batch of one commit group durable with one sync, answering them together', async () => {
    const { committer, syncs, tick, settle } = syncHarness();
    const answered: string[] = [];
    for (const item of ['a', 'b', 'c']) void committer.submit(item).then((r) => answered.push(r));
    tick(); // one group: a, b, c
    await settle();
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await settle();
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c']);
    expect(syncs).toHaveLength(1);
  });

  it('holds light batches that arrive while a sync runs and commits them in one transaction when it ends', async () => {
    const { committer, syncs, tick, settle, commits } = syncHarness();
    const answered: string[] = [];
    void committer.submit('a').then((r) => answered.push(r));
    tick(); // commit a, sync #1 starts
    for (const item of ['b', 'c']) {
      void committer.submit(item).then((r) => answered.push(r));
      tick(); // waits: committing now would wait for the next sync anyway
    }
    expect(commits).toEqual([1]);
    syncs[0]!.resolve();
    await settle();
    expect(commits).toEqual([1, 2]); // b and c: one commit, one sync
    expect(syncs).toHaveLength(2);
    syncs[1]!.resolve();
    await committer.drained();
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c']);
  });

  it('commits a full group at once even while a sync runs, so the work overlaps the disk', async () => {
    const { committer, syncs, tick, commits } = syncHarness();
    void committer.submit('a');
    tick(); // sync #1 starts
    for (const item of ['b', 'c', 'd']) void committer.submit(item);
    tick(); // weight 3 = maxWeight: commit now
    expect(commits).toEqual([1, 3]);
    expect(syncs).toHaveLength(1);
  });

  it('with two syncs in flight, commits and syncs a batch at once while another sync runs, and holds the next until one ends', async () => {
    const { committer, syncs, tick, settle, commits } = syncHarness(2);
    const answered: string[] = [];
    void committer.submit('a').then((r) => answered.push(r));
    tick(); // commit a, sync #1
    void committer.submit('b').then((r) => answered.push(r));
    tick(); // commit b at once, sync #2 beside #1
    expect(commits).toEqual([1, 1]);
    expect(syncs).toHaveLength(2);
    void committer.submit('c').then((r) => answered.push(r));
    tick(); // two syncs run: c waits
    await settle();
    expect(commits).toEqual([1, 1]);
    syncs[1]!.resolve(); // the later sync ends first: b is durable, a still waits for its own
    await settle();
    expect(answered).toEqual(['ok:b']);
    tick();
    expect(commits).toEqual([1, 1, 1]); // c commits once a sync slot is free, and gets its own sync
    expect(syncs).toHaveLength(3);
    syncs[0]!.resolve();
    syncs[2]!.resolve();
    await committer.drained();
    expect(answered).toEqual(['ok:b', 'ok:a', 'ok:c']);
  });

  it('without holding, processes a light group at once while the syncs run, and the next sync covers it', async () => {
    const { committer, syncs, tick, settle, commits } = syncHarness(1, false);
    const answered: string[] = [];
    void committer.submit('a').then((r) => answered.push(r));
    tick(); // commit a, sync #1
    void committer.submit('b').then((r) => answered.push(r));
    tick(); // the only sync slot is busy: b is processed now all the same
    void committer.submit('c').then((r) => answered.push(r));
    tick();
    expect(commits).toEqual([1, 1, 1]);
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await settle();
    expect(answered).toEqual(['ok:a']);
    expect(syncs).toHaveLength(2); // b and c share the sync that starts when #1 ends
    syncs[1]!.resolve();
    await committer.drained();
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c']);
  });

  it('fails the batches a failed sync covered with a StoreError (503), so Alertmanager re-sends them', async () => {
    const { committer, syncs, tick, settle } = syncHarness();
    const result = committer.submit('a');
    tick();
    await settle();
    syncs[0]!.reject(new Error('EIO'));
    await expect(result).rejects.toBeInstanceOf(StoreError);
  });
});

describe('GroupCommitter with a checkpoint barrier', () => {
  function checkpointHarness(everyCommits: number, withPrepare = false) {
    const commits: string[][] = [];
    const deferred: (() => void)[] = [];
    const checkpoints: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const prepared: { resolve: () => void; reject: (e: Error) => void }[] = [];
    let open: string[] = [];
    const committer = new GroupCommitter<string, string>({
      transaction: (fn) => {
        open = [];
        const result = fn();
        commits.push(open);
        return result;
      },
      process: (item) => {
        open.push(item);
        return `ok:${item}`;
      },
      maxWeight: 2,
      weight: () => 1,
      defer: (fn) => deferred.push(fn),
      checkpoint: {
        everyCommits,
        everyWeight: 1000,
        ...(withPrepare ? { prepare: () => new Promise<void>((resolve, reject) => prepared.push({ resolve, reject })) } : {}),
        run: () => new Promise<void>((resolve, reject) => checkpoints.push({ resolve, reject })),
      },
    });
    const tick = () => deferred.splice(0).forEach((fn) => fn());
    return { committer, commits, checkpoints, prepared, tick };
  }

  it('checkpoints after every N commits and holds later batches until the checkpoint ends, then commits them together', async () => {
    const { committer, commits, checkpoints, tick } = checkpointHarness(2);
    const answered: string[] = [];
    void committer.submit('a').then((r) => answered.push(r));
    tick(); // commit 1
    void committer.submit('b').then((r) => answered.push(r));
    tick(); // commit 2: the checkpoint starts
    expect(checkpoints).toHaveLength(1);
    for (const item of ['c', 'd']) void committer.submit(item).then((r) => answered.push(r));
    tick();
    await Promise.resolve();
    expect(commits).toHaveLength(2); // c and d wait for the checkpoint
    expect(answered).toEqual(['ok:a', 'ok:b']);
    checkpoints[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    tick();
    expect(commits).toEqual([['a'], ['b'], ['c', 'd']]); // c and d in one commit, after the checkpoint
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    await committer.drained();
  });

  it('runs the checkpoint\'s first part with commits going on, and holds them only for the second', async () => {
    const { committer, commits, checkpoints, prepared, tick } = checkpointHarness(2, true);
    const answered: string[] = [];
    for (const item of ['a', 'b']) {
      void committer.submit(item).then((r) => answered.push(r));
      tick();
    }
    // Commit 2 reached the threshold: the first part runs, the held one has not begun.
    expect(prepared).toHaveLength(1);
    expect(checkpoints).toHaveLength(0);
    void committer.submit('c').then((r) => answered.push(r));
    tick();
    await Promise.resolve();
    expect(commits).toEqual([['a'], ['b'], ['c']]); // c commits while the first part runs
    let drained = false;
    const drain = committer.drained().then(() => (drained = true));
    prepared[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(checkpoints).toHaveLength(1); // then the held part
    void committer.submit('d').then((r) => answered.push(r));
    tick();
    await Promise.resolve();
    expect(commits).toHaveLength(3); // d waits for it
    expect(drained).toBe(false); // a drain waits for the whole checkpoint
    checkpoints[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    tick();
    expect(commits).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(answered).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    // The count started again when the first part began: c and d are the next two, and the next checkpoint begins.
    expect(prepared).toHaveLength(2);
    expect(drained).toBe(false);
    prepared[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    checkpoints[1]!.resolve();
    await drain;
  });

  it('holds for the second part even when the first part fails', async () => {
    const { committer, commits, checkpoints, prepared, tick } = checkpointHarness(1, true);
    void committer.submit('a');
    tick();
    prepared[0]!.reject(new Error('database is locked'));
    await new Promise((r) => setImmediate(r));
    expect(checkpoints).toHaveLength(1);
    const later = committer.submit('b');
    tick();
    await Promise.resolve();
    expect(commits).toEqual([['a']]);
    checkpoints[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    tick();
    await expect(later).resolves.toBe('ok:b');
  });

  it('goes on committing when a checkpoint fails', async () => {
    const { committer, checkpoints, tick } = checkpointHarness(1);
    void committer.submit('a');
    tick();
    const later = committer.submit('b');
    tick();
    checkpoints[0]!.reject(new Error('disk I/O error'));
    await new Promise((r) => setImmediate(r));
    tick();
    await expect(later).resolves.toBe('ok:b');
  });
});
