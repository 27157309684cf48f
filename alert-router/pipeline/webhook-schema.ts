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
