-- Up Migration

-- Idempotency-Key on POST /v1/connections (issue #13 item 5, src/db/connections.ts): the key DSK sent
-- and a SHA-256 of the request body, so a repeat within the window answers the same connection and
-- a different body under the same key is refused. The key is released after the window (24 hours).
ALTER TABLE connections ADD COLUMN idempotency_key text;
ALTER TABLE connections ADD COLUMN request_hash text;
CREATE UNIQUE INDEX connections_idempotency_idx ON connections (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Down Migration
DROP INDEX connections_idempotency_idx;
ALTER TABLE connections DROP COLUMN request_hash;
ALTER TABLE connections DROP COLUMN idempotency_key;
