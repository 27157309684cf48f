import type { PipelineSettings } from '../pipeline/process-batch.js';
import { parseRfc3339 } from '../pipeline/webhook-schema.js';
import type { SuppressionReason } from '../pipeline/suppression-types.js';
import type { TimelineEntry } from '../pipeline/types.js';
import { PipelineSimulator, type MaintenanceInput } from './simulator.js';

/**
 * One line of a recorded stream: a webhook body Alertmanager sent at `at`, or a maintenance window
 * created at `at`. Lines without `at` (comments, a fixture's ground truth) are skipped.
 */
export type StreamEvent =
  | { at: number; kind: 'webhook'; body: unknown; line: number }
  | { at: number; kind: 'maintenance'; window: MaintenanceInput; line: number };

/** Parses JSON lines; throws with the line number on the first malformed one. */
export function parseStream(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(raw) as Record<string, unknown>;
    } catch (cause) {
      throw new Error(`line ${line}: not JSON`, { cause });
    }
    if (typeof v['at'] !== 'string') return;
    const time = (field: string, value: unknown): number => {
      const ms = typeof value === 'string' ? parseRfc3339(value) : Number.NaN;
      if (Number.isNaN(ms)) throw new Error(`line ${line}: "${field}" is not an RFC 3339 time like 2024-01-01T00:00:00Z`);
      return ms;
    };
    const at = time('at', v['at']);
    if (v['webhook'] !== undefined) events.push({ at, kind: 'webhook', body: v['webhook'], line });
    else if (v['maintenance'] !== undefined) {
      const m = v['maintenance'] as Record<string, unknown>;
      const matchers = m['matchers'];
      if (!Array.isArray(matchers) || matchers.length === 0 || !matchers.every((x) => typeof x === 'string')) {
        throw new Error(`line ${line}: "maintenance.matchers" must be a non-empty list of matcher strings like service="payments"`);
      }
      if (typeof m['author'] !== 'string') throw new Error(`line ${line}: "maintenance.author" must be a string`);
      const comment = m['comment'];
      events.push({
        at,
        kind: 'maintenance',
        line,
        window: {
          matchers,
          startsAt: m['startsAt'] === undefined ? at : time('maintenance.startsAt', m['startsAt']),
          endsAt: time('maintenance.endsAt', m['endsAt']),
          author: m['author'],
          comment: typeof comment === 'string' ? comment : '',
        },
      });
    } else throw new Error(`line ${line}: want "webhook" or "maintenance"`);
  });
  return events.sort((a, b) => a.at - b.at || a.line - b.line);
}

export interface ReplayReport {
  alertsIn: number;
  webhooks: number;
  notificationsOut: number;
  byAction: Record<string, number>;
  suppressedByReason: Partial<Record<SuppressionReason, number>>;
  duplicates: number;
  incidentsOpened: number;
  /** Every decision, in order, as the timeline records it. */
  decisions: TimelineEntry[];
}

/**
 * Feeds a recorded stream through the service's pipeline on a simulated clock, running the tick every
 * `tickIntervalMs` as the service would, and for `settleMs` after the last event so held alerts and
 * digests play out. No network: notifications go to a recording notifier. Nor anomaly scores (there
 * is no Prometheus to ask): a config's `anomaly` section is left out, so first notifications leave
 * when their webhook arrives, as they do when the router's Prometheus cannot be reached.
 */
export function replayStream(events: StreamEvent[], settings: PipelineSettings, options: { tickIntervalMs: number; settleMs: number }) {
  let clock = events[0]?.at ?? 0;
  const { anomaly: _unscored, ...unscored } = settings;
  const sim = new PipelineSimulator(unscored, () => clock);
  const report: ReplayReport = { alertsIn: 0, webhooks: 0, notificationsOut: 0, byAction: {}, suppressedByReason: {}, duplicates: 0, incidentsOpened: 0, decisions: [] };
  const addSuppressed = (by: Partial<Record<SuppressionReason, number>>) => {
    for (const [r, n] of Object.entries(by)) report.suppressedByReason[r as SuppressionReason] = (report.suppressedByReason[r as SuppressionReason] ?? 0) + n;
  };
  let nextTick = clock + options.tickIntervalMs;
  const runTicksUntil = (t: number) => {
    while (nextTick <= t) {
      clock = nextTick;
      addSuppressed(sim.tick().suppressed);
      nextTick += options.tickIntervalMs;
    }
    clock = t;
  };
  for (const e of events) {
    runTicksUntil(e.at);
    if (e.kind === 'maintenance') sim.addMaintenance(e.window);
    else {
      let outcome;
      try {
        outcome = sim.webhook(e.body);
      } catch (cause) {
        throw new Error(`line ${e.line}: not a valid Alertmanager webhook`, { cause });
      }
      report.webhooks++;
      report.alertsIn += outcome.alerts;
      report.duplicates += outcome.duplicates;
      report.incidentsOpened += outcome.opened;
      addSuppressed(outcome.suppressed);
    }
  }
  runTicksUntil(clock + options.settleMs);
  report.decisions = sim.newTimeline();
  report.notificationsOut = sim.sent.length;
  for (const { notification: n } of sim.sent) {
    const k = `${n.action} ${n.target.kind}`;
    report.byAction[k] = (report.byAction[k] ?? 0) + 1;
  }
  return { sim, report };
}
