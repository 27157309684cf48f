/**
 * A stand-in for the alert-router's incident list that pages as the router does
 * (alert-router/http/create-app.ts and store/sqlite-store.ts): `since` inclusive and `until` exclusive
 * on the opening time, newest first then by id, `limit` 1–1000 (default 100, 400 otherwise), and
 * `GET /api/v1/incidents/:id` with the notifications. On 127.0.0.1; records every request's URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagedIncident {
  id: string;
  service: string;
  slo: string;
  openedAtMs: number;
  resolvedAtMs: number | null;
  /** A delivered PagerDuty trigger at this time, when set. */
  pagedAtMs?: number;
}

export interface PagedIncidentApi {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const MAX_LIMIT = 1000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function startPagedIncidentApi(incidents: readonly PagedIncident[]): Promise<PagedIncidentApi> {
  const requests: string[] = [];
  const view = (i: PagedIncident) => ({
    id: i.id,
    key: `slo:${i.service}/${i.slo}`,
    state: i.resolvedAtMs === null ? 'open' : 'resolved',
    severity: 'page',
    title: `${i.service}/${i.slo} burning error budget (page)`,
    service: i.service,
    slo: i.slo,
    team: null,
    groupLabels: { slo_service: i.service, slo_name: i.slo },
    openedAt: iso(i.openedAtMs),
    resolvedAt: iso(i.resolvedAtMs),
    updatedAt: iso(i.resolvedAtMs ?? i.openedAtMs),
    reopenCount: 0,
  });
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1/incidents') {
      const limitText = url.searchParams.get('limit') ?? '100';
      const limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!(limit >= 1 && limit <= MAX_LIMIT)) {
        send(400, { error: 'invalid_query', message: 'invalid incident filter', issues: [{ field: 'query.limit', message: `must be a whole number from 1 to ${MAX_LIMIT} in plain decimal` }] });
        return;
      }
      const service = url.searchParams.get('service');
      const since = url.searchParams.get('since');
      const until = url.searchParams.get('until');
      const list = incidents
        .filter(
          (i) =>
            (service === null || i.service === service) &&
            (since === null || i.openedAtMs >= Date.parse(since)) &&
            (until === null || i.openedAtMs < Date.parse(until)),
        )
        .sort((a, b) => b.openedAtMs - a.openedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit);
      send(200, { incidents: list.map(view) });
      return;
    }
    const m = /^\/api\/v1\/incidents\/([^/]+)$/.exec(url.pathname);
    const incident = m ? incidents.find((i) => i.id === decodeURIComponent(m[1]!)) : undefined;
    if (!incident) {
      send(404, { error: 'not_found', message: `no incident ${url.pathname}` });
      return;
    }
    const at = incident.pagedAtMs;
    send(200, {
      incident: view(incident),
      alerts: [],
      timeline: [],
      notifications:
        at === undefined
          ? []
          : [
              {
                id: `${incident.id}-0`,
                action: 'trigger',
                target: { kind: 'pagerduty', destination: 'PD_KEY' },
                state: 'delivered',
                attempts: 1,
                createdAt: iso(at),
                nextAttemptAt: null,
                deliveredAt: iso(at),
                lastStatus: 202,
                lastError: null,
              },
            ],
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
