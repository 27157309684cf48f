import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusRangeClient, PrometheusUnavailableError } from './prometheus-range-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  servers = [];
});

/** A local stand-in for Prometheus; `sockets` are the connections it was opened. */
async function fakePrometheus(handler: Handler): Promise<{ url: string; sockets: Socket[] }> {
  const server = createServer(handler);
  const sockets: Socket[] = [];
  server.on('connection', (s) => sockets.push(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sockets };
}

const json = (status: number, body: unknown): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function failure(url: string, timeoutMs = 5000): Promise<PrometheusUnavailableError> {
  const client = createPrometheusRangeClient({ url, timeoutMs });
  const error = await client.queryRange('slo:sli_error:ratio_rate5m{slo_id="x"}', 0, 3600_000, 300).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrometheusUnavailableError);
  return error as PrometheusUnavailableError;
}

describe('createPrometheusRangeClient', () => {
  it.each([
    {
      name: 'a refused query (400 bad_data)',
      handler: json(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5: unexpected "}"' }),
      expected: { kind: 'query', message: /answered 400: parse error at char 5/ },
    },
    {
      name: 'an overloaded Prometheus (503 with error JSON)',
      handler: json(503, { status: 'error', errorType: 'unavailable', error: 'too many concurrent queries' }),
      expected: { kind: 'http', message: /answered 503: too many concurrent queries/ },
    },
    {
      name: "a proxy's HTML error page",
      handler: ((_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
      }) as Handler,
      expected: { kind: 'http', message: /answered 502 without JSON/ },
    },
    {
      name: 'a 200 that is not a range result',
      handler: json(200, { status: 'success', data: { resultType: 'vector', result: [] } }),
      expected: { kind: 'bad-response', message: /without a matrix result/ },
    },
  ])('names $name as such', async ({ handler, expected }) => {
    const { url } = await fakePrometheus(handler);
    const error = await failure(url);
    expect(error.kind).toBe(expected.kind);
    expect(error.message).toMatch(expected.message);
  });

  it('says Prometheus could not be reached, not that it was slow, when the connection is refused', async () => {
    const { url } = await fakePrometheus(() => undefined);
    servers.pop()!.close();
    const error = await failure(url, 5000);
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/could not reach Prometheus at .* \(ECONNREFUSED\)/);
  });

  it.each([
    { name: 'never answers', handler: (() => undefined) as Handler },
    {
      name: 'sends its headers and then stalls',
      handler: ((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":"success","data":{');
      }) as Handler,
    },
  ])('gives up at its timeout and closes the connection when Prometheus $name', async ({ handler }) => {
    const { url, sockets } = await fakePrometheus(handler);
    const started = performance.now();
    const error = await failure(url, 200);
    expect(performance.now() - started).toBeLessThan(3000); // gave up at its 200 ms timeout (a loose bound: CI machines are busy)
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('did not answer within 200 ms');
    expect(sockets).toHaveLength(1);
    await expect.poll(() => sockets[0]!.destroyed, { timeout: 1000 }).toBe(true);
  });

  it('merges the series of a recording whose labels changed during the range, and drops NaN and Inf', async () => {
    const { url } = await fakePrometheus(
      json(200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { slo_id: 'x', slo_service: 'new-name' }, values: [[1200, '0.002'], [1500, '0.003'], [1800, 'NaN']] },
            { metric: { slo_id: 'x', slo_service: 'old-name' }, values: [[300, '0.001'], [600, '+Inf'], [900, '0.001'], [1200, '0.001']] },
          ],
        },
      }),
    );
    const client = createPrometheusRangeClient({ url, timeoutMs: 1000 });
    expect(await client.queryRange('q', 0, 1_800_000, 300)).toEqual([
      { t: 300_000, v: 0.001 },
      { t: 900_000, v: 0.001 },
      { t: 1_200_000, v: 0.002 },
      { t: 1_500_000, v: 0.003 },
    ]);
  });

  it('returns no points for a query that selects no series', async () => {
    const { url } = await fakePrometheus(json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }));
    expect(await createPrometheusRangeClient({ url, timeoutMs: 1000 }).queryRange('q', 0, 1, 300)).toEqual([]);
  });
});
