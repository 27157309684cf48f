import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRouterBuilt } from '../scripts/build-router.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project with the router's two entry points, the main one calling a function that throws on its line 2. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'slokit-router-build-'));
  dirs.push(root);
  mkdirSync(join(root, 'alert-router'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'alert-router', 'lib.ts'), "export function boom(what: string): never {\n  throw new Error(`boom: ${what}`);\n}\n");
  writeFileSync(join(root, 'alert-router', 'main.ts'), "import { boom } from './lib.js';\n\nboom('at start');\n");
  writeFileSync(join(root, 'alert-router', 'router-service.ts'), 'export const started: boolean = true;\n');
  return root;
}

describe('the router build (npm run router runs JavaScript built from the TypeScript)', () => {
  it('builds once, and again only when a source it bundled changed or a bundle is gone', () => {
    const root = project();
    expect(ensureRouterBuilt(root).built).toBe(true);
    expect(ensureRouterBuilt(root).built).toBe(false);
    writeFileSync(join(root, 'alert-router', 'lib.ts'), "export function boom(what: string): never {\n  throw new Error(`bang: ${what}`);\n}\n");
    const rebuilt = ensureRouterBuilt(root);
    expect(rebuilt.built).toBe(true);
    expect(readFileSync(rebuilt.paths.main, 'utf8')).toContain('bang: ');
    rmSync(rebuilt.paths['router-service']);
    expect(ensureRouterBuilt(root).built).toBe(true);
    expect(ensureRouterBuilt(root).built).toBe(false);
  });

  it('keeps stack traces on the TypeScript file and line, through the source map', () => {
    const root = project();
    const { paths } = ensureRouterBuilt(root);
    const run = spawnSync(process.execPath, ['--enable-source-maps', paths.main], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('boom: at start');
    expect(run.stderr).toMatch(/alert-router\/lib\.ts:2:\d+/);
  });

  it('names the file, line and column of what it cannot build, and keeps the last good bundle', () => {
    const root = project();
    const { paths } = ensureRouterBuilt(root);
    const good = readFileSync(paths.main, 'utf8');
    writeFileSync(join(root, 'alert-router', 'lib.ts'), 'export function boom(: never {\n}\n');
    expect(() => ensureRouterBuilt(root)).toThrow(/could not build the alert-router:\nalert-router\/lib\.ts:1:\d+: /);
    expect(readFileSync(paths.main, 'utf8')).toBe(good);
  });

  it('names the directory it cannot write, as an I/O failure (exit code 3), and writes nothing', () => {
    const root = project();
    // A file where the output directory should be: what a read-only or broken install looks like here.
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'alert-router'), 'not a directory\n');
    let thrown: (Error & { exitCode?: number }) | undefined;
    try {
      ensureRouterBuilt(root);
    } catch (error) {
      thrown = error as Error & { exitCode?: number };
    }
    expect(thrown?.message).toMatch(new RegExp(`^could not write the built alert-router to ${join(root, 'dist', 'alert-router')}: `));
    expect(thrown?.exitCode).toBe(3);
    expect(readFileSync(join(root, 'dist', 'alert-router'), 'utf8')).toBe('not a directory\n');
  });

  it('builds the real router without the per-function name wrappers tsx adds (their cost is why it is built)', () => {
    const { paths } = ensureRouterBuilt();
    const code = readFileSync(paths['router-service'], 'utf8');
    expect(code).toContain('function startRouterService(');
    expect(code).not.toMatch(/__name\(/);
  });
});
