import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

/**
 * A signal that comes while the outputs are renamed into place, after the run's last look before
 * them: a test sets `onRename`, which sees every rename before it is done.
 */
let onRename: () => void = () => undefined;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      onRename();
      return real.rename(from, to);
    },
  };
});

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slokit-interrupt-'));
});
afterEach(async () => {
  onRename = () => undefined;
  await rm(base, { recursive: true, force: true });
});

describe('slokit generate interrupted while it renames its outputs into place', () => {
  it('finishes renaming, removes its locks and backups, says so and exits 130', async () => {
    const slos = join(base, 'slos');
    await mkdir(slos);
    await writeFile(join(base, 'package.json'), '{ "name": "shop" }\n');
    await writeFile(
      join(slos, 'cart.ts'),
      "export default { name: 'cart', description: 'x', owner: { team: 't' }, slos: [{ name: 'availability', objective: 99.9, sli: { kind: 'boolGauge', selector: 'up{job=\"cart\"}' } }] };\n",
    );
    const args = ['generate', '--slos', slos, '--rules-out', join(base, 'rules'), '--dashboards-out', join(base, 'dashboards'), '--router-out', join(base, 'router')];
    const quiet = { out: () => undefined, err: () => undefined };
    expect(await main(args, quiet)).toBe(0);
    // Files that change, each replaced (with a backup) in the interrupted run: the rules and the
    // catalog link the new Grafana, alertmanager.yml has the new group_wait.
    const changed = ['--grafana-url', 'https://grafana.example.com', '--am-group-wait', '1m'];
    let out = '';
    let err = '';
    const listeners = process.listenerCount('SIGINT');
    onRename = () => {
      // Ctrl-C as the first output is renamed into place: after the run's last look at the signal.
      onRename = () => undefined;
      process.emit('SIGINT', 'SIGINT');
    };
    const code = await main([...args, ...changed], { out: (t) => (out += t), err: (t) => (err += t) });
    expect(err).toBe("slokit: interrupted by SIGINT while renaming the outputs into place: finished renaming them, then removed this run's locks\n");
    expect(code).toBe(130);
    for (const file of [join('rules', 'cart.yml'), join('router', 'catalog.json')]) {
      expect(out).toContain(`  wrote ${join(base, file)}\n`);
      expect(await readFile(join(base, file), 'utf8')).toContain('https://grafana.example.com/d/');
    }
    expect(await readFile(join(base, 'router', 'alertmanager.yml'), 'utf8')).toContain('group_wait: 1m\n');
    // No lock, temp file or backup is left: only the outputs.
    expect(await readdir(join(base, 'rules'))).toEqual(['cart.yml']);
    expect(await readdir(join(base, 'router'))).toEqual(['alertmanager.yml', 'catalog.json']);
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['cart.json', 'slo-overview.json', 'slokit-provisioning.yaml']);
    // The run listens no longer: a later SIGINT in this process is not its business.
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
