import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  /** Bytes at the end of a segment that were not a whole record (a write cut short by a crash), by file. */
  tornTails: { file: string; offset: number; bytes: number }[];
}

/** Payload length (u32) and the payload's CRC-32 (u32), little-endian. */
const HEADER_BYTES = 8;
/** The payload starts with the seq and the receive time (f64 little-endian each), then the body. */
const PREFIX_BYTES = 16;
/** A record longer than this is corruption, not a batch (the webhook's body limit is far below it). */
const MAX_RECORD_BYTES = 256 * 2 ** 20;
const SEGMENT = /^journal-(\d{16})\.log$/;
/** The next segment, written out ahead of time (see BatchJournal.prepareSpare). */
const SPARE = 'journal-spare.tmp';

const segmentName = (firstSeq: number) => `journal-${String(firstSeq).padStart(16, '0')}.log`;

interface Segment {
  file: string;
  /** Highest seq written to it (0 while empty). */
  lastSeq: number;
}

/**
 * The router's durable record of every webhook batch it acknowledged, as an append-only log of
 * length-prefixed, CRC-checked records (seq, receive time, the body as received) in segment files. A batch is appended (one write for a
 * whole commit group) and the file fdatasynced before the 2xx; the SQLite store applies the same batch
 * in a transaction it commits later, in bulk, and records the last seq it applied. After a crash the
 * records past that seq are applied again ({@link BatchJournal.open} returns them), so an
 * acknowledged batch is never lost however far the store was behind.
 *
 * Why: a commit of the store per group wrote ~4 WAL pages (16 KiB) per single-alert webhook, since
 * each new alert lands in its incident's part of two indexes; a journal record is its batch's JSON,
 * its body as received (~0.6 KiB for one alert), and the store's bulk commits write each hot page once
 * for many webhooks.
 *
 * Segments roll over at `segmentBytes`; {@link BatchJournal.release} deletes those whose records the
 * store has made durable.
 */
export class BatchJournal {
  private fd: number | undefined;
  private active: Segment | undefined;
  private activeBytes = 0;
  private readonly closed: Segment[] = [];
  private next: number;

  private constructor(
    readonly dir: string,
    existing: Segment[],
    nextSeq: number,
    private readonly segmentBytes: number,
    private readonly preallocate: boolean,
  ) {
    this.closed.push(...existing);
    this.next = nextSeq;
    this.prepareSpare();
  }

  /** The next segment being written out (zeros) in the background, and whether it is done. */
  private spare: { path: string; done: Promise<boolean>; ready: boolean } | undefined;

  /**
   * Opens (creating when missing) the journal in `dir` and reads what it holds. New records go to a
   * new segment; existing segments stay until released. `afterSeq`: the store's last applied seq, so
   * seqs go on from the larger of it and the journal's last.
   */
  static open(dir: string, options: { afterSeq: number; segmentBytes?: number; preallocate?: boolean }): JournalContents {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new Error(`could not create the journal directory ${dir}`, { cause });
    }
    const all = readdirSync(dir);
    // A spare segment being written out when the router stopped: not a segment, never written to.
    if (all.includes(SPARE)) unlinkOrThrow(join(dir, SPARE));
    const names = all.filter((n) => SEGMENT.test(n)).sort();
    const records: JournalRecord[] = [];
    const tornTails: JournalContents['tornTails'] = [];
    const segments: Segment[] = [];
    let lastSeq = 0;
    for (const name of names) {
      const file = join(dir, name);
      const { records: found, validBytes, size } = readSegment(file);
      if (validBytes < size) tornTails.push({ file, offset: validBytes, bytes: size - validBytes });
      if (found.length === 0) {
        // Started and never written whole before a crash: nothing in it was acknowledged.
        unlinkOrThrow(file);
        continue;
      }
      for (const r of found) {
        if (!Number.isSafeInteger(r.seq) || r.seq <= lastSeq) throw new Error(`journal segment ${file}: record ${String(r.seq)} is out of order (after ${lastSeq})`);
        lastSeq = r.seq;
        if (r.seq > options.afterSeq) records.push(r);
      }
      segments.push({ file, lastSeq });
    }
    const nextSeq = Math.max(lastSeq, options.afterSeq) + 1;
    return { journal: new BatchJournal(dir, segments, nextSeq, options.segmentBytes ?? 8 * 2 ** 20, options.preallocate ?? true), records, tornTails };
  }

  /** The seq the next appended record gets. */
  get nextSeq(): number {
    return this.next;
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
    const bytes = Buffer.allocUnsafe(size);
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
    if (this.fd === undefined || this.activeBytes + bytes.length > this.segmentBytes) this.roll(records[0]!.seq);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd!, bytes, written, bytes.length - written, this.activeBytes + written);
    } catch (cause) {
      // Records after a short write would sit behind a torn one: start a fresh segment next time.
      this.activeBytes += written;
      this.retireActive();
      throw new Error(`could not append to the journal in ${this.dir}`, { cause });
    }
    this.activeBytes += bytes.length;
    this.active!.lastSeq = records.at(-1)!.seq;
    this.next += records.length;
    return records;
  }

  /** Resolves once everything appended before the call is on disk (fdatasync on libuv's thread pool). */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      fdatasync(fd, (error) => (error === null ? resolve() : reject(new Error(`could not fsync the journal in ${this.dir}`, { cause: error }))));
    });
  }

  /**
   * Deletes the segments whose every record has seq ≤ `durableSeq` (the store holds them durably).
   * The segment being written stays. Returns how many were deleted.
   */
  release(durableSeq: number): number {
    let deleted = 0;
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const s = this.closed[i]!;
      if (s.lastSeq > durableSeq) continue;
      unlinkOrThrow(s.file);
      this.closed.splice(i, 1);
      deleted++;
    }
    return deleted;
  }

  /** Segment files on disk (the one being written included). */
  get segments(): number {
    return this.closed.length + (this.active === undefined ? 0 : 1);
  }

  /** Closes the segment being written (after the last sync has settled). */
  close(): void {
    this.retireActive();
  }

  private retireActive(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.active !== undefined) this.closed.push(this.active);
    this.fd = undefined;
    this.active = undefined;
    this.activeBytes = 0;
  }

  /** Starts a new segment named after its first seq, durable in its directory before it is used. */
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
    this.prepareSpare();
  }

  /**
   * Writes the next segment out (zeros, then fdatasync) on the thread pool, ahead of the roll that
   * uses it: appends then overwrite allocated blocks of a file whose size does not change, so each
   * fdatasync flushes the data alone, not the file system's metadata (an ext4 journal commit). That
   * took 11 % less CPU per single-alert webhook and 5 % more webhooks per second (docs/benchmarks.md).
   * A roll that comes before the spare is ready starts a plain segment instead.
   */
  private prepareSpare(): void {
    if (!this.preallocate || this.spare !== undefined) return;
    const path = join(this.dir, SPARE);
    const size = this.segmentBytes;
    const spare = {
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
        return true;
      })().then(
        () => {
          spare.ready = true;
          return true;
        },
        () => {
          // Not fatal: the next roll starts a plain segment, and tries again after it.
          if (this.spare === spare) this.spare = undefined;
          return false;
        },
      ),
    };
    this.spare = spare;
  }

  /** Resolves once the spare segment is written out (true), or could not be (false); for tests. */
  spareReady(): Promise<boolean> {
    return this.spare?.done ?? Promise.resolve(false);
  }
}

function unlinkOrThrow(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`could not delete the journal segment ${file}`, { cause: error });
  }
}

/** The complete records at the start of a segment, and where they end (a torn tail follows). */
function readSegment(file: string): { records: JournalRecord[]; validBytes: number; size: number } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (cause) {
    throw new Error(`could not read the journal segment ${file}`, { cause });
  }
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const sum = data.readUInt32LE(offset + 4);
    if (length < PREFIX_BYTES || length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(payload) !== sum) break;
    records.push({ seq: payload.readDoubleLE(0), at: payload.readDoubleLE(8), body: Buffer.from(payload.subarray(PREFIX_BYTES)) });
    offset += HEADER_BYTES + length;
  }
  // The rest of a written-out segment is zeros: not a torn record.
  let zeros = true;
  for (let i = offset; i < data.length && zeros; i++) zeros = data[i] === 0;
  return { records, validBytes: zeros ? data.length : offset, size: data.length };
}
