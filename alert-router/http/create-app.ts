import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RouterConfig } from '../config/load-config.js';
import type { BatchOutcome } from '../pipeline/process-batch.js';
import type { IncomingBatch } from '../pipeline/types.js';
import type { RouterMetrics } from '../router-metrics.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { describeFailing, type StoreFailing } from '../store/store-readiness.js';
import { errorHandler } from './error-handler.js';
import { fieldIssues, HttpError } from './http-error.js';
import { alertView, incidentView, notificationView, timelineView } from './incident-view.js';
import { maintenanceRouter } from './maintenance-routes.js';
import { retentionView } from './retention-view.js';
import { rfc3339Time } from './rfc3339-time.js';
import { createWebhookHandler, WEBHOOK_PATH } from './webhook-handler.js';

export interface AppDeps {
  store: SqliteStore;
  /** Commits a batch durably (group commit) and resolves after the commit. */
  commit: (batch: IncomingBatch, body: Buffer) => Promise<BatchOutcome>;
  metrics: RouterMetrics;
  logger: Logger;
  /** Read per request so SIGHUP reloads apply without restarting. */
  settings: () => Pick<RouterConfig, 'auth' | 'bodyLimitBytes' | 'retention' | 'retentionMs' | 'tickIntervalMs'>;
  /** True once SIGTERM started draining: /readyz answers 503. */
  draining: () => boolean;
  /** Which store writes a page waits for fail, and why (StoreReadiness), undefined while none does: /readyz answers 503 with it. */
  storeFailing?: () => StoreFailing | undefined;
  /** Clock and ids for maintenance windows (Date.now and UUIDs when absent). */
  now?: () => number;
  newId?: () => string;
  /** Resolves once the last commit is on disk (maintenance writes); immediate when absent. */
  durable?: () => Promise<void>;
}

const MAX_LIMIT = 1000;

/** `?limit=`: plain decimal digits only (`Number` would also take `0x10`, `1e2` and ` 5`). */
const limit = z.string().transform((s, ctx) => {
  const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
  if (n >= 1 && n <= MAX_LIMIT) return n;
  ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to ${MAX_LIMIT} in plain decimal` });
  return z.NEVER;
});

const incidentQuery = z
  .object({
    state: z.enum(['open', 'resolved']).optional(),
    service: z.string().min(1).optional(),
    severity: z.enum(['page', 'ticket']).optional(),
    since: rfc3339Time.optional(),
    until: rfc3339Time.optional(),
    limit: limit.default(100),
  })
  .strict();

/**
 * Builds the router's HTTP API. Never listens: the entry point (or a test) does.
 * `POST /api/v1/alertmanager` answers 200 only after the batch is committed, 503 if the store failed.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const webhook = createWebhookHandler(deps);
  app.post(WEBHOOK_PATH, (req, res) => webhook(req, res));

  app.get('/api/v1/incidents', (req, res) => {
    // `?state=open&state=resolved` arrives as an array, which the schema would call an invalid option.
    const repeated = Object.entries(req.query).filter(([, v]) => Array.isArray(v));
    if (repeated.length > 0) {
      throw new HttpError(400, 'invalid_query', 'invalid incident filter', repeated.map(([field]) => ({ field, message: 'given more than once; give it once' })));
    }
    const q = incidentQuery.safeParse(req.query);
    if (!q.success) throw new HttpError(400, 'invalid_query', 'invalid incident filter', fieldIssues(q.error, 'query', Object.keys(incidentQuery.shape)));
    const f = q.data;
    if (f.since !== undefined && f.until !== undefined && f.since > f.until) {
      throw new HttpError(400, 'invalid_query', 'invalid incident filter', [{ field: 'until', message: 'is before since: nothing can be in that range' }]);
    }
    const incidents = deps.store.listIncidents({
      limit: f.limit,
      ...(f.state === undefined ? {} : { state: f.state }),
      ...(f.service === undefined ? {} : { service: f.service }),
      ...(f.severity === undefined ? {} : { severity: f.severity }),
      ...(f.since === undefined ? {} : { since: f.since }),
      ...(f.until === undefined ? {} : { until: f.until }),
    });
    // Read with the list, in the same turn of the event loop: no retention tick runs between them.
    const held = { purgedBeforeMs: deps.store.incidentsPurgedBefore(), heldSinceMs: deps.store.incidentsHeldSince() };
    const retention = retentionView(deps.settings(), held, (deps.now ?? Date.now)());
    res.json({ incidents: incidents.map(incidentView), retention });
  });

  app.get('/api/v1/incidents/:id', (req, res) => {
    const incident = deps.store.incidentById(req.params.id);
    if (incident === undefined) throw new HttpError(404, 'not_found', `no incident ${req.params.id}`);
    const score = deps.store.latestScore(incident.id);
    res.json({
      // The latest anomaly score (config `anomaly`), or null when the incident was not scored.
      incident: { ...incidentView(incident), anomaly: score ?? null },
      alerts: deps.store.alertsOf(incident.id).map(alertView),
      timeline: deps.store.timelineOf(incident.id).map(timelineView),
      notifications: deps.store.outboxOf(incident.id).map(notificationView),
    });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  // Liveness: the process runs and answers. A failing store does not fail it (a restart would not
  // mend a full disk, and the router recovers by itself once the disk does); readiness says that.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    if (deps.draining()) throw new HttpError(503, 'draining', 'shutting down');
    const failing = deps.storeFailing?.();
    if (failing !== undefined) {
      // Not an error of this request: a report on the router, for a person or a dashboard as much as a probe.
      res.status(503).json({
        error: 'store_failing',
        message: describeFailing(failing),
        operations: failing.operations,
        reason: failing.reason,
        since: new Date(failing.since).toISOString(),
        failures: failing.failures,
      });
      return;
    }
    try {
      deps.store.ping();
    } catch (cause) {
      throw new HttpError(503, 'store_unavailable', 'the store does not answer', [], { cause });
    }
    res.json({ status: 'ready' });
  });

  app.use(
    maintenanceRouter({
      store: deps.store,
      settings: deps.settings,
      now: deps.now ?? Date.now,
      newId: deps.newId ?? randomUUID,
      durable: deps.durable ?? (() => Promise.resolve()),
      storeFailed: () => deps.metrics.storeErrors.inc({ operation: 'maintenance' }),
    }),
  );

  app.all('/*splat', () => {
    throw new HttpError(404, 'not_found', 'no such endpoint');
  });
  app.use(errorHandler(deps.logger));
  return app;
}
