import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPagerDutyMock, type PagerDutyMock } from '../../test/support/pagerduty-mock.js';
import { aNotification } from './notification-fixture.js';
import { createPagerDutyNotifier, type PagerDutyNotifierOptions } from './pagerduty.js';
import { DeliveryError } from './types.js';

const ROUTING_KEY = 'R0UTINGKEY0000000000000000000001';
const env: Record<string, string> = { PD_ROUTING_KEY_CHECKOUT: ROUTING_KEY };

let pd: PagerDutyMock;

beforeEach(async () => {
  pd = await startPagerDutyMock();
});

afterEach(async () => {
  await pd.close();
});

function notifier(overrides: Partial<PagerDutyNotifierOptions> = {}) {
  return createPagerDutyNotifier({
    routingKey: (name) => env[name],
    server: pd.server,
    extraCa: pd.ca,
    timeoutMs: 5_000,
    ...overrides,
  });
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs one delivery that times out in a fresh Node process, and says how long that process lived
 * after the delivery failed: a timer left behind keeps it alive (pdjs's own would, for 30 s).
 */
async function exitDelayAfterTimeout(server: string, ca: string): Promise<{ message: string; exitDelayMs: number }> {
  const script = `
    import { createPagerDutyNotifier } from './alert-router/notify/pagerduty.ts';
    import { aNotification } from './alert-router/notify/notification-fixture.ts';
    let failedAt = 0;
    process.on('exit', () => console.log(JSON.stringify({ message, exitDelayMs: performance.now() - failedAt })));
    const notifier = createPagerDutyNotifier({
      routingKey: () => 'k', server: process.env.PD_SERVER, extraCa: process.env.PD_CA, timeoutMs: 300,
    });
    let message = '';
    await notifier.deliver(aNotification()).catch((error) => { message = error.message; });
    failedAt = performance.now();
  `;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, env: { ...process.env, PD_SERVER: server, PD_CA: ca }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { message: string; exitDelayMs: number };
}

describe('PagerDuty notifier', () => {
  it('opens an alert and resolves the same alert through its dedup key', async () => {
    const pagerDuty = notifier();

    const opened = await pagerDuty.deliver(aNotification());
    const resolved = await pagerDuty.deliver(aNotification({ id: 'outbox-2', action: 'resolve' }));

    expect(opened).toEqual({ status: 202, ref: 'inc-checkout-availability-1' });
    expect(resolved).toEqual({ status: 202, ref: 'inc-checkout-availability-1' });
    expect(pd.requests.map((request) => [request.path, request.body?.event_action, request.body?.dedup_key])).toEqual([
      ['/v2/enqueue', 'trigger', 'inc-checkout-availability-1'],
      ['/v2/enqueue', 'resolve', 'inc-checkout-availability-1'],
    ]);
    const trigger = pd.requests[0]?.body;
    expect(trigger?.routing_key).toBe(ROUTING_KEY);
    expect(trigger?.payload).toMatchObject({
      summary: 'checkout/availability burning error budget 15.8× (page)',
      severity: 'critical',
      component: 'checkout',
      group: 'payments',
      class: 'availability',
    });
    expect(trigger?.links).toEqual([
      { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
      { href: 'https://grafana.example.com/d/slo-checkout-availability', text: 'Dashboard' },
    ]);
    expect(pd.requests[0]?.headers['content-type']).toMatch(/^application\/json/);
  });

  it('updates an open alert by triggering again with the same dedup key and the new details', async () => {
    await notifier().deliver(
      aNotification({ id: 'outbox-3', action: 'update', details: 'Slow-burn tier (6h/30m) fired too.' }),
    );

    const update = await pd.waitFor(() => true);
    expect(update.body?.event_action).toBe('trigger');
    expect(update.body?.dedup_key).toBe('inc-checkout-availability-1');
    expect(update.body?.payload?.custom_details).toMatchObject({ details: 'Slow-burn tier (6h/30m) fired too.' });
  });

  it.each([
    { value: undefined, expected: 'environment variable PD_ROUTING_KEY_BILLING is not set' },
    { value: '', expected: 'environment variable PD_ROUTING_KEY_BILLING is empty' },
  ])('refuses to send without a routing key, names the environment variable and says whether it is unset or empty ($expected)', async ({ value, expected }) => {
    const error = await deliveryError(
      notifier({ routingKey: () => value }).deliver(aNotification({ target: { kind: 'pagerduty', destination: 'PD_ROUTING_KEY_BILLING' } })),
    );

    expect(error).toMatchObject({ retryable: false, notSent: true, status: undefined });
    expect(error.message).toContain(expected);
    expect(pd.requests).toHaveLength(0);
  });

  it('asks for a retry when PagerDuty answers 500, after exactly one request', async () => {
    pd.respondWith([{ status: 500 }]);

    const error = await deliveryError(notifier().deliver(aNotification()));

    expect(error).toMatchObject({ retryable: true, status: 500 });
    expect(error.message).toContain('PagerDuty answered 500');
    expect(pd.requests).toHaveLength(1);
  });

  it('asks for a retry when a proxy answers 502 with an HTML page', async () => {
    pd.respondWith([{ status: 502, body: '<html><body>Bad Gateway</body></html>' }]);

    const error = await deliveryError(notifier().deliver(aNotification()));

    expect(error).toMatchObject({ retryable: true, status: 502 });
  });

  it('passes on Retry-After in seconds when rate limited, without retrying by itself', async () => {
    pd.respondWith([{ status: 429, headers: { 'retry-after': '7' } }]);

    const error = await deliveryError(notifier().deliver(aNotification()));

    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
    // pdjs on its own would have sent three more requests here; the queue's default would accept them.
    expect(pd.requests).toHaveLength(1);
    expect(pd.accepted).toHaveLength(0);
  });

  it('passes on Retry-After given as an HTTP date, measured from the injected clock', async () => {
    pd.respondWith([{ status: 429, headers: { 'retry-after': 'Tue, 03 Nov 2026 10:01:30 GMT' } }]);

    const error = await deliveryError(
      notifier({ now: () => Date.parse('2026-11-03T10:00:00Z') }).deliver(aNotification()),
    );

    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 90_000 });
  });

  it('does not retry an event PagerDuty rejects as invalid, and says why', async () => {
    const error = await deliveryError(notifier().deliver(aNotification({ summary: '' })));

    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect(error.message).toContain("Event object is invalid: 'payload.summary' is missing or blank");
  });

  it('asks for a retry when nothing listens at the PagerDuty address', async () => {
    const error = await deliveryError(notifier({ server: `127.0.0.1:${await closedPort()}` }).deliver(aNotification()));

    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('does not trust the mock’s self-signed certificate unless given its CA', async () => {
    const error = await deliveryError(
      createPagerDutyNotifier({ routingKey: (name) => env[name], server: pd.server }).deliver(aNotification()),
    );

    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/certificate/);
    expect(pd.requests).toHaveLength(0);
  });

  it('gives up after its timeout and asks for a retry', async () => {
    pd.respondWith([{ status: 202, hang: true }]);
    const started = performance.now();

    const error = await deliveryError(notifier({ timeoutMs: 300 }).deliver(aNotification()));

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`no answer from ${pd.server} within 300 ms`);
  });

  it('lets the process exit at once after a timed-out attempt', async () => {
    pd.respondWith([{ status: 202, hang: true }]);

    const { message, exitDelayMs } = await exitDelayAfterTimeout(pd.server, pd.ca);

    expect(message).toContain('no answer from');
    expect(exitDelayMs).toBeLessThan(5_000);
  });

  it('stops when the outbox cancels the attempt', async () => {
    pd.respondWith([{ status: 202, hang: true }]);
    const controller = new AbortController();

    const delivery = notifier().deliver(aNotification(), controller.signal);
    await pd.waitFor(() => true);
    controller.abort();
    const error = await deliveryError(delivery);

    expect(error.retryable).toBe(true);
    expect(error.message).toContain('cancelled');
  });
});
