import { defineService } from '../src/slo/index.js';

/**
 * slokit's own alert-router: the SLOs an on-call team needs from the thing that pages them.
 * Metrics are the router's own /metrics (prom-client).
 */
export default defineService({
  name: 'alert-router',
  description: 'slokit alert-router: receives Alertmanager webhooks, pages PagerDuty and posts to Slack',
  owner: { team: 'sre', slack: '#sre', pagerduty: 'PD_SRE' },
  slos: [
    {
      name: 'webhook-availability',
      description: 'Alertmanager webhook batches accepted: not answered 5xx (retried, late) nor 400 or 413 (dropped)',
      objective: 99.9,
      sli: {
        // Every webhook request is counted by its latency histogram, labelled with the status code.
        // Alertmanager retries a 5xx and drops a batch answered 4xx: a 400 or 413 to an authenticated
        // sender is a lost batch. A 401 is not counted: an unauthenticated client must not burn the budget.
        kind: 'ratio',
        errors: (w) => `sum(rate(slokit_router_webhook_duration_seconds_count{code=~"5..|400|413"}[${w}]))`,
        total: (w) => `sum(rate(slokit_router_webhook_duration_seconds_count[${w}]))`,
      },
    },
    {
      name: 'webhook-latency',
      description: 'Webhook batches committed and answered within 250 ms',
      objective: 99,
      sli: { kind: 'latency', metric: 'slokit_router_webhook_duration_seconds', threshold: 0.25 },
    },
    {
      name: 'notification-delivery',
      description: 'Notifications that reach PagerDuty or Slack (not given up as failed)',
      objective: 99.5,
      sli: {
        kind: 'ratio',
        errors: (w) => `sum(rate(slokit_router_notifications_total{outcome="failed"}[${w}]))`,
        total: (w) => `sum(rate(slokit_router_notifications_total{outcome=~"delivered|failed"}[${w}]))`,
      },
    },
    {
      name: 'notification-timeliness',
      description: 'Time with no notification waiting longer than delivery.lateAfter (2m): PagerDuty and Slack reachable',
      objective: 99.5,
      // With the default retries a notification fails only after 25 attempts, 42–84 minutes of backoff; this sees it late after 2.
      sli: { kind: 'boolGauge', selector: 'slokit_router_notifications_on_time' },
    },
  ],
});
