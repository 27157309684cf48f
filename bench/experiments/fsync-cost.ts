/**
 * `node bin/run-ts.js bench/experiments/fsync-cost.ts [SECONDS] [DIR]`: what one fdatasync costs this machine in
 * CPU, not only in wait. Appends 700-byte records (a single-alert webhook's journal record) to a
 * preallocated 8 MiB file in DIR (default: the system temp directory; pass the store's disk), each followed by
 * an fdatasync on the thread pool, as the batch journal does, back to back for SECONDS (default 3), then
 * the same appends with no fdatasync. Prints one JSON line per mode: calls per second, the process's
 * CPU per call (in all, on the main thread, and on its other threads: the thread pool) and the whole
 * machine's busy time per call (user, system, irq and softirq of every CPU, from /proc/stat).
 *
 * On a VM whose virtual disk has a write-back cache, every fdatasync is a cache flush on the host, and
 * its CPU cost lands on the guest's CPUs (interrupts, exits, the thread pool's wake-ups): that cost,
 * not the wait, is what the router pays per commit group under single-alert load.
 */
import { closeSync, fdatasync, fdatasyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 3);
if (!(seconds > 0)) throw new Error(`SECONDS must be a positive number, got ${process.argv[2]}`);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'slokit-fsync-cost-'));
const FILE_BYTES = 8 * 2 ** 20;
const record = Buffer.alloc(700, 0x61);

/** Busy ticks of every CPU (user, nice, system, irq, softirq) and the tick rate's unit, from /proc/stat. */
function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = fields;
  return user! + nice! + system! + irq! + softirq!;
}
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** CPU ticks (user + system) of this process's main thread and of all its other threads. */
function threadTicks(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    if (Number(tid) === process.pid) main += ticks;
    else others += ticks;
  }
  return { main, others };
}

async function run(sync: boolean): Promise<Record<string, number | string>> {
  const fd = openSync(join(dir, `journal-${sync ? 'sync' : 'nosync'}`), 'w+');
  try {
    writeSync(fd, Buffer.alloc(FILE_BYTES), 0, FILE_BYTES, 0); // allocated and written: appends change no metadata
    fdatasyncSync(fd);
    let position = 0;
    let calls = 0;
    const ticks0 = machineBusyTicks();
    const threads0 = threadTicks();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const deadline = t0 + BigInt(Math.round(seconds * 1e9));
    await new Promise<void>((done, fail) => {
      const step = (): void => {
        writeSync(fd, record, 0, record.length, position);
        position = (position + record.length) % (FILE_BYTES - record.length);
        const next = (error: NodeJS.ErrnoException | null): void => {
          if (error) return fail(error);
          calls++;
          if (process.hrtime.bigint() < deadline) (sync ? step() : setImmediate(step));
          else done();
        };
        if (sync) fdatasync(fd, next);
        else next(null);
      };
      step();
    });
    const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const busyUs = (machineBusyTicks() - ticks0) * TICK_US;
    const threads = threadTicks();
    return {
      mode: sync ? 'write + fdatasync' : 'write only',
      calls,
      perSecond: Math.round(calls / elapsedS),
      wallUsPerCall: Math.round((elapsedS * 1e6) / calls),
      processCpuUsPerCall: Math.round((cpu.user + cpu.system) / calls),
      mainThreadUsPerCall: Math.round(((threads.main - threads0.main) * TICK_US) / calls),
      otherThreadsUsPerCall: Math.round(((threads.others - threads0.others) * TICK_US) / calls),
      machineBusyUsPerCall: Math.round(busyUs / calls),
    };
  } finally {
    closeSync(fd);
  }
}

try {
  for (const sync of [true, false]) console.log(JSON.stringify(await run(sync)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
