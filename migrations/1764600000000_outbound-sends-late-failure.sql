-- Up Migration

-- A send Meta accepted can still fail afterwards: WhatsApp reports it as a `failed` status webhook with
-- errors[] (131047 outside the 24-hour window, 131026 undeliverable, …). The ledger keeps the stable code
-- (the one a synchronous refusal of the same Meta code gets) and Meta's code, so the send reads as failed
-- wherever DSK asks (GET of the send, a repeated POST) even after its workflow completed as accepted.
ALTER TABLE outbound_sends ADD COLUMN error_code text;
ALTER TABLE outbound_sends ADD COLUMN meta_code integer;

-- Down Migration
ALTER TABLE outbound_sends DROP COLUMN meta_code;
ALTER TABLE outbound_sends DROP COLUMN error_code;
