import express from 'express';
import { z } from 'zod';
import type { WebhookAuth } from '../config/load-config.js';
import { isCancelled } from '../pipeline/maintenance.js';
import { matches, parseMatcher, type Matcher } from '../pipeline/matcher.js';
import type { MaintenanceWindow } from '../pipeline/suppression-types.js';
import { StoreError } from '../store/group-commit.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { authorized } from './authenticate.js';
import { fieldIssues, HttpError, type FieldIssue } from './http-error.js';
import { IDEMPOTENCY_KEY, idempotencyKey } from './idempotency-key.js';
import { KEYLESS_RETRY_MS, maintenanceRequest, parseRequestText, requestDifferences, requestText, type MaintenanceRequest } from './maintenance-request.js';
import { rfc3339Time } from './rfc3339-time.js';

export const MAINTENANCE_PATH = '/api/v1/maintenance';

export interface MaintenanceDeps {
  store: SqliteStore;
  settings: () => { auth: WebhookAuth };
  now: () => number;
  newId: () => string;
  /** Resolves once the last commit is on disk (the WAL syncer), so a 201 survives a crash. */
  durable: () => Promise<void>;
  /** A window could not be committed or made durable (the API answers 503): counted on /metrics. */
  storeFailed: () => void;
}

/**
 * Runs a maintenance write and waits until it is durable. A store that refuses it is the store's
 * failure, not the request's: a StoreError, which answers 503 with Retry-After (not 500 "internal"),
 * saying `retryHow` when given, and is counted.
 */
async function durably<T>(deps: MaintenanceDeps, what: string, write: () => T, retryHow?: string): Promise<T> {
  try {
    const result = deps.store.transaction(write);
    await deps.durable();
    return result;
  } catch (cause) {
    deps.storeFailed();
    throw new StoreError(`could not commit ${what}`, { cause, ...(retryHow === undefined ? {} : { retryHow }) });
  }
}

/**
 * What a POST's 503 tells its sender: the window may be stored (committed, then not made durable), so
 * a plain retry could store it twice; the retries that get it back instead are these.
 */
function retryHow(key: string | undefined): string {
  const why = 'the window may be stored, and that retry answers it (200) instead of storing a copy';
  if (key !== undefined) return `with the same ${IDEMPOTENCY_KEY}: ${why}`;
  return `the same request within ${KEYLESS_RETRY_MS / 60_000} minutes: ${why} (send an ${IDEMPOTENCY_KEY} to retry safely at any time)`;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER_SHAPE = 'expected a matcher string like service="x" or an object {name, value, isRegex?, isEqual?}';

/** `required` when the property is absent, zod's type message otherwise. */
const required = (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : undefined);

/** Alertmanager's silence matcher object, accepted as well as the `name="value"` text form. */
const matcherObject = z
  .object({
    name: z.string({ error: required }).regex(LABEL_NAME, { message: 'not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)' }),
    value: z.string({ error: required }),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .transform((m, ctx): Matcher => {
    // Stored as its text (the store parses it again on load), so it is validated as that text.
    const text = `${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}${JSON.stringify(m.value)}`;
    try {
      return parseMatcher(text);
    } catch (error) {
      const cause = (error as Error).cause;
      const message = cause instanceof SyntaxError ? `invalid regular expression: ${cause.message.replace(/^.*: /, '')}` : 'cannot hold a line separator (U+2028, U+2029)';
      ctx.addIssue({ code: 'custom', path: ['value'], message });
      return z.NEVER;
    }
  });

/**
 * One matcher, text or object. Not a `z.union`: when every option fails, a union reports only
 * "Invalid input", and a sender needs to know which property of which matcher is wrong.
 */
const matcher = z.unknown().transform((v, ctx): Matcher => {
  if (typeof v === 'string') {
    try {
      return parseMatcher(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const parsed = matcherObject.safeParse(v);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: MATCHER_SHAPE });
  return z.NEVER;
});

const windowBody = z
  .object({
    matchers: z.array(matcher).min(1, { message: 'at least one matcher (a window matching everything is a mistake)' }),
    startsAt: rfc3339Time.optional(),
    endsAt: rfc3339Time,
    author: z.string().refine((a) => a.trim() !== '', { message: 'must not be empty' }),
    comment: z.string().default(''),
  })
  .strict();

/** True when the request says its body is JSON, as `express.json()` (type `application/json`) requires. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/**
 * The window's times against each other and the clock; every problem at once. Without `startsAt` the
 * window starts now, so a past `endsAt` is only "in the past".
 */
function timeIssues(startsAt: number | undefined, endsAt: number, now: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (startsAt !== undefined && endsAt <= startsAt) issues.push({ field: 'endsAt', message: 'must be after startsAt' });
  if (endsAt <= now) issues.push({ field: 'endsAt', message: 'must be in the future' });
  else if (endsAt - (startsAt ?? now) > MAX_WINDOW_MS) issues.push({ field: 'endsAt', message: 'must be at most 366 days after the start: a longer window is a mistake more often than a plan' });
  return issues;
}

/** The longest window: a year and a day. */
const MAX_WINDOW_MS = 366 * 24 * 3600_000;

/**
 * A window whose every matcher also matches an alert without its label (`nosuchlabel=""`,
 * `service=~".*"`, `team!="x"`) holds every alert of every service, as `[]` would: refused, as
 * Alertmanager refuses such a silence.
 */
function matchesEverything(matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => matches(m, {}));
}

/** A maintenance window as the API shows it: a cancelled one keeps its planned start, and ends when it was cancelled. */
export function maintenanceView(w: MaintenanceWindow, now: number) {
  return {
    id: w.id,
    matchers: w.matchers.map((m) => m.text),
    startsAt: new Date(w.startsAt).toISOString(),
    endsAt: new Date(w.endsAt).toISOString(),
    author: w.author,
    comment: w.comment,
    createdAt: new Date(w.createdAt).toISOString(),
    status: isCancelled(w) ? 'cancelled' : w.startsAt > now ? 'pending' : w.endsAt > now ? 'active' : 'expired',
  };
}

/**
 * The window an earlier request with this `Idempotency-Key` created, when it asked for the same one;
 * 409 when it asked for another (a key names one request), naming the key, the window and each field
 * that differs. A window of a key is found while its row is kept: ended early, cancelled or past its
 * end, until retention purges it.
 */
function windowOfKey(deps: MaintenanceDeps, key: string, asked: MaintenanceRequest): MaintenanceWindow | undefined {
  const found = deps.store.suppression.maintenanceByIdempotencyKey(key);
  if (found === undefined) return undefined;
  const differences = requestDifferences(parseRequestText(found.request), asked);
  if (differences.length === 0) return found.window;
  throw new HttpError(
    409,
    'idempotency_key_reused',
    `${IDEMPOTENCY_KEY} ${JSON.stringify(key)} was used for maintenance window ${found.window.id}, created by a different request (${differences.map((d) => d.field).join(', ')}); send a new key for a new window`,
    differences.map((d) => ({ field: d.field, message: `differs from the request that created maintenance window ${found.window.id}, which had ${d.first}` })),
  );
}

/** `?author=NAME` on DELETE: who ends the window, for the timeline; optional, but not empty or repeated. */
function endedBy(query: Record<string, unknown>): string | undefined {
  const author = query['author'];
  if (author === undefined) return undefined;
  if (typeof author !== 'string' || author.trim() === '') {
    throw new HttpError(400, 'invalid_query', 'author must be one non-empty name', [
      { field: 'author', message: typeof author === 'string' ? 'must not be empty' : 'give it once' },
    ]);
  }
  return author.trim();
}

/**
 * `POST/GET/DELETE /api/v1/maintenance`: durable maintenance windows with Alertmanager-style matchers.
 * Same credentials as the webhook. POST answers 201 after the window is committed, or 200 with the
 * window a retry's first attempt stored (same `Idempotency-Key`, or without one the same request
 * within {@link KEYLESS_RETRY_MS}), so a retry of a 503 does not store it twice; DELETE ends an
 * active window now (its holds end with it, so the next tick, or an alert of a held incident that comes
 * first, notifies its held alerts that still fire, naming `?author=` as who ended it when given) and
 * cancels a pending one, keeping its row so that a retry of the DELETE (204) or of its POST (200 with
 * it) finds it.
 */
export function maintenanceRouter(deps: MaintenanceDeps): express.Router {
  const router = express.Router();
  router.use(MAINTENANCE_PATH, (req, _res, next) => {
    if (!authorized(req.headers.authorization, deps.settings().auth)) throw new HttpError(401, 'unauthorized', 'missing or wrong credentials');
    next();
  });
  router.post(
    MAINTENANCE_PATH,
    (req, _res, next) => {
      // express.json() skips other content types and leaves no body, which would read as "expected object".
      const type = req.headers['content-type'];
      if (!isJson(type)) {
        throw new HttpError(415, 'unsupported_media_type', 'the body must be JSON sent with Content-Type: application/json', [
          { field: 'content-type', message: type === undefined ? 'missing; send application/json' : `must be application/json, not ${JSON.stringify(type)}` },
        ]);
      }
      next();
    },
    express.json({ limit: '64kb' }),
    async (req, res) => {
      const key = idempotencyKey(req);
      if (req.body === undefined) throw new HttpError(400, 'invalid_maintenance', 'not a maintenance window', [{ field: '(body)', message: 'required: a JSON object' }]);
      const parsed = windowBody.safeParse(req.body);
      if (!parsed.success) {
        throw new HttpError(400, 'invalid_maintenance', 'not a maintenance window', fieldIssues(parsed.error, 'body', Object.keys(windowBody.shape)));
      }
      const now = deps.now();
      const b = parsed.data;
      const request = maintenanceRequest(b);
      const text = requestText(request);
      // Looked up and (below) inserted with no await between them, so two copies of a request racing
      // cannot both miss; the unique key index stands behind it.
      const earlier = key === undefined ? deps.store.suppression.keylessRetryOf(text, now - KEYLESS_RETRY_MS, now) : windowOfKey(deps, key, request);
      if (earlier !== undefined) {
        // A retry: its first attempt's window, answered once durable (that attempt may still be waiting).
        await durably(deps, `maintenance window ${earlier.id}`, () => undefined, retryHow(key));
        res.status(200).json({ maintenance: maintenanceView(earlier, now) });
        return;
      }
      if (matchesEverything(b.matchers)) {
        throw new HttpError(400, 'invalid_maintenance', 'not a maintenance window', [
          {
            field: 'matchers',
            message: `every matcher (${b.matchers.map((m) => m.text).join(', ')}) also matches an alert without that label, so the window would hold every alert: add one that needs a label value, e.g. service="payments"`,
          },
        ]);
      }
      const issues = timeIssues(b.startsAt, b.endsAt, now);
      if (issues.length > 0) throw new HttpError(400, 'invalid_maintenance', `endsAt ${issues.map((i) => i.message).join(' and ')}`, issues);
      const window: MaintenanceWindow = {
        id: deps.newId(),
        matchers: b.matchers,
        startsAt: b.startsAt ?? now,
        endsAt: b.endsAt,
        author: b.author,
        comment: b.comment,
        createdAt: now,
      };
      await durably(deps, `maintenance window ${window.id}`, () => deps.store.suppression.addMaintenance(window, { request: text, idempotencyKey: key }), retryHow(key));
      res.status(201).json({ maintenance: maintenanceView(window, now) });
    },
  );
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
    const by = endedBy(req.query as Record<string, unknown>);
    const found = await durably(deps, `the end of maintenance window ${req.params.id}`, () => deps.store.suppression.endMaintenance(req.params.id, now, by));
    if (!found) throw new HttpError(404, 'not_found', `no maintenance window ${req.params.id}`);
    res.status(204).end();
  });
  return router;
}
