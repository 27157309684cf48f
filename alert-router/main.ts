/**
 * alert-router entry point (`npm run router`): loads the config, binds the port, opens the store, and owns
 * the process's signals: SIGHUP reloads config and catalog, SIGTERM/SIGINT drain and exit.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { CatalogError } from './config/catalog-error.js';
import { ConfigError } from './config/config-error.js';
import { StartupError } from './config/startup-error.js';
import { describeError } from '../src/slo/spec-error.js';
import { defaultNotifiers } from './default-notifiers.js';
import { startRouterService } from './router-service.js';

/** Exit codes, as for the slokit CLI: 0 ok, 1 invalid input, 2 usage, 3 I/O or network. */
const EXIT = { ok: 0, invalid: 1, usage: 2, io: 3 } as const;

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('Want a port number from 0 to 65535 (0 picks a free one).');
  return Number(value);
}

const program = new Command('alert-router')
  // Commander prints one `error: ...` line to stderr for a bad option; exit 2 (usage), not its 1.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage))
  .option('-c, --config <file>', 'router config (YAML)', process.env['SLOKIT_ROUTER_CONFIG'] ?? 'alert-router/config.example.yml')
  .option('-p, --port <port>', 'listen port, overriding the config (0 picks a free one)', port)
  .addOption(
    new Option('--log-level <level>', 'pino log level')
      .choices([...Object.keys(pino.levels.values), 'silent'])
      .env('LOG_LEVEL')
      .default('info'),
  )
  .parse(process.argv);
const opts = program.opts<{ config: string; port?: number; logLevel: string }>();

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
    notifiers: (config) => defaultNotifiers(config, env, logger),
    processMetrics: true,
    // The store lost acknowledged batches it had not committed: they are in the journal, and a
    // restart (by the supervisor) replays them. Going on would answer from a store missing them.
    onFatal: () => process.exit(EXIT.io),
    ...(opts.port === undefined ? {} : { port: opts.port }),
  });
  // Machine-readable line for supervisors and tests: where it listens.
  process.stdout.write(`${JSON.stringify({ msg: 'ready', url: service.url })}\n`);
} catch (error) {
  // Expected failures are one message naming the file, line or field; a stack only for a bug.
  if (error instanceof ConfigError || error instanceof CatalogError) {
    logger.error(error.message);
    process.exit(EXIT.invalid);
  }
  if (error instanceof StartupError) {
    logger.error(describeError(error));
    process.exit(EXIT.io);
  }
  logger.error({ err: error }, 'alert-router could not start');
  process.exit(EXIT.io);
}
