import type { IncomingHttpHeaders } from 'node:http';
import { rootCertificates } from 'node:tls';
import { event } from '@pagerduty/pdjs';
import type { EventParameters, EventResponse } from '@pagerduty/pdjs/build/src/events.js';
import { buildPagerDutyEvent } from './pagerduty-event.js';
import { ResponseWatchingAgent } from './response-watching-agent.js';
import { parseRetryAfter } from './retry-after.js';
import { DeliveryError, type DeliveryReceipt, type Notification, type Notifier } from './types.js';

/** How to reach PagerDuty Events v2. */
export interface PagerDutyNotifierOptions {
  /**
   * The routing key for a notification's destination, which names an environment variable
   * (pass `(name) => process.env[name]` in production). Undefined or empty means not configured.
   */
  routingKey: (destination: string) => string | undefined;
  /** Host and optional port of the Events API; pdjs always uses `https://${server}/v2/enqueue`. Default `events.pagerduty.com`. */
  server?: string;
  /**
   * PEM certificate(s) to trust in addition to Node's bundled roots, like NODE_EXTRA_CA_CERTS but
   * for this notifier only (tests pass the mock's CA).
   */
  extraCa?: string;
  /** Give up on one attempt after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** `payload.source` on every event. Default `slokit-alert-router`. */
  source?: string;
  /** Clock for Retry-After dates, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

interface ObservedResponse {
  status: number;
  headers: IncomingHttpHeaders;
}

/**
 * A notifier that sends one Events v2 event per `deliver()` through @pagerduty/pdjs and classifies
 * the outcome: 2xx is a receipt; 429 (with Retry-After), 5xx, network errors and timeouts are
 * retryable; other 4xx are not, and carry PagerDuty's error messages.
 *
 * pdjs retries a 429 three more times by itself whatever its options say (`retryCount` is ignored),
 * so each attempt runs through its own agent that aborts the request the moment a 429 arrives;
 * pdjs then rejects instead of retrying, and the outbox decides when to try again.
 */
export function createPagerDutyNotifier(options: PagerDutyNotifierOptions): Notifier {
  const server = options.server ?? 'events.pagerduty.com';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const source = options.source ?? 'slokit-alert-router';
  const now = options.now ?? Date.now;
  const ca = options.extraCa === undefined ? undefined : [...rootCertificates, options.extraCa];

  return {
    kind: 'pagerduty',
    async deliver(notification: Notification, signal?: AbortSignal): Promise<DeliveryReceipt> {
      const destination = notification.target.destination;
      const routingKey = options.routingKey(destination);
      if (routingKey === undefined || routingKey === '') {
        throw new DeliveryError(
          `no PagerDuty routing key for incident ${notification.incidentId}: environment variable ${destination} is ${routingKey === undefined ? 'not set' : 'empty'}`,
          { retryable: false, notSent: true },
        );
      }
      const data = buildPagerDutyEvent(notification, { routingKey, source });

      let observed: ObservedResponse | undefined;
      const rateLimited = new AbortController();
      const agent = new ResponseWatchingAgent(ca === undefined ? { keepAlive: false } : { keepAlive: false, ca }, (response) => {
        observed = { status: response.statusCode ?? 0, headers: response.headers };
        if (response.statusCode === 429) rateLimited.abort();
      });
      const timeout = AbortSignal.timeout(timeoutMs);
      const signals = signal === undefined ? [timeout, rateLimited.signal] : [timeout, rateLimited.signal, signal];
      // pdjs spreads these into node-fetch's options; `agent` is node-fetch's, not in pdjs's types.
      const parameters = {
        server,
        data,
        requestTimeout: 0,
        retryTimeout: 0,
        signal: AbortSignal.any(signals),
        agent,
      } as EventParameters;
      const what = `PagerDuty ${data.event_action} for incident ${notification.incidentId}`;

      let response: EventResponse;
      try {
        response = await event(parameters);
      } catch (cause) {
        if (observed !== undefined) return classify(what, observed, undefined, now, cause);
        if (timeout.aborted) {
          throw new DeliveryError(`${what}: no answer from ${server} within ${timeoutMs} ms`, { retryable: true }, { cause });
        }
        if (signal?.aborted === true) {
          throw new DeliveryError(`${what}: cancelled`, { retryable: true }, { cause });
        }
        throw new DeliveryError(`${what}: could not reach ${server}: ${errorMessage(cause)}`, { retryable: true }, { cause });
      } finally {
        agent.destroy();
      }
      return classify(what, { status: response.status, headers: observed?.headers ?? {} }, response.data, now, undefined);
    },
  };
}

/** A receipt for 2xx, else the DeliveryError the outbox needs. `body` is PagerDuty's JSON, when readable. */
function classify(
  what: string,
  response: ObservedResponse,
  body: unknown,
  now: () => number,
  cause: unknown,
): DeliveryReceipt {
  const { status } = response;
  const causeOption = cause === undefined ? undefined : { cause };
  if (status >= 200 && status < 300) {
    const dedupKey = readString(body, 'dedup_key');
    return dedupKey === undefined ? { status } : { status, ref: dedupKey };
  }
  if (status === 429) {
    const header = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, now());
    const wait = retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`;
    const details = retryAfterMs === undefined ? { retryable: true, status } : { retryable: true, status, retryAfterMs };
    throw new DeliveryError(`${what}: rate limited by PagerDuty (429)${wait}`, details, causeOption);
  }
  const reason = pagerDutyReason(body);
  const said = reason === undefined ? '' : `: ${reason}`;
  if (status >= 500) {
    throw new DeliveryError(`${what}: PagerDuty answered ${status}${said}`, { retryable: true, status }, causeOption);
  }
  throw new DeliveryError(`${what}: PagerDuty refused it (${status})${said}`, { retryable: false, status }, causeOption);
}

/** "Event object is invalid: 'payload.summary' is missing or blank" from PagerDuty's error body. */
function pagerDutyReason(body: unknown): string | undefined {
  const message = readString(body, 'message');
  const errors =
    typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)['errors'])
      ? ((body as Record<string, unknown>)['errors'] as unknown[]).map(String)
      : [];
  const parts = [message, errors.join('; ')].filter((part): part is string => part !== undefined && part !== '');
  return parts.length === 0 ? undefined : parts.join(': ');
}

function readString(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
