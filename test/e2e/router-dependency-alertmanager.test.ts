import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels } from '../support/alertmanager-payload.js';
import { startRouterBehindAlertmanager, type RouterStack } from '../support/router-behind-alertmanager.js';
import { until } from '../support/router-fixture.js';

/**
 * Dependency suppression through a real Alertmanager running the generated config: checkout depends
 * on payments (the test catalog). Payments pages; then checkout's page is linked to payments'
 * incident instead of paging on its own; when payments resolves while checkout still burns,
 * checkout is paged on its own.
 */
describe('alert-router dependency suppression behind a real Alertmanager', () => {
  let stack: RouterStack;
  beforeAll(async () => {
    stack = await startRouterBehindAlertmanager();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('adds a dependent to its cause\'s incident instead of paging, and pages it on its own once the cause resolves', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const payments = {
      labels: sloAlertLabels('page', { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' }),
      annotations: { summary: 'payments latency burning 20x' },
      startsAt,
    };
    const checkout = { labels: sloAlertLabels('page'), annotations: { summary: 'checkout availability burning 15x' }, startsAt };

    await stack.postAlerts([payments]);
    await until(() => stack.pd.accepted.length >= 1, 30_000, 'payments paged');
    const paymentsKey = stack.pd.accepted[0]!.body?.dedup_key;

    await stack.postAlerts([checkout]);
    await until(() => stack.pd.accepted.length >= 2, 30_000, 'checkout linked to payments');
    // The dependent went to the cause's PagerDuty incident (same dedup_key), naming checkout; nothing on its own.
    expect(stack.pd.accepted.map((r) => r.body?.dedup_key)).toEqual([paymentsKey, paymentsKey]);
    expect(JSON.stringify(stack.pd.accepted[1]!.body)).toContain('checkout');
    expect(stack.slack.messages('#checkout')).toHaveLength(0);
    const paymentsThread = stack.slack.messages('#payments');
    expect(paymentsThread).toHaveLength(1);
    expect(JSON.stringify(paymentsThread[0])).toContain('checkout');

    const { incidents } = (await (await fetch(`${stack.router.url}/api/v1/incidents?service=checkout`)).json()) as { incidents: { id: string }[] };
    const detail = (await (await fetch(`${stack.router.url}/api/v1/incidents/${incidents[0]!.id}`)).json()) as { timeline: { kind: string; reason: string }[] };
    expect(detail.timeline.map((e) => e.kind)).toContain('linked');

    // Payments recovers while checkout still burns: checkout is paged on its own, under its own key.
    await stack.postAlerts([{ ...payments, endsAt: new Date().toISOString() }]);
    await until(() => stack.pd.accepted.some((r) => r.body?.dedup_key !== paymentsKey && r.body?.event_action === 'trigger'), 30_000, 'checkout paged alone');
    const own = stack.pd.accepted.filter((r) => r.body?.dedup_key !== paymentsKey);
    expect(own.map((r) => r.body?.event_action)).toEqual(['trigger']);
    expect(own[0]!.body?.dedup_key).toBe(incidents[0]!.id);
    await until(() => stack.slack.messages('#checkout').length === 1, 30_000, 'checkout in its own Slack channel');
  });
});
