import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadPid } from '../../test/support/dead-pid.js';
import { EXIT, main } from './main.js';

/**
 * A Prometheus that holds one series answering every range query with 1 at each step (so every SLO
 * has data, all of it bad), no rules, and a year's retention: enough for a review to write.
 */
async function startPrometheus(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const path = req.url ?? '';
      let data: unknown;
      if (path.startsWith('/api/v1/query_range')) {
        const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(params.get(k)));
        const values: [number, string][] = [];
        for (let t = start!; t <= end!; t += step!) values.push([t, '1']);
        data = { resultType: 'matrix', result: [{ metric: {}, values }] };
      } else if (path.startsWith('/api/v1/query')) data = { resultType: 'vector', result: [] };
      else if (path.startsWith('/api/v1/rules')) data = { groups: [] };
      else data = { storageRetention: '365d' };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake Prometheus has no port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

let prometheus: { server: Server; url: string };
beforeAll(async () => {
  prometheus = await startPrometheus();
});
afterAll(() => {
  prometheus.server.close();
});

let base: string;
let out: string;
beforeEach(async () => {
  // By its real path, as the lock names its directory.
  base = await realpath(await mkdtemp(join(tmpdir(), 'slokit-review-')));
  out = join(base, 'reviews');
  await mkdir(join(base, 'slos'));
  await writeFile(join(base, 'package.json'), '{ "name": "shop" }\n');
  await writeFile(
    join(base, 'slos', 'cart.ts'),
    "export default { name: 'cart', description: 'x', owner: { team: 't' }, slos: [{ name: 'availability', objective: 99.9, sli: { kind: 'boolGauge', selector: 'up{job=\"cart\"}' } }] };\n",
  );
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** `slokit review` of October 2026 into `out`; stderr without the review's own warnings (no rules loaded). */
async function review(...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  let stdout = '';
  let stderr = '';
  const args = ['review', '--prometheus', prometheus.url, '--from', '2026-10-01', '--to', '2026-10-31', '--slos', join(base, 'slos'), '--out', out, ...flags];
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, out: stdout, err: stderr.replace(/^slokit: warning: .*\n/gm, '') };
}

describe('slokit review and what other runs left in its output directory', () => {
  it("clears the temp files and backups a killed review left, of any period's report, says so in one line, and leaves a running process's", async () => {
    const dead = await deadPid();
    await mkdir(out);
    await writeFile(join(out, '2026-10.html'), 'last run\'s report\n');
    const left = [`.2026-10.md.${dead}.tmp`, `.2026-09-01_2026-09-14.html.${dead}.tmp`, `.2026-10.html.${dead}.bak`].map((name) => join(out, name));
    for (const path of left) await writeFile(path, 'half a report\n');
    // A review writing now (the test runner's parent is alive), and names that are no report's staging.
    const kept = [`.2026-08.md.${process.ppid}.tmp`, `.notes.md.${dead}.tmp`, `.2026-10.md.${dead}.tmp.orig`, `.2026-1.md.${dead}.tmp`];
    for (const name of kept) await writeFile(join(out, name), 'not to touch\n');

    const result = await review();
    expect(result.err).toBe(`slokit: removed 3 files a killed run left: ${left.sort((a, b) => a.localeCompare(b)).join(', ')}\n`);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(`  wrote ${join(out, '2026-10.html')}\n`);
    expect(await readFile(join(out, '2026-10.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect((await readdir(out)).sort()).toEqual(['2026-10.html', '2026-10.md', ...kept].sort());
    for (const name of kept) expect(await readFile(join(out, name), 'utf8')).toBe('not to touch\n');
  });

  it('waits while another review holds the lock of its output directory, then exits 3 as generate does, having written nothing', async () => {
    await mkdir(out);
    const lock = `${JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: '2026-12-03T08:00:00.000Z', project: 'shop/slos', command: 'review' })}\n`;
    await writeFile(join(out, '.slokit.lock'), lock);

    const result = await review('--lock-wait', '200ms');
    const holder = `project "shop/slos", pid ${process.ppid} on host ${hostname()}, since 2026-12-03T08:00:00.000Z`;
    expect(result.err).toBe(
      `slokit: ${out} is locked by another slokit review (${holder}); waiting up to 0.2s for it\n` +
        `slokit: ${out} is locked by another slokit review (${holder}); waited 0.2s for it to finish. ` +
        `Lock file: ${join(out, '.slokit.lock')}. Run again once that run has finished; if no slokit review is running, delete the lock file.\n` +
        'nothing was written.\n',
    );
    expect(result.code).toBe(EXIT.io);
    expect(result.out).toBe('');
    expect(await readdir(out)).toEqual(['.slokit.lock']);
    expect(await readFile(join(out, '.slokit.lock'), 'utf8')).toBe(lock);
  });
});
