import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels } from '../support/alertmanager-payload.js';
import { startRouterBehindAlertmanager, type RouterStack } from '../support/router-behind-alertmanager.js';
import { until } from '../support/router-fixture.js';

describe('alert-router behind a real Alertmanager', () => {
  let stack: RouterStack;
  beforeAll(async () => {
    stack = await startRouterBehindAlertmanager();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('turns an SLO burn into one PagerDuty trigger and one resolve with the same dedup_key, and one Slack message and its update', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const page = { labels: sloAlertLabels('page'), annotations: { summary: 'checkout availability burning 15x' }, startsAt };
    const ticket = { labels: sloAlertLabels('ticket'), annotations: { summary: 'checkout availability burning 2x' }, startsAt };
    await stack.postAlerts([page, ticket]);
    await until(() => stack.pd.accepted.length >= 1 && stack.slack.messages('#checkout').length >= 1, 30_000, 'trigger via Alertmanager');
    // Alertmanager re-posts of the same alerts (as Prometheus does every evaluation) notify nobody.
    await stack.postAlerts([page, ticket]);
    const endsAt = new Date().toISOString();
    await stack.postAlerts([{ ...page, endsAt }, { ...ticket, endsAt }]);
    await until(() => stack.pd.accepted.length >= 2 && stack.slack.messages('#checkout')[0]?.edited === true, 30_000, 'resolve via Alertmanager');
    await new Promise((r) => setTimeout(r, 2500)); // two more group_intervals: anything extra would arrive now

    const events = stack.pd.accepted.map((r) => [r.body?.event_action, r.body?.dedup_key]);
    expect(events).toHaveLength(2);
    expect(events[0]![0]).toBe('trigger');
    expect(events[1]![0]).toBe('resolve');
    expect(events[1]![1]).toBe(events[0]![1]);
    expect(stack.slack.messages('#checkout')).toHaveLength(1);
    expect(stack.slack.messages('#checkout')[0]!.edited).toBe(true);

    const { incidents } = (await (await fetch(`${stack.router.url}/api/v1/incidents`)).json()) as { incidents: { id: string; state: string; severity: string }[] };
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: events[0]![1], state: 'resolved', severity: 'page' });
  });
});
