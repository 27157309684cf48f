/**
 * Whether a process other than this one has `pid` on this host: a run that may still be using what
 * names it (a lock, a temp file). This process's own pid names an earlier process's files, one
 * that had the same pid (a container's pids repeat), as this run names none it has not made itself.
 * EPERM counts as alive: the process exists but belongs to another user.
 */
export function isOtherLivePid(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
