/**
 * Flap damping: an alert that changed state (fired, resolved, re-fired) more than `maxChanges` times
 * within the window is flapping. `changes` are the alert's change times (epoch ms) inside the window,
 * the current one included. Pure.
 */
export function isFlapping(changes: readonly number[], maxChanges: number): boolean {
  return changes.length > maxChanges;
}

/** The flap history worth keeping: changes at or after `since`, plus `at`. */
export function keepChanges(changes: readonly number[], at: number, since: number): number[] {
  return [...changes.filter((t) => t >= since), at];
}
