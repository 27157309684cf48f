import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface CommandResult {
  code: number;
  output: string;
}

/** Runs a command and collects stdout and stderr together; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/** One `promtool test rules` test group (see Prometheus's unit-testing-rules docs). */
export interface PromtoolTestGroup {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[];
  }[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

/**
 * Writes the rule files and a promtool unit-test file to a temporary directory and runs
 * `promtool test rules` on it. Returns promtool's exit code and output (it lists every failed check).
 */
export async function promtoolTestRules(
  ruleFiles: Record<string, string>,
  tests: readonly PromtoolTestGroup[],
  options: { evaluationInterval?: string } = {},
): Promise<CommandResult> {
  const dir = await mkdtemp(join(tmpdir(), 'slokit-promtool-'));
  try {
    for (const [name, text] of Object.entries(ruleFiles)) await writeFile(join(dir, name), text);
    const spec = {
      rule_files: Object.keys(ruleFiles),
      evaluation_interval: options.evaluationInterval ?? '1m',
      tests,
    };
    await writeFile(join(dir, 'tests.yml'), stringify(spec, { lineWidth: 0 }));
    return await run('promtool', ['test', 'rules', 'tests.yml'], { cwd: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `promtool check rules` on files. */
export function promtoolCheckRules(paths: readonly string[]): Promise<CommandResult> {
  return run('promtool', ['check', 'rules', ...paths]);
}
