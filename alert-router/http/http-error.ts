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

/** Zod issue path → `alerts[0].labels`. */
export function fieldName(path: readonly PropertyKey[]): string {
  const s = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return s === '' ? '(body)' : s;
}
