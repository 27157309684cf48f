import {
  ErrorCode,
  LogLevel,
  WebClient,
  type FetchFunction,
  type WebAPICallError,
} from '@slack/web-api';
import { parseRetryAfter } from './retry-after.js';
import {
  buildSlackReopened,
  buildSlackResolved,
  buildSlackResolvedReply,
  buildSlackSeverityChanged,
  buildSlackTrigger,
  buildSlackUpdateReply,
  type SlackMessageContent,
} from './slack-message.js';
import { DeliveryError, type AttemptContext, type DeliveryReceipt, type Notification, type Notifier } from './types.js';

/** How to reach Slack's Web API. */
export interface SlackNotifierOptions {
  /** The bot token for a channel (e.g. `() => process.env.SLACK_BOT_TOKEN`). Undefined or empty means not configured. */
  token: (channel: string) => string | undefined;
  /** Base URL of the Web API, ending in `/`. Default `https://slack.com/api/`. */
  slackApiUrl?: string;
  /** HTTP client; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Give up on one attempt after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  /**
   * WebClient's own retries of a failed call. Default 0, and keep it so: the outbox retries, and
   * WebClient's default retries for up to thirty minutes.
   */
  retries?: number;
  /** Clock for the resolved and fired-again times shown in Slack and for Retry-After dates, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Told when an attempt that may repeat an earlier one could not check the channel for the earlier
   * message (no `channels:history` / `groups:history` scope, say) and posts anyway: Slack may then show
   * that message twice. The router logs it as a warning.
   */
  onUncheckedRepeat?: (message: string) => void;
}

/** The `event_type` of the metadata every message carries: which notification posted it. */
export const SLACK_METADATA_EVENT = 'slokit_notification';
/** How far back, before the notification was queued, the channel is read (clock skew with Slack). */
const LOOKBACK_SECONDS = 300;
/** Pages of up to 200 messages read when looking for an earlier attempt's message. */
const LOOKUP_PAGES = 5;

interface PostedMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** Slack errors that say "try again later" rather than "this will never work". */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

interface ObservedResponse {
  status: number;
  retryAfter: string | null;
}

/**
 * A notifier that posts an incident to a Slack channel and keeps its story in one thread:
 * a trigger posts a Block Kit message (its `ts` is the receipt's `ref`), an update replies in the
 * thread, and a resolve edits the first message to say "Resolved" and replies in the thread. An update
 * marked `reopened` (the incident fired again after its resolve) first edits the message back to firing,
 * one marked `escalated` (ticket → page) or `deescalated` (page → ticket) edits it to the new severity.
 * Updates and resolves thread on `notification.threadTs` and return it as `ref`; without one (the
 * trigger was given up) they post the first message instead.
 *
 * One `deliver()` is one attempt: WebClient's retries are off and a 429 throws instead of pausing.
 * Rate limits, HTTP 5xx, network errors and timeouts are retryable; Slack's `ok: false` errors
 * (channel_not_found, invalid_auth, ...) are not, except the transient ones (internal_error, ...).
 */
export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const slackApiUrl = options.slackApiUrl ?? 'https://slack.com/api/';
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 0;
  const now = options.now ?? Date.now;

  return {
    kind: 'slack',
    async deliver(notification: Notification, signal?: AbortSignal, attempt?: AttemptContext): Promise<DeliveryReceipt> {
      const channel = notification.target.destination;
      const what = `Slack ${notification.action} for incident ${notification.incidentId} in ${channel}`;
      const token = options.token(channel);
      if (token === undefined || token === '') {
        throw new DeliveryError(`${what}: no Slack token configured for ${channel}`, { retryable: false, notSent: true });
      }
      const threadTs = notification.threadTs;

      const timeout = AbortSignal.timeout(timeoutMs);
      const attemptSignal = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
      let observed: ObservedResponse | undefined;
      const watchedFetch: FetchFunction = async (url, init) => {
        const response = await fetchFn(url, { ...init, signal: attemptSignal });
        observed = { status: response.status, retryAfter: response.headers.get('retry-after') };
        return response;
      };
      const client = new WebClient(token, {
        slackApiUrl,
        fetch: watchedFetch,
        retryConfig: { retries },
        rejectRateLimitedCalls: true,
        logLevel: LogLevel.ERROR,
      });
      const metadata = { event_type: SLACK_METADATA_EVENT, event_payload: { notification_id: notification.id, incident_id: notification.incidentId } };
      /**
       * The ts of the message an earlier attempt of this notification posted (top level, or in
       * `thread`), found by its metadata among the messages since it was queued; undefined if none.
       */
      const earlierPost = async (thread: string | undefined, queuedAt: number): Promise<string | undefined> => {
        const oldest = (Math.floor(queuedAt / 1000) - LOOKBACK_SECONDS).toFixed(6);
        let cursor: string | undefined;
        for (let page = 0; page < LOOKUP_PAGES; page++) {
          const args = { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor === undefined ? {} : { cursor }) };
          const result = thread === undefined ? await client.conversations.history(args) : await client.conversations.replies({ ...args, ts: thread });
          const found = ((result.messages ?? []) as PostedMessage[]).find(
            (m) => m.metadata?.event_type === SLACK_METADATA_EVENT && m.metadata.event_payload?.['notification_id'] === notification.id,
          );
          if (found?.ts !== undefined) return found.ts;
          cursor = result.response_metadata?.next_cursor;
          if (result.has_more !== true || cursor === undefined || cursor === '') return undefined;
        }
        return undefined;
      };
      /**
       * Posts `content` unless an earlier attempt of this notification already did (then its ts). The
       * check runs only when one may have (`attempt.maybeDelivered`); if Slack refuses it (a missing
       * scope), the message is posted and `onUncheckedRepeat` told; if it fails for a while (rate
       * limit, 5xx), the attempt is retried.
       */
      const postOnce = async (content: SlackMessageContent, thread?: string): Promise<string | undefined> => {
        if (attempt?.maybeDelivered === true) {
          try {
            const ts = await earlierPost(thread, attempt.queuedAt);
            if (ts !== undefined) return ts;
          } catch (error) {
            const refused = classify(`${what}: looking for an earlier attempt's message`, error, observed, { timeout, timeoutMs, signal, now });
            if (refused.retryable) throw refused;
            options.onUncheckedRepeat?.(`${refused.message}; posted without knowing whether an earlier attempt already did`);
          }
        }
        const result = await client.chat.postMessage({
          channel,
          text: content.text,
          blocks: content.blocks,
          unfurl_links: false,
          unfurl_media: false,
          metadata,
          ...(thread === undefined ? {} : { thread_ts: thread }),
        });
        const ts = (result as { ts?: unknown }).ts;
        return typeof ts === 'string' ? ts : undefined;
      };

      try {
        if (notification.action === 'trigger' || threadTs === undefined || threadTs === '') {
          // A trigger posts the first message. So does an update or resolve whose first message never
          // got through (its trigger was given up after Slack was unreachable or rate limited for the
          // whole retry span), showing the incident as it is now: the channel hears of it, and later
          // changes thread on it.
          const content = notification.action === 'resolve' ? buildSlackResolved(notification, new Date(now()).toISOString()) : buildSlackTrigger(notification);
          const ts = await postOnce(content);
          return ts === undefined ? { status: 200 } : { status: 200, ref: ts };
        }
        const first = threadTs;
        if (notification.action === 'update') {
          if (notification.reopened === true || notification.escalated === true || notification.deescalated === true) {
            const at = new Date(now()).toISOString();
            const edited = notification.reopened === true ? buildSlackReopened(notification, at) : buildSlackSeverityChanged(notification, at);
            await client.chat.update({ channel, ts: first, text: edited.text, blocks: edited.blocks });
          }
          await postOnce(buildSlackUpdateReply(notification), first);
          return { status: 200, ref: first };
        }
        const resolvedAt = new Date(now()).toISOString();
        const resolved = buildSlackResolved(notification, resolvedAt);
        await client.chat.update({ channel, ts: first, text: resolved.text, blocks: resolved.blocks });
        await postOnce(buildSlackResolvedReply(notification, resolvedAt), first);
        return { status: 200, ref: first };
      } catch (error) {
        throw classify(what, error, observed, { timeout, timeoutMs, signal, now });
      }
    },
  };
}

interface AttemptState {
  timeout: AbortSignal;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  now: () => number;
}

/** The DeliveryError for a failed Web API call, retryable unless Slack said it will never work. */
function classify(what: string, error: unknown, observed: ObservedResponse | undefined, state: AttemptState): DeliveryError {
  // Already classified where it happened (the look-up for an earlier attempt's message): as it is,
  // not wrapped again with a second prefix and without its status.
  if (error instanceof DeliveryError) return error;
  const options = { cause: error };
  const code = (error as Partial<WebAPICallError> | undefined)?.code;
  if (code === ErrorCode.RateLimitedError || observed?.status === 429) {
    const fromHeader = parseRetryAfter(observed?.retryAfter, state.now());
    const fromError = code === ErrorCode.RateLimitedError ? (error as { retryAfter: number }).retryAfter * 1000 : undefined;
    const retryAfterMs = fromHeader ?? fromError;
    const wait = retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`;
    return new DeliveryError(
      `${what}: rate limited by Slack (429)${wait}`,
      retryAfterMs === undefined ? { retryable: true, status: 429 } : { retryable: true, status: 429, retryAfterMs },
      options,
    );
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = (error as { data: { error: string } }).data.error;
    const retryable = TRANSIENT_PLATFORM_ERRORS.has(slackError);
    return new DeliveryError(
      `${what}: Slack answered ${slackError}`,
      observed === undefined ? { retryable } : { retryable, status: observed.status },
      options,
    );
  }
  if (code === ErrorCode.HTTPError) {
    const status = (error as { statusCode: number }).statusCode;
    const retryable = status >= 500 || status === 408;
    return new DeliveryError(`${what}: Slack answered HTTP ${status}`, { retryable, status }, options);
  }
  if (state.timeout.aborted) {
    return new DeliveryError(`${what}: no answer from Slack within ${state.timeoutMs} ms`, { retryable: true }, options);
  }
  if (state.signal?.aborted === true) {
    return new DeliveryError(`${what}: cancelled`, { retryable: true }, options);
  }
  if (code === ErrorCode.RequestError) {
    const original = (error as { original: Error }).original;
    return new DeliveryError(`${what}: could not reach Slack: ${networkReason(original)}`, { retryable: true }, options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(`${what}: ${message}`, { retryable: true }, options);
}

/** "fetch failed" says little; undici puts the reason (ECONNREFUSED ...) in its cause. */
function networkReason(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
