import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WebhookAuth } from '../config/load-config.js';
import { decodeWebhook } from '../pipeline/decode-webhook.js';
import type { BatchOutcome } from '../pipeline/process-batch.js';
import type { IncomingBatch } from '../pipeline/types.js';
import type { RouterMetrics } from '../router-metrics.js';
import { authorized } from './authenticate.js';
import { errorResponse, type BodyParserError } from './error-handler.js';
import { fieldName, HttpError } from './http-error.js';

export const WEBHOOK_PATH = '/api/v1/alertmanager';

export interface WebhookDeps {
  /** Commits the batch; `body` is the request body as received, what the journal keeps. */
  commit: (batch: IncomingBatch, body: Buffer) => Promise<BatchOutcome>;
  metrics: RouterMetrics;
  logger: Logger;
  settings: () => { auth: WebhookAuth; bodyLimitBytes: number };
}

function tooLarge(limit: number): BodyParserError & Error {
  return Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, deps: WebhookDeps): Promise<BatchOutcome> {
  const { auth, bodyLimitBytes } = deps.settings();
  if (!authorized(req.headers.authorization, auth)) {
    req.resume();
    throw new HttpError(401, 'unauthorized', 'missing or wrong credentials');
  }
  const raw = await readBody(req, bodyLimitBytes);
  const decoded = decodeWebhook(raw);
  if (decoded.kind === 'malformed') throw Object.assign(new Error('malformed JSON'), { type: 'entity.parse.failed' });
  if (decoded.kind === 'invalid') {
    throw new HttpError(
      400,
      'invalid_payload',
      'not an Alertmanager version 4 webhook payload',
      decoded.issues.map((i) => ({ field: fieldName(i.path), message: i.message })),
    );
  }
  return deps.commit(decoded.batch, raw);
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * `POST /api/v1/alertmanager` on plain node:http request/response objects, so the server can route the
 * hot path past express's router (a quarter of the CPU per webhook when profiled); `createApp` mounts
 * the same handler as an express route. Answers 200 only after the batch is committed; every error
 * maps through {@link errorResponse}, the error middleware's mapping.
 */
export function createWebhookHandler(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const end = deps.metrics.webhookDuration.startTimer();
    handle(req, deps).then(
      (outcome) => {
        const m = deps.metrics;
        if (outcome.firing > 0) m.alertsReceived.inc({ status: 'firing' }, outcome.firing);
        if (outcome.resolved > 0) m.alertsReceived.inc({ status: 'resolved' }, outcome.resolved);
        if (outcome.duplicates > 0) m.duplicates.inc(outcome.duplicates);
        if (outcome.opened > 0) m.incidentsOpened.inc({ kind: 'opened' }, outcome.opened);
        if (outcome.reopened > 0) m.incidentsOpened.inc({ kind: 'reopened' }, outcome.reopened);
        send(res, 200, {}, {
          status: 'committed',
          alerts: outcome.alerts,
          duplicates: outcome.duplicates,
          incidentsOpened: outcome.opened,
          notificationsQueued: outcome.notifications.length,
        });
        end({ code: '200' });
      },
      (error: unknown) => {
        const r = errorResponse(error, deps.logger, WEBHOOK_PATH);
        if (r.status < 500) {
          // Alertmanager drops a batch answered 4xx (it retries only 5xx): say so where on-call looks.
          deps.logger.warn(
            { status: r.status, error: r.body.error, reason: r.body.message, ...(r.body.issues === undefined ? {} : { issues: r.body.issues.slice(0, 5) }) },
            'webhook refused; Alertmanager does not retry a 4xx, so a batch it sent is lost',
          );
        }
        send(res, r.status, r.headers, r.body);
        end({ code: String(r.status) });
      },
    );
  };
}
