-- Up Migration

-- The durable intake of Meta's webhook events: Meta gets its 200 once an event's row is committed here
-- (with its dedup row in webhook_log, in the same statement), and the api's relay starts the event's
-- workflow and deletes the row (seconds). The event rests here only encrypted with the payload codec's
-- AES-256-GCM keys (payload_key_id names the key; NULL only outside production, without keys), as it
-- rests in Temporal's history afterwards. Routing hints are ids only. task_queue keeps deployments (and
-- parallel test services) that share a database from starting each other's events.
CREATE TABLE inbound_intake (
  idempotency_key  text PRIMARY KEY,
  task_queue       text NOT NULL,
  kind             text NOT NULL,
  channel_type     text NOT NULL,
  business_id      text NOT NULL,
  received_at      timestamptz NOT NULL,
  payload_key_id   text,
  payload          bytea NOT NULL,
  -- Start attempts that failed (Temporal unreachable, a payload key missing): for the operator's eye.
  attempts         integer NOT NULL DEFAULT 0
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);
-- The relay claims the oldest rows of its task queue; the bound reads the oldest.
CREATE INDEX inbound_intake_queue_idx ON inbound_intake (task_queue, received_at);

-- Down Migration
DROP TABLE inbound_intake;
