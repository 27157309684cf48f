import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the outbox's lateness gauges read at each scrape. */
export interface OutboxLateness {
  /** When the oldest pending notification was queued (epoch ms), undefined when none is pending. */
  oldestPendingQueuedAt: () => number | undefined;
  now: () => number;
  /** `delivery.lateAfter`, read per scrape so a reload applies. */
  lateAfterMs: () => number;
}

/** The `operation` label values of slokit_router_store_errors_total. */
export const STORE_ERROR_OPERATIONS = ['tick', 'durable', 'outbox', 'anomaly', 'storm_warning', 'retention', 'maintenance', 'volume_baselines'] as const;
export type StoreErrorOperation = (typeof STORE_ERROR_OPERATIONS)[number];

/**
 * The router's Prometheus metrics on a Registry of its own (never prom-client's global one, so apps
 * and tests can coexist in one process).
 */
export class RouterMetrics {
  readonly registry = new Registry();
  readonly alertsReceived = new Counter({
    name: 'slokit_router_alerts_received_total',
    help: 'Alerts received in Alertmanager webhooks, by status (firing|resolved) and dedup outcome.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'slokit_router_alerts_deduplicated_total',
    help: 'Alerts that were repeats, HA duplicates or re-deliveries and notified nobody.',
    registers: [this.registry],
  });
  readonly incidentsOpened = new Counter({
    name: 'slokit_router_incidents_opened_total',
    help: 'Incidents opened (reopened ones counted under kind="reopened").',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'slokit_router_notifications_total',
    help:
      'Delivery attempts by target (pagerduty|slack) and outcome (delivered|retried|failed; a notification given up without ' +
      'ever being sent, for want of a routing key, token or notifier, is failed too), and notifications withheld ' +
      '(outcome="withheld": a PagerDuty resolve not sent because PagerDuty refused, or was never sent, the trigger it would close).',
    labelNames: ['target', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly suppressed = new Counter({
    name: 'slokit_router_notifications_suppressed_total',
    help: 'Notifications held back (maintenance, dependency, grouped, flapping) or rolled into a storm digest, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly anomalyScores = new Counter({
    name: 'slokit_router_anomaly_scores_total',
    help:
      'SLO incidents scored against their history, by outcome: scored, no_history, no_recent_data, or why Prometheus gave no score ' +
      '(timeout, unreachable, http, query, bad_response); the notifications of an unscored incident go out without a score.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly anomalyDecisions = new Counter({
    name: 'slokit_router_anomaly_decisions_total',
    help: 'What the anomaly policy did with a score: escalate (a ticket became a page) or mark-recurring (a page within its usual range).',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly purged = new Counter({
    name: 'slokit_router_store_purged_total',
    help: 'Rows retention deleted (store.retention): whole incidents, alert rows, and maintenance windows that ended.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'slokit_router_store_errors_total',
    help:
      "Store writes outside the webhook's path that failed (a webhook's show as code=\"503\" on slokit_router_webhook_duration_seconds), by operation: " +
      'tick, durable, outbox, anomaly and storm_warning (a page may wait: slokit_router_ready is 0 while a store fault keeps them failing), ' +
      'retention, maintenance (the API answered 503) and volume_baselines.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly stormWarnings = new Counter({
    name: 'slokit_router_storm_warnings_total',
    help: "Early storm warnings: a service's alert volume surged far above its usual rate (suppression.storm.earlyWarning).",
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'slokit_router_delivery_latency_seconds',
    help: 'From enqueue to accepted delivery, retries included, by target.',
    labelNames: ['target'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly webhookDuration = new Histogram({
    name: 'slokit_router_webhook_duration_seconds',
    help: 'Webhook request latency, durable commit included, by status code.',
    labelNames: ['code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly checkpointPause = new Histogram({
    name: 'slokit_router_store_checkpoint_pause_seconds',
    help: 'WAL checkpoints that hold webhook commits until the WAL is wholly copied (the length of each pause).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly outboxDepth: Gauge;

  /** `outboxDepth` (and the optional readers) read the store when scraped. */
  constructor(
    outboxDepth: () => number,
    options: { processMetrics: boolean; indexedFingerprints?: () => number; lateness?: OutboxLateness; ready?: () => boolean } = { processMetrics: false },
  ) {
    // Every series from the start, at 0: a rate() or an alert on them sees retention idle, not absent.
    for (const kind of ['incident', 'alert', 'maintenance_window'] as const) this.purged.inc({ kind }, 0);
    for (const operation of STORE_ERROR_OPERATIONS) this.storeErrors.inc({ operation }, 0);
    const indexed = options.indexedFingerprints;
    if (indexed !== undefined) {
      this.scraped('slokit_router_dedup_index_fingerprints', 'Fingerprints the in-memory dedup index holds (~70-125 bytes of heap each); store.retention bounds it.', indexed);
    }
    this.outboxDepth = this.scraped('slokit_router_outbox_depth', 'Notifications waiting in the outbox (pending, retries included).', outboxDepth);
    const lateness = options.lateness;
    if (lateness !== undefined) {
      // Both gauges come from one read of the outbox per scrape (it walks every pending row: ~14 ms
      // with 100,000 waiting): the second collect of a scrape, within the same second, reuses it.
      let last: { at: number; seconds: number } | undefined;
      const ageSeconds = () => {
        const at = lateness.now();
        if (last === undefined || at < last.at || at - last.at >= 1000) {
          const queuedAt = lateness.oldestPendingQueuedAt();
          last = { at, seconds: queuedAt === undefined ? 0 : Math.max(0, at - queuedAt) / 1000 };
        }
        return last.seconds;
      };
      this.scraped(
        'slokit_router_outbox_oldest_pending_seconds',
        'How long the oldest notification still waiting in the outbox has waited since it was queued (0 when none waits).',
        ageSeconds,
      );
      this.scraped(
        'slokit_router_notifications_on_time',
        '1 while no notification has waited longer than delivery.lateAfter, else 0: a PagerDuty or Slack that cannot be reached shows here within that, long before its notifications are given up as failed.',
        () => (ageSeconds() * 1000 > lateness.lateAfterMs() ? 0 : 1),
      );
    }
    const ready = options.ready;
    if (ready !== undefined) {
      this.scraped(
        'slokit_router_ready',
        '1 while the router is ready; 0 while draining, and while store writes a page waits for fail (a webhook batch, the suppression tick, making writes durable, recording a delivery, applying an anomaly score, recording a storm warning) until they go through again (a probe, or the tick itself). /readyz answers 503 with why.',
        () => (ready() ? 1 : 0),
      );
    }
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'slokit_router_' });
  }

  /** A gauge set from `read()` at each scrape. */
  private scraped(name: string, help: string, read: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
