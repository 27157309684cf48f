import { describe, expect, it } from 'vitest';
import { parseWebhookPayload, webhookPayloadSchema } from './webhook-schema.js';

const alert = (overrides: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: 'Disk', severity: 'page' },
  annotations: { summary: 'disk full' },
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: 'a1b2c3d4e5f60718',
  ...overrides,
});

const payload = (overrides: Record<string, unknown> = {}) => ({
  version: '4',
  groupKey: '{}:{alertname="Disk"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'slokit',
  groupLabels: { alertname: 'Disk' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [alert()],
  ...overrides,
});

describe('parseWebhookPayload', () => {
  const valid = [
    { name: 'a full Alertmanager 0.25 payload', input: payload() },
    { name: 'optional fields left out (defaults filled in)', input: { version: '4', groupKey: 'k', status: 'resolved', receiver: 'r', alerts: [{ status: 'resolved', labels: { a: 'b' }, startsAt: '2026-01-01T00:00:00Z' }] } },
    { name: 'unknown fields of newer Alertmanagers', input: payload({ notification_reason: 'x', alerts: [alert({ routeLabels: { a: 'b' } })] }) },
    { name: 'a timestamp zod accepts but is not RFC 3339 by the letter', input: payload({ alerts: [alert({ startsAt: '2026-01-01' })] }) },
  ];
  it.each(valid)('accepts $name with the same result as the schema', ({ input }) => {
    const result = parseWebhookPayload(input);
    expect(result).toEqual({ success: true, data: webhookPayloadSchema.parse(input) });
  });

  const invalid = [
    { name: 'a bad alert status', input: payload({ alerts: [alert({ status: 'pending' })] }), expectedFields: ['alerts[0].status'] },
    { name: 'an alert without labels', input: payload({ alerts: [alert({ labels: {} })] }), expectedFields: ['alerts[0].labels'] },
    { name: 'a label that is not a string', input: payload({ alerts: [alert({ labels: { a: 1 } })] }), expectedFields: ['alerts[0].labels.a'] },
    { name: 'an unparseable startsAt', input: payload({ alerts: [alert({ startsAt: 'yesterday' })] }), expectedFields: ['alerts[0].startsAt'] },
    { name: 'version 3', input: payload({ version: '3' }), expectedFields: ['version'] },
    { name: 'no alerts', input: payload({ alerts: [] }), expectedFields: ['alerts'] },
    { name: 'a negative truncatedAlerts', input: payload({ truncatedAlerts: -1 }), expectedFields: ['truncatedAlerts'] },
    { name: 'every problem at once', input: payload({ receiver: 1, alerts: [alert(), alert({ status: 'x', fingerprint: 2 })] }), expectedFields: ['receiver', 'alerts[1].status', 'alerts[1].fingerprint'] },
  ];
  it.each(invalid)('rejects $name naming the field, with the schema’s messages', ({ input, expectedFields }) => {
    const result = parseWebhookPayload(input);
    if (result.success) throw new Error('expected a rejection');
    const fields = result.issues.map((i) => i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, ''));
    expect(fields).toEqual(expectedFields);
    expect(result.issues.map((i) => i.message)).toEqual(webhookPayloadSchema.safeParse(input).error!.issues.map((i) => i.message));
  });
});
