#!/usr/bin/env node
// Makes sure the real peers the tests use are on this machine: promtool and prometheus
// (Debian `prometheus`), prometheus-alertmanager and amtool (Debian `prometheus-alertmanager`), and
// chromium (Debian `chromium`), which renders the SLO review's HTML headless in its end-to-end test,
// and wrk (Debian `wrk`), the load generator of `npm run bench:router`.
// Installs them with apt-get when it can (root on Debian); otherwise says exactly what to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const PEERS = [
  { bin: 'promtool', pkg: 'prometheus' },
  { bin: 'prometheus', pkg: 'prometheus' },
  { bin: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { bin: 'amtool', pkg: 'prometheus-alertmanager' },
  { bin: 'chromium', pkg: 'chromium' },
  // The load generator of `npm run bench:router` (C: the server under test sets the rate, not it).
  { bin: 'wrk', pkg: 'wrk' },
];
// `--with-chromium` is still accepted (and changes nothing): chromium is part of the default set,
// because `npm test` renders the SLO review in it.

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const missing = PEERS.filter((p) => !onPath(p.bin));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((p) => p.pkg))];
const isDebian = existsSync('/etc/debian_version') || /debian/i.test(safeRead('/etc/os-release'));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hint = `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`;

if (!isDebian) {
  console.error(
    `slokit: the tests need ${missing.map((p) => p.bin).join(', ')} on PATH and this is not Debian.\n` +
      `Install Prometheus 2.42+ (prometheus, promtool), Alertmanager 0.25+ (renamed or linked as ` +
      `prometheus-alertmanager, plus amtool), Chromium (as chromium) and wrk from your distribution, then run npm test again.`,
  );
  process.exit(1);
}
if (!isRoot) {
  console.error(`slokit: missing ${missing.map((p) => p.bin).join(', ')}. Run:\n  ${hint}\nthen npm test again.`);
  process.exit(1);
}
console.error(`slokit: installing ${pkgs.join(' ')} from Debian (missing: ${missing.map((p) => p.bin).join(', ')})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} catch (err) {
  console.error(`slokit: apt-get failed (${err.message}). Run by hand:\n  ${hint}`);
  process.exit(1);
}
const still = missing.filter((p) => !onPath(p.bin));
if (still.length > 0) {
  console.error(`slokit: still missing after install: ${still.map((p) => p.bin).join(', ')}`);
  process.exit(1);
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
