import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { routerFixture, type RouterFixture } from '../test/support/router-fixture.js';
import { StartupError } from './config/startup-error.js';
import { describeError } from '../src/slo/spec-error.js';
import { defaultNotifiers } from './default-notifiers.js';
import { startRouterService, type RouterService } from './router-service.js';

// Nothing is delivered in these tests: the notifier endpoints only have to be well-formed.
const endpoints = { pagerduty: { server: '127.0.0.1:9', ca: 'unused CA\n' }, slack: { url: 'http://127.0.0.1:9/api/', token: 'xoxb-unused' } };

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

describe('router service start-up and reload', () => {
  let fixture: RouterFixture | undefined;
  let router: RouterService | undefined;
  let blocker: Server | undefined;
  let lines: LogLine[] = [];
  afterEach(async () => {
    await router?.drain();
    router = undefined;
    await new Promise((resolve) => (blocker === undefined ? resolve(undefined) : blocker.close(resolve)));
    blocker = undefined;
    fixture?.cleanup();
    fixture = undefined;
    lines = [];
  });

  /** A fixture whose config text is `edit`ed; the config's line 3 is `  port: 0` and line 5 `  path: …`. */
  function setUp(edit: (config: string) => string = (c) => c): RouterFixture {
    fixture = routerFixture(endpoints);
    writeFileSync(fixture.configPath, edit(readFileSync(fixture.configPath, 'utf8')));
    return fixture;
  }
  const start = (f: RouterFixture, port?: number) =>
    startRouterService({
      configPath: f.configPath,
      env: f.env,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) }),
      notifiers: (c) => defaultNotifiers(c, f.env),
      ...(port === undefined ? {} : { port }),
    });
  async function busyPort(): Promise<number> {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    return (blocker.address() as { port: number }).port;
  }
  async function freePort(): Promise<number> {
    const port = await busyPort();
    await new Promise((resolve) => blocker!.close(resolve));
    blocker = undefined;
    return port;
  }
  const startError = async (f: RouterFixture, port?: number): Promise<string> => {
    const error: unknown = await start(f, port).then(
      (r) => {
        router = r;
        throw new Error('expected the start to fail');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    return describeError(error);
  };

  it('binds the port before it creates the store: a port in use names listen.port and leaves no store behind', async () => {
    const port = await busyPort();
    const f = setUp((c) => c.replace('  port: 0', `  port: ${port}`));
    expect(await startError(f)).toBe(`${f.configPath}:3:9: listen.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
    expect(existsSync(dirname(f.storePath))).toBe(false);
  });

  it('names --port instead when the port came from the command line', async () => {
    const port = await busyPort();
    const f = setUp();
    expect(await startError(f, port)).toBe(`--port ${port}: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
  });

  it('names listen.host when the address is not one of this machine', async () => {
    const f = setUp((c) => c.replace('  host: 127.0.0.1', '  host: 192.0.2.1'));
    expect(await startError(f)).toBe(`${f.configPath}:2:9: listen.host: 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL)`);
    expect(existsSync(dirname(f.storePath))).toBe(false);
  });

  it('names store.path and its line when a file stands where its directory should be', async () => {
    const f = setUp();
    const inTheWay = join(f.dir, 'in-the-way');
    writeFileSync(inTheWay, 'a file\n');
    writeFileSync(f.configPath, readFileSync(f.configPath, 'utf8').replace(f.storePath, join(inTheWay, 'router.db')));
    expect(await startError(f)).toMatch(
      new RegExp(`^${f.configPath}:5:9: store\\.path: could not open the router store ${inTheWay}/router\\.db: E(EXIST|NOTDIR): .*'${inTheWay}'$`),
    );
  });

  it('names store.path once, with the reason, when it is a directory', async () => {
    const f = setUp();
    mkdirSync(f.storePath, { recursive: true });
    const message = await startError(f);
    expect(message).toMatch(new RegExp(`^${f.configPath}:5:9: store\\.path: could not open the router store ${f.storePath}: \\S`));
    expect(message.split('could not open the router store')).toHaveLength(2);
  });

  it('names store.path and the file when it is not a database, leaves the file as it was and frees the port', async () => {
    const port = await freePort();
    const f = setUp((c) => c.replace('  port: 0', `  port: ${port}`));
    mkdirSync(dirname(f.storePath));
    writeFileSync(f.storePath, 'not a database '.repeat(400));
    expect(await startError(f)).toBe(`${f.configPath}:5:9: store.path: could not open the router store ${f.storePath}: file is not a database`);
    expect(readFileSync(f.storePath, 'utf8')).toBe('not a database '.repeat(400));
    expect(existsSync(`${f.storePath}-wal`)).toBe(false);
    // The socket bound before the store was tried is closed again.
    blocker = createServer();
    await new Promise<void>((resolve, reject) => blocker!.once('error', reject).listen(port, '127.0.0.1', resolve));
  });

  it('names pagerduty.caFile when the CA file cannot be read, before creating the store', async () => {
    const f = setUp((c) => c.replace(/ {2}caFile: .*/, '  caFile: /nonexistent/ca.pem'));
    expect(await startError(f)).toMatch(
      new RegExp(`^${f.configPath}:\\d+:11: pagerduty\\.caFile: could not read /nonexistent/ca\\.pem: ENOENT: no such file or directory`),
    );
    expect(existsSync(dirname(f.storePath))).toBe(false);
  });

  it('names each changed setting a reload cannot apply, and warns of none when there is none', async () => {
    const f = setUp();
    router = await start(f);
    const original = readFileSync(f.configPath, 'utf8');
    const warnings = () => lines.filter((l) => l.level === 40 && l.msg.includes('restart'));

    writeFileSync(f.configPath, original.replace('reopenWindow: 15m', 'reopenWindow: 20m'));
    expect(router.reload()).toBe(true);
    expect(warnings()).toEqual([]);

    const otherCa = join(f.dir, 'other-ca.pem');
    writeFileSync(otherCa, 'unused CA\n');
    const changed = original
      .replace('  host: 127.0.0.1', '  host: localhost')
      .replace(`  path: ${f.storePath}`, `  path: ${f.storePath}.new`)
      .replace('  synchronous: full', '  synchronous: normal')
      .replace('delivery:\n', 'delivery:\n  concurrency: 3\n')
      .replace('attemptTimeout: 5s', 'attemptTimeout: 6s')
      .replace('server: "127.0.0.1:9"', 'server: "127.0.0.1:10"')
      .replace(/ {2}caFile: .*/, `  caFile: ${otherCa}`)
      .replace('apiUrl: http://127.0.0.1:9/api/', 'apiUrl: http://127.0.0.1:10/api/')
      .replace('tokenEnv: TEST_SLACK_TOKEN', 'tokenEnv: OTHER_SLACK_TOKEN');
    f.env['OTHER_SLACK_TOKEN'] = 'xoxb-other';
    writeFileSync(f.configPath, changed);
    expect(router.reload()).toBe(true);
    // The notifiers' settings (attempt timeout, PagerDuty server and CA, Slack URL and token) apply on reload.
    const restartOnly = ['listen.host', 'store.path', 'store.synchronous', 'delivery.concurrency'];
    expect(warnings()).toEqual([expect.objectContaining({ restartRequired: restartOnly, msg: `changed settings take effect on restart only: ${restartOnly.join(', ')}` })]);
    expect(lines.at(-1)?.msg).toBe('config reloaded');
  });

  it('fails a reload whose CA file cannot be read, naming pagerduty.caFile, and keeps the running notifiers', async () => {
    const f = setUp();
    router = await start(f);
    const original = readFileSync(f.configPath, 'utf8');
    writeFileSync(f.configPath, original.replace(/ {2}caFile: .*/, '  caFile: /nonexistent/ca.pem'));
    expect(router.reload()).toBe(false);
    const failure = lines.filter((l) => l.level === 50).at(-1)?.msg;
    expect(failure).toMatch(new RegExp(`^config reload failed; keeping the running config: ${f.configPath}:\\d+:11: pagerduty\\.caFile: could not read /nonexistent/ca\\.pem: ENOENT`));
  });

  it('logs a failed reload as one message naming the file and line, without a stack, and keeps running', async () => {
    const f = setUp();
    router = await start(f);
    const original = readFileSync(f.configPath, 'utf8');
    writeFileSync(f.configPath, original.replace('reopenWindow: 15m', 'reopenWindow: whenever'));
    expect(router.reload()).toBe(false);
    writeFileSync(f.configPath, original);
    const catalogPath = join(f.dir, 'catalog.json');
    writeFileSync(catalogPath, '{"version":1,"services":[');
    expect(router.reload()).toBe(false);

    const failures = lines.filter((l) => l.level === 50);
    expect(failures.map((l) => l.msg)).toEqual([
      `config reload failed; keeping the running config: 1 problem in router config:\n  ${f.configPath}:13:17: incidents.reopenWindow: must be a duration like 30s, 5m or 1h`,
      `config reload failed; keeping the running config: catalog ${catalogPath}:1:26: Unexpected end of JSON input (run npm run generate)`,
    ]);
    expect(failures.filter((l) => 'err' in l)).toEqual([]);
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
  });
});
