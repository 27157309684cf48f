import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels } from '../support/alertmanager-payload.js';
import { startAlertmanager, type AlertmanagerProcess } from '../support/alertmanager-process.js';
import { startPagerDutyMock, type PagerDutyMock } from '../support/pagerduty-mock.js';
import { ROUTER_TOKEN, routerFixture, until, type RouterFixture } from '../support/router-fixture.js';
import { startRouterProcess, type RouterProcess } from '../support/router-process.js';
import { startSlackMock, type SlackMock } from '../support/slack-mock.js';
import { generatedAlertmanagerConfig } from '../support/generated-alertmanager.js';

describe('alert-router behind a real Alertmanager', () => {
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
    // The Alertmanager config `slokit generate` writes, as is (router URL, token file, short timings by flag).
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

  it('turns an SLO burn into one PagerDuty trigger and one resolve with the same dedup_key, and one Slack message and its update', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const page = { labels: sloAlertLabels('page'), annotations: { summary: 'checkout availability burning 15x' }, startsAt };
    const ticket = { labels: sloAlertLabels('ticket'), annotations: { summary: 'checkout availability burning 2x' }, startsAt };
    await postAlerts([page, ticket]);
    await until(() => pd.accepted.length >= 1 && slack.messages('#checkout').length >= 1, 30_000, 'trigger via Alertmanager');
    // Alertmanager re-posts of the same alerts (as Prometheus does every evaluation) notify nobody.
    await postAlerts([page, ticket]);
    const endsAt = new Date().toISOString();
    await postAlerts([{ ...page, endsAt }, { ...ticket, endsAt }]);
    await until(() => pd.accepted.length >= 2 && slack.messages('#checkout')[0]?.edited === true, 30_000, 'resolve via Alertmanager');
    await new Promise((r) => setTimeout(r, 2500)); // two more group_intervals: anything extra would arrive now

    const events = pd.accepted.map((r) => [r.body?.event_action, r.body?.dedup_key]);
    expect(events).toHaveLength(2);
    expect(events[0]![0]).toBe('trigger');
    expect(events[1]![0]).toBe('resolve');
    expect(events[1]![1]).toBe(events[0]![1]);
    expect(slack.messages('#checkout')).toHaveLength(1);
    expect(slack.messages('#checkout')[0]!.edited).toBe(true);

    const { incidents } = (await (await fetch(`${router.url}/api/v1/incidents`)).json()) as { incidents: { id: string; state: string; severity: string }[] };
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: events[0]![1], state: 'resolved', severity: 'page' });
  });
});
