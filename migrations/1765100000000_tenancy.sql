-- Up Migration

-- The send ledger becomes the idempotency authority for a client_message_id over its whole window
-- (README "Outbound"), whatever the Temporal namespace keeps: the api claims (instance,
-- client_message_id) here before it starts or joins a workflow, and the claim names that workflow.
--   workflow_id   the only run that may call Meta for this send (rows from before, or NULL: the old id form)
--   attempted_at  when that run first went to call Meta; NULL: Meta has not been called for it
--   error         the stable error of a failed or unknown send (our codes and reason, never Meta's text)
ALTER TABLE outbound_sends ADD COLUMN workflow_id text;
UPDATE outbound_sends SET workflow_id = 'outbound-' || instance_id || '-' || client_message_id;
ALTER TABLE outbound_sends ADD COLUMN attempted_at timestamptz;
-- Every row from before was written by the send activity just before it called Meta.
UPDATE outbound_sends SET attempted_at = created_at;
ALTER TABLE outbound_sends ADD COLUMN error jsonb;

-- Per-instance quotas (src/db/instance-quotas.ts): a fixed window of requests per instance.
CREATE TABLE instance_request_windows (
  instance_id   text NOT NULL,
  window_start  timestamptz NOT NULL,
  requests      integer NOT NULL,
  PRIMARY KEY (instance_id, window_start)
);

-- Retention of every table (README "Retention"): the purges select by these.
CREATE INDEX deletion_requests_requested_idx ON deletion_requests (requested_at);
CREATE INDEX connections_updated_idx ON connections (updated_at);
CREATE INDEX channels_disconnected_idx ON channels (disconnected_at) WHERE status = 'disconnected';

-- Down Migration
DROP INDEX channels_disconnected_idx;
DROP INDEX connections_updated_idx;
DROP INDEX deletion_requests_requested_idx;
DROP TABLE instance_request_windows;
ALTER TABLE outbound_sends DROP COLUMN error;
ALTER TABLE outbound_sends DROP COLUMN attempted_at;
ALTER TABLE outbound_sends DROP COLUMN workflow_id;
