import { timingSafeEqual } from 'node:crypto';
import type { WebhookAuth } from '../config/load-config.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the Authorization header carries the configured bearer token or basic credentials. */
export function authorized(header: string | undefined, auth: WebhookAuth): boolean {
  if (header === undefined) return false;
  if (auth.kind === 'bearer') return header.startsWith('Bearer ') && same(header.slice(7).trim(), auth.token);
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && same(decoded.slice(0, colon), auth.username) && same(decoded.slice(colon + 1), auth.password);
}
