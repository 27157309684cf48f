import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4, as sent by Alertmanager 0.25 through 0.34. Unknown fields
 * (`notification_reason` in 0.32+, `routeLabels` in 0.34+, whatever comes next) are ignored, not rejected:
 * Alertmanager drops a batch on any 4xx, so rejecting a field we do not use would lose alerts.
 */
const labelSet = z.record(z.string(), z.string());

/**
 * RFC 3339 `date-time` (section 5.6): what Alertmanager sends (Go's RFC3339Nano), any number of
 * fractional digits, `Z` or a numeric offset. `Date.parse` alone also takes `1`, `3000` or `2024-01-01`.
 */
const RFC3339 = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Alertmanager's zero time, the `endsAt` of every firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
const ZERO_TIME_MS = Date.parse(ZERO_TIME);

/** `Date.parse` rolls 2024-02-30 over to March; RFC 3339 wants a day that exists. */
function dayExists(s: string): boolean {
  const day = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
  if (day <= 28) return true;
  const month = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
  if (month !== 2) return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const year = Number(s.slice(0, 4));
  return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Milliseconds since the epoch of an RFC 3339 timestamp (`2024-01-01T00:00:00Z`,
 * `2024-01-01T00:00:00.123456789+02:00`, Alertmanager's zero time `0001-01-01T00:00:00Z`), NaN for
 * anything else. One anchored regex test before `Date.parse`: cheap enough for every alert's times.
 */
export function parseRfc3339(s: string): number {
  if (s === ZERO_TIME) return ZERO_TIME_MS; // every firing alert's endsAt: skip the regex and Date.parse
  return RFC3339.test(s) && dayExists(s) ? Date.parse(s) : Number.NaN;
}

const timestamp = z.string().refine((s) => !Number.isNaN(parseRfc3339(s)), { message: 'must be an RFC 3339 timestamp' });

export const webhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => Object.keys(l).length > 0, { message: 'must have at least one label' }),
  annotations: labelSet.optional().default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookPayloadSchema = z
  .object({
    version: z.literal('4'),
    groupKey: z.string(),
    truncatedAlerts: z.number().int().nonnegative().optional().default(0),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string(),
    groupLabels: labelSet.optional().default({}),
    commonLabels: labelSet.optional().default({}),
    commonAnnotations: labelSet.optional().default({}),
    externalURL: z.string().optional().default(''),
    alerts: z.array(webhookAlertSchema).min(1),
  })
  .superRefine((payload, ctx) => {
    for (const [index, first] of fingerprintConflicts(payload.alerts)) {
      ctx.addIssue({ code: 'custom', path: ['alerts', index, 'fingerprint'], message: `same fingerprint as alerts[${first}] with different labels` });
    }
  });

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
export type WebhookAlert = z.infer<typeof webhookAlertSchema>;

export type WebhookParseResult =
  | { success: true; data: WebhookPayload }
  | { success: false; issues: { path: PropertyKey[]; message: string }[] };

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  let count = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    count++;
  }
  for (const _ in b) if (--count < 0) return false;
  return count === 0;
}

/**
 * Alerts that repeat an earlier alert's fingerprint with other labels, as `[index, first]` pairs.
 * Alertmanager's fingerprint is a hash of the label set, so such a batch is malformed (dedup would keep
 * the first alert and drop the second's labels); an exact repeat is fine. An empty or absent fingerprint
 * is derived from the labels (`normalise`), so it cannot conflict. O(alerts).
 */
function fingerprintConflicts(alerts: readonly WebhookAlert[]): [index: number, first: number][] {
  const conflicts: [number, number][] = [];
  if (alerts.length < 2) return conflicts;
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < alerts.length; i++) {
    const fingerprint = alerts[i]!.fingerprint;
    if (fingerprint === undefined || fingerprint === '') continue;
    const first = firstIndex.get(fingerprint);
    if (first === undefined) firstIndex.set(fingerprint, i);
    else if (!sameLabels(alerts[first]!.labels, alerts[i]!.labels)) conflicts.push([i, first]);
  }
  return conflicts;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isLabelSet(v: unknown): v is Record<string, string> {
  if (!isObject(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(parseRfc3339(v));
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

function fastAlert(a: unknown): WebhookAlert | undefined {
  if (!isObject(a)) return undefined;
  const { status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint } = a;
  if (status !== 'firing' && status !== 'resolved') return undefined;
  if (!isLabelSet(labels)) return undefined;
  let hasLabel = false;
  for (const _ in labels) {
    hasLabel = true;
    break;
  }
  if (!hasLabel) return undefined;
  if (annotations !== undefined && !isLabelSet(annotations)) return undefined;
  if (!isTimestamp(startsAt) || (endsAt !== undefined && !isTimestamp(endsAt))) return undefined;
  if (!optionalString(generatorURL) || !optionalString(fingerprint)) return undefined;
  const alert: WebhookAlert = { status, labels, annotations: annotations ?? {}, startsAt };
  if (endsAt !== undefined) alert.endsAt = endsAt;
  if (generatorURL !== undefined) alert.generatorURL = generatorURL as string;
  if (fingerprint !== undefined) alert.fingerprint = fingerprint as string;
  return alert;
}

/** The hot path's check: the schema's accepted payloads and its output (defaults, known fields), or undefined. */
function fastPayload(json: unknown): WebhookPayload | undefined {
  if (!isObject(json)) return undefined;
  const { version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL, alerts } = json;
  if (version !== '4' || typeof groupKey !== 'string' || typeof receiver !== 'string') return undefined;
  if (status !== 'firing' && status !== 'resolved') return undefined;
  if (truncatedAlerts !== undefined && !(Number.isSafeInteger(truncatedAlerts) && (truncatedAlerts as number) >= 0)) return undefined;
  if (groupLabels !== undefined && !isLabelSet(groupLabels)) return undefined;
  if (commonLabels !== undefined && !isLabelSet(commonLabels)) return undefined;
  if (commonAnnotations !== undefined && !isLabelSet(commonAnnotations)) return undefined;
  if (!optionalString(externalURL) || !Array.isArray(alerts) || alerts.length === 0) return undefined;
  const parsed: WebhookAlert[] = new Array(alerts.length);
  for (let i = 0; i < alerts.length; i++) {
    const a = fastAlert(alerts[i]);
    if (a === undefined) return undefined;
    parsed[i] = a;
  }
  if (fingerprintConflicts(parsed).length > 0) return undefined;
  return {
    version,
    groupKey,
    truncatedAlerts: (truncatedAlerts as number | undefined) ?? 0,
    status,
    receiver,
    groupLabels: groupLabels ?? {},
    commonLabels: commonLabels ?? {},
    commonAnnotations: commonAnnotations ?? {},
    externalURL: (externalURL as string | undefined) ?? '',
    alerts: parsed,
  };
}

/**
 * Validates a webhook body. A hand-written check accepts well-formed payloads (zod was ~10% of a
 * 100-alert request's CPU); anything it does not accept goes through {@link webhookPayloadSchema}, so
 * what is valid and every error (field path, message, order) are the schema's.
 */
export function parseWebhookPayload(json: unknown): WebhookParseResult {
  const fast = fastPayload(json);
  if (fast !== undefined) return { success: true, data: fast };
  const parsed = webhookPayloadSchema.safeParse(json);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) };
}
