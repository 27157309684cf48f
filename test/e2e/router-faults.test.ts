import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels, webhookPayload } from '../support/alertmanager-payload.js';
import { startPagerDutyMock, type PagerDutyMock } from '../support/pagerduty-mock.js';
import { postWebhook, routerFixture, until, type RouterFixture } from '../support/router-fixture.js';
import { startRouterProcess, type RouterProcess } from '../support/router-process.js';
import { startSlackMock, type SlackMock } from '../support/slack-mock.js';

const page = (status: 'firing' | 'resolved') => webhookPayload([{ status, labels: sloAlertLabels('page'), fingerprint: 'fp-crash' }]);

describe('alert-router process faults', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture;
  let router: RouterProcess | undefined;

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterEach(async () => {
    await router?.stop('SIGKILL');
    router = undefined;
    fixture?.cleanup();
  });
  afterAll(async () => {
    await pd?.close();
    await slack?.close();
  });

  it('delivers every notification exactly once when SIGKILLed after the 2xx and before delivering', async () => {
    fixture = routerFixture({ pagerduty: pd, slack, delivery: { attemptTimeout: '20s' } });
    const pdAccepted = pd.accepted.length;
    // The first attempt at each target hangs unanswered (the mocks log it as a 503, not accepted):
    // the router has answered 2xx but delivered nothing when it is killed.
    pd.respondWith([{ status: 503, hang: true }]);
    slack.respondWith([{ status: 503, hang: true }]);
    router = await startRouterProcess(fixture.configPath, fixture.env);
    const res = await postWebhook(router.url, page('firing'));
    expect(res.status).toBe(200);
    await pd.waitFor((r) => r.body?.event_action === 'trigger', 10_000);
    await slack.waitFor((c) => c.method === 'chat.postMessage', 10_000);
    await router.stop('SIGKILL');
    expect(pd.accepted.length).toBe(pdAccepted);
    expect(slack.messages('#checkout')).toHaveLength(0);

    router = await startRouterProcess(fixture.configPath, fixture.env);
    await until(() => pd.accepted.length === pdAccepted + 1 && slack.messages('#checkout').length === 1, 15_000, 'redelivery after restart');
    expect((await postWebhook(router.url, page('resolved'))).status).toBe(200);
    await until(() => pd.accepted.length === pdAccepted + 2 && slack.messages('#checkout')[0]!.edited, 15_000, 'resolve');
    await new Promise((r) => setTimeout(r, 500));
    const events = pd.accepted.slice(pdAccepted).map((r) => r.body?.event_action);
    expect(events).toEqual(['trigger', 'resolve']);
    expect(slack.messages('#checkout')).toHaveLength(1);
    const { incidents } = (await (await fetch(`${router.url}/api/v1/incidents`)).json()) as { incidents: unknown[] };
    expect(incidents).toHaveLength(1);
  });

  it('reloads config on SIGHUP, keeps the old one when the new one is invalid, and drains on SIGTERM', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    router = await startRouterProcess(fixture.configPath, { ...fixture.env, OTHER_TOKEN: 'rotated-token' });
    const original = readFileSync(fixture.configPath, 'utf8');
    writeFileSync(fixture.configPath, original.replace('bearerTokenEnv: TEST_ROUTER_TOKEN', 'bearerTokenEnv: OTHER_TOKEN'));
    router.child.kill('SIGHUP');
    await until(() => router!.logs.some((l) => l.includes('config reloaded')), 10_000, 'reload').catch((e: Error) => {
      throw new Error(`${e.message}\n${router!.logs.join('\n')}`);
    });
    expect((await postWebhook(router.url, page('firing'), 'Bearer rotated-token')).status).toBe(200);
    expect(router.logs.join('\n')).not.toContain('rotated-token');

    writeFileSync(fixture.configPath, original.replace('reopenWindow: 15m', 'reopenWindow: whenever'));
    router.child.kill('SIGHUP');
    await until(() => router!.logs.some((l) => l.includes('config reload failed')), 10_000, 'failed reload');
    expect(router.logs.join('\n')).toContain('incidents.reopenWindow');
    expect((await postWebhook(router.url, page('firing'), 'Bearer rotated-token')).status).toBe(200);

    expect(await router.stop('SIGTERM')).toBe(0);
    expect(router.logs.some((l) => l.includes('"drained"'))).toBe(true);
  });
});
