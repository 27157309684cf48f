import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeDownBatches } from '../test/support/alertmanager-payload.js';
import { startPagerDutyMock, type PagerDutyMock } from '../test/support/pagerduty-mock.js';
import { postWebhook, routerFixture, until, type RouterFixture } from '../test/support/router-fixture.js';
import { startSlackMock, type SlackMock } from '../test/support/slack-mock.js';
import { defaultNotifiers } from './default-notifiers.js';
import { startRouterService, type RouterService } from './router-service.js';

const MINUTE = 60_000;

/**
 * The early storm warning end to end: the router watches each service's alert volume (on a clock the
 * test moves), and a surge far above the usual rate is posted once to the owner's Slack channel.
 */
describe('early storm warning', () => {
  let pd: PagerDutyMock;
  let slack: SlackMock;
  let fixture: RouterFixture | undefined;
  let router: RouterService | undefined;
  let t = Date.UTC(2026, 11, 1, 8, 0);
  let lines: { level: number; msg: string }[] = [];

  beforeAll(async () => {
    pd = await startPagerDutyMock();
    slack = await startSlackMock();
  });
  afterEach(async () => {
    await router?.drain();
    router = undefined;
    fixture?.cleanup();
    fixture = undefined;
    lines = [];
  });
  afterAll(async () => {
    await pd.close();
    await slack.close();
  });

  const start = async (f: RouterFixture) => {
    router = await startRouterService({
      configPath: f.configPath,
      env: f.env,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) }),
      notifiers: (c) => defaultNotifiers(c, f.env),
      now: () => t,
    });
    return router;
  };
  /** `n` new node alerts of the checkout service in one webhook (one incident: same alertname). */
  const nodes = nodeDownBatches();
  const warnings = () => slack.messages('#checkout').filter((m) => m.text.includes('Early storm warning'));
  const metric = async (r: RouterService) => {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    return Number(text.split('\n').find((l) => l.startsWith('slokit_router_storm_warnings_total '))?.split(' ')[1]);
  };

  it("warns the owner's channel once when a service's alerts surge, keeps its baselines across a restart, and not again while the surge goes on", async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    let r = await start(fixture);
    // Two hours of a quiet service: one new alert every 10 minutes.
    for (let m = 0; m < 120; m += 10) {
      t += 10 * MINUTE;
      expect((await postWebhook(r.url, nodes(1))).status).toBe(200);
    }
    expect(warnings()).toHaveLength(0);
    // A restart in between: the baselines come back from the store.
    await r.drain();
    r = await start(fixture);
    expect(lines.filter((l) => l.msg.includes('baselines'))).toEqual([]);

    t += MINUTE;
    expect((await postWebhook(r.url, nodes(40))).status).toBe(200);
    await until(() => warnings().length === 1, 5_000, 'the storm warning');
    expect(warnings()[0]!.text).toMatch(/^:warning: Early storm warning: checkout: 40 alerts in a minute, usually 0\.\d+ a minute: an alert storm may be starting/);
    expect(await metric(r)).toBe(1);
    const list = (await (await fetch(`${r.url}/api/v1/incidents?service=checkout`)).json()) as { incidents: { id: string; title: string; state: string }[] };
    const record = list.incidents.find((i) => i.title.startsWith('Early storm warning'));
    expect(record?.state).toBe('resolved');

    // The surge goes on for ten more minutes: no second warning.
    for (let m = 0; m < 10; m++) {
      t += MINUTE;
      expect((await postWebhook(r.url, nodes(40))).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(warnings()).toHaveLength(1);
    expect(await metric(r)).toBe(1);
  });

  it("records but does not post a surge while a maintenance window covers the service", async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    const r = await start(fixture);
    for (let m = 0; m < 120; m += 10) {
      t += 10 * MINUTE;
      expect((await postWebhook(r.url, nodes(1))).status).toBe(200);
    }
    const before = warnings().length;
    const maintenance = await fetch(`${r.url}/api/v1/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.env['TEST_ROUTER_TOKEN']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['service="checkout"'], endsAt: new Date(t + 60 * MINUTE).toISOString(), author: 'ana', comment: 'node upgrades' }),
    });
    expect(maintenance.status).toBe(201);
    t += MINUTE;
    expect((await postWebhook(r.url, nodes(40))).status).toBe(200);
    await until(async () => (await metric(r)) === 1, 5_000, 'the storm warning counted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(warnings()).toHaveLength(before);
    const list = (await (await fetch(`${r.url}/api/v1/incidents?service=checkout`)).json()) as { incidents: { id: string; title: string }[] };
    const record = list.incidents.find((i) => i.title.startsWith('Early storm warning'))!;
    const detail = (await (await fetch(`${r.url}/api/v1/incidents/${record.id}`)).json()) as { timeline: { kind: string; reason: string }[] };
    expect(detail.timeline.find((e) => e.kind === 'suppressed')?.reason).toMatch(/^not posted: maintenance window .* \("node upgrades"\) covers checkout$/);
  });

  it('starts without baselines, saying so, when the saved ones are unusable', async () => {
    fixture = routerFixture({ pagerduty: pd, slack });
    await (await start(fixture)).drain();
    router = undefined;
    const db = new Database(fixture.storePath);
    db.prepare("UPDATE router_state SET value = '{\"kind\":\"volume-watch\",\"version\":7}' WHERE key = 'volume-watch'").run();
    db.close();
    lines = [];
    await start(fixture);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringMatching(/starting without alert volume baselines$/)]);
  });
});
