import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { parseDuration } from '../../src/slo/duration.js';
import type { SpecProblem } from '../../src/slo/spec-error.js';
import { parseMatcher } from '../pipeline/matcher.js';
import type { RetryPolicy } from '../pipeline/retry-policy.js';
import type { Route } from '../pipeline/route.js';
import type { SuppressionSettings } from '../pipeline/suppression-types.js';
import { ConfigError } from './config-error.js';
import { configSchema, type RouterConfigFile } from './config-schema.js';

/** Webhook credentials, read from the environment; never logged. */
export type WebhookAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

/** The validated config with durations in ms, routes parsed and secrets resolved. */
export interface RouterConfig {
  file: string;
  raw: RouterConfigFile;
  listen: { host: string; port: number };
  storePath: string;
  synchronous: 'full' | 'normal';
  catalogPath: string;
  auth: WebhookAuth;
  bodyLimitBytes: number;
  reopenWindowMs: number;
  /** Correlation and suppression thresholds (ms and counts). */
  suppression: SuppressionSettings;
  /** How often the service releases holds and sends storm digests. */
  tickIntervalMs: number;
  retry: RetryPolicy;
  concurrency: number;
  attemptTimeoutMs: number;
  drainTimeoutMs: number;
  routes: Route[];
  pagerduty: { server: string; caFile: string | undefined; defaultRoutingKeyEnv: string | undefined; services: Record<string, string> };
  slack: { tokenEnv: string | undefined; apiUrl: string; defaultChannel: string | undefined };
}

function bytes(size: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(size)!;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  return unit === 'mb' ? n * 1024 * 1024 : unit === 'kb' ? n * 1024 : n;
}

/**
 * Parses and validates router config text. Every problem is reported at once with its line, column
 * and field path; secrets named by `*Env` fields are read from `env` and must be set.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): RouterConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, path: '', message: e.message.split('\n')[0] ?? e.message, line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1 })),
    );
  }
  const locate = (path: readonly PropertyKey[]): Pick<SpecProblem, 'line' | 'column'> => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
  const fieldPath = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ file, path: fieldPath([...i.path, k]), message: 'unknown field', ...locate([...i.path, k]) }))
          : [
              {
                file,
                path: fieldPath(i.path),
                message:
                  i.code === 'invalid_union' && i.path.join('.') === 'auth'
                    ? 'must be {bearerTokenEnv: NAME} or {basic: {username, passwordEnv: NAME}}'
                    : i.message,
                ...locate(i.path),
              },
            ],
      ),
    );
  }
  const c = parsed.data;
  const problems: SpecProblem[] = [];
  const secret = (path: (string | number)[], name: string): string => {
    const v = env[name];
    if (v === undefined || v === '') {
      problems.push({ file, path: fieldPath(path), message: `environment variable ${name} is not set`, ...locate(path) });
      return '';
    }
    return v;
  };
  const auth: WebhookAuth =
    'bearerTokenEnv' in c.auth
      ? { kind: 'bearer', token: secret(['auth', 'bearerTokenEnv'], c.auth.bearerTokenEnv) }
      : { kind: 'basic', username: c.auth.basic.username, password: secret(['auth', 'basic', 'passwordEnv'], c.auth.basic.passwordEnv) };
  c.routes.forEach((r, i) => {
    if (r.pagerduty !== undefined && r.pagerduty !== 'owner' && c.pagerduty.services[r.pagerduty] === undefined) {
      problems.push({
        file,
        path: `routes[${i}].pagerduty`,
        message: `"${r.pagerduty}" is neither "owner" nor a service under pagerduty.services (${Object.keys(c.pagerduty.services).join(', ') || 'none defined'})`,
        ...locate(['routes', i, 'pagerduty']),
      });
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const ms = (s: string) => parseDuration(s)!;
  return {
    file,
    raw: c,
    listen: c.listen,
    storePath: c.store.path,
    synchronous: c.store.synchronous,
    catalogPath: c.catalog,
    auth,
    bodyLimitBytes: bytes(c.webhook.bodyLimit),
    reopenWindowMs: ms(c.incidents.reopenWindow),
    suppression: {
      dependencies: { enabled: c.correlation.dependencies.enabled, windowMs: ms(c.correlation.dependencies.window) },
      grouping: { keys: c.correlation.grouping.keys, windowMs: ms(c.correlation.grouping.window) },
      flapping: {
        enabled: c.suppression.flapping.enabled,
        maxChanges: c.suppression.flapping.maxChanges,
        windowMs: ms(c.suppression.flapping.window),
        stableMs: ms(c.suppression.flapping.stableFor),
      },
      storm: { enabled: c.suppression.storm.enabled, maxPerMinute: c.suppression.storm.maxIncidentsPerMinute, digestIntervalMs: ms(c.suppression.storm.digestInterval) },
    },
    tickIntervalMs: ms(c.suppression.tickInterval),
    retry: { baseMs: ms(c.delivery.backoffBase), maxMs: ms(c.delivery.backoffMax), maxAttempts: c.delivery.maxAttempts },
    concurrency: c.delivery.concurrency,
    attemptTimeoutMs: ms(c.delivery.attemptTimeout),
    drainTimeoutMs: ms(c.delivery.drainTimeout),
    routes: c.routes.map((r) => ({
      name: r.name,
      matchers: r.matchers.map(parseMatcher),
      pagerduty: r.pagerduty,
      slack: r.slack,
      continue: r.continue,
    })),
    pagerduty: { server: c.pagerduty.server, caFile: c.pagerduty.caFile, defaultRoutingKeyEnv: c.pagerduty.defaultRoutingKeyEnv, services: c.pagerduty.services },
    slack: {
      tokenEnv: c.slack.tokenEnv,
      apiUrl: c.slack.apiUrl,
      defaultChannel: c.slack.defaultChannel,
    },
  };
}

/** Reads and validates the config file at `file`. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new Error(`could not read router config ${file}`, { cause });
  }
  return parseConfig(text, file, env);
}
