import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { parseDuration } from '../../src/slo/duration.js';
import type { SpecProblem } from '../../src/slo/spec-error.js';
import { parseMatcher } from '../pipeline/matcher.js';
import type { RetryPolicy } from '../pipeline/retry-policy.js';
import type { Route } from '../pipeline/route.js';
import type { SuppressionSettings } from '../pipeline/suppression-types.js';
import { ConfigError } from './config-error.js';
import { configSchema, parseByteSize, type RouterConfigFile } from './config-schema.js';
import { StartupError } from './startup-error.js';
import { aliasProblems, fieldPath, yamlErrorMessage, yamlPositions, type Position } from './yaml-positions.js';

/** Webhook credentials, read from the environment; never logged. */
export type WebhookAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

/** The `anomaly` section with durations in ms. */
export interface AnomalySettings {
  prometheusUrl: string;
  timeoutMs: number;
  escalateTicketAt: number;
  recurringBelowZ: number;
  timeZone: string;
}

/** The validated config with durations in ms, routes parsed and secrets resolved. */
export interface RouterConfig {
  file: string;
  raw: RouterConfigFile;
  listen: { host: string; port: number };
  storePath: string;
  synchronous: 'full' | 'normal';
  /** `store.retention` as written (`90d`, `forever`): the incident list names it (http/retention-view.ts). */
  retention: string;
  /** `store.retention` in ms; undefined keeps every incident (`forever`). */
  retentionMs: number | undefined;
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
  /** `delivery.lateAfter`: a notification pending longer than this since it was queued is late. */
  lateAfterMs: number;
  routes: Route[];
  pagerduty: { server: string; caFile: string | undefined; defaultRoutingKeyEnv: string | undefined; services: Record<string, string> };
  slack: { tokenEnv: string | undefined; apiUrl: string; defaultChannel: string | undefined };
  /** Anomaly scoring of SLO incidents; undefined when the config has no `anomaly` section. */
  anomaly: AnomalySettings | undefined;
  /**
   * Where a field's value is in `file` (e.g. `['store', 'path']`), or nothing when the file leaves it
   * to its default: for errors found after parsing (a store that cannot be opened, a port in use).
   */
  locate(path: readonly (string | number)[]): Position;
}

/**
 * The values of every secret `config` names (the webhook's token or password, the PagerDuty keys, the
 * Slack token), as `env` holds them: what the delivery worker strips from a target's error before it is
 * logged or stored (a target that echoes the request, a proxy's error page, would otherwise put a key
 * in the log and in the incidents API).
 */
export function secretValues(config: RouterConfig, env: NodeJS.ProcessEnv): string[] {
  const names = [
    ...(config.pagerduty.defaultRoutingKeyEnv === undefined ? [] : [config.pagerduty.defaultRoutingKeyEnv]),
    ...Object.values(config.pagerduty.services),
    ...(config.slack.tokenEnv === undefined ? [] : [config.slack.tokenEnv]),
  ];
  const values = [...names.map((n) => env[n]), config.auth.kind === 'bearer' ? config.auth.token : config.auth.password];
  return values.filter((v): v is string => v !== undefined && v !== '');
}

/**
 * Parses and validates router config text. Every problem is reported at once with its line, column
 * and field path; secrets named by `*Env` fields and `pagerduty.services` are read from `env` and must be set.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): RouterConfig {
  const lineCounter = new LineCounter();
  // Not prettyErrors: its message ends with " at line L, column C:" and a code excerpt, and the
  // position is reported on its own.
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', message: yamlErrorMessage(e, text), line: pos.line, column: pos.col };
      }),
    );
  }
  const aliases = aliasProblems(doc, lineCounter);
  if (aliases.length > 0) throw new ConfigError(aliases.map((a) => ({ file, path: '', ...a })));
  const positions = yamlPositions(doc, lineCounter);
  const locate = positions.value;
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? // At the key: the value of an unknown `webhok:` is the map on the lines below it.
            i.keys.map((k) => ({ file, path: fieldPath([...i.path, k]), message: 'unknown field', ...positions.key([...i.path, k]) }))
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
  // PagerDuty keys and the Slack token are read when a notification is sent. One missing then would
  // fail that page for good (setting it and restarting does not bring the page back): refuse it now.
  if (c.pagerduty.defaultRoutingKeyEnv !== undefined) secret(['pagerduty', 'defaultRoutingKeyEnv'], c.pagerduty.defaultRoutingKeyEnv);
  for (const [service, name] of Object.entries(c.pagerduty.services)) secret(['pagerduty', 'services', service], name);
  if (c.slack.tokenEnv !== undefined) secret(['slack', 'tokenEnv'], c.slack.tokenEnv);
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
  const ms = (s: string) => parseDuration(s)!;
  const retentionMs = c.store.retention === 'forever' ? undefined : ms(c.store.retention);
  if (retentionMs !== undefined) {
    // An incident retention deletes must be past every window that can still reach it.
    const windows: [string, string, (string | number)[]][] = [
      ['incidents.reopenWindow', c.incidents.reopenWindow, ['incidents', 'reopenWindow']],
      ['correlation.dependencies.window', c.correlation.dependencies.window, ['correlation', 'dependencies', 'window']],
      ['correlation.grouping.window', c.correlation.grouping.window, ['correlation', 'grouping', 'window']],
    ];
    for (const [name, value] of windows) {
      if (ms(value) >= retentionMs) {
        problems.push({
          file,
          path: 'store.retention',
          message: `${c.store.retention} must be longer than ${name} (${value}): an incident it deletes could still be reopened or correlated`,
          ...locate(['store', 'retention']),
        });
      }
    }
  }
  if (c.anomaly !== undefined && ms(c.delivery.lateAfter) <= ms(c.anomaly.timeout)) {
    problems.push({
      file,
      path: 'delivery.lateAfter',
      message: `${c.delivery.lateAfter} must be longer than anomaly.timeout (${c.anomaly.timeout}): a notification waiting for its score would count as late`,
      ...locate(['delivery', 'lateAfter']),
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file,
    raw: c,
    listen: c.listen,
    storePath: c.store.path,
    synchronous: c.store.synchronous,
    retention: c.store.retention,
    retentionMs,
    catalogPath: c.catalog,
    auth,
    bodyLimitBytes: parseByteSize(c.webhook.bodyLimit)!,
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
      storm: {
        enabled: c.suppression.storm.enabled,
        maxPerMinute: c.suppression.storm.maxIncidentsPerMinute,
        digestIntervalMs: ms(c.suppression.storm.digestInterval),
        earlyWarning: c.suppression.storm.earlyWarning,
      },
    },
    tickIntervalMs: ms(c.suppression.tickInterval),
    retry: { baseMs: ms(c.delivery.backoffBase), maxMs: ms(c.delivery.backoffMax), maxAttempts: c.delivery.maxAttempts },
    concurrency: c.delivery.concurrency,
    attemptTimeoutMs: ms(c.delivery.attemptTimeout),
    drainTimeoutMs: ms(c.delivery.drainTimeout),
    lateAfterMs: ms(c.delivery.lateAfter),
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
    anomaly:
      c.anomaly === undefined
        ? undefined
        : {
            prometheusUrl: c.anomaly.prometheusUrl,
            timeoutMs: ms(c.anomaly.timeout),
            escalateTicketAt: c.anomaly.escalateTicketAt,
            recurringBelowZ: c.anomaly.recurringBelowZ,
            timeZone: c.anomaly.timeZone,
          },
    locate: positions.exact,
  };
}

/**
 * Reads and validates the config file at `file`. Throws a {@link StartupError} when it cannot be
 * read and a {@link ConfigError} when it is invalid.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StartupError(`could not read router config ${file}`, { cause });
  }
  return parseConfig(text, file, env);
}
