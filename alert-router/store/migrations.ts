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
];
