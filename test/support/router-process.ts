import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The router running as its own process (`node bin/router.js`), as `npm run router` starts it. */
export interface RouterProcess {
  url: string;
  child: ChildProcess;
  /** Log lines (JSON) it printed so far. */
  logs: string[];
  /** Sends `signal` and waits (bounded) for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Starts the router with `configPath` and `env` on a free port; resolves once it printed its URL. */
export async function startRouterProcess(configPath: string, env: NodeJS.ProcessEnv, port = 0, timeoutMs = 30_000): Promise<RouterProcess> {
  const child = spawn(process.execPath, ['bin/router.js', '--config', configPath, '--port', String(port)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`router did not start in ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      if (line.includes('"msg":"ready"')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`router exited with ${code} before it was ready:\n${logs.join('\n')}`));
    });
  });
  return {
    url,
    child,
    logs,
    async stop(signal = 'SIGTERM', stopTimeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
