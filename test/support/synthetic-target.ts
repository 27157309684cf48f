/**
 * A scrape target on 127.0.0.1 serving the source metrics of the example SLOs (slos/*.ts) in the
 * Prometheus text format: counters that grow at fixed rates from the moment it starts, a share of
 * them errors, so every SLO's recordings have values a few seconds after Prometheus first scrapes.
 * Scrape it with `honorLabels: true`: the series carry their own `job` labels.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A counter growing at `perSecond`, with its labels. */
export interface SyntheticCounter {
  name: string;
  labels: Record<string, string>;
  perSecond: number;
}

/** A classic histogram: `perSecond` observations, `shareAtOrBelow[le]` of them at or under each bound. */
export interface SyntheticHistogram {
  name: string;
  labels: Record<string, string>;
  perSecond: number;
  /** Cumulative share (0..1) at or under each finite bucket bound, by bound in seconds. */
  shareAtOrBelow: Record<string, number>;
}

/** A gauge whose value is a function of the seconds since the target started. */
export interface SyntheticGauge {
  name: string;
  labels: Record<string, string>;
  value: (elapsedSeconds: number) => number;
}

export interface SyntheticMetrics {
  counters: SyntheticCounter[];
  histograms: SyntheticHistogram[];
  gauges: SyntheticGauge[];
}

/**
 * Traffic for the eight example SLOs. Checkout availability fails 9% of requests, so it burns its
 * 0.1% budget at 90× and pages; the others burn slowly or not at all.
 */
export function exampleSloMetrics(): SyntheticMetrics {
  return {
    counters: [
      { name: 'http_requests_total', labels: { job: 'checkout', code: '200' }, perSecond: 50 },
      { name: 'http_requests_total', labels: { job: 'checkout', code: '503' }, perSecond: 5 },
      { name: 'grpc_server_handled_total', labels: { grpc_service: 'payments.Payments', grpc_method: 'Authorise', grpc_code: 'OK' }, perSecond: 20 },
      { name: 'grpc_server_handled_total', labels: { grpc_service: 'payments.Payments', grpc_method: 'Authorise', grpc_code: 'Internal' }, perSecond: 0.004 },
      { name: 'slokit_router_notifications_total', labels: { outcome: 'delivered' }, perSecond: 1 },
      { name: 'slokit_router_notifications_total', labels: { outcome: 'failed' }, perSecond: 0.002 },
    ],
    histograms: [
      { name: 'http_request_duration_seconds', labels: { job: 'checkout', route: '/cart' }, perSecond: 40, shareAtOrBelow: { '0.1': 0.8, '0.3': 0.98 } },
      { name: 'http_request_duration_seconds', labels: { job: 'checkout', route: '/healthz' }, perSecond: 1, shareAtOrBelow: { '0.1': 1, '0.3': 1 } },
      { name: 'http_request_duration_seconds', labels: { job: 'catalog', method: 'GET', route: '/products' }, perSecond: 30, shareAtOrBelow: { '0.1': 0.997, '0.3': 1 } },
      { name: 'slokit_router_webhook_duration_seconds', labels: { code: '200' }, perSecond: 2, shareAtOrBelow: { '0.1': 0.9, '0.25': 0.995 } },
      { name: 'slokit_router_webhook_duration_seconds', labels: { code: '503' }, perSecond: 0.01, shareAtOrBelow: { '0.1': 1, '0.25': 1 } },
    ],
    gauges: [
      // Down one second in 100.
      { name: 'probe_success', labels: { job: 'blackbox', instance: 'https://shop.example.com/' }, value: (t) => (Math.floor(t) % 100 === 7 ? 0 : 1) },
      // Late one second in 500.
      { name: 'slokit_router_notifications_on_time', labels: { job: 'alert-router' }, value: (t) => (Math.floor(t) % 500 === 11 ? 0 : 1) },
    ],
  };
}

function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** The exposition text of `metrics` `elapsedSeconds` after the start. */
export function renderExposition(metrics: SyntheticMetrics, elapsedSeconds: number): string {
  const lines: string[] = [];
  const typed = new Set<string>();
  const type = (name: string, kind: string) => {
    if (!typed.has(name)) lines.push(`# TYPE ${name} ${kind}`);
    typed.add(name);
  };
  for (const c of metrics.counters) {
    type(c.name, 'counter');
    lines.push(`${c.name}${labelText(c.labels)} ${c.perSecond * elapsedSeconds}`);
  }
  for (const h of metrics.histograms) {
    type(h.name, 'histogram');
    const count = h.perSecond * elapsedSeconds;
    const bounds = Object.keys(h.shareAtOrBelow).sort((a, b) => Number(a) - Number(b));
    for (const le of bounds) lines.push(`${h.name}_bucket${labelText({ ...h.labels, le })} ${count * (h.shareAtOrBelow[le] ?? 0)}`);
    lines.push(`${h.name}_bucket${labelText({ ...h.labels, le: '+Inf' })} ${count}`);
    lines.push(`${h.name}_sum${labelText(h.labels)} ${count * 0.05}`);
    lines.push(`${h.name}_count${labelText(h.labels)} ${count}`);
  }
  for (const g of metrics.gauges) {
    type(g.name, 'gauge');
    lines.push(`${g.name}${labelText(g.labels)} ${g.value(elapsedSeconds)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface SyntheticTarget {
  /** `127.0.0.1:<port>`, as a scrape target. */
  address: string;
  close(): Promise<void>;
}

/** Serves `metrics` on http://127.0.0.1:<OS-picked port>/metrics. `now` is injectable for tests (ms). */
export async function startSyntheticTarget(metrics: SyntheticMetrics, now: () => number = Date.now): Promise<SyntheticTarget> {
  const started = now();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(renderExposition(metrics, (now() - started) / 1000));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
