import type { RouterIncident, RouterNotification } from './incident-analysis.js';
import { PeerQueryError, PeerUnreachableError } from './review-errors.js';

/** The alert-router's incident API (docs/alert-router.md), as a review reads it. */
export interface RouterClient {
  readonly url: string;
  /**
   * Incidents of a service open at some time in `[fromMs, toMs)`, each with its notifications: opened
   * from `openedSinceMs` on and before `toMs`, and not resolved by `fromMs`. Every page of the list is
   * read (the router answers at most {@link PAGE_LIMIT} a request).
   */
  incidents(service: string, fromMs: number, toMs: number, openedSinceMs: number): Promise<RouterIncident[]>;
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
  const get = async <T>(path: string): Promise<T> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (cause) {
      throw new PeerUnreachableError('alert-router', base, { cause });
    }
    const text = await response.text();
    if (!response.ok) throw new PeerQueryError('alert-router', base, `HTTP ${response.status}: ${text.slice(0, 200)}`, path);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PeerQueryError('alert-router', base, `HTTP ${response.status}, not an alert-router API answer: ${text.slice(0, 200)}`, path);
    }
  };
  /** One page: the newest `PAGE_LIMIT` incidents opened in `[sinceMs, untilMs)`. */
  const page = async (service: string, sinceMs: number, untilMs: number): Promise<IncidentView[]> => {
    const query = new URLSearchParams({
      service,
      since: new Date(sinceMs).toISOString(),
      until: new Date(untilMs).toISOString(),
      limit: String(PAGE_LIMIT),
    });
    const path = `/api/v1/incidents?${query}`;
    const body = await get<{ incidents?: unknown }>(path);
    if (!Array.isArray(body.incidents)) throw new PeerQueryError('alert-router', base, 'the answer has no "incidents" list', path);
    return body.incidents as IncidentView[];
  };
  return {
    url: base,
    async incidents(service, fromMs, toMs, openedSinceMs) {
      // Newest first; the next page ends just after the oldest opening seen (`until` is exclusive), so
      // incidents opened in the same millisecond as the page's last one are not skipped.
      const listed = new Map<string, IncidentView>();
      for (let untilMs = toMs; ; ) {
        const incidents = await page(service, openedSinceMs, untilMs);
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
      const detailOf = async (incident: IncidentView): Promise<RouterIncident> => {
        const path = `/api/v1/incidents/${encodeURIComponent(incident.id)}`;
        const detail = await get<{ notifications?: NotificationView[] }>(path);
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
        while (next < active.length) out.push(await detailOf(active[next++]!));
      };
      await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, active.length) }, worker));
      return out.sort((a, b) => a.openedAtMs - b.openedAtMs || a.id.localeCompare(b.id));
    },
  };
}
