import { z } from 'zod';
import { parseRfc3339 } from '../pipeline/webhook-schema.js';

/**
 * An RFC 3339 time (`2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.5+02:00`) as epoch milliseconds, for
 * query parameters and maintenance windows. Stricter than `Date.parse`, which takes `1` or `3000`.
 */
export const rfc3339Time = z.string().transform((s, ctx) => {
  const ms = parseRfc3339(s);
  if (!Number.isNaN(ms)) return ms;
  // A `+02:00` offset in a query string arrives as ` 02:00` unless the `+` was sent as %2B.
  const hint = / \d\d:\d\d$/.test(s) ? ' (in a URL, send the + of the offset as %2B)' : '';
  ctx.addIssue({ code: 'custom', message: `must be an RFC 3339 time like 2024-01-01T00:00:00Z${hint}` });
  return z.NEVER;
});
