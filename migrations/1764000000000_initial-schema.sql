-- Up Migration

-- A DSK client instance. Its id is the instance claim of DSK's JWTs; every query of the API is scoped by it.
CREATE TABLE instances (
  id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  events_url    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One attempt by an instance to connect a channel; driven by the workflow connection-<id>.
CREATE TABLE connections (
  id            uuid PRIMARY KEY,
  instance_id   text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  channel_type  text NOT NULL CHECK (channel_type IN ('whatsapp', 'instagram')),
  return_url    text NOT NULL,
  status        text NOT NULL CHECK (status IN ('pending', 'authorizing', 'active', 'reauth_required', 'cancelled', 'expired', 'failed', 'disconnected')),
  failure_code  text,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_instance_idx ON connections (instance_id, created_at DESC);

-- Short-lived OAuth session data; deleted after the connection succeeds, fails, is cancelled or expires.
-- state and the browser-binding cookie are stored as SHA-256 hashes only.
CREATE TABLE connection_sessions (
  connection_id uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  state_hash    text NOT NULL UNIQUE,
  cookie_hash   text,
  used_at       timestamptz,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connection_sessions_expiry_idx ON connection_sessions (expires_at);

-- A connected WhatsApp phone number or Instagram account. The Meta token is stored only as
-- Fernet ciphertext ("fernet:<keyId>:<token>"), and is destroyed on disconnect or expiry.
CREATE TABLE channels (
  id                   uuid PRIMARY KEY,
  instance_id          text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  connection_id        uuid REFERENCES connections (id) ON DELETE SET NULL,
  channel_type         text NOT NULL CHECK (channel_type IN ('whatsapp', 'instagram')),
  external_id          text NOT NULL,
  waba_id              text,
  page_id              text,
  business_id          text,
  display_name         text,
  phone_number         text,
  username             text,
  labels               jsonb NOT NULL DEFAULT '{}'::jsonb,
  verification         jsonb NOT NULL DEFAULT '{}'::jsonb,
  status               text NOT NULL CHECK (status IN ('active', 'reauth_required', 'disconnected')),
  token_ciphertext     text,
  token_key_id         text,
  token_kind           text,
  token_expires_at     timestamptz,
  token_checked_at     timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  disconnected_at      timestamptz,
  CHECK ((token_ciphertext IS NULL) = (token_key_id IS NULL))
);
-- A Meta asset routes to at most one live channel: inbound events are resolved by it.
CREATE UNIQUE INDEX channels_live_external_idx ON channels (channel_type, external_id) WHERE status <> 'disconnected';
CREATE INDEX channels_instance_idx ON channels (instance_id);
CREATE INDEX channels_waba_idx ON channels (waba_id) WHERE waba_id IS NOT NULL;

-- One row per inbound event key: the 30-day dedup record and the delivery outcome.
-- Never holds message content: key, kind, routing ids, times and outcome only.
CREATE TABLE webhook_log (
  idempotency_key  text PRIMARY KEY,
  kind             text NOT NULL,
  channel_type     text NOT NULL,
  business_id      text NOT NULL,
  channel_id       uuid,
  instance_id      text,
  outcome          text NOT NULL CHECK (outcome IN ('accepted', 'started', 'delivering', 'delivered', 'orphan', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_dsk_status  integer,
  last_error_code  text,
  duplicates       integer NOT NULL DEFAULT 0,
  received_at      timestamptz NOT NULL DEFAULT now(),
  workflow_started_at timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX webhook_log_received_idx ON webhook_log (received_at);
-- The outbox relay drains rows accepted but not yet handed to Temporal.
CREATE INDEX webhook_log_unstarted_idx ON webhook_log (received_at) WHERE workflow_started_at IS NULL;
CREATE INDEX webhook_log_instance_outcome_idx ON webhook_log (instance_id, outcome, received_at DESC);

-- Down Migration
DROP TABLE webhook_log;
DROP TABLE channels;
DROP TABLE connection_sessions;
DROP TABLE connections;
DROP TABLE instances;
