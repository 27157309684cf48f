/**
 * The store's schema history. Each migration runs once, in order, inside a transaction, and bumps
 * `PRAGMA user_version` to its index + 1. Never edit a released migration: append a new one.
 */
export const migrations: readonly string[] = [
  /* 1: incidents, alerts, timeline, targets, outbox */ `
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    severity TEXT NOT NULL CHECK (severity IN ('page', 'ticket')),
    title TEXT NOT NULL,
    service TEXT NOT NULL,
    slo TEXT,
    team TEXT,
    group_labels TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    resolved_at INTEGER,
    updated_at INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    firing_alerts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX incidents_by_key ON incidents (key, opened_at);
  CREATE INDEX incidents_by_opened ON incidents (opened_at);

  CREATE TABLE alerts (
    fingerprint TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    severity TEXT NOT NULL,
    labels TEXT NOT NULL,
    annotations TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    generator_url TEXT,
    first_received_at INTEGER NOT NULL,
    last_received_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL,
    PRIMARY KEY (incident_id, fingerprint)
  ) WITHOUT ROWID;
  CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);

  CREATE TABLE timeline (
    seq INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX timeline_by_incident ON timeline (incident_id, seq);

  CREATE TABLE incident_targets (
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    ref TEXT,
    PRIMARY KEY (incident_id, kind, destination)
  ) WITHOUT ROWID;

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';
  CREATE INDEX outbox_by_target ON outbox (incident_id, target_kind, destination, seq);
  `,
  /* 2: suppression: maintenance windows, holds (deferred notifications), notified state, flap history, storm digests */ `
  CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    matchers TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    author TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX maintenance_by_end ON maintenance_windows (ends_at);

  CREATE TABLE holds (
    incident_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER,
    parent_id TEXT,
    announced INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  CREATE TABLE notified_state (
    incident_id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('open', 'resolved'))
  ) WITHOUT ROWID;

  CREATE TABLE flap_history (
    fingerprint TEXT PRIMARY KEY,
    changes TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE digest_items (
    seq INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    at INTEGER NOT NULL,
    digest_id TEXT
  );
  CREATE INDEX digest_items_by_target ON digest_items (target_kind, destination, at);
  CREATE INDEX digest_items_by_digest ON digest_items (digest_id);
  CREATE INDEX outbox_triggers_by_target ON outbox (target_kind, destination, created_at) WHERE action = 'trigger';
  `,
  /* 3: dedup reads alerts through the in-memory index and the primary key; the fingerprint index only cost a B-tree insert per alert */ `
  DROP INDEX IF EXISTS alerts_by_fingerprint;
  `,
  /*
   * 4: alerts as a rowid table with a small unique index, no longer WITHOUT ROWID. Its ~400-byte rows
   * (labels and annotations) made each new alert rebalance up to three leaves in the middle of the tree:
   * 10 WAL frames of leaves for every 6 single-alert webhooks. Rows now append at the tree's end and
   * only the (incident_id, fingerprint) entry lands in the incident's part of the index.
   */ `
  CREATE TABLE alerts_v4 (
    fingerprint TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY DEFERRED,
    status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    severity TEXT NOT NULL,
    labels TEXT NOT NULL,
    annotations TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    generator_url TEXT,
    first_received_at INTEGER NOT NULL,
    last_received_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL
  );
  INSERT INTO alerts_v4 SELECT fingerprint, incident_id, status, severity, labels, annotations, starts_at, ends_at, generator_url, first_received_at, last_received_at, receive_count FROM alerts ORDER BY first_received_at;
  DROP TABLE alerts;
  ALTER TABLE alerts_v4 RENAME TO alerts;
  CREATE UNIQUE INDEX alerts_by_incident ON alerts (incident_id, fingerprint);
  `,
  /*
   * 5: a maintenance hold names the window that set it, so ending the window early releases exactly
   * its holds. Holds written before name it only in their detail ("in maintenance window <id> {...").
   */ `
  ALTER TABLE holds ADD COLUMN window_id TEXT;
  UPDATE holds SET window_id = substr(detail, 23, instr(substr(detail, 23), ' ') - 1)
    WHERE reason = 'maintenance' AND detail LIKE 'in maintenance window % {%';
  `,
  /* 6: small state the router keeps across restarts besides its tables (the alert volume watch's baselines) */ `
  CREATE TABLE router_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    saved_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 7: retention finds the storm-digest items that list an incident (store.retention, SqliteStore.purgeResolved) */ `
  CREATE INDEX digest_items_by_incident ON digest_items (incident_id);
  `,
  /*
   * 8: page alerts firing per incident, so an incident whose last page alert resolves while its ticket
   * alerts fire de-escalates (PagerDuty resolved, Slack told) instead of staying a page for days.
   */ `
  ALTER TABLE incidents ADD COLUMN firing_pages INTEGER NOT NULL DEFAULT 0;
  UPDATE incidents SET firing_pages = (
    SELECT count(*) FROM alerts WHERE alerts.incident_id = incidents.id AND alerts.status = 'firing' AND alerts.severity = 'page'
  ) WHERE state = 'open';
  `,
  /*
   * 9: a maintenance window keeps the request that created it, so a client's retry of a POST answered 503
   * after its commit gets that window back instead of a copy: the `Idempotency-Key` it was sent with
   * (unique where given) and the request as compared (`http/maintenance-request.ts`). Windows written
   * before have neither and are never taken for a retry.
   */ `
  ALTER TABLE maintenance_windows ADD COLUMN idempotency_key TEXT;
  ALTER TABLE maintenance_windows ADD COLUMN request TEXT;
  CREATE UNIQUE INDEX maintenance_by_idempotency_key ON maintenance_windows (idempotency_key) WHERE idempotency_key IS NOT NULL;
  `,
  /*
   * 10: how a notification that was not delivered ended, where its state alone does not say: 'withheld'
   * (not sent on purpose: a PagerDuty resolve with nothing to resolve) or 'never_sent' (failed without
   * any attempt leaving the router: no routing key or token, no notifier). A column, not new `state`
   * values: those would rebuild the table for its CHECK.
   * Rows written before: a withheld one is the only failed row with no attempt counted; a trigger
   * never sent failed on its first attempt with one of the notifiers' own messages for it.
   */ `
  ALTER TABLE outbox ADD COLUMN outcome TEXT;
  UPDATE outbox SET outcome = 'withheld' WHERE state = 'failed' AND attempts = 0;
  UPDATE outbox SET outcome = 'never_sent' WHERE state = 'failed' AND attempts = 1 AND last_status IS NULL
    AND (last_error LIKE 'no PagerDuty routing key for incident %' OR last_error LIKE 'no % notifier configured'
      OR last_error LIKE 'Slack % for incident %: no Slack token configured for %');
  `,
];

