-- Up Migration

-- Issue #13: every inbound event of a conversation carries a sequence number in Meta's arrival order
-- (DSK orders by it: one workflow per event can deliver a customer's second message before the first).
-- The counter of each conversation is keyed by an HMAC of (channel type, business id, customer id)
-- under a key derived from the newest token key (src/inbound/conversation-key.ts): never an id in clear.
-- The intake's accepting statement takes numbers for new webhook-log keys only, so a duplicate never
-- consumes one. A counter idle for the webhook log's window is purged with it; the conversation then
-- starts a new run at 1, with a new started_at.
CREATE TABLE conversation_sequences (
  conversation   text PRIMARY KEY,
  last_sequence  bigint NOT NULL,
  started_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX conversation_sequences_updated_idx ON conversation_sequences (updated_at);

-- The number an intake row was given, handed to its workflow by the relay (NULL: no conversation).
ALTER TABLE inbound_intake ADD COLUMN sequence bigint, ADD COLUMN sequence_started_at timestamptz;

-- Down Migration
ALTER TABLE inbound_intake DROP COLUMN sequence, DROP COLUMN sequence_started_at;
DROP TABLE conversation_sequences;
