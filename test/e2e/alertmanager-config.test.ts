import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sloAlertLabels } from '../support/alertmanager-payload.js';
import { freePort, startAlertmanager, type AlertmanagerProcess } from '../support/alertmanager-process.js';
import { generatedAlertmanagerConfig } from '../support/generated-alertmanager.js';
import { startPagerDutyMock, type PagerDutyMock } from '../support/pagerduty-mock.js';
import { startRouterBehindAlertmanager, type RouterStack } from '../support/router-behind-alertmanager.js';
import { ROUTER_TOKEN, until } from '../support/router-fixture.js';

interface Incident {
  id: string;
  state: string;
  severity: string;
  service?: string;
}

async function incidents(stack: RouterStack, query = ''): Promise<Incident[]> {
  const res = await fetch(`${stack.router.url}/api/v1/incidents${query}`);
  return ((await res.json()) as { incidents: Incident[] }).incidents;
}

/**
 * The generated alertmanager.yml in a real Alertmanager 0.25, as is, in front of the router: what an
 * operator would see of its grouping and inhibition, not just that amtool accepts it.
 */
describe('the generated Alertmanager config in front of the router', () => {
  let stack: RouterStack;
  beforeAll(async () => {
    stack = await startRouterBehindAlertmanager();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('resolves an SLO incident whose ticket resolved while its page still fired', async () => {
    const labels = { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const ticket = { labels: sloAlertLabels('ticket', labels), annotations: { summary: 'payments latency burning 2x' }, startsAt };
    const page = { labels: sloAlertLabels('page', labels), annotations: { summary: 'payments latency burning 20x' }, startsAt };
    // A slow burn first: a ticket, posted to #payments.
    await stack.postAlerts([ticket]);
    await until(() => stack.slack.messages('#payments').length === 1, 30_000, 'the ticket in Slack');
    // It speeds up: the page fires too; the router escalates the incident.
    await stack.postAlerts([ticket, page]);
    await until(async () => (await incidents(stack, '?service=payments'))[0]?.severity === 'page', 30_000, 'the escalation');
    // The ticket's windows recover first, then the page's.
    await stack.postAlerts([{ ...ticket, endsAt: new Date().toISOString() }, page]);
    await new Promise((r) => setTimeout(r, 2500)); // two group_intervals: the ticket's resolve is sent now
    await stack.postAlerts([{ ...page, endsAt: new Date().toISOString() }]);

    await until(async () => (await incidents(stack, '?service=payments'))[0]?.state === 'resolved', 30_000, 'the incident resolved');
    await until(() => stack.slack.messages('#payments')[0]?.text.includes('Resolved') === true, 30_000, 'the Slack message marked resolved');
    expect(stack.slack.messages('#payments')).toHaveLength(1);
  });

  it('keeps one service\'s non-SLO alert out of another service\'s incident of the same alertname', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    // `up == 0` carries job and instance; an application's alert often a service label instead.
    const down = (job: string) => ({ labels: { alertname: 'InstanceDown', job, instance: `${job}-1:9100`, severity: 'critical' }, annotations: { summary: `${job}-1 is down` }, startsAt });
    const errors = (service: string) => ({ labels: { alertname: 'HighErrorRate', service, severity: 'critical' }, annotations: { summary: `${service} errors` }, startsAt });
    await stack.postAlerts([down('payments'), errors('payments')]);
    await until(async () => (await incidents(stack, '?service=payments')).filter((i) => i.state === 'open').length === 2, 30_000, 'payments paged twice');
    await stack.postAlerts([down('checkout'), errors('checkout')]);
    await until(async () => (await incidents(stack, '?service=checkout')).filter((i) => i.state === 'open').length === 2, 30_000, 'checkout has incidents of its own');
    await until(() => stack.pd.accepted.filter((r) => JSON.stringify(r.body).includes('checkout-1 is down')).length === 1, 30_000, 'checkout paged');
  });
});

/**
 * The router's own pages and no-data alerts bypass it: with the router down (nothing listening at
 * its URL) they reach PagerDuty straight from Alertmanager, with the routing key read from the file.
 * Only the PagerDuty URL and the CA that trusts the local mock are added, as a `global:` section the
 * generated file leaves to the operator.
 */
describe('the router\'s self-page receiver with the router down', () => {
  let pd: PagerDutyMock;
  let am: AlertmanagerProcess;
  let dir: string;
  beforeAll(async () => {
    pd = await startPagerDutyMock();
    dir = await mkdtemp(join(tmpdir(), 'slokit-am-self-'));
    const caFile = join(dir, 'pagerduty-ca.pem');
    await writeFile(caFile, pd.ca);
    const routerDown = `http://127.0.0.1:${await freePort()}`;
    const generated = await generatedAlertmanagerConfig(routerDown, ROUTER_TOKEN, 'sre-routing-key');
    const global = ['global:', `  pagerduty_url: ${pd.url}/v2/enqueue`, '  http_config:', '    tls_config:', `      ca_file: ${caFile}`, ''].join('\n');
    am = await startAlertmanager(`${global}${generated}`);
  });
  afterAll(async () => {
    await am?.stop();
    await pd?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('groups a page and a ticket of one SLO together, never two SLOs, and other alerts by alertname, job and service', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const payments = { slo_id: 'payments-latency', slo_service: 'payments', slo_name: 'latency' };
    const alerts = [
      { labels: sloAlertLabels('page'), startsAt },
      { labels: sloAlertLabels('ticket'), startsAt },
      { labels: sloAlertLabels('page', payments), startsAt },
      { labels: { alertname: 'InstanceDown', job: 'payments', instance: 'payments-1:9100' }, startsAt },
      { labels: { alertname: 'InstanceDown', job: 'payments', instance: 'payments-2:9100' }, startsAt },
      { labels: { alertname: 'InstanceDown', job: 'checkout', instance: 'checkout-1:9100' }, startsAt },
    ];
    expect((await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) })).status).toBe(200);
    // Alertmanager's dispatcher groups posted alerts asynchronously: wait until all six are grouped.
    let summary: { labels: Record<string, string>; receiver: string; alerts: number }[] = [];
    await until(
      async () => {
        const groups = (await (await fetch(`${am.url}/api/v2/alerts/groups`)).json()) as { labels: Record<string, string>; receiver: { name: string }; alerts: unknown[] }[];
        summary = groups.map((g) => ({ labels: g.labels, receiver: g.receiver.name, alerts: g.alerts.length }));
        return summary.reduce((n, g) => n + g.alerts, 0) === alerts.length;
      },
      10_000,
      'Alertmanager to group all six alerts',
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        { labels: { slo_id: 'checkout-availability' }, receiver: 'slokit-alert-router', alerts: 2 },
        { labels: { slo_id: 'payments-latency' }, receiver: 'slokit-alert-router', alerts: 1 },
        { labels: { alertname: 'InstanceDown', job: 'payments' }, receiver: 'slokit-alert-router', alerts: 2 },
        { labels: { alertname: 'InstanceDown', job: 'checkout' }, receiver: 'slokit-alert-router', alerts: 1 },
      ]),
    );
  });

  it('pages PagerDuty for the router\'s no-data alert and its page, one incident per SLO, and never for another service', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const router = (severity: 'page' | 'ticket', alertname: string, name: string) => ({
      labels: { alertname, severity, slo_id: `alert-router-${name}`, slo_service: 'alert-router', slo_name: name, team: 'sre' },
      annotations: { summary: `alert-router ${name}: ${alertname}` },
      startsAt,
    });
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        router('ticket', 'SLOSLINoData', 'webhook-availability'),
        router('page', 'SLOErrorBudgetBurnPage', 'notification-delivery'),
        { labels: sloAlertLabels('page'), annotations: { summary: 'checkout availability burning 15x' }, startsAt },
      ]),
    });
    expect(res.status).toBe(200);
    await until(() => pd.accepted.length >= 2, 30_000, 'two PagerDuty triggers');
    await new Promise((r) => setTimeout(r, 2500)); // two group_intervals: anything extra would arrive now

    expect(pd.requests.filter((r) => r.status !== 202).map((r) => r.rawBody)).toEqual([]);
    const events = pd.accepted.map((r) => ({ action: r.body?.event_action, key: r.body?.routing_key, summary: JSON.stringify(r.body?.payload) }));
    expect(events).toHaveLength(2);
    for (const e of events) expect(e).toMatchObject({ action: 'trigger', key: 'sre-routing-key' });
    expect(events.map((e) => e.summary.includes('webhook-availability')).sort()).toEqual([false, true]);
    expect(events.some((e) => e.summary.includes('checkout'))).toBe(false);
    expect(new Set(pd.accepted.map((r) => r.body?.dedup_key)).size).toBe(2);
  });
});
