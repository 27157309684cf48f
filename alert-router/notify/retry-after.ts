/**
 * Milliseconds to wait before retrying, from an HTTP `Retry-After` header: either delay-seconds
 * ("120") or an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT", measured from `nowMs`).
 * Undefined when the header is absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, at - nowMs);
}
