import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

/**
 * A signal that comes while the outputs are renamed into place, after the run's last look before
 * them, or once they all are, as the run removes its locks: a test sets `onRename` or `onRm`, which
 * see every rename and removal before it is done.
 */
let onRename: () => void = () => undefined;
let onRm: (path: string) => void = () => undefined;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      onRename();
      return real.rename(from, to);
    },
    rm: async (path: string, options?: Parameters<typeof real.rm>[1]) => {
      onRm(path);
      return real.rm(path, options);
    },
  };
});

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slokit-interrupt-'));
});
afterEach(async () => {
  onRename = () => undefined;
  onRm = () => undefined;
  await rm(base, { recursive: true, force: true });
});

/** Emits SIGINT the first time it is called. */
function ctrlCOnce(): () => void {
  let sent = false;
  return () => {
    if (sent) return;
    sent = true;
    process.emit('SIGINT', 'SIGINT');
  };
}

describe('slokit generate interrupted once it has begun renaming its outputs into place', () => {
  /** Generates project "shop" once; returns generate's arguments. */
  async function generated(): Promise<string[]> {
    const slos = join(base, 'slos');
    await mkdir(slos);
    await writeFile(join(base, 'package.json'), '{ "name": "shop" }\n');
    await writeFile(
      join(slos, 'cart.ts'),
      "export default { name: 'cart', description: 'x', owner: { team: 't' }, slos: [{ name: 'availability', objective: 99.9, sli: { kind: 'boolGauge', selector: 'up{job=\"cart\"}' } }] };\n",
    );
    const args = ['generate', '--slos', slos, '--rules-out', join(base, 'rules'), '--dashboards-out', join(base, 'dashboards'), '--router-out', join(base, 'router')];
    expect(await main(args, { out: () => undefined, err: () => undefined })).toBe(0);
    return args;
  }

  /**
   * Runs generate again with files that change, each replaced (with a backup): the rules and the
   * catalog link the new Grafana, alertmanager.yml has the new group_wait. Checks that every output
   * is the new one and that no lock, temp file or backup is left; returns what the run printed.
   */
  async function regenerated(args: readonly string[]): Promise<{ code: number; err: string }> {
    let out = '';
    let err = '';
    const listeners = process.listenerCount('SIGINT');
    const code = await main([...args, '--grafana-url', 'https://grafana.example.com', '--am-group-wait', '1m'], { out: (t) => (out += t), err: (t) => (err += t) });
    for (const file of [join('rules', 'cart.yml'), join('router', 'catalog.json')]) {
      expect(out).toContain(`  wrote ${join(base, file)}\n`);
      expect(await readFile(join(base, file), 'utf8')).toContain('https://grafana.example.com/d/');
    }
    expect(await readFile(join(base, 'router', 'alertmanager.yml'), 'utf8')).toContain('group_wait: 1m\n');
    expect(await readdir(join(base, 'rules'))).toEqual(['cart.yml']);
    expect(await readdir(join(base, 'router'))).toEqual(['alertmanager.yml', 'catalog.json']);
    expect((await readdir(join(base, 'dashboards'))).sort()).toEqual(['cart.json', 'slo-overview.json', 'slokit-provisioning.yaml']);
    // The run listens no longer: a later SIGINT in this process is not its business.
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    return { code, err };
  }

  it('finishes renaming, removes its locks and backups, says so and exits 130', async () => {
    const args = await generated();
    // Ctrl-C as the first output is renamed into place: after the run's last look at the signal.
    onRename = ctrlCOnce();
    const { code, err } = await regenerated(args);
    expect(err).toBe("slokit: interrupted by SIGINT while renaming the outputs into place: finished renaming them, then removed this run's locks\n");
    expect(code).toBe(130);
  });

  it('says every output was written, not that it was renaming, when the signal comes as it removes its locks', async () => {
    const args = await generated();
    const ctrlC = ctrlCOnce();
    onRm = (path) => {
      if (basename(path) === '.slokit.lock') ctrlC();
    };
    const { code, err } = await regenerated(args);
    expect(err).toBe("slokit: interrupted by SIGINT after every output was written, as listed: removed this run's locks; nothing was left half done\n");
    expect(code).toBe(130);
  });
});
