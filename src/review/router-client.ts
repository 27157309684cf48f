import type { RouterIncident, RouterNotification } from './incident-analysis.js';
import { PeerQueryError, PeerUnreachableError } from './review-errors.js';

/** What the router says of its incident retention (the incident list's `retention`, docs/alert-router.md). */
export interface RouterRetention {
  /** Its `store.retention` as configured: `90d`, `forever`. */
  store: string;
  /** Every incident resolved from then on is held (epoch ms); undefined when it has deleted none. */
  keepsResolvedSinceMs: number | undefined;
}

/** A service's incidents, and from when the router holds them. */
export interface RouterIncidents {
  incidents: RouterIncident[];
  /** Undefined when the router did not say: a build from before it did. */
  retention: RouterRetention | undefined;
}

/** The alert-router's incident API (docs/alert-router.md), as a review reads it. */
export interface RouterClient {
  readonly url: string;
  /**
   * Incidents of a service open at some time in `[fromMs, toMs)`, each with its notifications: opened
   * from `openedSinceMs` on and before `toMs`, and not resolved by `fromMs`. Every page of the list is
   * read (the router answers at most {@link PAGE_LIMIT} a request); the retention is the latest any
   * page gave, since each holds from the moment it was answered.
   */
  incidents(service: string, fromMs: number, toMs: number, openedSinceMs: number): Promise<RouterIncidents>;
}

/** The router's largest `limit`. */
export const PAGE_LIMIT = 1000;
/** Incident detail requests in flight at once. */
const DETAIL_CONCURRENCY = 8;

interface IncidentView {
  id: string;
  title: string;
  service: string;
  slo: string | null;
  severity: 'page' | 'ticket';
  openedAt: string;
  resolvedAt: string | null;
}

interface NotificationView {
  action: RouterNotification['action'];
  target: { kind: RouterNotification['target'] } | RouterNotification['target'];
  state: string;
  createdAt: string;
  deliveredAt: string | null;
}

export function createRouterClient(options: { url: string; fetch?: typeof fetch; timeoutMs?: number }): RouterClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  /** The answer to a GET of `path`; `gone` is what a 404 gives instead of an error, when given. */
  const get = async <T, G = never>(path: string, gone?: () => G): Promise<T | G> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (cause) {
      throw new PeerUnreachableError('alert-router', base, { cause });
    }
    const text = await response.text();
    if (response.status === 404 && gone !== undefined) return gone();
    if (!response.ok) throw new PeerQueryError('alert-router', base, `HTTP ${response.status}: ${text.slice(0, 200)}`, path);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PeerQueryError('alert-router', base, `HTTP ${response.status}, not an alert-router API answer: ${text.slice(0, 200)}`, path);
    }
  };
  /** One page: the newest `PAGE_LIMIT` incidents opened in `[sinceMs, untilMs)`, and the router's retention as it answered. */
  const page = async (service: string, sinceMs: number, untilMs: number): Promise<{ incidents: IncidentView[]; retention: RouterRetention | undefined }> => {
    const query = new URLSearchParams({
      service,
      since: new Date(sinceMs).toISOString(),
      until: new Date(untilMs).toISOString(),
      limit: String(PAGE_LIMIT),
    });
    const path = `/api/v1/incidents?${query}`;
    const body = await get<{ incidents?: unknown; retention?: unknown }>(path);
    if (!Array.isArray(body.incidents)) throw new PeerQueryError('alert-router', base, 'the answer has no "incidents" list', path);
    return { incidents: body.incidents as IncidentView[], retention: retentionOf(body.retention, (problem) => new PeerQueryError('alert-router', base, problem, path)) };
  };
  return {
    url: base,
    async incidents(service, fromMs, toMs, openedSinceMs) {
      // Newest first; the next page ends just after the oldest opening seen (`until` is exclusive), so
      // incidents opened in the same millisecond as the page's last one are not skipped.
      const listed = new Map<string, IncidentView>();
      let retention: RouterRetention | undefined;
      for (let untilMs = toMs; ; ) {
        const answer = await page(service, openedSinceMs, untilMs);
        const incidents = answer.incidents;
        if (answer.retention !== undefined) retention = laterRetention(retention, answer.retention);
        let added = 0;
        for (const i of incidents) {
          if (!listed.has(i.id)) added++;
          listed.set(i.id, i);
        }
        if (incidents.length < PAGE_LIMIT) break;
        const oldest = Math.min(...incidents.map((i) => Date.parse(i.openedAt)));
        if (added === 0) {
          throw new PeerQueryError('alert-router', base, `over ${PAGE_LIMIT} incidents of ${service} opened at ${new Date(oldest).toISOString()}: cannot page past them`);
        }
        untilMs = oldest + 1;
      }
      const active = [...listed.values()].filter((i) => i.resolvedAt === null || Date.parse(i.resolvedAt) > fromMs);
      /** Resolve times of listed incidents that retention deleted before their detail was read. */
      const deleted: number[] = [];
      const detailOf = async (incident: IncidentView): Promise<RouterIncident | undefined> => {
        const path = `/api/v1/incidents/${encodeURIComponent(incident.id)}`;
        // A resolved incident a retention tick deleted since the list (a long review): gone, not an error.
        const GONE = Symbol('deleted');
        const detail = await get<{ notifications?: NotificationView[] }, typeof GONE>(path, incident.resolvedAt === null ? undefined : () => GONE);
        if (detail === GONE) {
          deleted.push(Date.parse(incident.resolvedAt!));
          return undefined;
        }
        if (!Array.isArray(detail.notifications)) throw new PeerQueryError('alert-router', base, 'the answer has no "notifications" list', path);
        return {
          id: incident.id,
          title: incident.title,
          service: incident.service,
          slo: incident.slo ?? undefined,
          severity: incident.severity,
          openedAtMs: Date.parse(incident.openedAt),
          resolvedAtMs: incident.resolvedAt === null ? undefined : Date.parse(incident.resolvedAt),
          notifications: detail.notifications.map((n) => ({
            action: n.action,
            target: typeof n.target === 'string' ? n.target : n.target.kind,
            state: n.state,
            createdAtMs: Date.parse(n.createdAt),
            deliveredAtMs: n.deliveredAt === null ? undefined : Date.parse(n.deliveredAt),
          })),
        };
      };
      // A few detail requests at a time: a busy month has thousands of incidents.
      const out: RouterIncident[] = [];
      let next = 0;
      const worker = async () => {
        while (next < active.length) {
          const incident = await detailOf(active[next++]!);
          if (incident !== undefined) out.push(incident);
        }
      };
      await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, active.length) }, worker));
      // Deleted meanwhile: the router no longer holds what was resolved up to the latest of them, though
      // its list said it did (it holds for one tick after it answers), so its incidents begin after it.
      if (deleted.length > 0 && retention !== undefined) {
        retention = laterRetention(retention, { store: retention.store, keepsResolvedSinceMs: Math.max(...deleted) + 1 });
      }
      return { incidents: out.sort((a, b) => a.openedAtMs - b.openedAtMs || a.id.localeCompare(b.id)), retention };
    },
  };
}

/**
 * The list's `retention`: undefined when absent (a router from before it said), else its store and
 * time; `refused` makes the error for any other shape.
 */
function retentionOf(value: unknown, refused: (problem: string) => Error): RouterRetention | undefined {
  if (value === undefined) return undefined;
  const r = value as { store?: unknown; keepsResolvedSince?: unknown } | null;
  const since = typeof r?.keepsResolvedSince === 'string' ? Date.parse(r.keepsResolvedSince) : r?.keepsResolvedSince;
  if (typeof r?.store !== 'string' || !(since === null || (typeof since === 'number' && Number.isFinite(since)))) {
    throw refused(`the answer's "retention" is not {"store": string, "keepsResolvedSince": RFC 3339 time or null}: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return { store: r.store, keepsResolvedSinceMs: since ?? undefined };
}

/** Of two pages' retention, the one that holds from later (the later page when neither says a time). */
export function laterRetention(a: RouterRetention | undefined, b: RouterRetention): RouterRetention {
  return (a?.keepsResolvedSinceMs ?? -Infinity) > (b.keepsResolvedSinceMs ?? -Infinity) ? a! : b;
}
