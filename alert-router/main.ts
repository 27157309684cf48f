/**
 * alert-router entry point (`npm run router`): loads the config, opens the store, listens, and owns
 * the process's signals: SIGHUP reloads config and catalog, SIGTERM/SIGINT drain and exit.
 */
import { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError } from './config/config-error.js';
import { defaultNotifiers } from './default-notifiers.js';
import { startRouterService } from './router-service.js';

const program = new Command('alert-router')
  .option('-c, --config <file>', 'router config (YAML)', process.env['SLOKIT_ROUTER_CONFIG'] ?? 'alert-router/config.example.yml')
  .option('-p, --port <port>', 'listen port, overriding the config (0 picks a free one)')
  .option('--log-level <level>', 'pino log level', process.env['LOG_LEVEL'] ?? 'info')
  .parse(process.argv);
const opts = program.opts<{ config: string; port?: string; logLevel: string }>();

const logger = pino({
  level: opts.logLevel,
  base: { service: 'slokit-alert-router' },
  redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.routingKey', 'headers.authorization'], censor: '[redacted]' },
});

// Signals are owned from the first moment, so a SIGHUP during startup reloads (or is ignored) instead
// of killing the process with the default action.
let service: Awaited<ReturnType<typeof startRouterService>> | undefined;
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  if (service === undefined) process.exit(0);
  service.drain().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'drain failed');
      process.exit(1);
    },
  );
};
process.on('SIGHUP', () => service?.reload());
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
  const env = process.env;
  service = await startRouterService({
    configPath: opts.config,
    env,
    logger,
    notifiers: (config) => defaultNotifiers(config, env),
    processMetrics: true,
    ...(opts.port === undefined ? {} : { port: Number(opts.port) }),
  });
  // Machine-readable line for supervisors and tests: where it listens.
  process.stdout.write(`${JSON.stringify({ msg: 'ready', url: service.url })}\n`);
} catch (error) {
  if (error instanceof ConfigError) {
    logger.error(error.message);
    process.exit(1);
  }
  logger.error({ err: error }, 'alert-router could not start');
  process.exit(3);
}
