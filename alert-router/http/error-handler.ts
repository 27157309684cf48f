import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { StoreError } from '../store/group-commit.js';
import { HttpError } from './http-error.js';

export interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** The status, headers and JSON body an error maps to. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: string; message: string; issues?: { field: string; message: string }[] };
}

/**
 * The one place errors become responses (the express middleware and the webhook's fast path both use
 * it). Alertmanager retries 5xx and drops a batch on any 4xx, so only transient failures (the store)
 * may answer 5xx; bad input answers 4xx naming the field.
 */
export function errorResponse(error: unknown, logger: Logger, path: string): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      headers: error.status === 401 ? { 'www-authenticate': 'Bearer realm="slokit-alert-router", Basic realm="slokit-alert-router"' } : {},
      body: { error: error.code, message: error.message, ...(error.issues.length > 0 ? { issues: error.issues } : {}) },
    };
  }
  if (error instanceof StoreError) {
    logger.error({ err: error, path }, 'store failure; answering 503 so the sender retries');
    const message = `could not commit to the store; retry${error.retryHow === undefined ? '' : ` ${error.retryHow}`}`;
    return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'store_unavailable', message } };
  }
  const bp = error as BodyParserError;
  if (bp.type === 'entity.too.large') {
    return {
      status: 413,
      headers: {},
      body: { error: 'body_too_large', message: `request body exceeds the ${bp.limit ?? ''} byte limit`, issues: [{ field: '(body)', message: 'too large' }] },
    };
  }
  if (bp.type === 'entity.parse.failed') {
    return { status: 400, headers: {}, body: { error: 'malformed_json', message: 'request body is not valid JSON', issues: [{ field: '(body)', message: 'not valid JSON' }] } };
  }
  if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
    return { status: bp.status, headers: {}, body: { error: 'bad_request', message: (error as Error).message } };
  }
  logger.error({ err: error, path }, 'unhandled error');
  return { status: 500, headers: {}, body: { error: 'internal', message: 'internal error' } };
}

/** Express error middleware: maps with {@link errorResponse}. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) return;
    const r = errorResponse(error, logger, req.path);
    res.status(r.status).set(r.headers).json(r.body);
  };
}
