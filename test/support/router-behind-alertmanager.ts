import { startAlertmanager, type AlertmanagerProcess } from './alertmanager-process.js';
import { generatedAlertmanagerConfig } from './generated-alertmanager.js';
import { startPagerDutyMock, type PagerDutyMock } from './pagerduty-mock.js';
import { ROUTER_TOKEN, routerFixture, type RouterFixture } from './router-fixture.js';
import { startRouterProcess, type RouterProcess } from './router-process.js';
import { startSlackMock, type SlackMock } from './slack-mock.js';

/** The router as a process behind a real Alertmanager running the generated config, with both mocks. */
export interface RouterStack {
  pd: PagerDutyMock;
  slack: SlackMock;
  fixture: RouterFixture;
  router: RouterProcess;
  am: AlertmanagerProcess;
  /** POSTs alerts to Alertmanager's API as Prometheus would; throws unless it answers 200. */
  postAlerts(alerts: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startRouterBehindAlertmanager(): Promise<RouterStack> {
  const pd = await startPagerDutyMock();
  const slack = await startSlackMock();
  const fixture = routerFixture({ pagerduty: pd, slack });
  let router: RouterProcess | undefined;
  let am: AlertmanagerProcess | undefined;
  const stop = async () => {
    await am?.stop();
    await router?.stop();
    await pd.close();
    await slack.close();
    fixture.cleanup();
  };
  try {
    router = await startRouterProcess(fixture.configPath, fixture.env);
    // The Alertmanager config `slokit generate` writes, as is (router URL, token file, short timings by flag).
    am = await startAlertmanager(await generatedAlertmanagerConfig(router.url, ROUTER_TOKEN));
  } catch (err) {
    await stop();
    throw err;
  }
  const amUrl = am.url;
  return {
    pd,
    slack,
    fixture,
    router,
    am,
    async postAlerts(alerts) {
      const res = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (res.status !== 200) throw new Error(`Alertmanager answered ${res.status}: ${await res.text()}`);
    },
    stop,
  };
}
