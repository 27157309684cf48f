/**
 * What the router experiments share: `npm run bench:router`'s single-alert load (wrk, 16 keep-alive
 * connections, a new fingerprint per alert, 3 s after a 1 s warm-up) against one target, with this
 * process's CPU per request (all its threads) for the router-like ones.
 */
import { runWrk } from '../wrk-load.js';
import { BENCH_TOKEN } from '../bench-services.js';

export interface LoadResult {
  line: string;
  requestsPerSecond: number;
}

/** Loads `url` as `npm run bench:router`'s single-alert scenario does; `cpu` adds this process's CPU per request. */
export async function loadSingleAlerts(name: string, url: string, target: 'router' | 'alertmanager', round: number, cpu: boolean): Promise<LoadResult> {
  const spec = {
    url,
    target,
    alertsPerRequest: 1,
    concurrency: 16,
    token: BENCH_TOKEN,
    prefix: `${name.replaceAll(' ', '-')}-r${round}`,
    prefixHash: (((round + 1) * 2654435761 + name.length * 40503) >>> 0).toString(16).padStart(8, '0'),
  };
  await runWrk({ ...spec, seconds: 1, prefix: `${spec.prefix}-warm` });
  const cpu0 = process.cpuUsage();
  const r = await runWrk({ ...spec, seconds: 3 });
  const used = process.cpuUsage(cpu0);
  const perRequest = cpu ? ` ${((used.user + used.system) / 1000 / r.requests).toFixed(3)} ms CPU/request (this process)` : '';
  const requestsPerSecond = Math.round(r.requests / r.seconds);
  return { requestsPerSecond, line: `${name.padEnd(13)} ${requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.errors} errors${perRequest}` };
}
