import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels } from '../support/alertmanager-payload.js';
import { startAlertmanager, type AlertmanagerProcess } from '../support/alertmanager-process.js';
import { generatedAlertmanagerConfig } from '../support/generated-alertmanager.js';
import { startPagerDutyMock, type PagerDutyMock } from '../support/pagerduty-mock.js';
import { ROUTER_TOKEN, routerFixture, until, type RouterFixture } from '../support/router-fixture.js';
import { startRouterProcess, type RouterProcess } from '../support/router-process.js';
import { startSlackMock, type SlackMock } from '../support/slack-mock.js';

/**
 * Dependency suppression through a real Alertmanager running the generated config: checkout depends
 * on payments (the test catalog). Payments pages; then checkout's page is linked to payments'
 * incident instead of paging on its own; when payments resolves while checkout still burns,
 * checkout is paged on its own.
 */
describe('alert-router dependency suppression behind a real Alertmanager', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture;
  let router: RouterProcess;
  let am: AlertmanagerProcess;

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
    fixture = routerFixture({ pagerduty: pd, slack });
    router = await startRouterProcess(fixture.configPath, fixture.env);
    am = await startAlertmanager(await generatedAlertmanagerConfig(router.url, ROUTER_TOKEN));
  });

  afterAll(async () => {
    await am?.stop();
    await router?.stop();
    await pd?.close();
    await slack?.close();
    fixture?.cleanup();
  });

  const postAlerts = async (alerts: unknown[]) => {
    const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(res.status).toBe(200);
  };

  it('adds a dependent to its cause\'s incident instead of paging, and pages it on its own once the cause resolves', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const payments = {
      labels: sloAlertLabels('page', { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' }),
      annotations: { summary: 'payments latency burning 20x' },
      startsAt,
    };
    const checkout = { labels: sloAlertLabels('page'), annotations: { summary: 'checkout availability burning 15x' }, startsAt };

    await postAlerts([payments]);
    await until(() => pd.accepted.length >= 1, 30_000, 'payments paged');
    const paymentsKey = pd.accepted[0]!.body?.dedup_key;

    await postAlerts([checkout]);
    await until(() => pd.accepted.length >= 2, 30_000, 'checkout linked to payments');
    // The dependent went to the cause's PagerDuty incident (same dedup_key), naming checkout; nothing on its own.
    expect(pd.accepted.map((r) => r.body?.dedup_key)).toEqual([paymentsKey, paymentsKey]);
    expect(JSON.stringify(pd.accepted[1]!.body)).toContain('checkout');
    expect(slack.messages('#checkout')).toHaveLength(0);
    const paymentsThread = slack.messages('#payments');
    expect(paymentsThread).toHaveLength(1);
    expect(JSON.stringify(paymentsThread[0])).toContain('checkout');

    const { incidents } = (await (await fetch(`${router.url}/api/v1/incidents?service=checkout`)).json()) as { incidents: { id: string }[] };
    const detail = (await (await fetch(`${router.url}/api/v1/incidents/${incidents[0]!.id}`)).json()) as { timeline: { kind: string; reason: string }[] };
    expect(detail.timeline.map((e) => e.kind)).toContain('linked');

    // Payments recovers while checkout still burns: checkout is paged on its own, under its own key.
    await postAlerts([{ ...payments, endsAt: new Date().toISOString() }]);
    await until(() => pd.accepted.some((r) => r.body?.dedup_key !== paymentsKey && r.body?.event_action === 'trigger'), 30_000, 'checkout paged alone');
    const own = pd.accepted.filter((r) => r.body?.dedup_key !== paymentsKey);
    expect(own.map((r) => r.body?.event_action)).toEqual(['trigger']);
    expect(own[0]!.body?.dedup_key).toBe(incidents[0]!.id);
    await until(() => slack.messages('#checkout').length === 1, 30_000, 'checkout in its own Slack channel');
  });
});
