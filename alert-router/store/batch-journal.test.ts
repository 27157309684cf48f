import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchJournal } from './batch-journal.js';

/** A webhook body as Alertmanager sends it (non-ASCII and quotes included). */
const body = (fingerprint: string): Buffer =>
  Buffer.from(JSON.stringify({ version: '4', alerts: [{ fingerprint, labels: { alertname: 'Load' }, annotations: { summary: 'ünïcode and "quotes"' } }] }), 'utf8');
const fingerprintOf = (b: Buffer) => (JSON.parse(b.toString('utf8')) as { alerts: { fingerprint: string }[] }).alerts[0]!.fingerprint;

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'slokit-journal-')), 'router.db.batch-journal');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const segments = () => readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
const plain = { preallocate: false } as const;

describe('BatchJournal', () => {
  it('gives back, after a reopen, every record appended past the seq the store applied, in order and byte for byte', async () => {
    const { journal, records } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(records).toEqual([]);
    expect(journal.append([{ at: 1, body: body('a') }]).map((r) => r.seq)).toEqual([1]);
    expect(journal.append([{ at: 2, body: body('b') }, { at: 2, body: body('c') }]).map((r) => r.seq)).toEqual([2, 3]);
    await journal.sync();
    journal.close();

    const again = BatchJournal.open(dir, { afterSeq: 1, ...plain });
    expect(again.records.map((r) => [r.seq, r.at, fingerprintOf(r.body)])).toEqual([
      [2, 2, 'b'],
      [3, 2, 'c'],
    ]);
    expect(again.records[0]!.body.equals(body('b'))).toBe(true);
    expect(again.tornTails).toEqual([]);
    // Seqs go on after the last one on disk, in a new segment named after its first.
    expect(again.journal.append([{ at: 3, body: body('d') }])[0]!.seq).toBe(4);
    again.journal.close();
    expect(segments()).toEqual(['journal-0000000000000001.log', 'journal-0000000000000004.log']);
  });

  it('gives back byte for byte appends of every size, a group larger than its reused write buffer among them', async () => {
    const big = Buffer.from(JSON.stringify({ version: '4', alerts: [{ fingerprint: 'big', labels: { alertname: 'Load' }, annotations: { summary: 'x'.repeat(300 * 1024) } }] }));
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.append([{ at: 1, body: body('a') }, { at: 1, body: body('b') }]);
    journal.append([{ at: 2, body: big }]);
    journal.append([{ at: 3, body: body('c') }]);
    await journal.sync();
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records.map((r) => [r.seq, r.at, fingerprintOf(r.body)])).toEqual([
      [1, 1, 'a'],
      [2, 1, 'b'],
      [3, 2, 'big'],
      [4, 3, 'c'],
    ]);
    expect(again.records[2]!.body.equals(big)).toBe(true);
    expect(again.records[3]!.body.equals(body('c'))).toBe(true);
    expect(again.tornTails).toEqual([]);
    again.journal.close();
  });

  it('reads back the records of given seqs while it runs, across segments, and names one it does not hold', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 300, ...plain });
    for (const f of ['a', 'b', 'c', 'd', 'e']) journal.append([{ at: f.charCodeAt(0), body: body(f) }]);
    expect(segments().length).toBeGreaterThan(1);
    const read = journal.read([2, 5, 4]);
    expect(read.map((r) => [r.seq, r.at, fingerprintOf(r.body)])).toEqual([
      [2, 98, 'b'],
      [5, 101, 'e'],
      [4, 100, 'd'],
    ]);
    expect(read[0]!.body.equals(body('b'))).toBe(true);
    expect(journal.read([])).toEqual([]);
    expect(() => journal.read([3, 9])).toThrow(`journal record 9 is not in ${dir}`);
    await journal.sync();
    journal.close();
  });

  it('goes on after the store applied seq when the journal holds nothing newer', () => {
    const { journal, records } = BatchJournal.open(dir, { afterSeq: 41, ...plain });
    expect(records).toEqual([]);
    expect(journal.append([{ at: 1, body: body('a') }])[0]!.seq).toBe(42);
    journal.close();
  });

  it('ignores a record cut short by a crash, names where, and keeps the whole ones before it', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.append([{ at: 1, body: body('a') }]);
    journal.append([{ at: 2, body: body('b') }]);
    journal.close();
    const [file] = segments();
    const path = join(dir, file!);
    const whole = statSync(path).size - 8; // the records, then the zero header that ends them
    // A third append the crash interrupted: its header and a few bytes of its payload.
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, whole), Buffer.from([0x40, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x7b, 0x22])]));

    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(again.tornTails).toEqual([{ file: path, offset: whole }]);
    expect(again.journal.append([{ at: 3, body: body('c') }])[0]!.seq).toBe(3);
    again.journal.close();
  });

  it('stops at a record whose checksum does not match, and drops a segment with no whole record', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.append([{ at: 1, body: body('a') }]);
    journal.close();
    const [file] = segments();
    const path = join(dir, file!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 12] = bytes[bytes.length - 12]! ^ 0xff; // inside the body
    writeFileSync(path, bytes);
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records).toEqual([]);
    expect(again.tornTails).toEqual([{ file: path, offset: 0 }]);
    expect(existsSync(path)).toBe(false); // nothing in it was acknowledged
    again.journal.close();
  });

  it('rolls over to a new segment and deletes only segments whose every record the store holds durably', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 300, ...plain });
    for (let i = 0; i < 6; i++) journal.append([{ at: i, body: body(`fp-${i}`) }]);
    const before = segments();
    expect(before.length).toBeGreaterThan(2);
    // Nothing durable yet: nothing goes.
    expect(journal.release(0)).toBe(0);
    expect(segments()).toEqual(before);
    // Durable up to 3: the segments that end at or before 3 go; the one being written stays.
    expect(journal.release(3)).toBeGreaterThan(0);
    expect(segments().length).toBeLessThan(before.length);
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 3, ...plain });
    expect(again.records.map((r) => r.seq)).toEqual([4, 5, 6]);
    again.journal.release(6);
    again.journal.close();
    expect(segments()).toEqual([]);
  });

  it('deletes a segment that was started and never written whole, and reuses its name', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.close();
    writeFileSync(join(dir, 'journal-0000000000000001.log'), Buffer.from([0x05, 0x00]));
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records).toEqual([]);
    expect(segments()).toEqual([]);
    expect(again.journal.append([{ at: 1, body: body('a') }])[0]!.seq).toBe(1);
    again.journal.release(1);
    expect(segments()).toEqual(['journal-0000000000000001.log']); // the one being written stays
    again.journal.close();
  });

  it('ignores a segment whose records do not start at the seq its name gives, naming it', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.append([{ at: 1, body: body('a') }, { at: 1, body: body('b') }]);
    journal.close();
    // A copy of the first segment under a later name: its records do not start where the name says.
    writeFileSync(join(dir, 'journal-0000000000000002.log'), readFileSync(join(dir, 'journal-0000000000000001.log')));
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(again.tornTails).toEqual([{ file: join(dir, 'journal-0000000000000002.log'), offset: 0 }]);
    again.journal.close();
  });

  it('writes a spare segment out when it opens, and the first roll takes it: full size, records at its start', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 64 * 1024 });
    expect(await journal.spareReady()).toBe(true);
    journal.append([{ at: 1, body: body('a') }]);
    journal.append([{ at: 2, body: body('b') }]);
    const [first] = segments();
    expect(statSync(join(dir, first!)).size).toBe(64 * 1024);
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(again.tornTails).toEqual([]);
    expect(readdirSync(dir)).not.toContain('journal-spare.tmp'); // a spare left at a stop is removed at open
    again.journal.close();
  });

  it('reuses a released segment for the next one, and reads only the new records from it', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 400 });
    expect(await journal.spareReady()).toBe(true);
    for (let i = 1; i <= 3; i++) journal.append([{ at: i, body: body(`old-${i}`) }]); // fills the first segment
    const [first] = segments();
    journal.append([{ at: 4, body: body('next') }]); // rolls over: a plain segment (the spare was used)
    expect(segments()).toHaveLength(2);
    // The store holds 1–3: the first segment becomes the spare instead of being deleted.
    journal.release(3);
    expect(segments()).toHaveLength(1);
    expect(readdirSync(dir)).toContain('journal-spare.tmp');
    // Fill the second segment so the next append rolls into the reused file, which still holds old records.
    let seq = 5;
    while (segments().length === 1) journal.append([{ at: seq, body: body(`new-${seq++}`) }]);
    const newest = segments().at(-1)!;
    expect(newest).not.toBe(first);
    expect(statSync(join(dir, newest)).size).toBe(400); // the reused file, written over in place
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 3, ...plain });
    expect(again.records.map((r) => fingerprintOf(r.body))).toEqual(['next', ...Array.from({ length: seq - 5 }, (_, i) => `new-${i + 5}`)]);
    expect(again.tornTails).toEqual([]);
    again.journal.close();
  });

  it('adds no record when touched (the readiness probe): a start reads the records appended around it', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    journal.append([{ at: 1, body: body('a') }]);
    journal.touch();
    await journal.sync();
    journal.append([{ at: 2, body: body('b') }]);
    journal.touch();
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 0, ...plain });
    expect(again.records.map((r) => [r.seq, fingerprintOf(r.body)])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(again.tornTails).toEqual([]);
    again.journal.close();
  });

  it('starts the segment the next append would when touched with none open, and a start deletes it while it holds no record', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 400 });
    await journal.spareReady();
    for (let i = 1; i <= 3; i++) journal.append([{ at: i, body: body(`old-${i}`) }]);
    journal.close();
    journal.release(3); // the segment becomes the spare, its old records still in it
    journal.touch(); // takes the spare as segment 4
    await journal.sync();
    expect(segments()).toEqual(['journal-0000000000000004.log']);
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 3, ...plain });
    expect(again.records).toEqual([]);
    expect(again.tornTails).toEqual([]);
    expect(segments()).toEqual([]);
    expect(again.journal.append([{ at: 4, body: body('next') }])[0]!.seq).toBe(4);
    again.journal.close();
  });

  it('reuses the spare a stop left behind instead of writing a new one out', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 400 });
    await journal.spareReady();
    for (let i = 1; i <= 4; i++) journal.append([{ at: i, body: body(`old-${i}`) }]);
    journal.close();
    journal.release(4); // a clean stop: the store holds everything; the newest segment becomes the spare
    expect(segments()).toEqual([]);
    expect(readdirSync(dir)).toContain('journal-spare.tmp');

    const again = BatchJournal.open(dir, { afterSeq: 4, segmentBytes: 400 });
    expect(again.records).toEqual([]);
    again.journal.append([{ at: 5, body: body('after-restart') }]);
    expect(readdirSync(dir)).not.toContain('journal-spare.tmp'); // taken as the new segment
    again.journal.close();
    const third = BatchJournal.open(dir, { afterSeq: 4, ...plain });
    expect(third.records.map((r) => [r.seq, fingerprintOf(r.body)])).toEqual([[5, 'after-restart']]);
    expect(third.tornTails).toEqual([]);
    third.journal.close();
  });
});
