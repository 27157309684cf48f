import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { RouterConfig } from './config/load-config.js';
import { createPagerDutyNotifier } from './notify/pagerduty.js';
import { createSlackNotifier } from './notify/slack.js';
import type { Notifier, TargetKind } from './notify/types.js';

/**
 * The real notifiers for a config. Secrets are read from `env` at delivery time, so rotating a key
 * needs no restart, and never pass through the config or the logs. `logger` hears of a Slack attempt
 * that could not check for an earlier attempt's message (a missing history scope).
 */
export function defaultNotifiers(config: RouterConfig, env: NodeJS.ProcessEnv, logger?: Logger): Record<TargetKind, Notifier> {
  const tokenEnv = config.slack.tokenEnv;
  return {
    pagerduty: createPagerDutyNotifier({
      routingKey: (name) => env[name],
      server: config.pagerduty.server,
      timeoutMs: config.attemptTimeoutMs,
      ...(config.pagerduty.caFile === undefined ? {} : { extraCa: readFileSync(config.pagerduty.caFile, 'utf8') }),
    }),
    slack: createSlackNotifier({
      token: () => (tokenEnv === undefined ? undefined : env[tokenEnv]),
      slackApiUrl: config.slack.apiUrl,
      timeoutMs: config.attemptTimeoutMs,
      ...(logger === undefined ? {} : { onUncheckedRepeat: (message: string) => logger.warn({ target: 'slack' }, message) }),
    }),
  };
}
