/**
 * The ingest half of `ingest-thread.ts`, on a worker thread: the production webhook handler (auth,
 * body limit, parse, validation, normalise) on its own HTTP server, whose commit appends the
 * normalised batch to an inbox (a SQLite table in a file of its own, WAL, group commit, the WAL
 * fdatasynced before the 2xx as in production) and then posts it to the main thread's pipeline (one
 * message per event-loop turn). With `forward: false` nothing is posted: the ingest path's ceiling.
 */
import Database from 'better-sqlite3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { createWebhookHandler } from '../../alert-router/http/webhook-handler.js';
import { emptyOutcome } from '../../alert-router/pipeline/process-batch.js';
import type { IncomingBatch } from '../../alert-router/pipeline/types.js';
import { RouterMetrics } from '../../alert-router/router-metrics.js';
import { GroupCommitter } from '../../alert-router/store/group-commit.js';
import { WalSyncer } from '../../alert-router/store/wal-syncer.js';

const { inboxPath, token, forward } = workerData as { inboxPath: string; token: string; forward: boolean };
const db = new Database(inboxPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, batch TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO inbox (batch) VALUES (?)');
const syncer = new WalSyncer(inboxPath);
const inbox = new GroupCommitter<IncomingBatch, number>({
  transaction: (fn) => db.transaction(fn)(),
  process: (batch) => Number(insert.run(JSON.stringify(batch)).lastInsertRowid),
  maxWeight: 400,
  weight: (batch) => batch.alerts.length,
  defer: setImmediate,
  sync: () => syncer.sync(),
  syncsInFlight: 2,
});

const port = parentPort!;
let outgoing: IncomingBatch[] = [];
const post = (batch: IncomingBatch) => {
  if (outgoing.push(batch) === 1) {
    setImmediate(() => {
      port.postMessage(outgoing);
      outgoing = [];
    });
  }
};
const handler = createWebhookHandler({
  commit: async (batch) => {
    await inbox.submit(batch);
    if (forward) post(batch);
    // Answered before the pipeline ran: only the counts the batch itself gives are known.
    const firing = batch.alerts.filter((a) => a.status === 'firing').length;
    return { ...emptyOutcome(batch.alerts.length), firing, resolved: batch.alerts.length - firing };
  },
  metrics: new RouterMetrics(() => 0),
  logger: pino({ level: 'warn' }),
  settings: () => ({ auth: { kind: 'bearer', token }, bodyLimitBytes: 8 << 20 }),
});
const server = createServer(handler);
server.listen(0, '127.0.0.1', () => port.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
