import type { Matcher } from '../pipeline/matcher.js';

/**
 * How long after a window was created a `POST` without an `Idempotency-Key` that asks for the same
 * window is taken for a retry of it (200 with that window) instead of a new one, in ms. A retry of a
 * 503 comes within seconds (`Retry-After: 5`, which curl's `--retry` honours), or a few minutes from a
 * client that backs off on its own, and retries that keep getting 503 (the store still failing) keep
 * finding the window until then: a store fault of minutes is covered. Past that, the same window asked
 * for again is more likely a person or a job asking anew, and taking it for a retry would let one's
 * `DELETE` end the other's maintenance.
 */
export const KEYLESS_RETRY_MS = 10 * 60_000;

/**
 * What a `POST /api/v1/maintenance` asked for, as compared to tell a retry from a new request: the
 * matchers as a set (their text, sorted: order and repeats change nothing a window holds), `startsAt`
 * as given in epoch ms (null when omitted, "from when it is stored": a retry that omits it asks for
 * the same window however late it comes), `endsAt` as planned (ending a window early does not change
 * what was asked), `author` and `comment`.
 */
export interface MaintenanceRequest {
  matchers: string[];
  startsAt: number | null;
  endsAt: number;
  author: string;
  comment: string;
}

/** The request a validated body stands for. */
export function maintenanceRequest(b: { matchers: readonly Matcher[]; startsAt?: number | undefined; endsAt: number; author: string; comment: string }): MaintenanceRequest {
  return { matchers: [...new Set(b.matchers.map((m) => m.text))].sort(), startsAt: b.startsAt ?? null, endsAt: b.endsAt, author: b.author, comment: b.comment };
}

/** As stored with its window: JSON in one key order, so equal requests are equal text (a keyless retry is found by it). */
export function requestText(r: MaintenanceRequest): string {
  return JSON.stringify({ matchers: r.matchers, startsAt: r.startsAt, endsAt: r.endsAt, author: r.author, comment: r.comment });
}

/** A stored request back, to name what a request reusing its `Idempotency-Key` changed. */
export function parseRequestText(text: string): MaintenanceRequest {
  return JSON.parse(text) as MaintenanceRequest;
}

const FIELDS = ['matchers', 'startsAt', 'endsAt', 'author', 'comment'] as const;

/** A field's value as a person reads it in an error: times in RFC 3339, an omitted start as such. */
function shown(r: MaintenanceRequest, field: (typeof FIELDS)[number]): string {
  if (field === 'startsAt') return r.startsAt === null ? 'none (from when it was stored)' : new Date(r.startsAt).toISOString();
  if (field === 'endsAt') return new Date(r.endsAt).toISOString();
  return JSON.stringify(r[field]);
}

/** Each field in which `asked` differs from `first`, in body order, with what `first` had. */
export function requestDifferences(first: MaintenanceRequest, asked: MaintenanceRequest): { field: string; first: string }[] {
  return FIELDS.filter((f) => JSON.stringify(first[f]) !== JSON.stringify(asked[f])).map((field) => ({ field, first: shown(first, field) }));
}
