import { timingSafeEqual } from 'node:crypto';
import type { WebhookAuth } from '../config/load-config.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True when the Authorization header carries the configured bearer token or basic credentials. The
 * scheme is matched case-insensitively (RFC 9110 §11.1: `bearer` and `BASIC` are the same schemes).
 */
export function authorized(header: string | undefined, auth: WebhookAuth): boolean {
  if (header === undefined) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (auth.kind === 'bearer') return scheme === 'bearer' && same(credentials, auth.token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && same(decoded.slice(0, colon), auth.username) && same(decoded.slice(colon + 1), auth.password);
}
