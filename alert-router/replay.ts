/**
 * `npm run router:replay -- FILE [--config FILE] [--settle 2h] [--json]`: feeds a recorded stream of
 * webhooks (JSON lines `{"at": RFC3339, "webhook": {...}}` or `{"at", "maintenance": {...}}`) through
 * the router's own pipeline on a simulated clock, with no network, and prints what would have been
 * sent and why everything else was held back, with totals. For tuning config against real history.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseDuration } from '../src/slo/duration.js';
import { loadCatalog } from './config/load-catalog.js';
import { pipelineSettings } from './config/pipeline-settings.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { parseStream, replayStream } from './replay/replay-stream.js';

const program = new Command('router:replay')
  .argument('<file>', 'recorded webhooks, one JSON object a line')
  .option('-c, --config <file>', 'router config (YAML)', process.env['SLOKIT_ROUTER_CONFIG'] ?? 'alert-router/config.example.yml')
  .option('--settle <duration>', 'keep the clock running this long after the last event', '2h')
  .option('--json', 'print the report as JSON')
  .parse(process.argv);
const opts = program.opts<{ config: string; settle: string; json?: boolean }>();
const file = program.args[0]!;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

try {
  // Secrets are never needed: nothing is sent. Every *Env name resolves to a placeholder.
  const env = new Proxy({}, { get: () => 'replay' }) as NodeJS.ProcessEnv;
  const config = loadConfig(opts.config, env);
  const catalog = loadCatalog(config.catalogPath);
  if (catalog === undefined) process.stderr.write(`no catalog at ${config.catalogPath}: dependencies and owners are unknown\n`);
  const settings = pipelineSettings(config, catalog);
  const settleMs = parseDuration(opts.settle);
  if (settleMs === undefined) throw new Error(`--settle ${opts.settle} is not a duration like 30m or 2h`);
  const { sim, report } = replayStream(parseStream(readFileSync(file, 'utf8')), settings, { tickIntervalMs: config.tickIntervalMs, settleMs });
  if (opts.json === true) {
    process.stdout.write(`${JSON.stringify({ ...report, sent: sim.sent.map((s) => ({ at: iso(s.at), ...s.notification })) }, null, 2)}\n`);
  } else {
    const title = (id: string) => sim.store.incidentById(id)?.title ?? id;
    const out: string[] = ['Sent:'];
    for (const { at, notification: n } of sim.sent) {
      out.push(`  ${iso(at)}  ${n.action.padEnd(7)} ${n.target.kind.padEnd(9)} ${n.target.destination.padEnd(18)} ${n.summary}`);
    }
    out.push('', 'Held back, linked, released:');
    for (const d of report.decisions) {
      if (!['suppressed', 'linked', 'flapping', 'digested', 'released'].includes(d.kind)) continue;
      out.push(`  ${iso(d.at)}  ${d.kind.padEnd(10)} ${title(d.incidentId)}: ${d.reason}`);
    }
    out.push(
      '',
      'Totals:',
      `  webhooks in: ${report.webhooks}`,
      `  alerts in: ${report.alertsIn} (duplicates: ${report.duplicates})`,
      `  incidents opened: ${report.incidentsOpened}`,
      `  notifications out: ${report.notificationsOut} (${Object.entries(report.byAction).sort().map(([k, v]) => `${k}: ${v}`).join(', ')})`,
      `  suppressed by reason: ${Object.entries(report.suppressedByReason).sort().map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error)}\n`);
  process.exit(1);
}
