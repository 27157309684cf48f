/**
 * A small stand-in for the alert-router's incident API (docs/alert-router.md), paging as the router
 * does (alert-router/http/create-app.ts, store/sqlite-store.ts): `GET /api/v1/incidents` with
 * `service`, `since` (inclusive) and `until` (exclusive) on the opening time, newest first then by id,
 * `limit` 1–1000 (default 100; 400 otherwise), and `GET /api/v1/incidents/:id` with the
 * notifications, in the router's JSON shapes, on 127.0.0.1. Serves a fixed list of incidents and
 * records every request's URL. The list's `retention` is `retention()`'s, asked once a list request
 * (absent when it gives undefined, as from a router before it said); by default a router that keeps
 * everything (`forever`, nothing deleted).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureIncident {
  id: string;
  title: string;
  service: string;
  slo: string;
  severity: 'page' | 'ticket';
  openedAt: string;
  resolvedAt: string | null;
  notifications: { action: 'trigger' | 'update' | 'resolve'; target: 'pagerduty' | 'slack'; at: string }[];
}

export interface IncidentApiFixture {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const MAX_LIMIT = 1000;

export async function startIncidentApi(
  incidents: readonly FixtureIncident[],
  retention: () => unknown = () => ({ store: 'forever', keepsResolvedSince: null }),
  /** Incidents listed but deleted before their detail is asked for (a retention tick in between): their detail answers 404. */
  deleted: ReadonlySet<string> = new Set(),
): Promise<IncidentApiFixture> {
  const requests: string[] = [];
  const view = (i: FixtureIncident) => ({
    id: i.id,
    key: `slo:${i.service}/${i.slo}`,
    state: i.resolvedAt === null ? 'open' : 'resolved',
    severity: i.severity,
    title: i.title,
    service: i.service,
    slo: i.slo,
    team: null,
    groupLabels: { slo_service: i.service, slo_name: i.slo },
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt,
    updatedAt: i.resolvedAt ?? i.openedAt,
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
      const since = Date.parse(url.searchParams.get('since') ?? '1970-01-01T00:00:00Z');
      const until = Date.parse(url.searchParams.get('until') ?? '2999-01-01T00:00:00Z');
      const list = incidents
        .filter((i) => (service === null || i.service === service) && Date.parse(i.openedAt) >= since && Date.parse(i.openedAt) < until)
        .sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit);
      send(200, { incidents: list.map(view), retention: retention() });
      return;
    }
    const m = /^\/api\/v1\/incidents\/([^/]+)$/.exec(url.pathname);
    const incident = m ? incidents.find((i) => i.id === decodeURIComponent(m[1]!)) : undefined;
    if (incident !== undefined && deleted.has(incident.id)) {
      send(404, { error: 'not_found', message: `no incident ${incident.id}` });
      return;
    }
    if (!incident) {
      send(404, { error: 'not_found', message: `no route ${url.pathname}` });
      return;
    }
    send(200, {
      incident: view(incident),
      alerts: [],
      timeline: [],
      notifications: incident.notifications.map((n, k) => ({
        id: `${incident.id}-${k}`,
        action: n.action,
        target: { kind: n.target, destination: n.target === 'slack' ? '#oncall' : 'PD_KEY' },
        state: 'delivered',
        attempts: 1,
        createdAt: n.at,
        nextAttemptAt: null,
        deliveredAt: n.at,
        lastStatus: 202,
        lastError: null,
      })),
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
