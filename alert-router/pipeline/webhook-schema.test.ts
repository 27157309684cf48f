import { describe, expect, it } from 'vitest';
import { parseRfc3339, parseWebhookPayload, webhookPayloadSchema } from './webhook-schema.js';

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
    { name: 'RFC 3339 times with nanoseconds, an offset and lower-case t and z', input: payload({ alerts: [alert({ startsAt: '2024-01-01T00:00:00.123456789+02:00', endsAt: '2024-02-29t00:00:00z', status: 'resolved' })] }) },
    { name: 'an exact repeat of an alert (same fingerprint, same labels) in one batch', input: payload({ alerts: [alert(), alert({ annotations: { summary: 'again' } })] }) },
    { name: 'two alerts without fingerprints', input: payload({ alerts: [alert({ fingerprint: undefined }), alert({ fingerprint: '', labels: { alertname: 'Other' } })] }) },
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
    { name: 'a startsAt that Date.parse reads as the year 2001', input: payload({ alerts: [alert({ startsAt: '1' })] }), expectedFields: ['alerts[0].startsAt'] },
    { name: 'a bare year as endsAt', input: payload({ alerts: [alert({ endsAt: '3000' })] }), expectedFields: ['alerts[0].endsAt'] },
    { name: 'a date without a time', input: payload({ alerts: [alert({ startsAt: '2026-01-01' })] }), expectedFields: ['alerts[0].startsAt'] },
    { name: 'a day the month does not have', input: payload({ alerts: [alert({ startsAt: '2023-02-29T00:00:00Z' })] }), expectedFields: ['alerts[0].startsAt'] },
    { name: 'a time without an offset', input: payload({ alerts: [alert({ startsAt: '2026-01-01T00:00:00' })] }), expectedFields: ['alerts[0].startsAt'] },
    {
      name: 'two alerts with one fingerprint and different labels',
      input: payload({ alerts: [alert(), alert({ labels: { alertname: 'Disk', severity: 'ticket' } })] }),
      expectedFields: ['alerts[1].fingerprint'],
    },
    {
      name: 'every alert that repeats a fingerprint with other labels',
      input: payload({ alerts: [alert(), alert(), alert({ labels: { alertname: 'CPU' } }), alert({ fingerprint: 'f2' }), alert({ labels: { a: 'b' } })] }),
      expectedFields: ['alerts[2].fingerprint', 'alerts[4].fingerprint'],
    },
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

  it('names the alert whose fingerprint a conflicting one repeats', () => {
    const result = parseWebhookPayload(payload({ alerts: [alert(), alert({ labels: { alertname: 'Disk', severity: 'ticket' } })] }));
    expect(result).toEqual({ success: false, issues: [{ path: ['alerts', 1, 'fingerprint'], message: 'same fingerprint as alerts[0] with different labels' }] });
  });
});

describe('parseRfc3339', () => {
  const cases = [
    { input: '2024-01-01T00:00:00Z', expected: Date.UTC(2024, 0, 1) },
    { input: '2024-01-01T00:00:00.123456789+02:00', expected: Date.UTC(2023, 11, 31, 22, 0, 0, 123) },
    { input: '0001-01-01T00:00:00Z', expected: Date.parse('0001-01-01T00:00:00Z') },
    { input: '2000-02-29T12:00:00-05:30', expected: Date.UTC(2000, 1, 29, 17, 30) },
    { input: '1', expected: Number.NaN },
    { input: '3000', expected: Number.NaN },
    { input: '2024-01-01', expected: Number.NaN },
    { input: '2024-01-01 00:00:00Z', expected: Number.NaN },
    { input: '2024-04-31T00:00:00Z', expected: Number.NaN },
    { input: '1900-02-29T00:00:00Z', expected: Number.NaN },
    { input: '2024-01-01T24:00:00Z', expected: Number.NaN },
    { input: '2024-01-01T00:00:00+0200', expected: Number.NaN },
  ];
  it.each(cases)('reads $input as $expected', ({ input, expected }) => {
    expect(parseRfc3339(input)).toBe(expected);
  });
});
