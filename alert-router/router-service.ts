import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadCatalog } from './config/load-catalog.js';
import { pipelineSettings } from './config/pipeline-settings.js';
import { loadConfig, secretValues, type RouterConfig } from './config/load-config.js';
import { CatalogError } from './config/catalog-error.js';
import { ConfigError } from './config/config-error.js';
import { StartupError } from './config/startup-error.js';
import { describeError, formatProblem } from '../src/slo/spec-error.js';
import { OutboxWorker } from './delivery/outbox-worker.js';
import { createApp, type AppDeps } from './http/create-app.js';
import { createWebhookHandler, WEBHOOK_PATH } from './http/webhook-handler.js';
import type { Notifier, TargetKind } from './notify/types.js';
import { processBatch, type BatchOutcome, type PipelineSettings, type ScoreRequest } from './pipeline/process-batch.js';
import { applyAnomaly } from './pipeline/apply-anomaly.js';
import { recordStormWarning } from './pipeline/storm-warning.js';
import { restoreVolumeWatch, VolumeWatch, type StormWarning } from './anomaly/volume-watch.js';
import { BURN_ANOMALY_DEFAULTS } from './anomaly/burn-anomaly.js';
import { createBurnEnricher, type BurnAssessment } from './anomaly/burn-enricher.js';
import { createPrometheusRangeClient } from './anomaly/prometheus-range-client.js';
import type { CatalogSlo } from '../src/slo/catalog.js';
import { processTick } from './pipeline/process-tick.js';
import type { SuppressionReason } from './pipeline/suppression-types.js';
import type { IncomingBatch } from './pipeline/types.js';
import { decodeWebhook } from './pipeline/decode-webhook.js';
import { fieldName } from './http/http-error.js';
import { RouterMetrics } from './router-metrics.js';
import { BackgroundCheckpointer } from './store/background-checkpointer.js';
import { BatchJournal, type JournalRecord } from './store/batch-journal.js';
import { JOURNAL_APPLIED_KEY, StoreFlusher } from './store/store-flusher.js';
import { GroupCommitter } from './store/group-commit.js';
import { migrations } from './store/migrations.js';
import { openDatabase, type MigrationEvent } from './store/open-database.js';
import { WalSyncer } from './store/wal-syncer.js';
import { SqliteStore, type PurgeOutcome } from './store/sqlite-store.js';
import { isStoreFault, StoreReadiness, type StoreOperation } from './store/store-readiness.js';

export interface RouterServiceOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Builds the notifiers for a config: at start, and again on each reload (a new server, CA file or token). */
  notifiers: (config: RouterConfig) => Partial<Record<TargetKind, Notifier>>;
  /** Overrides the config's listen port (tests and benchmarks pass 0). */
  port?: number;
  now?: () => number;
  newId?: () => string;
  /** Registers process-level metrics (CPU, memory); off in tests. */
  processMetrics?: boolean;
  /** Overrides how often the WAL is checkpointed with commits held (tests). */
  checkpointEvery?: { commits: number; alerts: number };
  /** Overrides when the store commits its bulk transaction of journaled batches (tests). */
  bulkCommit?: { maxAgeMs: number; maxAlerts: number };
  /** Overrides the size of a journal segment (tests). */
  journalSegmentBytes?: number;
  /**
   * Wraps the fdatasync of the store's WAL that makes a bulk commit durable (tests: holding it reaches
   * the moment a batch is acknowledged while the store becomes durable up to the batches before it).
   */
  aroundStoreSync?: (sync: () => Promise<void>) => Promise<void>;
  /** Wraps the fdatasync of the journal that a webhook (and the readiness probe) waits for (tests: a disk that fails). */
  aroundJournalSync?: (sync: () => Promise<void>) => Promise<void>;
  /** Overrides the readiness probe's first wait and longest backoff after a store failure (tests). */
  readinessProbeMs?: { first: number; max: number };
  /**
   * A store commit failed with batches that are durable in the journal only; the process must restart
   * (the journal replays them). main.ts exits; the default logs.
   */
  onFatal?: (error: unknown) => void;
}

/** A running router. */
export interface RouterService {
  url: string;
  server: Server;
  store: SqliteStore;
  metrics: RouterMetrics;
  /** Re-reads config and catalog; keeps the old ones (and logs why) when the new ones are invalid. */
  reload(): boolean;
  /** Stops accepting, commits what was accepted, lets in-flight deliveries finish, closes the store. */
  drain(): Promise<void>;
}

/**
 * Webhook commit groups, or alerts, between two checkpoints that hold the writer, whichever comes
 * first. The store writes webhook batches in bulk transactions (~0.44 WAL frames per alert when single
 * alerts join open incidents, fewer in batches), so 4,500 alerts keep the WAL to a few MiB (a high-water
 * mark of 7–8 MiB over a whole `npm run bench:router`). The held part of a checkpoint copies only what
 * came during its unheld first part (`prepare` below), so its pause (~3 ms, mostly two fsyncs) hardly
 * depends on this: fewer checkpoints, fewer pauses. Against 1,500, interleaved pairs gave +5 %
 * single-alert webhooks/s, +10 % 16-sender 100-alert batches and a lower 4-sender 100-alert p99
 * (9.0–9.6 ms against 9.6–11.9); 9,000 did no better (docs/benchmarks.md, "Round of 2026-12-03,
 * evening"). Each checkpoint also makes the store durable, so the journal segments it holds are let go.
 */
const CHECKPOINT_EVERY = { commits: 3000, alerts: 4500 };

/**
 * Rows retention deletes per tick (store.retention): a median 6.4 ms of SQLite work, p99 13.4 ms
 * (`npm run bench:retention`), so the webhooks behind it wait little. At the default 5 s tick that is
 * ~190 alerts (with their timeline rows) a second, 16 million a day, well past what one router takes in.
 */
export const PURGE_ROWS_PER_TICK = 2000;

/**
 * And milliseconds: a tick stops after the incident that reaches this (its commit comes on top). The
 * row budget counts rows, not statements or page reads: a small incident costs ~10 statements for
 * ~9 rows, and on a cold page cache or a slow disk each may wait for a read. Here the deletions of a
 * tick took ~5 ms for 100 one-alert incidents (bench:retention with 20,000 of them: 11.9 ms median
 * and 15.8 ms at most per tick, commit included), so this bounds the bad cases, not the usual one.
 */
export const PURGE_MS_PER_TICK = 10;

/**
 * One retention step as the service's tick runs it: incidents resolved before `cutoff` (and what else
 * retention deletes), at most {@link PURGE_ROWS_PER_TICK} rows or about {@link PURGE_MS_PER_TICK} ms
 * on `clock` (epoch ms), in one transaction.
 */
export function purgeTick(store: SqliteStore, cutoff: number, clock: () => number): PurgeOutcome {
  const started = clock();
  return store.transaction(() => store.purgeResolved(cutoff, PURGE_ROWS_PER_TICK, () => clock() - started >= PURGE_MS_PER_TICK));
}

/**
 * The store's bulk transaction commits at most this long after its first write, or once it holds
 * this many alerts. Webhook batches are durable in the journal before their 2xx either way; this is
 * how far the store (and so a restart's replay) may trail it. A batch with a notification to send
 * does not wait for it: `durable()` commits the bulk at once. Against 100 ms and 2,000 alerts, 300 ms
 * and 4,500 (a held checkpoint's interval, where the bulk commits anyway) gave +3 % single-alert
 * webhooks/s (the median of 5 alternating pairs, all five higher) and a single-alert p99 of 5.5–5.9 ms
 * against 6.0–7.2, with 100-alert batches unchanged (docs/benchmarks.md, "Round of 2026-12-03, evening").
 */
const BULK_COMMIT = { maxAgeMs: 300, maxAlerts: 4500 };

/**
 * After a webhook's commit, record or sync failed, the readiness probe runs this long after (ms),
 * doubling while it fails, up to `max`: a disk that comes back is seen within a second or two, and one
 * that stays broken costs a journal fdatasync and a one-row commit every 30 s.
 */
const READINESS_PROBE_MS = { first: 1000, max: 30_000 };

/** What an operation's failure means, for the log line that says the router is not ready. */
const STORE_OPERATION_FAILED: Record<StoreOperation, string> = {
  webhook: 'the store could not take a webhook batch',
  tick: 'the suppression tick could not commit; held notifications and storm digests wait',
  durable: 'store writes could not be made durable; the notifications they queued wait',
  outbox: 'the outbox worker could not record a delivery outcome; deliveries wait',
  anomaly: 'an anomaly score could not be applied',
  storm_warning: 'a storm warning could not be recorded',
};

/**
 * A failure that repeats (each tick) logged when it begins, with the error, and when it ends, not
 * each time: slokit_router_store_errors_total counts each.
 */
function failureLog(logger: Logger, failing: string, recovered: string): { failed: (error: unknown) => void; ok: () => void } {
  let on = false;
  return {
    failed: (error) => {
      if (!on) logger.error({ err: error }, failing);
      on = true;
    },
    ok: () => {
      if (on) logger.info(recovered);
      on = false;
    },
  };
}

/** router_state key the readiness probe writes (when it last ran): nothing reads it, the API shows none of router_state. */
const READINESS_PROBE_KEY = 'readiness-probe';

/**
 * A StartupError about one config field, located in the config file when the file sets it. `cause`,
 * when given, says why (describeError appends its message); leave it out when `message` says it all.
 */
function fieldError(config: RouterConfig, path: (string | number)[], message: string, cause?: unknown): StartupError {
  return new StartupError(
    formatProblem({ file: config.file, path: path.join('.'), message, ...config.locate(path) }),
    cause === undefined ? undefined : { cause },
  );
}

/** Why listening failed, about the setting to change: listen.host, or listen.port (or --port). */
function listenError(config: RouterConfig, portOverride: number | undefined, port: number, error: unknown): StartupError {
  const { code } = error as NodeJS.ErrnoException;
  const { host } = config.listen;
  const portField = (message: string) =>
    portOverride === undefined ? fieldError(config, ['listen', 'port'], message) : new StartupError(`--port ${port}: ${message}`);
  switch (code) {
    case 'EADDRINUSE':
      return portField(`${host}:${port} is already in use (EADDRINUSE)`);
    case 'EACCES':
      return portField(`not allowed to listen on ${host}:${port} (EACCES)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return fieldError(config, ['listen', 'host'], `cannot resolve ${host} (${code})`);
    case 'EADDRNOTAVAIL':
      return fieldError(config, ['listen', 'host'], `${host} is not an address of this machine (EADDRNOTAVAIL)`);
    default:
      return fieldError(config, ['listen'], `could not listen on ${host}:${port}`, error);
  }
}

/**
 * Settings read once at start, by the store, the socket and the outbox worker's pool: a reload that
 * changes one says so, since it takes effect on restart only. The notifiers' settings (PagerDuty
 * server and CA file, Slack API URL and token variable, attempt timeout) are not among them: a reload
 * rebuilds the notifiers, and re-reads the CA file even when its path is the same (a renewed CA).
 */
const RESTART_ONLY: ReadonlyArray<readonly [string, (c: RouterConfig) => unknown]> = [
  ['listen.host', (c) => c.listen.host],
  ['listen.port', (c) => c.listen.port],
  ['store.path', (c) => c.storePath],
  ['store.synchronous', (c) => c.synchronous],
  ['delivery.concurrency', (c) => c.concurrency],
];

/** The notifiers for `config`; an unreadable CA file is named by its config line (at start and on reload). */
function buildNotifiers(options: RouterServiceOptions, config: RouterConfig): Partial<Record<TargetKind, Notifier>> {
  try {
    return options.notifiers(config);
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    if (code === undefined) throw error;
    if (path !== undefined && path === config.pagerduty.caFile) throw fieldError(config, ['pagerduty', 'caFile'], `could not read ${path}`, error);
    throw new StartupError('could not set up the notifiers', { cause: error });
  }
}

type Assess = (slo: CatalogSlo, severity: 'page' | 'ticket') => Promise<BurnAssessment>;

/** The anomaly scorer of a config's `anomaly` section (a range query against its Prometheus), if any. */
function assessorOf(config: RouterConfig, now: () => number): Assess | undefined {
  const a = config.anomaly;
  if (a === undefined) return undefined;
  return createBurnEnricher({
    client: createPrometheusRangeClient({ url: a.prometheusUrl, timeoutMs: a.timeoutMs }),
    scoring: { ...BURN_ANOMALY_DEFAULTS, timeZone: a.timeZone },
    policy: { escalateTicketAt: a.escalateTicketAt, recurringBelowZ: a.recurringBelowZ },
    now,
  });
}

/** A webhook batch as the pipeline takes it, and its body as received (what the journal keeps). */
interface Accepted {
  batch: IncomingBatch;
  body: Buffer;
  /** Its journal record's seq, once appended. */
  seq?: number;
}

/** A journaled webhook body as a batch again, decoded as the webhook handler decoded it. */
function decodeJournaledBody(body: Buffer): IncomingBatch {
  const decoded = decodeWebhook(body);
  if (decoded.kind === 'batch') return decoded.batch;
  if (decoded.kind === 'malformed') throw new Error('the journaled body is not JSON');
  throw new Error(`the journaled body is not a valid webhook payload: ${decoded.issues.map((i) => `${fieldName(i.path)}: ${i.message}`).join('; ')}`);
}

/** router_state key of the alert volume watch's saved baselines. */
const VOLUME_STATE_KEY = 'volume-watch';

/** The volume watch as saved in the store, or a fresh one (logging why) when there is none or it is unusable. */
function restoredVolumeWatch(store: SqliteStore, logger: Logger): VolumeWatch {
  const saved = store.getState(VOLUME_STATE_KEY);
  if (saved === undefined) return new VolumeWatch();
  let state: unknown;
  try {
    state = JSON.parse(saved);
  } catch {
    logger.warn('the saved alert volume baselines are not JSON; starting without them');
    return new VolumeWatch();
  }
  const { watch, problem } = restoreVolumeWatch(state);
  if (problem !== undefined) logger.warn(problem);
  return watch;
}

/** The `outcome` label of slokit_router_anomaly_scores_total for an assessment. */
function scoreOutcome(a: BurnAssessment): string {
  if (a.anomaly !== undefined) return 'scored';
  if (a.missing === 'no-history') return 'no_history';
  if (a.missing === 'no-recent-data') return 'no_recent_data';
  return (a.failure ?? 'bad-response').replace('-', '_');
}

function settingsOf(config: RouterConfig, logger: Logger): PipelineSettings {
  const catalog = loadCatalog(config.catalogPath);
  if (catalog === undefined) logger.warn({ catalog: config.catalogPath }, 'no catalog (run npm run generate); routing falls back to config defaults');
  return pipelineSettings(config, catalog);
}

/**
 * Logs a schema upgrade of an existing store before each step (a step can copy a whole table, and the
 * router does not listen until it is done) and after it with its duration; a new store gets one line.
 */
function migrationLog(logger: Logger, store: string): (event: MigrationEvent) => void {
  let created = false;
  return (event) => {
    if (event.from === 0 && event.phase === 'start') created = true;
    if (created) {
      if (event.phase === 'done' && event.to === migrations.length) logger.info({ store, schema: event.to }, 'created the store');
    } else if (event.phase === 'start') {
      logger.info({ store, from: event.from, to: event.to }, 'upgrading the store schema; the router answers requests once it is done');
    } else {
      logger.info({ store, from: event.from, to: event.to, ms: Math.round(event.ms) }, 'store schema upgraded');
    }
  };
}

/**
 * Wires config, store, pipeline, outbox worker and HTTP app together and starts listening. The only
 * place (with main.ts) that owns sockets, timers and the process's lifetime.
 */
export async function startRouterService(options: RouterServiceOptions): Promise<RouterService> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  let config = loadConfig(options.configPath, options.env);
  let settings = settingsOf(config, logger);
  // Built first: a CA file that cannot be read fails the start before anything is bound or created.
  const notifiers = buildNotifiers(options, config);

  // The socket is bound before the store is opened, so a port in use or a host that does not resolve
  // fails the start before a store is created or migrated. Nothing is answered until the store is
  // open: requests that arrive meanwhile wait, unanswered like connections in the listen backlog, and
  // are served once it is (a webhook is only acknowledged after its commit). Opening is synchronous
  // today, so no request is even read before then; the queue keeps that true if it stops being so.
  let serve: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const early: [IncomingMessage, ServerResponse][] = [];
  const server = createServer((req, res) => {
    if (serve === undefined) early.push([req, res]);
    else serve(req, res);
  });
  const port = options.port ?? config.listen.port;
  try {
    server.listen(port, config.listen.host);
    await once(server, 'listening');
  } catch (error) {
    throw listenError(config, options.port, port, error);
  }
  // What was started so far, stopped in reverse if a later step fails: a failed start leaves no
  // socket, thread or open database behind.
  const started: (() => unknown)[] = [
    () => {
      server.close();
      server.closeAllConnections();
    },
  ];
  try {
    return await startServing();
  } catch (error) {
    for (const stop of started.reverse()) {
      try {
        await stop();
      } catch {
        // already failing: the first error is the one to report
      }
    }
    throw error;
  }

  async function startServing(): Promise<RouterService> {
    // synchronous: full fsyncs the WAL before every 2xx, on the thread pool (WalSyncer), not in the commit.
    const walSyncer = config.synchronous === 'full' && config.storePath !== ':memory:' ? new WalSyncer(config.storePath) : undefined;
    let db: ReturnType<typeof openDatabase>;
    try {
      db = openDatabase({
        path: config.storePath,
        synchronous: config.synchronous,
        backgroundCheckpoints: true,
        deferredSync: walSyncer !== undefined,
        onMigration: migrationLog(logger, config.storePath),
      });
    } catch (error) {
      throw fieldError(config, ['store', 'path'], `could not open the router store ${config.storePath}`, error);
    }
    started.push(() => db.close());
    const store = new SqliteStore(db);
    store.noteBegan(now());
    // The journal: every acknowledged batch, durable before its 2xx, replayed into the store past the
    // last seq the store committed (after a crash, or a commit that never reached the disk).
    let journal: BatchJournal | undefined;
    let replay: JournalRecord[] = [];
    if (config.storePath !== ':memory:') {
      // Not `<store>-journal`: SQLite would take that name for a hot rollback journal of the database.
      const dir = `${config.storePath}.batch-journal`;
      const afterSeq = Number(store.getState(JOURNAL_APPLIED_KEY) ?? '0');
      let opened: ReturnType<typeof BatchJournal.open>;
      try {
        opened = BatchJournal.open(dir, {
          afterSeq: Number.isSafeInteger(afterSeq) ? afterSeq : 0,
          fsync: config.synchronous === 'full',
          ...(options.journalSegmentBytes === undefined ? {} : { segmentBytes: options.journalSegmentBytes }),
        });
      } catch (error) {
        throw fieldError(config, ['store', 'path'], `could not open the journal ${dir}`, error);
      }
      for (const t of opened.tornTails) {
        logger.warn({ file: t.file, offset: t.offset }, 'journal segment ends in a record cut short by a crash; it was never acknowledged and is ignored');
      }
      const first = opened.records[0];
      if (first !== undefined && first.seq > afterSeq + 1) {
        logger.error(
          { storeAppliedSeq: afterSeq, firstJournalSeq: first.seq },
          'the journal starts after the last batch the store holds: batches in between are missing (was the journal directory removed?)',
        );
      }
      journal = opened.journal;
      replay = opened.records;
      const j = journal;
      started.push(() => j.close());
    }
    const checkpointer = new BackgroundCheckpointer(config.storePath, 500, (message) => logger.error({ message }, 'WAL checkpoint failed'));
    started.push(() => checkpointer.stop());
    let draining = false;
    const syncJournal = (j: BatchJournal) => (options.aroundJournalSync === undefined ? j.sync() : options.aroundJournalSync(() => j.sync()));
    const probeMs = options.readinessProbeMs ?? READINESS_PROBE_MS;
    const readiness = new StoreReadiness({
      // What a webhook writes, without a batch: the journal's end marker rewritten where it is and
      // fdatasynced as a record is, then a one-row transaction of its own in the store. Never inside
      // the bulk transaction (a failure there can end it, with the batches it holds): while one is
      // open, its own commit tests the store, and a failure of that is fatal. Then everything written
      // is made durable, as a tick's or an anomaly score's writes are before their notifications go:
      // the notifications that waited for a failed one go now.
      probe: async () => {
        if (journal !== undefined) {
          journal.touch();
          if (config.synchronous === 'full') await syncJournal(journal);
        }
        const at = now();
        if (!store.bulkOpen) store.putState(READINESS_PROBE_KEY, String(at), at);
        await storeDurable();
        worker.poke();
      },
      now,
      setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      firstDelayMs: probeMs.first,
      maxDelayMs: probeMs.max,
      onFailing: (f, operation) =>
        logger.error(
          { operation, reason: f.reason },
          `not ready: ${STORE_OPERATION_FAILED[operation]}; /readyz answers 503 until ${operation === 'tick' ? 'a tick' : 'a probe or the same write'} goes through`,
        ),
      onRecovered: (ended, by) => {
        logger.info({ by, operations: ended.operations, failures: ended.failures, notReadyMs: now() - ended.since }, 'ready: the store takes writes again');
        // Deliveries paused while their outcomes could not be recorded start again.
        worker.poke();
      },
    });
    const metrics = new RouterMetrics(() => store.outboxDepth(), {
      processMetrics: options.processMetrics ?? false,
      indexedFingerprints: () => store.indexedFingerprints,
      lateness: { oldestPendingQueuedAt: () => store.oldestPendingQueuedAt(), now, lateAfterMs: () => config.lateAfterMs },
      ready: () => !draining && readiness.failing === undefined,
    });
    const countSuppressed = (by: Partial<Record<SuppressionReason, number>>) => {
      for (const [reason, n] of Object.entries(by)) if (n > 0) metrics.suppressed.inc({ reason }, n);
    };

    const worker = new OutboxWorker({
      store,
      notifiers,
      clock: { now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      random: Math.random,
      logger,
      metrics,
      policy: () => config.retry,
      concurrency: config.concurrency,
      attemptTimeoutMs: config.attemptTimeoutMs,
      secrets: () => secretValues(config, options.env),
      onStoreError: (error) => readiness.failed('outbox', new Error('could not record a delivery outcome or read the outbox', { cause: error })),
      onRecorded: () => readiness.succeeded('outbox'),
      paused: () => readiness.isFailing('outbox'),
      afterWrite: () => {
        try {
          flusher?.commit();
        } catch {
          // reported through onCommitError
        }
      },
    });
    const fatal = (error: unknown) => {
      logger.fatal({ err: error }, 'the store lost a transaction of acknowledged batches; they are in the journal and replay on restart');
      (options.onFatal ?? (() => undefined))(error);
    };
    // Whatever write ends the bulk transaction (a webhook's batch, the tick, a delivery's record), the
    // batches it held are acknowledged and gone from the store: only a restart's replay brings them back.
    store.onBulkLost = fatal;
    // With the journal, the store commits webhook batches in bulk and fsyncs its WAL on demand.
    const flusher =
      journal === undefined
        ? undefined
        : new StoreFlusher({
            store,
            ...(walSyncer === undefined
              ? {}
              : { syncWal: () => (options.aroundStoreSync === undefined ? walSyncer.sync() : options.aroundStoreSync(() => walSyncer.sync())) }),
            appliedSeq: () => journal.lastSeq,
            onDurable: (seq) => {
              try {
                journal.release(seq);
              } catch (error) {
                logger.error({ err: error }, 'could not delete a journal segment the store holds; retrying after the next commit');
              }
            },
            maxAgeMs: (options.bulkCommit ?? BULK_COMMIT).maxAgeMs,
            maxWeight: (options.bulkCommit ?? BULK_COMMIT).maxAlerts,
            now,
            setTimeout: (fn, ms) => setTimeout(fn, ms),
            clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
            onCommitError: fatal,
          });
    /**
     * Resolves once everything written so far is on disk (the bulk transaction committed, the WAL
     * fsynced) and the worker may deliver what it queued.
     */
    const storeDurable = (): Promise<void> => flusher?.durable() ?? walSyncer?.sync() ?? Promise.resolve();
    /** {@link storeDurable}, its failure counted and a readiness operation (the notifications it would release wait). */
    const durable = (): Promise<void> =>
      storeDurable().then(
        () => readiness.succeeded('durable'),
        (error: unknown) => {
          metrics.storeErrors.inc({ operation: 'durable' });
          readiness.failed('durable', error);
          throw error;
        },
      );
    const deliverWhenDurable = (what: string) =>
      durable().then(
        () => worker.poke(),
        (error: unknown) => {
          // A store fault is told once by readiness, and its probe makes these durable and sends them.
          if (!isStoreFault(error)) logger.error({ err: error }, `could not make ${what} durable; its notifications wait for the next commit`);
        },
      );
    /** Outcomes of the batches applied again from the journal, scored and counted once the scorer and the volume watch exist. */
    const replayed: { at: number; outcome: BatchOutcome }[] = [];
    if (journal !== undefined) {
      // Batches acknowledged (durable in the journal) that the store had not committed when the
      // router stopped: applied again at the time they were received, each with its seq.
      let skipped = 0;
      for (const r of replay) {
        try {
          const batch = decodeJournaledBody(r.body);
          const outcome = store.transaction(() => {
            const o = processBatch(batch, store, settings, { now: () => r.at, newId });
            store.putState(JOURNAL_APPLIED_KEY, String(r.seq), now());
            return o;
          });
          replayed.push({ at: r.at, outcome });
        } catch (error) {
          skipped++;
          logger.error({ err: error, seq: r.seq }, 'could not apply a journal record at start; skipped');
        }
      }
      if (replay.length > 0) logger.warn({ replayed: replay.length - skipped, skipped }, 'applied webhook batches from the journal that the store had not committed');
      replay = [];
      // Everything in the store is now on disk; the worker may deliver all of it.
      await durable();
    }
    /**
     * The journal seqs of the webhook batches the open bulk transaction holds: when a later group fails
     * in it and the bulk is rolled back (SqliteStore.groupInBulk), they are read back from the journal
     * and applied again, at the times they were received. Emptied when the bulk commits. Seqs, not the
     * batches or their bodies: a body kept for the bulk's 100–300 ms outlives the young generation, and
     * garbage collection took 5 % of the CPU per single-alert webhook instead of 3 %.
     */
    let inBulk: number[] = [];
    /** The batches of the group being processed, added to `inBulk` once its writes stand. */
    let inGroup: number[] = [];
    if (flusher !== undefined) {
      store.onBulkCommitted = () => {
        inBulk = [];
      };
      store.beforeOtherWrite = () => flusher.commit();
    }
    /** After a group failed and took the bulk with it: its acknowledged batches go back in, one savepoint each. */
    const applyBulkAgain = () => {
      const earlier = inBulk;
      inBulk = [];
      try {
        for (const r of journal!.read(earlier)) {
          const batch = decodeJournaledBody(r.body);
          store.isolatedInBulk(() => processBatch(batch, store, settings, { now: () => r.at, newId }));
          flusher?.wrote(batch.alerts.length);
          inBulk.push(r.seq);
        }
      } catch (error) {
        // It applied before and not now: it is acknowledged and in the journal, which a restart replays.
        fatal(new Error('a webhook batch of the rolled-back bulk transaction could not be applied again', { cause: error }));
      }
    };
    /** Runs a group, or one batch alone, and keeps its batches in `inBulk` once its writes stand. */
    const keepingBatches = <T>(run: () => T): T => {
      inGroup = [];
      try {
        const result = run();
        inBulk.push(...inGroup);
        return result;
      } finally {
        inGroup = [];
      }
    };
    const committer = new GroupCommitter<Accepted, BatchOutcome>({
      transaction: (fn) => {
        if (journal === undefined) return store.transaction(fn);
        store.openBulk();
        return keepingBatches(() => store.groupInBulk(fn, applyBulkAgain));
      },
      isolate: (fn) => (journal === undefined ? store.transaction(fn) : keepingBatches(() => store.isolatedInBulk(fn))),
      process: ({ batch, seq }) => {
        const outcome = processBatch(batch, store, settings, { now, newId });
        if (seq !== undefined) inGroup.push(seq);
        flusher?.wrote(batch.alerts.length);
        return outcome;
      },
      maxWeight: 400,
      weight: ({ batch }) => batch.alerts.length,
      defer: setImmediate,
      ...(journal === undefined
        ? walSyncer === undefined
          ? {}
          : { sync: () => walSyncer.sync(), syncsInFlight: 2 }
        : {
            // Before the group's writes: the journal's fdatasync starts at once and the store's work
            // runs while it does. A failed append refuses the batch (503) unprocessed.
            record: (accepted: Accepted[]) => {
              const at = now();
              const records = journal.append(accepted.map(({ body }) => ({ at, body })));
              records.forEach((r, i) => (accepted[i]!.seq = r.seq));
            },
            ...(config.synchronous === 'full' ? { sync: () => syncJournal(journal), syncsInFlight: 2, holdWhileSyncing: false } : {}),
          }),
      // Keeps the WAL bounded under sustained load (see BackgroundCheckpointer).
      ...(config.storePath === ':memory:'
        ? {}
        : {
            checkpoint: {
              everyCommits: (options.checkpointEvery ?? CHECKPOINT_EVERY).commits,
              everyWeight: (options.checkpointEvery ?? CHECKPOINT_EVERY).alerts,
              // Unheld, first: the bulk so far is committed and copied while webhooks go on, so the
              // held checkpoint copies only what they committed meanwhile.
              prepare: () => {
                flusher?.commit();
                return checkpointer.checkpoint();
              },
              run: () => {
                const end = metrics.checkpointPause.startTimer();
                // The bulk transaction commits first: the checkpoint copies all of it, and the next
                // write starts the WAL over.
                const applied = journal?.lastSeq ?? 0;
                try {
                  flusher?.commit();
                } catch (error) {
                  end();
                  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
                }
                return checkpointer
                  .checkpointWhileQuiet(() => store.totalChanges())
                  .then((result) => {
                    // A checkpoint fsyncs the WAL before it copies it: what the store committed is
                    // on disk, and the journal segments it holds can go.
                    if (result !== undefined && journal !== undefined) journal.release(applied);
                  })
                  .catch((error: unknown) => logger.error({ err: error }, 'could not release journal segments after a checkpoint'))
                  .finally(end);
              },
            },
          }),
    });
    // Anomaly scoring runs after the commit, never inside it (Prometheus may be slow): the incident's
    // first notifications wait in the outbox until the score is applied, or anomaly.timeout passes.
    let assess = assessorOf(config, now);
    const scoring = new Set<Promise<void>>();
    const score = (request: ScoreRequest) => {
      const assessor = assess;
      if (assessor === undefined) return;
      const run = (async () => {
        try {
          const assessment = await assessor(request.slo, request.severity);
          metrics.anomalyScores.inc({ outcome: scoreOutcome(assessment) });
          let applied: ReturnType<typeof applyAnomaly>;
          try {
            applied = store.transaction(() => applyAnomaly(request, assessment, store, settings, { now, newId }));
          } catch (error) {
            metrics.storeErrors.inc({ operation: 'anomaly' });
            readiness.failed('anomaly', new Error(`could not apply the anomaly score of incident ${request.incidentId}`, { cause: error }));
            throw error;
          }
          readiness.succeeded('anomaly');
          countSuppressed(applied.outcome.suppressed);
          if (applied.action !== 'none') metrics.anomalyDecisions.inc({ action: applied.action });
          // An escalation's page is as durable as a webhook's batch before it is sent.
          await durable();
        } catch (error) {
          logger.error({ err: error, incident: request.incidentId }, 'could not apply the anomaly score; the held notifications go out without it');
        }
        worker.poke();
      })();
      scoring.add(run);
      void run.finally(() => scoring.delete(run));
    };
    // The alert volume watch (suppression.storm.earlyWarning): its baselines live in memory and are
    // saved in the store (below) and at drain, so a restart keeps them.
    const volume = restoredVolumeWatch(store, logger);
    let volumeSavedMinute = Math.floor(now() / 60_000);
    // Saved each minute alerts were counted, else every 10 minutes (the quiet minutes up to a save are
    // learnt as quiet; after a restart, the ones since the last save are not learnt at all).
    let volumeChanged = false;
    const saveVolume = () => {
      try {
        store.putState(VOLUME_STATE_KEY, JSON.stringify(volume.save(now())), now());
        volumeSavedMinute = Math.floor(now() / 60_000);
        volumeChanged = false;
      } catch (error) {
        metrics.storeErrors.inc({ operation: 'volume_baselines' });
        logger.error({ err: error }, 'could not save the alert volume baselines; they are kept in memory');
      }
    };
    const warnStorm = (warning: StormWarning) => {
      logger.warn({ service: warning.service, alerts: warning.count, usualPerMinute: warning.usualPerMinute }, warning.message);
      metrics.stormWarnings.inc();
      try {
        const queued = store.transaction(() => recordStormWarning(warning, store, settings, { now, newId }));
        readiness.succeeded('storm_warning');
        if (queued.length > 0) void deliverWhenDurable('a storm warning');
      } catch (error) {
        metrics.storeErrors.inc({ operation: 'storm_warning' });
        readiness.failed('storm_warning', new Error(`could not record the storm warning of ${warning.service}`, { cause: error }));
        logger.error({ err: error, service: warning.service }, 'could not record the storm warning');
      }
    };
    const watchVolume = (newAlerts: Record<string, number>, at = now()) => {
      if (!settings.suppression?.storm.earlyWarning) return;
      for (const [service, n] of Object.entries(newAlerts)) {
        volumeChanged = true;
        const warning = volume.observe(service, n, at);
        if (warning !== undefined) warnStorm(warning);
      }
    };
    // Batches applied again from the journal count as they would have when they came: their incidents
    // are scored (the held notifications wait for it as for any webhook's, or go once the hold is
    // over), and their alerts count in the volume watch in the minute they were received.
    for (const { at, outcome } of replayed.splice(0)) {
      for (const request of outcome.toScore) score(request);
      watchVolume(outcome.newAlerts, at);
    }
    const appDeps: AppDeps = {
      store,
      metrics,
      logger,
      commit: async (batch, body) => {
        let outcome: BatchOutcome;
        try {
          outcome = await committer.submit({ batch, body });
        } catch (error) {
          readiness.failed('webhook', error);
          throw error;
        }
        readiness.succeeded('webhook');
        countSuppressed(outcome.suppressed);
        if (outcome.notifications.length > 0) void deliverWhenDurable('a webhook batch');
        for (const request of outcome.toScore) score(request);
        watchVolume(outcome.newAlerts);
        return outcome;
      },
      now,
      newId,
      ...(walSyncer === undefined && flusher === undefined ? {} : { durable }),
      settings: () => config,
      draining: () => draining,
      storeFailing: () => readiness.failing,
    };
    const app = createApp(appDeps);
    // The webhook skips express's router (same handler, same error mapping); everything else is the app.
    const webhook = createWebhookHandler(appDeps);
    server.keepAliveTimeout = 65_000;
    serve = (req, res) => {
      if (req.method === 'POST' && req.url === WEBHOOK_PATH) webhook(req, res);
      else app(req, res);
    };
    for (const [req, res] of early.splice(0)) serve(req, res);
    worker.start();
    // Retention, a little every tick (purgeTick: a row and a time budget), so a webhook waits at most
    // a few ms behind it. Nothing to send comes of it, so it needs no durable commit of its own, and
    // its failing strands no page: counted, told when it begins and ends, not readiness.
    const purgeFailures = failureLog(logger, 'retention purge failed; retrying on each tick', 'retention purge goes through again');
    const purgeExpired = (retentionMs: number) => {
      try {
        const out = purgeTick(store, now() - retentionMs, now);
        if (out.incidents > 0) metrics.purged.inc({ kind: 'incident' }, out.incidents);
        if (out.alerts > 0) metrics.purged.inc({ kind: 'alert' }, out.alerts);
        if (out.maintenanceWindows > 0) metrics.purged.inc({ kind: 'maintenance_window' }, out.maintenanceWindows);
        if (out.rows > 0) {
          logger.debug({ incidents: out.incidents, alerts: out.alerts, maintenanceWindows: out.maintenanceWindows, rows: out.rows }, 'retention deleted expired rows');
        }
        purgeFailures.ok();
      } catch (error) {
        metrics.storeErrors.inc({ operation: 'retention' });
        purgeFailures.failed(error);
      }
    };
    // A tick that fails fails again each tickInterval. A store fault is readiness's (told once); any
    // other failure (a bug: the probe would go through) is told when it begins and ends. Both count.
    const tickFailures = failureLog(
      logger,
      'suppression tick failed; held notifications and storm digests wait, retrying on each tick',
      'the suppression tick goes through again',
    );
    // Deferred work (maintenance ends, dependencies resolve, flaps settle, storm digests) on the clock.
    const tick = () => {
      const minute = Math.floor(now() / 60_000);
      if (minute > volumeSavedMinute && (volumeChanged || minute - volumeSavedMinute >= 10)) saveVolume();
      try {
        const outcome = store.transaction(() => processTick(store, settings, { now, newId }));
        readiness.succeeded('tick');
        tickFailures.ok();
        countSuppressed(outcome.suppressed);
        // A digest or a release is made here, not from a webhook: as durable as a webhook's batch
        // before anything is sent from it.
        if (outcome.notifications.length > 0) void deliverWhenDurable('a suppression tick');
      } catch (error) {
        metrics.storeErrors.inc({ operation: 'tick' });
        if (isStoreFault(error)) readiness.failed('tick', new Error('could not commit the suppression tick', { cause: error }));
        else tickFailures.failed(error);
      }
      if (config.retentionMs !== undefined) purgeExpired(config.retentionMs);
    };
    let ticker = setInterval(tick, config.tickIntervalMs);
    const address = server.address() as AddressInfo;
    const url = `http://${config.listen.host}:${address.port}`;
    logger.info({ url, store: config.storePath, synchronous: config.synchronous, config: options.configPath }, 'alert-router listening');

    return {
      url,
      server,
      store,
      metrics,
      reload() {
        try {
          const next = loadConfig(options.configPath, options.env);
          const nextSettings = settingsOf(next, logger);
          const nextNotifiers = buildNotifiers(options, next);
          const ignored = RESTART_ONLY.filter(([field, value]) => {
            if (field === 'listen.port' && options.port !== undefined) return false; // --port wins anyway
            return value(next) !== value(config);
          }).map(([field]) => field);
          if (ignored.length > 0) {
            logger.warn({ restartRequired: ignored }, `changed settings take effect on restart only: ${ignored.join(', ')}`);
          }
          if (next.tickIntervalMs !== config.tickIntervalMs) {
            clearInterval(ticker);
            ticker = setInterval(tick, next.tickIntervalMs);
          }
          config = next;
          settings = nextSettings;
          assess = assessorOf(next, now);
          worker.reconfigure({ notifiers: nextNotifiers, attemptTimeoutMs: next.attemptTimeoutMs });
          logger.info({ config: options.configPath, routes: next.routes.length }, 'config reloaded');
          return true;
        } catch (error) {
          // A user's mistake is its message (file, line, field); anything else is a bug, with its stack.
          if (error instanceof ConfigError || error instanceof CatalogError || error instanceof StartupError) {
            logger.error(`config reload failed; keeping the running config: ${describeError(error)}`);
          } else {
            logger.error({ err: error }, 'config reload failed; keeping the running config');
          }
          return false;
        }
      },
      async drain() {
        if (draining) return;
        draining = true;
        clearInterval(ticker);
        readiness.stop();
        logger.info('draining: no new webhooks, finishing commits and in-flight deliveries');
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await committer.drained();
        await Promise.allSettled([...scoring]);
        await worker.stop(config.drainTimeoutMs);
        await Promise.race([closed, new Promise((r) => setTimeout(r, config.drainTimeoutMs).unref())]);
        server.closeAllConnections();
        // A webhook still being read when the drain began commits after the waits above: its commit,
        // and the anomaly score that commit started, finish before the store closes.
        await committer.drained();
        await Promise.allSettled([...scoring]);
        saveVolume();
        flusher?.stop();
        const durableAtEnd = await durable().then(
          () => true,
          (error: unknown) => {
            logger.error({ err: error }, 'could not make the last writes durable; the journal replays them on start');
            return false;
          },
        );
        if (journal !== undefined) {
          journal.close();
          // The store holds every batch: a clean stop leaves no journal to replay.
          if (durableAtEnd) {
            try {
              journal.release(journal.lastSeq);
            } catch (error) {
              logger.error({ err: error }, 'could not delete the journal at stop; its batches are in the store and are skipped on start');
            }
          }
        }
        await walSyncer?.close();
        await checkpointer.stop();
        db.close();
        logger.info('drained');
      },
    };
  }
}
