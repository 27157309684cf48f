import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

describe('BatchJournal', () => {
  it('gives back, after a reopen, every record appended past the seq the store applied, in order', async () => {
    const { journal, records } = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(records).toEqual([]);
    expect(journal.append([{ at: 1, body: body('a') }]).map((r) => r.seq)).toEqual([1]);
    expect(journal.append([{ at: 2, body: body('b') }, { at: 2, body: body('c') }]).map((r) => r.seq)).toEqual([2, 3]);
    await journal.sync();
    journal.close();

    const again = BatchJournal.open(dir, { afterSeq: 1, preallocate: false });
    expect(again.records.map((r) => [r.seq, r.at, fingerprintOf(r.body)])).toEqual([
      [2, 2, 'b'],
      [3, 2, 'c'],
    ]);
    expect(again.records[0]!.body.equals(body('b'))).toBe(true); // byte for byte as appended
    expect(again.tornTails).toEqual([]);
    // Seqs go on after the last one on disk, in a new segment.
    expect(again.journal.append([{ at: 3, body: body('d') }])[0]!.seq).toBe(4);
    again.journal.close();
    expect(segments()).toEqual(['journal-0000000000000001.log', 'journal-0000000000000004.log']);
  });

  it('goes on after the store applied seq when the journal holds nothing newer', () => {
    const { journal, records } = BatchJournal.open(dir, { afterSeq: 41, preallocate: false });
    expect(records).toEqual([]);
    expect(journal.append([{ at: 1, body: body('a') }])[0]!.seq).toBe(42);
    journal.close();
  });

  it('ignores a record cut short by a crash, names where, and keeps the whole ones before it', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    journal.append([{ at: 1, body: body('a') }]);
    journal.append([{ at: 2, body: body('b') }]);
    journal.close();
    const [file] = segments();
    const whole = statSync(join(dir, file!)).size;
    // Half a header and a few bytes of payload: a write the crash interrupted.
    appendFileSync(join(dir, file!), Buffer.from([0x40, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x7b, 0x22]));

    const again = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(again.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(again.tornTails).toEqual([{ file: join(dir, file!), offset: whole, bytes: 10 }]);
    expect(again.journal.append([{ at: 3, body: body('c') }])[0]!.seq).toBe(3);
    again.journal.close();
  });

  it('stops at a record whose checksum does not match (a torn or overwritten write)', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    journal.append([{ at: 1, body: body('a') }]);
    journal.close();
    const [file] = segments();
    const path = join(dir, file!);
    const bytes = readFileSync(path);
    const size = bytes.length;
    bytes[size - 3] = bytes[size - 3]! ^ 0xff;
    writeFileSync(path, bytes);
    const again = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(again.records).toEqual([]);
    expect(again.tornTails).toEqual([{ file: path, offset: 0, bytes: size }]);
    again.journal.close();
  });

  it('rolls over to a new segment and deletes only segments whose every record the store holds durably', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 300, preallocate: false });
    for (let i = 0; i < 6; i++) journal.append([{ at: i, body: body(`fp-${i}`) }]);
    const before = segments();
    expect(before.length).toBeGreaterThan(2);
    // Nothing durable yet: nothing goes.
    expect(journal.release(0)).toBe(0);
    expect(segments()).toEqual(before);
    // Durable up to 3: the segments that end at or before 3 go, the one being written stays.
    journal.release(3);
    const left = segments();
    expect(left.length).toBeLessThan(before.length);
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 3, preallocate: false });
    expect(again.records.map((r) => r.seq)).toEqual([4, 5, 6]);
    again.journal.release(6);
    again.journal.close();
    expect(segments()).toEqual([]);
  });

  it('deletes a segment that was started and never written whole, and reuses its name', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    journal.close();
    writeFileSync(join(dir, 'journal-0000000000000001.log'), Buffer.from([0x05, 0x00]));
    const again = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(again.records).toEqual([]);
    expect(segments()).toEqual([]);
    expect(again.journal.append([{ at: 1, body: body('a') }])[0]!.seq).toBe(1);
    again.journal.release(1);
    expect(segments()).toEqual(['journal-0000000000000001.log']); // the one being written stays
    again.journal.close();
  });

  it('refuses records out of order, naming the segment', () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    journal.append([{ at: 1, body: body('a') }, { at: 1, body: body('b') }]);
    journal.close();
    const [file] = segments();
    // A second segment that repeats seq 2: not something this journal writes.
    const { journal: other } = BatchJournal.open(join(dir, '..', 'other'), { afterSeq: 1, preallocate: false });
    other.append([{ at: 1, body: body('x') }]);
    other.close();
    const [otherFile] = readdirSync(join(dir, '..', 'other'));
    writeFileSync(join(dir, 'journal-0000000000000009.log'), readFileSync(join(dir, '..', 'other', otherFile!)));
    expect(() => BatchJournal.open(dir, { afterSeq: 0, preallocate: false })).toThrow(`journal segment ${join(dir, 'journal-0000000000000009.log')}: record 2 is out of order (after 2)`);
    expect(file).toBe('journal-0000000000000001.log');
  });

  it('writes the next segment out ahead of time, so appends overwrite it in place, and reads its zero tail as no record', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 64 * 1024 });
    expect(await journal.spareReady()).toBe(true);
    journal.append([{ at: 1, body: body('a') }]);
    const [first] = segments();
    // The spare became the first segment: full size, the record at its start.
    expect(statSync(join(dir, first!)).size).toBe(64 * 1024);
    expect(await journal.spareReady()).toBe(true); // and the one after it is being written out
    journal.append([{ at: 2, body: body('b') }]);
    journal.close();
    const again = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(again.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(again.tornTails).toEqual([]);
    expect(readdirSync(dir)).not.toContain('journal-spare.tmp'); // a leftover spare is removed at open
    again.journal.close();
  });

  it('finds a record cut short inside a written-out segment', async () => {
    const { journal } = BatchJournal.open(dir, { afterSeq: 0, segmentBytes: 64 * 1024 });
    await journal.spareReady();
    journal.append([{ at: 1, body: body('a') }]);
    journal.close();
    const [file] = segments();
    const path = join(dir, file!);
    const bytes = readFileSync(path);
    const end = bytes.indexOf(0, 8 + bytes.readUInt32LE(0)); // the first zero after the record
    bytes.writeUInt32LE(500, end); // a header whose payload never made it
    writeFileSync(path, bytes);
    const again = BatchJournal.open(dir, { afterSeq: 0, preallocate: false });
    expect(again.records.map((r) => r.seq)).toEqual([1]);
    expect(again.tornTails).toEqual([{ file: path, offset: end, bytes: 64 * 1024 - end }]);
    again.journal.close();
  });
});
