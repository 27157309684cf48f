import { normalise } from './normalise.js';
import type { IncomingBatch } from './types.js';
import { parseWebhookPayload } from './webhook-schema.js';

/** A webhook body decoded: a batch, or why not (not JSON, or the fields that fail the schema). */
export type DecodedWebhook =
  | { kind: 'batch'; batch: IncomingBatch }
  | { kind: 'malformed' }
  | { kind: 'invalid'; issues: { path: PropertyKey[]; message: string }[] };

/**
 * An Alertmanager webhook body (JSON bytes) as the pipeline takes it: parsed, validated against
 * version 4 and normalised. The HTTP handler decodes each request with it, and the router's start
 * decodes each journaled body again with it, so a replayed batch is the batch that was answered.
 */
export function decodeWebhook(raw: Buffer): DecodedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { kind: 'malformed' };
  }
  const parsed = parseWebhookPayload(json);
  return parsed.success ? { kind: 'batch', batch: normalise(parsed.data) } : { kind: 'invalid', issues: parsed.issues };
}
