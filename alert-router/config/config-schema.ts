import { z } from 'zod';
import { formatDuration, parseDuration } from '../../src/slo/duration.js';
import { parseMatcher } from '../pipeline/matcher.js';

const DURATION_MESSAGE = 'must be a duration like 30s, 5m or 1h';
/** Why `s` is not a duration: a zero one ("0s") is told so, not shown an example of what it already looks like. */
const durationProblem = (s: string) => (/^(0+(ms|s|m|h|d|w|y))+$/.test(s.trim()) ? 'must be longer than 0 (a duration like 30s, 5m or 1h)' : DURATION_MESSAGE);
const duration = z.string().superRefine((s, ctx) => {
  if (parseDuration(s) === undefined) ctx.addIssue({ code: 'custom', message: durationProblem(s) });
});
/** The longest delay Node's timers take (2^31-1 ms, ~24.8 days); a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A duration that ends up in setTimeout/setInterval (directly, or as the outbox worker's sleep). */
const timerDuration = z.string().superRefine((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: durationProblem(s) });
  else if (ms > MAX_TIMER_MS) ctx.addIssue({ code: 'custom', message: `must be at most ${formatDuration(MAX_TIMER_MS)} (2^31-1 ms, the longest timer Node can set)` });
});
/** The shortest `store.retention`: a day of incidents is what the last day's review and on-call handover read. */
const MIN_RETENTION_MS = 24 * 3600_000;
const retention = z.string().superRefine((s, ctx) => {
  if (s === 'forever') return;
  const ms = parseDuration(s);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be a duration like 30d or 90d, or forever' });
  else if (ms < MIN_RETENTION_MS) ctx.addIssue({ code: 'custom', message: 'must be at least 1d' });
});
/** The shortest `delivery.lateAfter`: a healthy delivery takes well under a second, a retry or two a few seconds. */
const MIN_LATE_AFTER_MS = 10_000;
const lateAfter = z.string().superRefine((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: durationProblem(s) });
  else if (ms < MIN_LATE_AFTER_MS) ctx.addIssue({ code: 'custom', message: 'must be at least 10s (a first retry alone can take seconds)' });
});
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must name an environment variable (A-Z, 0-9, _)' });
const BYTE_SIZE = /^(\d+)(b|kb|mb)$/i;
/** A size like 512kb or 2mb, in bytes (kb and mb are binary: 1024 and 1024²). */
export function parseByteSize(size: string): number | undefined {
  const m = BYTE_SIZE.exec(size);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  return unit === 'mb' ? n * 1024 * 1024 : unit === 'kb' ? n * 1024 : n;
}
/**
 * The largest `webhook.bodyLimit`. A webhook body is held in memory whole and journaled as one record
 * (the journal takes a record of up to 256 MiB as a batch, anything longer as corruption); 64 MiB is
 * ~60,000 alerts in one Alertmanager notification.
 */
export const MAX_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
const byteSize = z.string().superRefine((s, ctx) => {
  const n = parseByteSize(s);
  if (n === undefined) ctx.addIssue({ code: 'custom', message: 'must be a size like 512kb or 2mb' });
  else if (n === 0) ctx.addIssue({ code: 'custom', message: 'must be more than 0 bytes (every webhook would be refused with 413)' });
  else if (n > MAX_BODY_LIMIT_BYTES) ctx.addIssue({ code: 'custom', message: 'must be at most 64mb (a body is held in memory whole and journaled as one record)' });
});
const matcher = z.string().superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** An IANA time zone name, as Intl knows it (UTC, Europe/Berlin). */
const timeZone = z.string().refine(
  (s) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: s });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
);

/**
 * The router's YAML config. Secrets never live here: fields ending in `Env` name the environment
 * variable that holds them.
 */
export const configSchema = z
  .object({
    listen: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9097) }).strict().prefault({}),
    store: z
      .object({
        path: z.string().default('./data/alert-router.db'),
        /** `full`: a 2xx survives power loss; `normal`: survives a process crash only. */
        synchronous: z.enum(['full', 'normal']).default('full'),
        /** Resolved incidents older than this are deleted with their alerts and timelines; `forever` keeps all. */
        retention: retention.default('90d'),
      })
      .strict()
      .prefault({}),
    catalog: z.string().default('./alert-router/catalog.json'),
    auth: z.union([
      z.object({ bearerTokenEnv: envName }).strict(),
      z.object({ basic: z.object({ username: z.string().min(1), passwordEnv: envName }).strict() }).strict(),
    ]),
    // Alertmanager sends a group's every alert in one webhook (the generated config never truncates) and
    // drops a batch answered 4xx: the limit must pass the largest group. ~0.6–1.2 KiB an alert: 32 MiB
    // is ~30,000–55,000 alerts (a 30,000-alert webhook of 17.6 MiB took 1.5 s to commit).
    webhook: z.object({ bodyLimit: byteSize.default('32mb') }).strict().prefault({}),
    incidents: z.object({ reopenWindow: duration.default('15m') }).strict().prefault({}),
    /** Defaults are documented in docs/alert-router.md and config.example.yml. */
    correlation: z
      .object({
        dependencies: z.object({ enabled: z.boolean().default(true), window: duration.default('1h') }).strict().prefault({}),
        grouping: z
          .object({ keys: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a label name' })).default([]), window: duration.default('5m') })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    suppression: z
      .object({
        tickInterval: timerDuration.default('5s'),
        flapping: z
          .object({
            enabled: z.boolean().default(true),
            maxChanges: z.number().int().min(1).default(4),
            window: duration.default('15m'),
            stableFor: duration.default('10m'),
          })
          .strict()
          .prefault({}),
        storm: z
          .object({
            enabled: z.boolean().default(true),
            maxIncidentsPerMinute: z.number().int().min(1).default(10),
            digestInterval: duration.default('2m'),
            /** Watch each service's alert volume and warn once, on Slack, when it surges (volume-watch.ts). */
            earlyWarning: z.boolean().default(true),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        concurrency: z.number().int().min(1).max(64).default(8),
        attemptTimeout: timerDuration.default('10s'),
        backoffBase: timerDuration.default('1s'),
        backoffMax: timerDuration.default('5m'),
        maxAttempts: z.number().int().min(1).default(25),
        drainTimeout: timerDuration.default('10s'),
        /** A notification still pending this long after it was queued is late (slokit_router_notifications_on_time). */
        lateAfter: lateAfter.default('2m'),
      })
      .strict()
      .prefault({}),
    pagerduty: z
      .object({
        server: z.string().default('events.pagerduty.com'),
        /** Extra CA certificate (PEM file) to trust for the Events API, e.g. a TLS-inspecting proxy's. */
        caFile: z.string().optional(),
        defaultRoutingKeyEnv: envName.optional(),
        /** PagerDuty service name (as in the catalog) → env var holding its Events v2 routing key. */
        services: z.record(z.string(), envName).default({}),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        tokenEnv: envName.optional(),
        apiUrl: z.url().default('https://slack.com/api/'),
        defaultChannel: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /**
     * Anomaly scoring of SLO incidents against the SLO's last 7 days in Prometheus (docs/alert-router.md,
     * "Anomaly scoring"). Off when absent.
     */
    anomaly: z
      .object({
        prometheusUrl: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL of Prometheus' }),
        /** The most an SLO incident's first notifications wait for its score; then they go without. */
        timeout: z
          .string()
          .superRefine((s, ctx) => {
            const ms = parseDuration(s, { allowZero: true });
            if (ms === undefined) ctx.addIssue({ code: 'custom', message: DURATION_MESSAGE });
            else if (ms === 0) ctx.addIssue({ code: 'custom', message: 'must be longer than zero' });
            else if (ms > 10_000) ctx.addIssue({ code: 'custom', message: 'must be at most 10s: first notifications wait this long for a score' });
          })
          .default('500ms'),
        escalateTicketAt: z.number().min(0).max(1).default(0.8),
        recurringBelowZ: z.number().positive().default(3),
        timeZone: timeZone.default('UTC'),
      })
      .strict()
      .optional(),
    routes: z
      .array(
        z
          .object({
            name: z.string().min(1),
            matchers: z.array(matcher).default([]),
            pagerduty: z.string().min(1).optional(),
            slack: z.string().min(1).optional(),
            continue: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type RouterConfigInput = z.input<typeof configSchema>;
export type RouterConfigFile = z.output<typeof configSchema>;
