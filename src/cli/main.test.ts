import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadPid } from '../../test/support/dead-pid.js';
import { generatedMarker } from '../slo/index.js';
import { EXIT, main } from './main.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** `generate --check` against the committed outputs: writes nothing, exits 1 when a flag changes them. */
const check = (...flags: string[]) =>
  cli(
    'generate',
    '--check',
    '--slos', join(ROOT, 'slos'),
    '--rules-out', join(ROOT, 'rules'),
    '--dashboards-out', join(ROOT, 'dashboards'),
    '--router-out', join(ROOT, 'alert-router'),
    ...flags,
  );

describe('slokit generate duration flags', () => {
  it.each([
    { input: ['--interval', '30s1m'], expectedError: `argument '30s1m' is invalid. "30s1m" is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first and each at most once, e.g. "30s", "5m", "1h30m"` },
    { input: ['--am-group-wait', '10s10s'], expectedError: '"10s10s" is not a Prometheus duration: use whole numbers with units' },
    { input: ['--am-group-interval', '1m5m'], expectedError: '"1m5m" is not a Prometheus duration' },
    { input: ['--am-repeat-interval', '0s'], expectedError: `--am-repeat-interval <duration>' argument '0s' is invalid. "0s" must be longer than zero` },
    { input: ['--am-group-interval', '0'], expectedError: '"0" must be longer than zero' },
    { input: ['--interval', '0s'], expectedError: '"0s" must be longer than zero' },
    { input: ['--lock-wait', '10'], expectedError: `--lock-wait <duration>' argument '10' is invalid. "10" is not a Prometheus duration` },
    { input: ['--interval', '1h'], expectedError: '"1h" is longer than 5m: every longer window is built from 5m recordings, which evaluated every 1h would leave most of the time unseen' },
    { input: ['--interval', '5m1s'], expectedError: '"5m1s" is longer than 5m' },
    { input: ['--am-group-wait', '300y'], expectedError: '"300y" is not a Prometheus duration' },
    { input: ['--am-group-wait', '1y'], expectedError: `--am-group-wait <duration>' argument '1y' is invalid. "1y" is longer than 5m (allowed: 0s to 5m): a new page waits this long` },
    { input: ['--am-group-wait', '5m1s'], expectedError: '"5m1s" is longer than 5m (allowed: 0s to 5m)' },
    { input: ['--am-group-interval', '2h'], expectedError: `--am-group-interval <duration>' argument '2h' is invalid. "2h" is longer than 1h (allowed: 1s to 1h): a resolve` },
    { input: ['--am-group-interval', '1ms'], expectedError: '"1ms" is shorter than 1s (allowed: 1s to 1h): Alertmanager would flush' },
    { input: ['--am-repeat-interval', '30d'], expectedError: `--am-repeat-interval <duration>' argument '30d' is invalid. "30d" is longer than 5d (allowed: the group interval to 5d): Alertmanager forgets` },
    {
      input: ['--am-group-interval', '1h', '--am-repeat-interval', '30m'],
      expectedError: '--am-repeat-interval 30m is shorter than --am-group-interval 1h: Alertmanager repeats only at group_interval ticks; use a repeat interval from 1h to 5d',
    },
    { input: ['--am-repeat-interval', '1m'], expectedError: '--am-repeat-interval 1m is shorter than --am-group-interval 5m' },
    { input: ['--router-url', 'ftp://127.0.0.1:9097/api/v1/alertmanager'], expectedError: 'is not an http:// or https:// URL' },
    { input: ['--grafana-url', 'http://g.example.com/{{x}}'], expectedError: 'contains "{{" or "}}", which Prometheus would read as a template' },
    { input: ['--grafana-url', 'http://g.example.com/?orgId=1'], expectedError: 'has a query or fragment' },
    { input: ['--grafana-url', 'javascript:alert(1)'], expectedError: 'is not an http:// or https:// URL' },
    { input: ['--project', 'shop "main"'], expectedError: `argument 'shop "main"' is invalid. "shop "main"" contains a quote, a backslash or a control character` },
    { input: ['--project', ' shop'], expectedError: '" shop" is empty or starts or ends with a space' },
  ])('exits 2 and names the value for $input', async ({ input, expectedError }) => {
    const result = await check(...input);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain(expectedError);
  });

  it.each([
    { input: ['--am-group-wait', '0s'] },
    { input: ['--am-repeat-interval', '1h30m'] },
    { input: ['--am-group-interval', '1h', '--am-repeat-interval', '1h'] },
    { input: ['--am-group-wait', '5m', '--am-group-interval', '1s', '--am-repeat-interval', '5d'] },
    { input: ['--router-url', 'https://router.example.com/api/v1/alertmanager'] },
    { input: ['--interval', '1m30s'] },
    { input: ['--interval', '5m'] },
  ])('takes $input into the generated config', async ({ input }) => {
    const result = await check(...input);
    expect(result.err).toMatch(/generated files are stale/);
    expect(result.code).toBe(EXIT.invalid);
  });
});

describe('slokit generate after a run was killed mid-write (SIGKILL, a power cut)', () => {
  let base: string;
  /** The killed run's pid, which no process has now. */
  let pid: number;
  beforeAll(async () => {
    pid = await deadPid();
  });
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'slokit-killed-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const serviceFile = (name: string) =>
    `export default { name: '${name}', description: 'x', owner: { team: 't' }, slos: [{ name: 'availability', objective: 99.9, sli: { kind: 'boolGauge', selector: 'up{job="${name}"}' } }] };\n`;

  /** Project "shop/slos" with a service per name, generated once; returns generate's arguments without --check. */
  async function generated(...services: string[]): Promise<string[]> {
    const slos = join(base, 'slos');
    await mkdir(slos);
    await writeFile(join(base, 'package.json'), '{ "name": "shop" }\n');
    for (const service of services) await writeFile(join(slos, `${service}.ts`), serviceFile(service));
    const args = ['generate', '--slos', slos, '--rules-out', join(base, 'rules'), '--dashboards-out', join(base, 'dashboards'), '--router-out', join(base, 'router')];
    expect((await cli(...args)).code).toBe(EXIT.ok);
    return args;
  }

  const at = (...parts: string[]) => join(base, ...parts);

  it('removes the temp files and backups it left, says so once, lists none as removed, and --check passes with a warning before', async () => {
    const args = await generated('cart');
    // As the killed run left them: temp files with the new content, header and project
    // included, and a backup of a replaced file; in the router's directory, of a file written there.
    const leftovers = [at('dashboards', `.cart.json.${pid}.bak`), at('router', `.catalog.json.${pid}.tmp`), at('rules', `.cart.yml.${pid}.tmp`)];
    await writeFile(leftovers[0]!, await readFile(at('dashboards', 'cart.json'), 'utf8'));
    await writeFile(leftovers[1]!, await readFile(at('router', 'catalog.json'), 'utf8'));
    await writeFile(leftovers[2]!, await readFile(at('rules', 'cart.yml'), 'utf8'));
    // Files that look like one: outside the managed directories, not a file written there, not the exact name.
    const lookalikes = {
      [at(`.cart.yml.${pid}.tmp`)]: 'beside the project\n',
      [at('slos', `.cart.ts.${pid}.tmp`)]: 'an editor\'s\n',
      [at('router', `.notes.md.${pid}.tmp`)]: 'not a file generate writes here\n',
      [at('rules', `.cart.yml.${pid}.tmp.orig`)]: 'x\n',
      [at('rules', '.cart.yml.42a.tmp')]: 'x\n',
      [at('rules', `cart.yml.${pid}.tmp`)]: 'x\n',
      [at('dashboards', `.cart.json.${pid}.swp`)]: 'x\n',
    };
    for (const [path, text] of Object.entries(lookalikes)) await writeFile(path, text);

    const check = await cli(...args, '--check');
    expect(check.err).toBe(
      `slokit: warning: 3 files a killed generate run left (or one running now stages), not outputs: ${leftovers.join(', ')}; run npm run generate to remove them\n`,
    );
    expect(check.code).toBe(EXIT.ok);

    const run = await cli(...args);
    expect(run.err).toBe(`slokit: removed 3 files a killed run left: ${leftovers.join(', ')}\n`);
    expect(run.out).toMatch(/: 0 files written, 6 unchanged\n$/);
    expect(run.code).toBe(EXIT.ok);
    expect((await readdir(at('rules'))).sort()).toEqual([`.cart.yml.${pid}.tmp.orig`, '.cart.yml.42a.tmp', 'cart.yml', `cart.yml.${pid}.tmp`].sort());
    expect((await readdir(at('dashboards'))).sort()).toEqual([`.cart.json.${pid}.swp`, 'cart.json', 'slo-overview.json', 'slokit-provisioning.yaml'].sort());
    expect((await readdir(at('router'))).sort()).toEqual([`.notes.md.${pid}.tmp`, 'alertmanager.yml', 'catalog.json'].sort());
    for (const [path, text] of Object.entries(lookalikes)) expect(await readFile(path, 'utf8')).toBe(text);

    expect(await cli(...args, '--check')).toMatchObject({ code: EXIT.ok, err: '' });
  });

  it('puts back a file whose only copy is the backup a run killed while removing it left, then treats it as any other file', async () => {
    const args = await generated('cart', 'search');
    const blog = `# ${generatedMarker('blog/slos', '\n# ')}\ngroups: []\n`;
    await writeFile(at('rules', 'blog.yml'), blog);
    // Killed in its commit after moving each file no longer generated to its backup: search's (this
    // project's, its SLO file since deleted) and blog's (another project's, sharing the directory).
    await rm(at('slos', 'search.ts'));
    await rename(at('rules', 'search.yml'), at('rules', `.search.yml.${pid}.bak`));
    await rename(at('rules', 'blog.yml'), at('rules', `.blog.yml.${pid}.bak`));

    const check = await cli(...args, '--check');
    expect(check.err).toContain(
      `slokit: warning: 2 files a killed generate run left (or one running now stages), not outputs: ` +
        `${at('rules', `.blog.yml.${pid}.bak`)} (the only copy of ${at('rules', 'blog.yml')}, which is gone: the run puts it back), ` +
        `${at('rules', `.search.yml.${pid}.bak`)} (the only copy of ${at('rules', 'search.yml')}, which is gone: the run puts it back); ` +
        'run npm run generate to remove them\n',
    );
    expect(check.err).not.toContain(`no longer generated: ${at('rules', `.search.yml.${pid}.bak`)}`);

    const run = await cli(...args);
    expect(run.err).toBe(
      'slokit: put back 2 files whose only copy was a backup a killed run left: ' +
        `${at('rules', 'blog.yml')} (from ${at('rules', `.blog.yml.${pid}.bak`)}), ${at('rules', 'search.yml')} (from ${at('rules', `.search.yml.${pid}.bak`)})\n`,
    );
    // This project's file is removed as no longer generated, and says so; the other project's is kept.
    expect(run.out).toContain(`  removed ${at('rules', 'search.yml')}\n`);
    expect(run.code).toBe(EXIT.ok);
    expect((await readdir(at('rules'))).sort()).toEqual(['blog.yml', 'cart.yml']);
    expect(await readFile(at('rules', 'blog.yml'), 'utf8')).toBe(blog);
  });

  it('leaves the temp files and backups of a process that is running, which may be writing them now', async () => {
    const args = await generated('cart');
    // The test runner's parent is alive: as a run staging now that takes no lock would be.
    const live = [at('rules', `.cart.yml.${process.ppid}.tmp`), at('rules', `.search.yml.${process.ppid}.bak`)];
    for (const path of live) await writeFile(path, 'being written\n');
    const run = await cli(...args);
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    for (const path of live) expect(await readFile(path, 'utf8')).toBe('being written\n');
    expect((await readdir(at('rules'))).sort()).toEqual([`.cart.yml.${process.ppid}.tmp`, `.search.yml.${process.ppid}.bak`, 'cart.yml'].sort());
  });
});
