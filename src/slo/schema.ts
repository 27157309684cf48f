import { z } from 'zod';

/**
 * Run-time shape of a service definition, for files that were not type-checked (plain JS, a build
 * that skipped tsc). Objects are strict so a misspelt field is reported instead of ignored.
 * Semantic checks (ranges, PromQL, references between services) live in resolve.ts.
 */
const query = z.union([
  z.string().min(1, 'must not be empty'),
  z.custom<(window: string) => string>((v) => typeof v === 'function', {
    message: 'must be PromQL text with {{.window}} or a function (window) => string',
  }),
]);

const labels = z.record(z.string(), z.string());

const ratioSli = z.strictObject({
  kind: z.literal('ratio'),
  errors: query.optional(),
  good: query.optional(),
  total: query,
});

const latencySli = z.strictObject({
  kind: z.literal('latency'),
  metric: z.string().min(1, 'must not be empty'),
  selector: z.string().optional(),
  threshold: z.union([z.number(), z.string()], {
    error: 'must be a finite number of seconds, or the bucket\'s le label as text (e.g. 0.3 or "0.3")',
  }),
});

const rawSli = z.strictObject({ kind: z.literal('raw'), errorRatio: query });

const boolGaugeSli = z.strictObject({
  kind: z.literal('boolGauge'),
  selector: z.string().min(1, 'must not be empty'),
});

const sli = z.discriminatedUnion('kind', [ratioSli, latencySli, rawSli, boolGaugeSli], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'must be one of "ratio", "latency", "raw", "boolGauge"' : undefined,
});

const alertOptions = z.strictObject({
  disable: z.boolean().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

const tier = z.strictObject({
  severity: z.enum(['page', 'ticket']),
  budgetPercent: z.number(),
  long: z.string(),
  short: z.string(),
});

const alerting = z.strictObject({
  page: alertOptions.optional(),
  ticket: alertOptions.optional(),
  tiers: z.array(tier).min(1, 'needs at least one tier').optional(),
  noData: z.strictObject({ for: z.string().optional(), disable: z.boolean().optional() }).optional(),
});

const slo = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  objective: z.number(),
  window: z.string().optional(),
  sli,
  labels: labels.optional(),
  runbookUrl: z.string().optional(),
  alerting: alerting.optional(),
});

/** Text a person must give: not empty and not only spaces. */
const required = (what: string) => z.string().refine((v) => v.trim() !== '', { message: `must not be empty: ${what}` });

export const serviceSchema = z.strictObject({
  name: z.string(),
  description: required('say in a few words what the service does'),
  owner: z.strictObject({
    team: required('name the team that owns the service'),
    slack: z.string().optional(),
    pagerduty: z.string().optional(),
  }),
  dependsOn: z.array(z.string()).optional(),
  labels: labels.optional(),
  slos: z.array(slo).min(1, 'a service needs at least one SLO'),
});

/** `slos[1].sli.total` from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
