import { matches } from './matcher.js';
import type { Hold, MaintenanceWindow } from './suppression-types.js';

/**
 * The active maintenance window covering an alert, or undefined. `subject` is the alert's labels plus
 * `service` (the incident's service when the alert has no `service` label), so `service="payments"`
 * covers the payments SLO's alerts too. When several windows match, the one ending last wins: the
 * alert is quiet until it ends. Pure.
 */
export function maintenanceFor(windows: readonly MaintenanceWindow[], subject: Record<string, string>, now: number): MaintenanceWindow | undefined {
  let found: MaintenanceWindow | undefined;
  for (const w of windows) {
    if (w.startsAt > now || w.endsAt <= now) continue;
    if (!w.matchers.every((m) => matches(m, subject))) continue;
    if (found === undefined || w.endsAt > found.endsAt) found = w;
  }
  return found;
}

/** Labels a maintenance window is matched against. */
export function maintenanceSubject(labels: Record<string, string>, service: string): Record<string, string> {
  return labels['service'] === undefined ? { ...labels, service } : labels;
}

/**
 * True for a window `DELETE` cancelled before it started: it ends when it was cancelled, before its
 * start, so no time is inside it and every reader of windows (active, not yet ended, retention) takes
 * it as ended then. POST refuses an end at or before the start, so no other window the API stored
 * looks like this.
 */
export function isCancelled(w: MaintenanceWindow): boolean {
  return w.endsAt < w.startsAt;
}

/** One line for timelines and replay: who, why, until when. */
export function describeWindow(w: MaintenanceWindow): string {
  return `maintenance window ${w.id} {${w.matchers.map((m) => m.text).join(', ')}} until ${new Date(w.endsAt).toISOString()} by ${w.author}${w.comment === '' ? '' : ` ("${w.comment}")`}`;
}

/**
 * What a maintenance hold says once its window was ended early (`DELETE /api/v1/maintenance/:id`): the
 * next tick (or an alert of its incident that comes first) releases it with this reason. `by` is who
 * ended it, when the request said.
 */
export function describeEarlyEnd(w: MaintenanceWindow, now: number, by: string | undefined): string {
  return `maintenance window ${w.id} {${w.matchers.map((m) => m.text).join(', ')}} was ended early at ${new Date(now).toISOString()}${by === undefined ? '' : ` by ${by}`} (planned until ${new Date(w.endsAt).toISOString()})`;
}

/**
 * Why a maintenance hold no longer applies, or undefined while its window is on: the window's end has
 * passed, or it was ended early (no longer among `active`, the ids of the windows active now; ending it
 * wrote how into the hold's detail). Pure.
 */
export function maintenanceHoldOver(hold: Hold, now: number, active: ReadonlySet<string>): string | undefined {
  if (hold.until !== undefined && hold.until <= now) return 'the maintenance window ended';
  return hold.windowId !== undefined && !active.has(hold.windowId) ? hold.detail : undefined;
}
