import type { z } from 'zod';

/** One offending field of a request, named so a person can fix the sender. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An error with the HTTP status and JSON body the error middleware answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** Zod issue path → `alerts[0].labels`; the empty path is the whole body (or `root`, e.g. `(query)`). */
export function fieldName(path: readonly PropertyKey[], root = '(body)'): string {
  const s = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return s === '' ? root : s;
}

/** Where a request's validated input came from: the JSON body or the query string. */
export type InputPart = 'body' | 'query';

/**
 * A zod error as field issues. An unknown key is named itself (`foo`, `matchers[0].foo`), not the object
 * that holds it, one issue per key, with the keys that would be valid when `known` lists them.
 */
export function fieldIssues(error: z.ZodError, part: InputPart, known: readonly string[] = []): FieldIssue[] {
  const root = part === 'query' ? '(query)' : '(body)';
  const what = part === 'query' ? 'unknown query parameter' : 'unknown field';
  const hint = known.length > 0 ? ` (known: ${known.join(', ')})` : '';
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: fieldName([...i.path, key], root), message: `${what}${i.path.length === 0 ? hint : ''}` }))
      : [{ field: fieldName(i.path, root), message: i.message }],
  );
}
