-- Up Migration

-- A send Meta accepted can still fail afterwards: WhatsApp reports it as a `failed` status webhook with
-- errors[] (131047 outside the 24-hour window, 131026 undeliverable, …). The ledger marks the send
-- failed (its stable error is in `error`, added with the send claims in 1765100000000_tenancy.sql) and
-- notes when, so the send reads as failed wherever DSK asks (GET of the send, a repeated POST) even
-- after its workflow completed as accepted, and no later answer of Meta's can settle it otherwise.
ALTER TABLE outbound_sends ADD COLUMN failed_late_at timestamptz;

-- Down Migration
ALTER TABLE outbound_sends DROP COLUMN failed_late_at;
