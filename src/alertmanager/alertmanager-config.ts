import { ALERT_LABELS, alertName, toGeneratedYaml, type Service } from '../slo/index.js';

export interface AlertmanagerConfigOptions {
  /** The alert-router's webhook endpoint. */
  routerUrl: string;
  /** File holding the bearer token Alertmanager sends to the router (never the token itself). */
  routerTokenFile: string;
  /** File holding the PagerDuty routing key for the router's own SLOs, which cannot page through it. */
  selfPageRoutingKeyFile: string;
  /** How long a new group waits for its siblings before the first notification. */
  groupWait: string;
  /** How long before a changed group (a new alert, a resolve) is sent again. */
  groupInterval: string;
  /** How long before an unchanged firing group is re-sent. */
  repeatInterval: string;
}

export const DEFAULT_ALERTMANAGER_OPTIONS: AlertmanagerConfigOptions = {
  routerUrl: 'http://127.0.0.1:9097/api/v1/alertmanager',
  routerTokenFile: '/etc/alertmanager/secrets/slokit-router-token',
  selfPageRoutingKeyFile: '/etc/alertmanager/secrets/pagerduty-sre-routing-key',
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '4h',
};

export const ROUTER_RECEIVER = 'slokit-alert-router';
export const SELF_RECEIVER = 'slokit-alert-router-self';
/** The service name of the router's own SLOs (slos/alert-router.ts). */
export const ROUTER_SERVICE = 'alert-router';

/**
 * An Alertmanager configuration that sends every slokit SLO alert to the alert-router, grouped per
 * SLO so the page and ticket tiers of one SLO arrive together and the router makes one incident.
 *
 * - Defaults group_wait 30s (a page waits at most that for its siblings), group_interval 5m,
 *   repeat_interval 4h: the router deduplicates repeats, and a repeat re-delivers what a router
 *   restored from an old backup would have missed.
 * - send_resolved, and max_alerts 0 (never truncate a batch: the router must see every alert).
 * - The router's own pages and no-data alerts go straight to PagerDuty: a broken router cannot page
 *   about itself. Its missing-bucket ticket goes to the router: its series are scraped, so the router is up.
 * - No inhibit rules: the router folds an SLO's page and ticket into one incident itself, and an
 *   Alertmanager inhibition would drop the ticket's resolve when it resolves under a firing page
 *   (Alertmanager never sends a muted alert's resolve), leaving the router's incident open for ever.
 * - Non-SLO alerts fall through to the router too, grouped by alertname, `job` and `service`: the
 *   router makes one incident per Alertmanager group and pages the owner of its `service` (else
 *   `job`) label, so one service's alert never lands in another's incident of the same alertname.
 *
 * `project` names the project that writes it in the header.
 */
export function generateAlertmanagerConfig(services: readonly Service[], options: AlertmanagerConfigOptions, project: string): string {
  const hasSelf = services.some((s) => s.name === ROUTER_SERVICE);
  const timing = { group_wait: options.groupWait, group_interval: options.groupInterval, repeat_interval: options.repeatInterval };
  const sloRoute = {
    receiver: ROUTER_RECEIVER,
    matchers: [`${ALERT_LABELS.id}=~".+"`],
    group_by: [ALERT_LABELS.id],
    ...timing,
  };
  const selfRoute = (matcher: string) => ({
    receiver: SELF_RECEIVER,
    matchers: [`${ALERT_LABELS.service}="${ROUTER_SERVICE}"`, matcher],
    group_by: [ALERT_LABELS.id],
    ...timing,
  });
  // The router's pages, and its no-data alerts: when the router is down its /metrics vanish, its
  // burn-rate alerts cannot fire, and no-data is the only signal left, so it must not go to the router.
  const selfRoutes = [selfRoute(`${ALERT_LABELS.severity}="page"`), selfRoute(`alertname="${alertName.noData}"`)];
  const config = {
    route: {
      receiver: ROUTER_RECEIVER,
      group_by: ['alertname', 'job', 'service'],
      ...timing,
      routes: hasSelf ? [...selfRoutes, sloRoute] : [sloRoute],
    },
    receivers: [
      {
        name: ROUTER_RECEIVER,
        webhook_configs: [
          {
            url: options.routerUrl,
            send_resolved: true,
            max_alerts: 0,
            http_config: { authorization: { type: 'Bearer', credentials_file: options.routerTokenFile } },
          },
        ],
      },
      ...(hasSelf
        ? [
            {
              name: SELF_RECEIVER,
              pagerduty_configs: [{ routing_key_file: options.selfPageRoutingKeyFile, send_resolved: true }],
            },
          ]
        : []),
    ],
  };
  return toGeneratedYaml(config, project, ['slos/ (slokit generate)']);
}
