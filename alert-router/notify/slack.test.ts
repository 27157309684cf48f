import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackMock, type SlackMock } from '../../test/support/slack-mock.js';
import { until } from '../../test/support/router-fixture.js';
import { aNotification } from './notification-fixture.js';
import { createSlackNotifier, type SlackNotifierOptions } from './slack.js';
import { DeliveryError, type Notification } from './types.js';

const CHANNEL = 'C0ALERTS';

let slack: SlackMock;

beforeEach(async () => {
  slack = await startSlackMock();
});

afterEach(async () => {
  await slack.close();
});

function notifier(overrides: Partial<SlackNotifierOptions> = {}) {
  return createSlackNotifier({
    token: () => slack.token,
    slackApiUrl: slack.url,
    timeoutMs: 5_000,
    now: () => Date.parse('2026-11-03T10:42:00Z'),
    ...overrides,
  });
}

function aSlackNotification(overrides: Partial<Notification> = {}): Notification {
  return aNotification({ target: { kind: 'slack', destination: CHANNEL }, ...overrides });
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

function blockTexts(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe('Slack notifier', () => {
  it('posts the incident and returns the message ts for later messages', async () => {
    const receipt = await notifier().deliver(aSlackNotification());

    const [message] = slack.messages(CHANNEL);
    expect(receipt).toEqual({ status: 200, ref: message?.ts });
    expect(message?.text).toBe(':rotating_light: checkout/availability burning error budget 15.8× (page)');
    expect(message?.blocks[0]).toMatchObject({ type: 'header' });
    expect(message?.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [
        { text: { text: 'Runbook' }, url: 'https://runbooks.example.com/checkout/availability' },
        { text: { text: 'Dashboard' }, url: 'https://grafana.example.com/d/slo-checkout-availability' },
      ],
    });
    expect(slack.requests[0]?.headers.authorization).toBe(`Bearer ${slack.token}`);
    expect(slack.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('keeps an incident in one thread: the update is a reply, the resolve edits the first message and replies', async () => {
    const slackNotifier = notifier();
    const opened = await slackNotifier.deliver(aSlackNotification());
    const threadTs = opened.ref ?? '';

    const updated = await slackNotifier.deliver(
      aSlackNotification({ id: 'outbox-2', action: 'update', details: 'Slow-burn tier (6h/30m) fired too.', threadTs }),
    );
    const resolved = await slackNotifier.deliver(aSlackNotification({ id: 'outbox-3', action: 'resolve', threadTs }));

    expect(updated).toEqual({ status: 200, ref: threadTs });
    expect(resolved).toEqual({ status: 200, ref: threadTs });
    const messages = slack.messages(CHANNEL);
    expect(messages).toHaveLength(1);
    const first = messages[0];
    expect(first?.ts).toBe(threadTs);
    expect(first?.edited).toBe(true);
    expect(first?.text).toBe(':white_check_mark: Resolved: checkout/availability burning error budget 15.8× (page)');
    expect(blockTexts(first?.blocks ?? [])).toContain('resolved 2026-11-03T10:42:00.000Z');
    expect(first?.replies.map((reply) => reply.text)).toEqual([
      'Update: checkout/availability burning error budget 15.8× (page)',
      ':white_check_mark: Resolved at 2026-11-03T10:42:00.000Z: checkout/availability burning error budget 15.8× (page)',
    ]);
    expect(blockTexts(first?.replies[0]?.blocks ?? [])).toContain('Slow-burn tier (6h/30m) fired too.');
    expect(slack.requests.map((call) => [call.method, call.args['ts'] ?? call.args['thread_ts'] ?? null])).toEqual([
      ['chat.postMessage', null],
      ['chat.postMessage', threadTs],
      ['chat.update', threadTs],
      ['chat.postMessage', threadTs],
    ]);
  });

  it('edits a resolved first message back to firing when the incident fires again, and replies in the thread', async () => {
    const slackNotifier = notifier();
    const opened = await slackNotifier.deliver(aSlackNotification());
    const threadTs = opened.ref ?? '';
    await slackNotifier.deliver(aSlackNotification({ id: 'outbox-2', action: 'resolve', threadTs }));
    expect(slack.messages(CHANNEL)[0]?.text).toMatch(/^:white_check_mark: Resolved:/);

    const reopened = await slackNotifier.deliver(
      aSlackNotification({ id: 'outbox-3', action: 'update', reopened: true, details: 'reopened: fired again 300s after the incident resolved', threadTs }),
    );

    expect(reopened).toEqual({ status: 200, ref: threadTs });
    const messages = slack.messages(CHANNEL);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(':rotating_light: checkout/availability burning error budget 15.8× (page)');
    expect(blockTexts(messages[0]?.blocks ?? [])).toContain('fired again 2026-11-03T10:42:00.000Z');
    expect(blockTexts(messages[0]?.blocks ?? [])).not.toContain('Resolved');
    expect(messages[0]?.replies.map((reply) => reply.text)).toEqual([
      ':white_check_mark: Resolved at 2026-11-03T10:42:00.000Z: checkout/availability burning error budget 15.8× (page)',
      'Update: checkout/availability burning error budget 15.8× (page)',
    ]);
    expect(slack.requests.slice(3).map((call) => [call.method, call.args['ts'] ?? call.args['thread_ts'] ?? null])).toEqual([
      ['chat.update', threadTs],
      ['chat.postMessage', threadTs],
    ]);
  });

  it('edits the first message of a ticket to the page when the incident escalates, and replies in the thread', async () => {
    const slackNotifier = notifier();
    const opened = await slackNotifier.deliver(aSlackNotification({ severity: 'ticket', summary: 'checkout/availability burning slowly (ticket)' }));
    const threadTs = opened.ref ?? '';
    expect(slack.messages(CHANNEL)[0]?.text).toMatch(/^:warning: /);

    await slackNotifier.deliver(aSlackNotification({ id: 'outbox-2', action: 'update', escalated: true, details: 'escalated: severity ticket → page', threadTs }));

    const [first] = slack.messages(CHANNEL);
    expect(first?.text).toBe(':rotating_light: checkout/availability burning error budget 15.8× (page)');
    expect(blockTexts(first?.blocks ?? [])).toContain('escalated to page 2026-11-03T10:42:00.000Z');
    expect(first?.replies.map((reply) => reply.text)).toEqual(['Update: checkout/availability burning error budget 15.8× (page)']);
    expect(slack.requests.slice(1).map((call) => call.method)).toEqual(['chat.update', 'chat.postMessage']);
  });

  it('edits the first message of a page to the ticket when the incident de-escalates, and replies in the thread', async () => {
    const slackNotifier = notifier();
    const opened = await slackNotifier.deliver(aSlackNotification());
    const threadTs = opened.ref ?? '';
    expect(slack.messages(CHANNEL)[0]?.text).toMatch(/^:rotating_light: /);

    await slackNotifier.deliver(
      aSlackNotification({
        id: 'outbox-2',
        action: 'update',
        severity: 'ticket',
        summary: 'checkout/availability burning slowly (ticket)',
        deescalated: true,
        details: 'de-escalated: severity page → ticket: the last page alert resolved; 1 ticket alert still firing',
        threadTs,
      }),
    );

    const [first] = slack.messages(CHANNEL);
    expect(first?.text).toBe(':warning: checkout/availability burning slowly (ticket)');
    expect(blockTexts(first?.blocks ?? [])).toContain('de-escalated to ticket 2026-11-03T10:42:00.000Z');
    expect(first?.replies.map((reply) => reply.text)).toEqual(['Update: checkout/availability burning slowly (ticket)']);
    expect(slack.requests.slice(1).map((call) => call.method)).toEqual(['chat.update', 'chat.postMessage']);
  });

  it.each([{ action: 'update' as const }, { action: 'resolve' as const }])(
    'posts a $action whose first message never got through as the first message, and later ones thread on it',
    async ({ action }) => {
      const slackNotifier = notifier();
      const receipt = await slackNotifier.deliver(aSlackNotification({ action }));

      const [first] = slack.messages(CHANNEL);
      expect(slack.messages(CHANNEL)).toHaveLength(1);
      expect(receipt).toEqual({ status: 200, ref: first!.ts });
      expect(first!.text).toBe(action === 'resolve' ? ':white_check_mark: Resolved: checkout/availability burning error budget 15.8× (page)' : ':rotating_light: checkout/availability burning error budget 15.8× (page)');
      expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage']);

      await slackNotifier.deliver(aSlackNotification({ id: 'outbox-3', action: 'update', threadTs: receipt.ref! }));
      expect(slack.messages(CHANNEL)).toHaveLength(1);
      expect(slack.messages(CHANNEL)[0]!.replies).toHaveLength(1);
    },
  );

  it('does not retry when Slack says the channel does not exist, and names the error', async () => {
    slack.respondWith([{ error: 'channel_not_found' }]);

    const error = await deliveryError(notifier().deliver(aSlackNotification()));

    expect(error).toMatchObject({ retryable: false, status: 200 });
    expect(error.message).toContain('Slack answered channel_not_found');
    expect(slack.requests).toHaveLength(1);
  });

  it('does not retry with a token Slack rejects', async () => {
    const error = await deliveryError(notifier({ token: () => 'xoxb-revoked' }).deliver(aSlackNotification()));

    expect(error.retryable).toBe(false);
    expect(error.message).toContain('invalid_auth');
  });

  it('does not resolve a message Slack no longer has', async () => {
    const error = await deliveryError(
      notifier().deliver(aSlackNotification({ action: 'resolve', threadTs: '1600000000.000100' })),
    );

    expect(error.retryable).toBe(false);
    expect(error.message).toContain('message_not_found');
  });

  it('retries Slack’s transient internal_error', async () => {
    slack.respondWith([{ error: 'internal_error' }]);

    const error = await deliveryError(notifier().deliver(aSlackNotification()));

    expect(error.retryable).toBe(true);
  });

  it('passes on Retry-After when rate limited at once, without waiting or retrying itself', async () => {
    slack.respondWith([{ status: 429, headers: { 'retry-after': '30' } }]);
    const started = performance.now();

    const error = await deliveryError(notifier({ timeoutMs: 60_000 }).deliver(aSlackNotification()));

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 30_000 });
    expect(slack.requests).toHaveLength(1);
    expect(slack.messages(CHANNEL)).toHaveLength(0);
  });

  it('reads a Retry-After given as an HTTP date from the injected clock', async () => {
    slack.respondWith([{ status: 429, headers: { 'retry-after': 'Tue, 03 Nov 2026 10:42:20 GMT' } }]);

    const error = await deliveryError(notifier().deliver(aSlackNotification()));

    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 20_000 });
  });

  it('asks for a retry on HTTP 500, after exactly one request', async () => {
    slack.respondWith([{ status: 500 }]);

    const error = await deliveryError(notifier().deliver(aSlackNotification()));

    expect(error).toMatchObject({ retryable: true, status: 500 });
    expect(error.message).toContain('HTTP 500');
    expect(slack.requests).toHaveLength(1);
  });

  it('asks for a retry when Slack cannot be reached', async () => {
    const url = slack.url;
    await slack.close();

    const error = await deliveryError(notifier({ slackApiUrl: url }).deliver(aSlackNotification()));

    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('gives up after its timeout and asks for a retry', async () => {
    slack.respondWith([{ status: 200, hang: true }]);
    const started = performance.now();

    const error = await deliveryError(notifier({ timeoutMs: 300 }).deliver(aSlackNotification()));

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('no answer from Slack within 300 ms');
  });

  it('refuses to send without a token for the channel', async () => {
    const error = await deliveryError(notifier({ token: () => undefined }).deliver(aSlackNotification()));

    expect(error).toMatchObject({ retryable: false, notSent: true });
    expect(error.message).toContain(`no Slack token configured for ${CHANNEL}`);
    expect(slack.requests).toHaveLength(0);
  });
});

describe('Slack notifier: a repeated attempt never shows a message twice', () => {
  const repeat = { maybeDelivered: true, queuedAt: Date.now() };
  const reads = () => slack.requests.filter((r) => r.method.startsWith('conversations.'));

  it('tags every message it posts with the notification it came from', async () => {
    const n = aSlackNotification({ id: 'outbox-1' });
    const { ref } = await notifier().deliver(n);
    await notifier().deliver(aSlackNotification({ id: 'outbox-2', action: 'update', threadTs: ref! }));
    expect(slack.posted(CHANNEL).map((m) => m.metadata)).toEqual([
      { event_type: 'slokit_notification', event_payload: { notification_id: 'outbox-1', incident_id: n.incidentId } },
      { event_type: 'slokit_notification', event_payload: { notification_id: 'outbox-2', incident_id: n.incidentId } },
    ]);
  });

  it('reads nothing on a first attempt', async () => {
    await notifier().deliver(aSlackNotification(), undefined, { maybeDelivered: false, queuedAt: Date.now() });
    expect(reads()).toEqual([]);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
  });

  it('after a timeout that Slack had in fact carried out, the retry finds that message and posts no second one', async () => {
    slack.respondWith([{ answerAfterMs: 1_500 }]);
    const first = await deliveryError(notifier({ timeoutMs: 300 }).deliver(aSlackNotification({ id: 'outbox-7' })));
    expect(first.retryable).toBe(true);
    await until(() => slack.messages(CHANNEL).length === 1, 5_000, 'the slow post carried out');

    const retry = await notifier().deliver(aSlackNotification({ id: 'outbox-7' }), undefined, repeat);

    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect(retry).toEqual({ status: 200, ref: slack.messages(CHANNEL)[0]!.ts });
    expect(reads().map((r) => [r.method, r.args['include_all_metadata']])).toEqual([['conversations.history', 'true']]);
  });

  it('posts on a repeated attempt when no earlier message is there, and tells apart notifications of one incident', async () => {
    await notifier().deliver(aSlackNotification({ id: 'outbox-1' }));
    await notifier().deliver(aSlackNotification({ id: 'outbox-2' }), undefined, repeat);
    expect(slack.messages(CHANNEL)).toHaveLength(2);
  });

  it('finds an earlier attempt’s thread reply and does not reply twice', async () => {
    const { ref } = await notifier().deliver(aSlackNotification({ id: 'outbox-1' }));
    const update = aSlackNotification({ id: 'outbox-2', action: 'update', threadTs: ref!, details: 'a second alert joined' });
    await notifier().deliver(update);
    await notifier().deliver(update, undefined, repeat);
    expect(slack.messages(CHANNEL)[0]!.replies).toHaveLength(1);
    expect(reads().map((r) => r.method)).toEqual(['conversations.replies']);
  });

  it('finds an earlier message beyond the first page of the channel', async () => {
    await notifier().deliver(aSlackNotification({ id: 'outbox-early' }));
    for (let i = 0; i < 230; i++) await notifier().deliver(aSlackNotification({ id: `other-${i}` }));
    const retry = await notifier().deliver(aSlackNotification({ id: 'outbox-early' }), undefined, repeat);
    expect(slack.messages(CHANNEL)).toHaveLength(231);
    expect(retry.ref).toBe(slack.messages(CHANNEL)[0]!.ts);
    expect(reads()).toHaveLength(2);
  });

  it('without the scope to read the channel, posts anyway and says that Slack may show it twice', async () => {
    slack.respondWith([{ error: 'missing_scope' }]);
    const told: string[] = [];
    await notifier({ onUncheckedRepeat: (m) => told.push(m) }).deliver(aSlackNotification(), undefined, repeat);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect(told).toEqual([expect.stringMatching(/looking for an earlier attempt's message: Slack answered missing_scope; posted without knowing/)]);
  });

  it('says once what failed when reading the channel answers a transient error, keeping its status', async () => {
    slack.respondWith([{ error: 'ratelimited' }]);
    const error = await deliveryError(notifier().deliver(aSlackNotification(), undefined, repeat));
    expect(error).toMatchObject({ retryable: true, status: 200 });
    expect(error.message).toMatch(/^Slack trigger for incident \S+ in \S+: looking for an earlier attempt's message: Slack answered ratelimited$/);
    expect(slack.posted(CHANNEL)).toHaveLength(0);
  });

  it('asks for a retry, posting nothing, when reading the channel is rate limited', async () => {
    slack.respondWith([{ status: 429, headers: { 'retry-after': '7' } }]);
    const error = await deliveryError(notifier().deliver(aSlackNotification(), undefined, repeat));
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
    expect(slack.posted(CHANNEL)).toHaveLength(0);
  });
});
