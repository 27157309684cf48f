import express from 'express';
import { z } from 'zod';
import type { WebhookAuth } from '../config/load-config.js';
import { parseMatcher } from '../pipeline/matcher.js';
import type { MaintenanceWindow } from '../pipeline/suppression-types.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { authorized } from './authenticate.js';
import { fieldName, HttpError } from './http-error.js';

export const MAINTENANCE_PATH = '/api/v1/maintenance';

export interface MaintenanceDeps {
  store: SqliteStore;
  settings: () => { auth: WebhookAuth };
  now: () => number;
  newId: () => string;
  /** Resolves once the last commit is on disk (the WAL syncer), so a 201 survives a crash. */
  durable: () => Promise<void>;
}

const time = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an RFC 3339 time' })
  .transform((s) => Date.parse(s));

const matcherText = z.string().superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});
/** Alertmanager's silence matcher object, accepted as well as the `name="value"` text form. */
const matcherObject = z
  .object({ name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), value: z.string(), isRegex: z.boolean().default(false), isEqual: z.boolean().default(true) })
  .transform((m) => `${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}${JSON.stringify(m.value)}`);

const windowBody = z
  .object({
    matchers: z.array(z.union([matcherText, matcherObject])).min(1, { message: 'at least one matcher (a window matching everything is a mistake)' }),
    startsAt: time.optional(),
    endsAt: time,
    author: z.string().min(1),
    comment: z.string().default(''),
  })
  .strict();

/** A maintenance window as the API shows it. */
export function maintenanceView(w: MaintenanceWindow, now: number) {
  return {
    id: w.id,
    matchers: w.matchers.map((m) => m.text),
    startsAt: new Date(w.startsAt).toISOString(),
    endsAt: new Date(w.endsAt).toISOString(),
    author: w.author,
    comment: w.comment,
    createdAt: new Date(w.createdAt).toISOString(),
    status: w.startsAt > now ? 'pending' : w.endsAt > now ? 'active' : 'expired',
  };
}

/**
 * `POST/GET/DELETE /api/v1/maintenance`: durable maintenance windows with Alertmanager-style matchers.
 * Same credentials as the webhook. POST answers 201 after the window is committed; DELETE ends an
 * active window now (its held alerts are released by the next tick) and removes a pending one.
 */
export function maintenanceRouter(deps: MaintenanceDeps): express.Router {
  const router = express.Router();
  router.use(MAINTENANCE_PATH, (req, _res, next) => {
    if (!authorized(req.headers.authorization, deps.settings().auth)) throw new HttpError(401, 'unauthorized', 'missing or wrong credentials');
    next();
  });
  router.post(MAINTENANCE_PATH, express.json({ limit: '64kb' }), async (req, res) => {
    const parsed = windowBody.safeParse(req.body);
    if (!parsed.success) {
      throw new HttpError(400, 'invalid_maintenance', 'not a maintenance window', parsed.error.issues.map((i) => ({ field: fieldName(i.path), message: i.message })));
    }
    const now = deps.now();
    const b = parsed.data;
    const startsAt = b.startsAt ?? now;
    if (b.endsAt <= startsAt) throw new HttpError(400, 'invalid_maintenance', 'endsAt must be after startsAt', [{ field: 'endsAt', message: 'must be after startsAt' }]);
    if (b.endsAt <= now) throw new HttpError(400, 'invalid_maintenance', 'endsAt is in the past', [{ field: 'endsAt', message: 'must be in the future' }]);
    const window: MaintenanceWindow = {
      id: deps.newId(),
      matchers: b.matchers.map(parseMatcher),
      startsAt,
      endsAt: b.endsAt,
      author: b.author,
      comment: b.comment,
      createdAt: now,
    };
    deps.store.transaction(() => deps.store.suppression.addMaintenance(window));
    await deps.durable();
    res.status(201).json({ maintenance: maintenanceView(window, now) });
  });
  router.get(MAINTENANCE_PATH, (req, res) => {
    const now = deps.now();
    res.json({ maintenance: deps.store.suppression.listMaintenance(now, req.query['all'] === 'true').map((w) => maintenanceView(w, now)) });
  });
  router.get(`${MAINTENANCE_PATH}/:id`, (req, res) => {
    const w = deps.store.suppression.maintenanceById(req.params.id);
    if (w === undefined) throw new HttpError(404, 'not_found', `no maintenance window ${req.params.id}`);
    res.json({ maintenance: maintenanceView(w, deps.now()) });
  });
  router.delete(`${MAINTENANCE_PATH}/:id`, async (req, res) => {
    const now = deps.now();
    const found = deps.store.transaction(() => deps.store.suppression.endMaintenance(req.params.id, now));
    if (!found) throw new HttpError(404, 'not_found', `no maintenance window ${req.params.id}`);
    await deps.durable();
    res.status(204).end();
  });
  return router;
}
