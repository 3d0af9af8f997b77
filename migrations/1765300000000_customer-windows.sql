-- Up Migration

-- Customer-service windows (issue #13 item 2, src/db/customer-windows.ts): when each customer last
-- wrote to each channel, so that a free-form send outside Meta's window is refused before Meta is
-- called. Only a keyed hash stands for the (channel, customer) pair (HMAC-SHA256 under a key derived
-- from the token keys, kept apart from the database), never the customer's id or anything they wrote;
-- a row goes once its longest window has passed (expires_at, the retention purge).
CREATE TABLE customer_windows (
  conversation_hash  text PRIMARY KEY,
  last_message_at    timestamptz NOT NULL,
  expires_at         timestamptz NOT NULL
);
CREATE INDEX customer_windows_expires_idx ON customer_windows (expires_at);

-- Down Migration
DROP TABLE customer_windows;
