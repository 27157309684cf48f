import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { RequestLog } from './request-log.js';
import { selfSignedCert } from './self-signed-cert.js';

/** One request the mock received. */
export interface PagerDutyRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when the body was not JSON. */
  body: PagerDutyEventBody | undefined;
  rawBody: string;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
  /** The status the mock answered. */
  status: number;
}

/** The Events v2 fields the mock looks at; anything else is kept as sent. */
export interface PagerDutyEventBody {
  routing_key?: unknown;
  event_action?: unknown;
  dedup_key?: unknown;
  payload?: {
    summary?: unknown;
    source?: unknown;
    severity?: unknown;
    timestamp?: unknown;
    component?: unknown;
    group?: unknown;
    class?: unknown;
    custom_details?: unknown;
  };
  links?: unknown;
  images?: unknown;
  [key: string]: unknown;
}

/** A scripted answer for one valid event. */
export interface PagerDutyMockResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body (a string is sent as is, e.g. a proxy's HTML page); defaults to what PagerDuty sends for that status. */
  body?: unknown;
  /** Answer this many ms late. */
  delayMs?: number;
  /** Never answer (until `close()`), without holding a timer: for client timeouts. */
  hang?: boolean;
}

/** A local stand-in for the PagerDuty Events v2 API over HTTPS. */
export interface PagerDutyMock {
  /** `127.0.0.1:PORT`, what @pagerduty/pdjs takes as `server`. */
  readonly server: string;
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  /** PEM of the self-signed certificate the mock serves: trust it to reach the mock. */
  readonly ca: string;
  /** Every request received, oldest first (invalid ones too). */
  readonly requests: readonly PagerDutyRequest[];
  /** Only the events the mock accepted (2xx), oldest first. */
  readonly accepted: readonly PagerDutyRequest[];
  /**
   * Queues answers for the next valid events, used in order; once they run out the mock answers
   * 202 as PagerDuty does. Invalid events are answered 400 without using the queue.
   */
  respondWith(responses: PagerDutyMockResponse[]): void;
  /** Resolves with the first request matching `predicate`; see {@link RequestLog.waitFor}. */
  waitFor(
    predicate: (request: PagerDutyRequest, all: readonly PagerDutyRequest[]) => boolean,
    timeoutMs?: number,
  ): Promise<PagerDutyRequest>;
  /** Stops listening and drops open connections (delayed answers included). */
  close(): Promise<void>;
}

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/**
 * Starts the mock on 127.0.0.1 with a free port and a certificate made at run time.
 * It validates events as PagerDuty does and answers like PagerDuty: 202
 * `{status:'success', message:'Event processed', dedup_key}`, or 400 `{status:'invalid event', message, errors}`.
 */
export async function startPagerDutyMock(): Promise<PagerDutyMock> {
  const { key, cert } = await selfSignedCert();
  const log = new RequestLog<PagerDutyRequest>();
  const queue: PagerDutyMockResponse[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let generatedKeys = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
    const record = (status: number, body: PagerDutyEventBody | undefined): void => {
      log.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
        rawBody,
        receivedAt: Date.now(),
        status,
      });
    };
    const send = (response: PagerDutyMockResponse): void => {
      const write = (): void => {
        if (res.destroyed) return;
        const text = typeof response.body === 'string';
        res.writeHead(response.status, {
          'content-type': text ? 'text/html' : 'application/json',
          ...response.headers,
        });
        res.end(text ? response.body : JSON.stringify(response.body));
      };
      if (response.hang === true) return;
      if (response.delayMs === undefined) return write();
      const timer = setTimeout(() => {
        timers.delete(timer);
        write();
      }, response.delayMs);
      timers.add(timer);
    };

    if (req.method !== 'POST' || path !== '/v2/enqueue') {
      record(404, undefined);
      return send({ status: 404, body: { status: 'not found', message: 'Not Found' } });
    }
    let body: PagerDutyEventBody | undefined;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as PagerDutyEventBody) : undefined;
    } catch {
      body = undefined;
    }
    const errors = body === undefined ? ['Event object is not a JSON object'] : validateEvent(body);
    if (errors.length > 0) {
      record(400, body);
      return send({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });
    }
    const scripted = queue.shift();
    const dedupKey = typeof body?.dedup_key === 'string' ? body.dedup_key : `generated-${++generatedKeys}`;
    const response: PagerDutyMockResponse = scripted ?? { status: 202 };
    record(response.status, body);
    send({ ...response, body: response.body ?? defaultBody(response.status, dedupKey) });
  };

  const httpsServer: Server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    httpsServer.once('error', reject);
    httpsServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = httpsServer.address() as AddressInfo;

  return {
    server: `127.0.0.1:${port}`,
    url: `https://127.0.0.1:${port}`,
    ca: cert,
    get requests() {
      return log.entries;
    },
    get accepted() {
      return log.entries.filter((request) => request.status >= 200 && request.status < 300);
    },
    respondWith(responses) {
      queue.push(...responses);
    },
    waitFor(predicate, timeoutMs) {
      return log.waitFor(predicate, timeoutMs);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        httpsServer.close(() => resolve());
        httpsServer.closeAllConnections();
      });
    },
  };
}

/** The errors PagerDuty would list for this event; empty when it is valid. */
function validateEvent(body: PagerDutyEventBody): string[] {
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key === '') {
    errors.push("'routing_key' is missing or blank");
  }
  if (typeof body.event_action !== 'string' || !ACTIONS.includes(body.event_action)) {
    errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  }
  if (body.dedup_key !== undefined && (typeof body.dedup_key !== 'string' || body.dedup_key.length > 255)) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (body.event_action !== 'trigger') {
    if (typeof body.dedup_key !== 'string' || body.dedup_key === '') {
      errors.push(`'dedup_key' is required to ${String(body.event_action)}`);
    }
    return errors;
  }
  const payload = body.payload;
  if (typeof payload !== 'object' || payload === null) {
    errors.push("'payload' is missing");
    return errors;
  }
  if (typeof payload.summary !== 'string' || payload.summary.trim() === '') {
    errors.push("'payload.summary' is missing or blank");
  } else if (payload.summary.length > 1024) {
    errors.push("'payload.summary' is longer than 1024 characters");
  }
  if (typeof payload.source !== 'string' || payload.source.trim() === '') {
    errors.push("'payload.source' is missing or blank");
  }
  if (typeof payload.severity !== 'string' || !SEVERITIES.includes(payload.severity)) {
    errors.push("'payload.severity' must be one of critical, error, warning, info");
  }
  if (payload.timestamp !== undefined && (typeof payload.timestamp !== 'string' || Number.isNaN(Date.parse(payload.timestamp)))) {
    errors.push("'payload.timestamp' must be an ISO 8601 timestamp");
  }
  return errors;
}

function defaultBody(status: number, dedupKey: string): unknown {
  if (status >= 200 && status < 300) return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
  if (status === 429) {
    return { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' };
  }
  if (status >= 500) return { status: 'error', message: 'Internal Server Error' };
  return { status: 'invalid event', message: 'Event object is invalid', errors: [] };
}
