import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The header's name in the IETF httpapi draft ("The Idempotency-Key HTTP Header Field"), as Stripe and others use it. */
export const IDEMPOTENCY_KEY = 'Idempotency-Key';

const MAX_KEY_LENGTH = 255;

/** Why a key cannot be one, or undefined when it can. */
function keyProblem(key: string): string | undefined {
  if (key === '') return 'must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters long; at most ${MAX_KEY_LENGTH}`;
  const bad = key.search(/[^\x21-\x7e]/);
  if (bad >= 0) return `must be visible ASCII characters (! to ~) only, without spaces: character ${bad + 1} is ${JSON.stringify(key[bad])}`;
  return undefined;
}

/**
 * The request's `Idempotency-Key`, undefined without one: 1 to 255 visible ASCII characters, taken
 * as sent (the draft's quoted form `"k"` is the key `"k"`, quotes included: a retry sends the same
 * bytes). Refused, naming the header, when it is not one, or given twice.
 */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  const values = req.headersDistinct['idempotency-key'];
  if (values === undefined) return undefined;
  const problem = values.length > 1 ? 'given more than once; give it once' : keyProblem(values[0]!);
  if (problem !== undefined) {
    throw new HttpError(400, 'invalid_idempotency_key', `the ${IDEMPOTENCY_KEY} header must be one key of 1 to ${MAX_KEY_LENGTH} visible ASCII characters`, [
      { field: IDEMPOTENCY_KEY, message: problem },
    ]);
  }
  return values[0];
}
