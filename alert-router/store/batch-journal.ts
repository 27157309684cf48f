import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open as openFile, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';

/** One acknowledged webhook batch: its place in the journal, when it was received, and its body. */
export interface JournalRecord {
  seq: number;
  /** Epoch ms the router received it: replay runs the pipeline at this time. */
  at: number;
  /** The webhook's body as received (JSON): replay parses, validates and normalises it again. */
  body: Buffer;
}

/** What {@link BatchJournal.open} found on disk. */
export interface JournalContents {
  journal: BatchJournal;
  /** Every complete record, in seq order. */
  records: JournalRecord[];
  /** A segment that ends in a record cut short by a crash (never acknowledged): where its whole records end. */
  tornTails: { file: string; offset: number }[];
}

/** Payload length (u32) and the payload's CRC-32 (u32), little-endian. A zero length ends a segment. */
const HEADER_BYTES = 8;
/** The payload starts with the seq and the receive time (f64 little-endian each), then the body. */
const PREFIX_BYTES = 16;
/** A record longer than this is corruption, not a batch (the webhook's body limit is far below it). */
const MAX_RECORD_BYTES = 256 * 2 ** 20;
const SEGMENT = /^journal-(\d{16})\.log$/;
/** The next segment, ready before it is needed: a released segment reused, or one written out. */
const SPARE = 'journal-spare.tmp';
const END_MARKER = Buffer.alloc(HEADER_BYTES);

const segmentName = (firstSeq: number) => `journal-${String(firstSeq).padStart(16, '0')}.log`;

interface Segment {
  file: string;
  /** Highest seq written to it (0 while empty). */
  lastSeq: number;
}

/**
 * The router's durable record of every webhook batch it acknowledged: an append-only log of
 * length-prefixed, CRC-32-checked records (seq, receive time, the body as received) in segment files.
 * A commit group's batches are appended in one write and the file fdatasynced before their 2xx; the
 * SQLite store applies the same batches in a transaction it commits later, in bulk, and records the
 * last seq it applied. After a crash the records past that seq are applied again
 * ({@link BatchJournal.open} returns them), so an acknowledged batch is never lost however far the
 * store was behind.
 *
 * Why: a commit of the store per group wrote ~4 WAL pages (16 KiB) per single-alert webhook, since
 * each new alert lands in its incident's part of two indexes; a journal record is its body as received
 * (~0.6 KiB for one alert), and the store's bulk commits write each hot page once for many webhooks.
 *
 * Every append ends with a zero header (the next append overwrites it), and the records of a segment
 * have consecutive seqs from the one in its name: so a reader stops exactly at the last record written,
 * even in a segment reused from an earlier one that still holds that one's records after it.
 * Segments roll over at `segmentBytes`; {@link BatchJournal.release} recycles (or deletes) those whose
 * records the store holds durably. A reused segment's blocks are allocated and written, so appends
 * overwrite them in place and each fdatasync flushes data only, no file-system metadata (with a
 * growing file, an ext4 journal commit each time): 11 % less CPU per single-alert webhook and 5–17 %
 * more webhooks per second in interleaved pairs (docs/benchmarks.md). A clean stop leaves the last
 * segment as the spare, and the next start reuses it; without one, a spare is written out (zeros) on the
 * thread pool when the journal opens.
 */
export class BatchJournal {
  private fd: number | undefined;
  /** Segments written since the last sync began: a roll can come between an append and its sync. */
  private readonly unsynced = new Set<number>();
  /** Syncs running on the thread pool, and the descriptors of retired segments that wait for them to close. */
  private syncsRunning = 0;
  private readonly retired: number[] = [];
  private active: Segment | undefined;
  private activeBytes = 0;
  private readonly closed: Segment[] = [];
  private next: number;
  /** The spare segment: ready to be renamed into place, or being written out. */
  private spare: { path: string; ready: boolean; done: Promise<boolean> } | undefined;
  /**
   * Where an append lays out its records before the write, kept between appends: a group's records are
   * over Node's 4 KiB pool, and a new buffer for each was 1 % of the main thread per single-alert
   * webhook (`--cpu-prof`). Used only within one synchronous append; a larger one (big batches) gets
   * a buffer of its own, so none is kept at the size of the largest ever seen.
   */
  private readonly scratch = Buffer.allocUnsafe(256 * 1024);

  private constructor(
    readonly dir: string,
    existing: Segment[],
    nextSeq: number,
    private readonly segmentBytes: number,
    private readonly preallocate: boolean,
    leftoverSpare: string | undefined,
    /** False with `store.synchronous: normal`: {@link sync} is never called, nothing waits for it. */
    private readonly fsync: boolean,
  ) {
    this.closed.push(...existing);
    this.next = nextSeq;
    if (leftoverSpare !== undefined) this.spare = { path: leftoverSpare, ready: true, done: Promise.resolve(true) };
    else if (preallocate) this.writeOutSpare();
  }

  /**
   * Opens (creating when missing) the journal in `dir` and reads what it holds. New records go to a
   * new segment; existing segments stay until released. `afterSeq`: the store's last applied seq, so
   * seqs go on from the larger of it and the journal's last.
   */
  static open(dir: string, options: { afterSeq: number; segmentBytes?: number; preallocate?: boolean; fsync?: boolean }): JournalContents {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new Error(`could not create the journal directory ${dir}`, { cause });
    }
    const all = readdirSync(dir);
    const names = all.filter((n) => SEGMENT.test(n)).sort();
    const records: JournalRecord[] = [];
    const tornTails: JournalContents['tornTails'] = [];
    const segments: Segment[] = [];
    let lastSeq = 0;
    for (const name of names) {
      const file = join(dir, name);
      const firstSeq = Number(SEGMENT.exec(name)![1]);
      const { records: found, torn, end } = readSegment(file, firstSeq);
      if (torn) tornTails.push({ file, offset: end });
      if (found.length === 0) {
        // Started and never written whole before a crash: nothing in it was acknowledged.
        unlinkOrThrow(file);
        continue;
      }
      if (firstSeq <= lastSeq) throw new Error(`journal segment ${file}: starts at record ${firstSeq}, not after ${lastSeq}`);
      for (const r of found) if (r.seq > options.afterSeq) records.push(r);
      lastSeq = found.at(-1)!.seq;
      segments.push({ file, lastSeq });
    }
    const nextSeq = Math.max(lastSeq, options.afterSeq) + 1;
    // A spare left at the last stop (a released segment, or one being written out then) is reused: it
    // holds no record of this journal's seqs, and reading never runs past what is appended to it.
    const spare = all.includes(SPARE) ? join(dir, SPARE) : undefined;
    const preallocate = options.preallocate ?? true;
    if (spare !== undefined && !preallocate) unlinkOrThrow(spare);
    return {
      journal: new BatchJournal(dir, segments, nextSeq, options.segmentBytes ?? 8 * 2 ** 20, preallocate, preallocate ? spare : undefined, options.fsync ?? true),
      records,
      tornTails,
    };
  }

  /** The seq the next appended record gets. */
  get nextSeq(): number {
    return this.next;
  }

  /**
   * The records with these seqs, read back from the segments on disk (not yet released), in the order
   * asked. For applying a rolled-back bulk transaction's batches again (router-service.ts): the rare
   * path reads the disk so the common one keeps no body in memory. Throws naming a seq it cannot find.
   */
  read(seqs: readonly number[]): JournalRecord[] {
    if (seqs.length === 0) return [];
    const wanted = new Set(seqs);
    const [lo, hi] = [Math.min(...seqs), Math.max(...seqs)];
    const found = new Map<number, JournalRecord>();
    for (const segment of this.active === undefined ? this.closed : [...this.closed, this.active]) {
      const firstSeq = Number(SEGMENT.exec(basename(segment.file))![1]);
      // Only segments whose seqs overlap those asked (an empty one's lastSeq is 0).
      if (segment.lastSeq < Math.max(firstSeq, lo) || firstSeq > hi) continue;
      for (const r of readSegment(segment.file, firstSeq).records) if (wanted.has(r.seq)) found.set(r.seq, r);
    }
    return seqs.map((seq) => {
      const r = found.get(seq);
      if (r === undefined) throw new Error(`journal record ${seq} is not in ${this.dir}`);
      return r;
    });
  }

  /** The seq of the last record appended (0 before any): the store holds every one once it commits. */
  get lastSeq(): number {
    return this.next - 1;
  }

  /**
   * Appends one record per batch, in one write, and returns them with their seqs. Not durable until
   * {@link sync} resolves. Throws when the write fails; the seqs are then not used.
   */
  append(batches: readonly { at: number; body: Buffer }[]): JournalRecord[] {
    if (batches.length === 0) return [];
    const records = batches.map((b, i) => ({ seq: this.next + i, at: b.at, body: b.body }));
    let size = 0;
    for (const r of records) size += HEADER_BYTES + PREFIX_BYTES + r.body.length;
    const total = size + END_MARKER.length;
    const bytes = total <= this.scratch.length ? this.scratch.subarray(0, total) : Buffer.allocUnsafe(total);
    let at = 0;
    for (const r of records) {
      const start = at + HEADER_BYTES;
      bytes.writeUInt32LE(PREFIX_BYTES + r.body.length, at);
      bytes.writeDoubleLE(r.seq, start);
      bytes.writeDoubleLE(r.at, start + 8);
      r.body.copy(bytes, start + PREFIX_BYTES);
      at = start + PREFIX_BYTES + r.body.length;
      bytes.writeUInt32LE(crc32(bytes.subarray(start, at)), start - 4);
    }
    END_MARKER.copy(bytes, size);
    if (this.fd === undefined || (this.activeBytes > 0 && this.activeBytes + bytes.length > this.segmentBytes)) this.roll(records[0]!.seq);
    this.writeAtEnd(bytes);
    this.activeBytes += size; // the end marker is overwritten by the next append
    this.active!.lastSeq = records.at(-1)!.seq;
    this.next += records.length;
    return records;
  }

  /**
   * Writes what an append writes, without a record: the end marker where the next record goes, in the
   * segment being written (starting the one the next append would start, when none is). The readiness
   * probe's write; with {@link sync} after it, the fdatasync a webhook waits for. A start reads nothing
   * of it (a segment with no record is deleted). Throws when the write fails, as append does.
   */
  touch(): void {
    if (this.fd === undefined) this.roll(this.next);
    this.writeAtEnd(END_MARKER);
  }

  /** Writes `bytes` where the next record goes in the segment being written. */
  private writeAtEnd(bytes: Buffer): void {
    let written = 0;
    if (this.fsync) this.unsynced.add(this.fd!);
    try {
      while (written < bytes.length) written += writeSync(this.fd!, bytes, written, bytes.length - written, this.activeBytes + written);
    } catch (cause) {
      // What follows a short write is unknown: the next append starts a fresh segment.
      this.retireActive();
      throw new Error(`could not append to the journal in ${this.dir}`, { cause });
    }
  }

  /**
   * Resolves once everything appended before the call is on disk: an fdatasync, on libuv's thread pool,
   * of every segment written since the last sync began (the one before a roll included).
   */
  sync(): Promise<void> {
    const fds = [...this.unsynced];
    this.unsynced.clear();
    if (fds.length === 0) return Promise.resolve();
    this.syncsRunning++;
    const one = (fd: number) =>
      new Promise<void>((resolve, reject) => {
        fdatasync(fd, (error) => (error === null ? resolve() : reject(new Error(`could not fsync the journal in ${this.dir}`, { cause: error }))));
      });
    return Promise.all(fds.map(one)).then(
      () => this.syncEnded(),
      (error: unknown) => {
        this.syncEnded();
        throw error;
      },
    );
  }

  private syncEnded(): void {
    this.syncsRunning--;
    if (this.syncsRunning === 0) for (const fd of this.retired.splice(0)) closeSync(fd);
  }

  /**
   * Lets go of the segments whose every record has seq ≤ `durableSeq` (the store holds them durably):
   * one becomes the spare when there is none, the others are deleted. The segment being written stays.
   * Returns how many it let go.
   */
  release(durableSeq: number): number {
    let released = 0;
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const s = this.closed[i]!;
      if (s.lastSeq > durableSeq) continue;
      if (this.preallocate && this.spare === undefined && s.lastSeq > 0) {
        const path = join(this.dir, SPARE);
        try {
          renameSync(s.file, path);
          this.spare = { path, ready: true, done: Promise.resolve(true) };
        } catch {
          unlinkOrThrow(s.file);
        }
      } else {
        unlinkOrThrow(s.file);
      }
      this.closed.splice(i, 1);
      released++;
    }
    return released;
  }

  /** Resolves once the spare is ready (true) or could not be written out (false); for tests. */
  spareReady(): Promise<boolean> {
    return this.spare?.done ?? Promise.resolve(false);
  }

  /** Closes the segment being written (after the last sync has settled). */
  close(): void {
    this.retireActive();
  }

  private retireActive(): void {
    // Closed once no sync runs, and after the sync that covers its last append: a descriptor closed
    // under a running fdatasync could be reused for the next segment, and the sync meant for this one
    // would flush that one instead.
    if (this.fd !== undefined) {
      if (this.syncsRunning > 0 || this.unsynced.has(this.fd)) this.retired.push(this.fd);
      else closeSync(this.fd);
    }
    if (this.active !== undefined) this.closed.push(this.active);
    this.fd = undefined;
    this.active = undefined;
    this.activeBytes = 0;
  }

  /** Starts a new segment named after its first seq (the spare, when ready), durable in its directory. */
  private roll(firstSeq: number): void {
    this.retireActive();
    const file = join(this.dir, segmentName(firstSeq));
    // A segment retired empty after a failed first write has this name: it is replaced, not kept.
    const stale = this.closed.findIndex((c) => c.file === file);
    if (stale >= 0) this.closed.splice(stale, 1);
    try {
      const spare = this.spare;
      if (spare?.ready === true) {
        renameSync(spare.path, file);
        this.spare = undefined;
        this.fd = openSync(file, 'r+');
      } else {
        this.fd = openSync(file, 'w');
      }
      const dirFd = openSync(this.dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (cause) {
      throw new Error(`could not start the journal segment ${file}`, { cause });
    }
    this.active = { file, lastSeq: 0 };
  }

  /** Writes a spare segment out (zeros, then fdatasync) on the thread pool; a roll before it is done starts a plain one. */
  private writeOutSpare(): void {
    const path = join(this.dir, SPARE);
    const size = this.segmentBytes;
    const spare: NonNullable<BatchJournal['spare']> = {
      path,
      ready: false,
      done: (async () => {
        const fh = await openFile(path, 'w');
        try {
          const zeros = Buffer.alloc(Math.min(size, 2 ** 20));
          for (let at = 0; at < size; at += zeros.length) await fh.write(zeros, 0, Math.min(zeros.length, size - at), at);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      })().then(
        () => {
          spare.ready = true;
          return true;
        },
        async () => {
          // Not fatal: segments start plain until one is released and reused. What was written of it
          // goes (on a full disk, up to a segment's worth of zeros would stay and keep it full), before
          // a released segment may take the spare's name.
          await unlink(path).catch(() => undefined);
          if (this.spare === spare) this.spare = undefined;
          return false;
        },
      ),
    };
    this.spare = spare;
  }
}

function unlinkOrThrow(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`could not delete the journal segment ${file}`, { cause: error });
  }
}

/**
 * The records of a segment: consecutive seqs from `firstSeq`, up to a zero header (the end of what was
 * written) or the end of the file. Anything else where a record should start is a write a crash cut
 * short (`torn`); bytes after a zero header are an earlier use of the file, not records.
 */
function readSegment(file: string, firstSeq: number): { records: JournalRecord[]; torn: boolean; end: number } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (cause) {
    throw new Error(`could not read the journal segment ${file}`, { cause });
  }
  const records: JournalRecord[] = [];
  let offset = 0;
  let expected = firstSeq;
  while (offset < data.length) {
    if (offset + HEADER_BYTES > data.length) return { records, torn: true, end: offset };
    const length = data.readUInt32LE(offset);
    if (length === 0) return { records, torn: false, end: offset };
    if (length < PREFIX_BYTES || length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) return { records, torn: true, end: offset };
    const payload = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(payload) !== data.readUInt32LE(offset + 4) || payload.readDoubleLE(0) !== expected) return { records, torn: true, end: offset };
    records.push({ seq: expected, at: payload.readDoubleLE(8), body: Buffer.from(payload.subarray(PREFIX_BYTES)) });
    expected++;
    offset += HEADER_BYTES + length;
  }
  return { records, torn: false, end: offset };
}
