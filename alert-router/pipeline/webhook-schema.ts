import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4, as sent by Alertmanager 0.25 through 0.34. Unknown fields
 * (`notification_reason` in 0.32+, `routeLabels` in 0.34+, whatever comes next) are ignored, not rejected:
 * Alertmanager drops a batch on any 4xx, so rejecting a field we do not use would lose alerts.
 */
const labelSet = z.record(z.string(), z.string());

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an RFC 3339 timestamp' });

export const webhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => Object.keys(l).length > 0, { message: 'must have at least one label' }),
  annotations: labelSet.optional().default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookPayloadSchema = z.object({
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
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
export type WebhookAlert = z.infer<typeof webhookAlertSchema>;

export type WebhookParseResult =
  | { success: true; data: WebhookPayload }
  | { success: false; issues: { path: PropertyKey[]; message: string }[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isLabelSet(v: unknown): v is Record<string, string> {
  if (!isObject(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
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
