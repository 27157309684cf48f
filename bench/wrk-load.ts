/**
 * The router benchmark's load through wrk (Debian `wrk`, C, two threads): a Lua script builds every
 * request with new label sets and fingerprints, as `bench/router.ts`'s Node generator does, and
 * reports its figures as one JSON line. A load generator in C costs a fraction of the CPU of one in
 * Node, so the server under test, not the generator, sets the rate: with the Node generator
 * Alertmanager's single-alert rate here stopped at ~4,400 req/s, with wrk it is ~12,000.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkSpec {
  url: string;
  target: 'router' | 'alertmanager';
  alertsPerRequest: number;
  concurrency: number;
  seconds: number;
  token: string;
  /** Keeps label sets and fingerprints unique across scenarios and rounds. */
  prefix: string;
  /** 8 hex digits of the prefix, the first half of every fingerprint. */
  prefixHash: string;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  /** Non-2xx answers and socket errors. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

const lua = (s: string) => JSON.stringify(s);

/** The Lua script: one request per call, `per` alerts each, and the summary as JSON at the end. */
function script(spec: WrkSpec): string {
  const path = spec.target === 'router' ? '/api/v1/alertmanager' : '/api/v2/alerts';
  return `
local target, per, prefix, hash = ${lua(spec.target)}, ${spec.alertsPerRequest}, ${lua(spec.prefix)}, ${Number.parseInt(spec.prefixHash, 16) % 2147483647}
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = ${lua(`Bearer ${spec.token}`)} }
local startsAt = os.date("!%Y-%m-%dT%H:%M:%SZ")
local n = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function request()
  n = n + 1
  local name = "BenchAlert" .. (n % 50)
  local alerts = {}
  for i = 0, per - 1 do
    local labels = '{"alertname":"' .. name .. '","severity":"page","service":"bench","instance":"' .. prefix .. '-' .. tid .. '-' .. n .. '-' .. i .. '"}'
    if target == "alertmanager" then
      alerts[#alerts + 1] = '{"labels":' .. labels .. ',"annotations":{"summary":"benchmark alert"},"startsAt":"' .. startsAt .. '"}'
    else
      local fp = string.format("%08x%08x", (hash + tid) % 2147483647, n * 1000 + i)
      alerts[#alerts + 1] = '{"status":"firing","labels":' .. labels .. ',"annotations":{"summary":"benchmark alert"},"startsAt":"' .. startsAt ..
        '","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"' .. fp .. '"}'
    end
  end
  local list = "[" .. table.concat(alerts, ",") .. "]"
  local body = list
  if target == "router" then
    body = '{"version":"4","groupKey":"{}:{alertname=\\\\"' .. name .. '\\\\"}","truncatedAlerts":0,"status":"firing","receiver":"slokit\\\\\\\\.router",' ..
      '"groupLabels":{"alertname":"' .. name .. '"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","alerts":' .. list .. '}'
  end
  return wrk.format("POST", ${lua(path)}, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('SLOKIT_WRK {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
`;
}

/** Runs wrk once against `spec.url` and returns its figures. */
export function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-wrk-'));
  const file = join(dir, 'load.lua');
  writeFileSync(file, script(spec));
  const threads = Math.min(2, spec.concurrency);
  return new Promise<WrkResult>((resolve, reject) => {
    const child = spawn('wrk', ['-t', String(threads), '-c', String(spec.concurrency), '-d', `${spec.seconds}s`, '--latency', '-s', file, spec.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new Error('could not run wrk (Debian package wrk; npm run peers installs it)', { cause: e })));
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('SLOKIT_WRK '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk exited ${code} without a summary: ${err.trim() || out.trim()}`));
        return;
      }
      const r = JSON.parse(line.slice('SLOKIT_WRK '.length)) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number };
      resolve({
        requests: r.requests,
        seconds: r.durationUs / 1e6,
        errors: r.errors,
        p50Ms: Math.round(r.p50Us / 10) / 100,
        p99Ms: Math.round(r.p99Us / 10) / 100,
      });
    });
  });
}
