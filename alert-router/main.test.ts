import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { routerFixture, type RouterFixture } from '../test/support/router-fixture.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const endpoints = { pagerduty: { server: '127.0.0.1:9', ca: 'unused CA\n' }, slack: { url: 'http://127.0.0.1:9/api/', token: 'xoxb-unused' } };

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

/**
 * Runs `npm run router` with `args` until it exits (these runs are expected to fail at start), or
 * stops it with SIGTERM once it says it is ready, or after 30 s.
 */
function runRouter(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, ['bin/router.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('"msg":"ready"')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      const lines = (s: string) => s.split('\n').filter((l) => l !== '');
      resolve({ code, stdout: lines(out), stderr: lines(err) });
    }),
  );
}

/** The `msg` of each JSON log line. */
const messages = (run: Run) => run.stdout.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('alert-router command line', () => {
  let fixture: RouterFixture | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (blocker === undefined ? resolve(undefined) : blocker.close(resolve)));
    blocker = undefined;
    fixture?.cleanup();
    fixture = undefined;
  });
  const setUp = () => (fixture = routerFixture(endpoints));
  const levels = 'Allowed choices are trace, debug, info, warn, error, fatal, silent.';

  const usageCases = [
    { name: 'a log level pino does not know', args: ['--log-level', 'loud'], env: {}, expected: `error: option '--log-level <level>' argument 'loud' is invalid. ${levels}` },
    {
      name: 'a log level from LOG_LEVEL pino does not know',
      args: [],
      env: { LOG_LEVEL: 'verbose' },
      expected: `error: option '--log-level <level>' value 'verbose' from env 'LOG_LEVEL' is invalid. ${levels}`,
    },
    ...['abc', '80x', '-1', '70000', ''].map((port) => ({
      name: `--port ${JSON.stringify(port)}`,
      args: ['--port', port],
      env: {},
      expected: `error: option '-p, --port <port>' argument '${port}' is invalid. Want a port number from 0 to 65535 (0 picks a free one).`,
    })),
  ];
  it.each(usageCases)('refuses $name with one line on stderr and exit 2 (usage)', async ({ args, env, expected }) => {
    const f = setUp();
    const run = await runRouter(['--config', f.configPath, ...args], { ...f.env, ...env });
    expect(run).toEqual({ code: 2, stdout: [], stderr: [expected] });
    expect(existsSync(dirname(f.storePath))).toBe(false);
  });

  it('says which config file it cannot read, in one line without a stack, and exits 3', async () => {
    const f = setUp();
    const run = await runRouter(['--config', join(f.dir, 'nope.yml')], f.env);
    expect(run.code).toBe(3);
    expect(messages(run)).toEqual([`could not read router config ${join(f.dir, 'nope.yml')}: ENOENT: no such file or directory, open '${join(f.dir, 'nope.yml')}'`]);
    expect(run.stdout.join('\n')).not.toContain('stack');
  });

  it('names listen.port and its line when the port is in use, exits 3 and creates no store', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const f = setUp();
    writeFileSync(f.configPath, readFileSync(f.configPath, 'utf8').replace('  port: 0', `  port: ${port}`));
    const run = await runRouter(['--config', f.configPath], f.env);
    expect(run.code).toBe(3);
    expect(messages(run)).toEqual([`${f.configPath}:3:9: listen.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`]);
    expect(run.stdout.join('\n')).not.toContain('stack');
    expect(existsSync(dirname(f.storePath))).toBe(false);
  });

  it('names the catalog file, line and column of a catalog that is not JSON, and exits 1 (invalid input)', async () => {
    const f = setUp();
    writeFileSync(join(f.dir, 'catalog.json'), '{"version":1,"services":[');
    const run = await runRouter(['--config', f.configPath], f.env);
    expect(run.code).toBe(1);
    expect(messages(run)).toEqual([`catalog ${join(f.dir, 'catalog.json')}:1:26: Unexpected end of JSON input (run npm run generate)`]);
  });

  it('still starts without a catalog, with a warning', async () => {
    const f = setUp();
    writeFileSync(f.configPath, readFileSync(f.configPath, 'utf8').replace(/^catalog: .*$/m, `catalog: ${join(f.dir, 'missing.json')}`));
    const run = await runRouter(['--config', f.configPath], f.env);
    expect(run.code).toBe(0);
    expect(messages(run)).toEqual(expect.arrayContaining(['no catalog (run npm run generate); routing falls back to config defaults', 'drained']));
  });
});
