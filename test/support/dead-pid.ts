import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The pid of a process that has ended: what a killed run's lock or staging file names. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}
