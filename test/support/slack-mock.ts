import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestLog } from './request-log.js';

/** One Web API call the mock received. */
export interface SlackCall {
  /** The Web API method, e.g. `chat.postMessage`. */
  method: string;
  headers: IncomingHttpHeaders;
  /** The arguments, from a form or JSON body; `blocks`, `attachments` and `metadata` JSON-decoded. */
  args: Record<string, unknown>;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
  /** HTTP status the mock answered. */
  status: number;
  /** The JSON the mock answered with (undefined for a scripted non-JSON body). */
  response: unknown;
}

/** A message as a Slack user would see it in the channel. */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** The parent's ts for a thread reply. */
  threadTs?: string;
  /** True once chat.update changed it. */
  edited: boolean;
  /** Thread replies, oldest first (top-level messages only). */
  replies: SlackMessage[];
  /** The message metadata it was posted with (`event_type`, `event_payload`), if any. */
  metadata?: unknown;
}

/** A scripted answer for one authenticated call: an HTTP failure, or Slack's `ok: false` with an error. */
export type SlackMockResponse =
  | { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number; hang?: boolean }
  | { error: string }
  /** Does what Slack would (the message is posted), and answers only after `answerAfterMs`. */
  | { answerAfterMs: number };

/**
 * A local stand-in for Slack's Web API over HTTP: chat.postMessage, chat.update, and reading a channel
 * (conversations.history) or a thread (conversations.replies) with `oldest`, `limit`, `cursor` and
 * `include_all_metadata`.
 */
export interface SlackMock {
  /** `http://127.0.0.1:PORT/api/`, what WebClient takes as `slackApiUrl`. */
  readonly url: string;
  /** The bot token the mock accepts. */
  readonly token: string;
  /** Every call received, oldest first. */
  readonly requests: readonly SlackCall[];
  /** The channel's top-level messages, oldest first, with their thread replies and edits applied. */
  messages(channel: string): readonly SlackMessage[];
  /** Every message posted to the channel, top level and replies, oldest first. */
  posted(channel: string): readonly SlackMessage[];
  /** Queues answers for the next authenticated calls, used in order; then the mock behaves like Slack. */
  respondWith(responses: SlackMockResponse[]): void;
  /** Resolves with the first call matching `predicate`; see {@link RequestLog.waitFor}. */
  waitFor(predicate: (call: SlackCall, all: readonly SlackCall[]) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const JSON_ARGS = ['blocks', 'attachments', 'metadata'];

/**
 * Starts the mock on 127.0.0.1 with a free port. Calls need `Authorization: Bearer <token>` (or a
 * `token` argument): a missing token gets `not_authed`, a wrong one `invalid_auth`, as from Slack.
 * Message ts values are the time of posting, in seconds with microseconds (`1796230000.123456`), and
 * always increase.
 */
export async function startSlackMock(options: { token?: string } = {}): Promise<SlackMock> {
  const token = options.token ?? 'xoxb-slokit-test';
  const log = new RequestLog<SlackCall>();
  const queue: SlackMockResponse[] = [];
  const channels = new Map<string, SlackMessage[]>();
  const timers = new Set<NodeJS.Timeout>();
  let lastMicros = 0;

  const nextTs = (): string => {
    lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };
  /** One page of `list` (oldest first) as Slack's reading methods answer it. */
  const readPage = (list: SlackMessage[], args: Record<string, unknown>, newestFirst: boolean): Record<string, unknown> => {
    const oldest = Number(args['oldest'] ?? 0);
    const inclusive = args['inclusive'] === true || args['inclusive'] === 'true';
    const limit = Math.min(Math.max(Number(args['limit'] ?? 100) || 100, 1), 999);
    const withMetadata = args['include_all_metadata'] === true || args['include_all_metadata'] === 'true';
    const offset = Number(typeof args['cursor'] === 'string' && args['cursor'] !== '' ? args['cursor'] : 0);
    const inRange = list.filter((m) => (inclusive ? Number(m.ts) >= oldest : Number(m.ts) > oldest));
    const ordered = newestFirst ? [...inRange].reverse() : inRange;
    const page = ordered.slice(offset, offset + limit);
    const more = offset + limit < ordered.length;
    return {
      ok: true,
      messages: page.map((m) => ({
        type: 'message',
        ts: m.ts,
        text: m.text,
        ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
        ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
      })),
      has_more: more,
      response_metadata: { next_cursor: more ? String(offset + limit) : '' },
    };
  };
  const posted = new Map<string, SlackMessage[]>();
  /** The channel's list in `map`, made empty on first use. */
  const listIn = (map: Map<string, SlackMessage[]>, channel: string): SlackMessage[] => {
    let list = map.get(channel);
    if (list === undefined) {
      list = [];
      map.set(channel, list);
    }
    return list;
  };
  const topLevel = (channel: string): SlackMessage[] => listIn(channels, channel);

  /** What Slack itself would answer to a well-formed, authenticated call. */
  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channel = typeof args['channel'] === 'string' ? args['channel'] : '';
    const text = typeof args['text'] === 'string' ? args['text'] : '';
    const blocks = Array.isArray(args['blocks']) ? (args['blocks'] as unknown[]) : [];
    if (method === 'conversations.history' || method === 'conversations.replies') {
      if (channel === '') return { ok: false, error: 'channel_not_found' };
      if (method === 'conversations.history') return readPage(topLevel(channel), args, true);
      const parent = topLevel(channel).find((candidate) => candidate.ts === args['ts']);
      if (parent === undefined) return { ok: false, error: 'thread_not_found' };
      return readPage([parent, ...parent.replies], args, false);
    }
    if (method !== 'chat.postMessage' && method !== 'chat.update') return { ok: false, error: 'unknown_method' };
    if (channel === '') return { ok: false, error: 'channel_not_found' };
    if (text === '' && blocks.length === 0) return { ok: false, error: 'no_text' };
    if (method === 'chat.update') {
      const message = topLevel(channel).find((candidate) => candidate.ts === args['ts']);
      if (message === undefined) return { ok: false, error: 'message_not_found' };
      Object.assign(message, { text, blocks, edited: true });
      return { ok: true, channel, ts: message.ts, text, message: { text, blocks } };
    }
    const ts = nextTs();
    const threadTs = args['thread_ts'];
    const message: SlackMessage = { channel, ts, text, blocks, edited: false, replies: [], ...(args['metadata'] === undefined ? {} : { metadata: args['metadata'] }) };
    if (typeof threadTs === 'string' && threadTs !== '') {
      const parent = topLevel(channel).find((candidate) => candidate.ts === threadTs);
      if (parent === undefined) return { ok: false, error: 'thread_not_found' };
      const reply = { ...message, threadTs };
      parent.replies.push(reply);
      listIn(posted, channel).push(reply);
    } else {
      topLevel(channel).push(message);
      listIn(posted, channel).push(message);
    }
    return { ok: true, channel, ts, message: { text, blocks, ts } };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : path;
    const args = parseArgs(req.headers['content-type'], rawBody);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}, delay: { delayMs?: number; hang?: boolean } = {}): void => {
      log.push({ method, headers: req.headers, args, receivedAt: Date.now(), status, response: typeof body === 'string' ? undefined : body });
      const write = (): void => {
        if (res.destroyed) return;
        const text = typeof body === 'string';
        res.writeHead(status, { 'content-type': text ? 'text/html' : 'application/json; charset=utf-8', ...headers });
        res.end(text ? body : JSON.stringify(body));
      };
      if (delay.hang === true) return;
      if (delay.delayMs === undefined) return write();
      const timer = setTimeout(() => {
        timers.delete(timer);
        write();
      }, delay.delayMs);
      timers.add(timer);
    };

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = bearer ?? (typeof args['token'] === 'string' ? args['token'] : undefined);
    if (given === undefined || given === '') return reply(200, { ok: false, error: 'not_authed' });
    if (given !== token) return reply(200, { ok: false, error: 'invalid_auth' });

    const scripted = queue.shift();
    if (scripted !== undefined) {
      if ('error' in scripted) return reply(200, { ok: false, error: scripted.error });
      if ('answerAfterMs' in scripted) return reply(200, answer(method, args), {}, { delayMs: scripted.answerAfterMs });
      const body = scripted.body ?? (scripted.status === 429 ? { ok: false, error: 'ratelimited' } : 'Internal Server Error');
      return reply(scripted.status, body, scripted.headers, scripted);
    }
    reply(200, answer(method, args));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    get requests() {
      return log.entries;
    },
    messages(channel) {
      return channels.get(channel) ?? [];
    },
    posted(channel) {
      return posted.get(channel) ?? [];
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
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Arguments from a form-encoded body (how WebClient sends them) or a JSON body. */
function parseArgs(contentType: string | undefined, rawBody: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json') === true) {
    try {
      const parsed: unknown = JSON.parse(rawBody);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(rawBody)) {
    args[key] = JSON_ARGS.includes(key) ? parseJson(value) : value;
  }
  return args;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
