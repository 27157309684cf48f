import type { RouterIncident, RouterNotification } from './incident-analysis.js';
import { PeerQueryError, PeerUnreachableError } from './review-errors.js';

/** The alert-router's incident API (docs/alert-router.md), as a review reads it. */
export interface RouterClient {
  readonly url: string;
  /** Incidents of a service opened in `[sinceMs, untilMs]`, each with its notifications. */
  incidents(service: string, sinceMs: number, untilMs: number): Promise<RouterIncident[]>;
}

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
    if (!response.ok) throw new PeerQueryError('alert-router', base, `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`, path);
    return (await response.json()) as T;
  };
  return {
    url: base,
    async incidents(service, sinceMs, untilMs) {
      const query = new URLSearchParams({
        service,
        since: new Date(sinceMs).toISOString(),
        until: new Date(untilMs).toISOString(),
        limit: '1000',
      });
      const list = await get<{ incidents: IncidentView[] }>(`/api/v1/incidents?${query}`);
      const out: RouterIncident[] = [];
      for (const incident of list.incidents) {
        const detail = await get<{ notifications: NotificationView[] }>(`/api/v1/incidents/${encodeURIComponent(incident.id)}`);
        out.push({
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
        });
      }
      return out.sort((a, b) => a.openedAtMs - b.openedAtMs || a.id.localeCompare(b.id));
    },
  };
}
