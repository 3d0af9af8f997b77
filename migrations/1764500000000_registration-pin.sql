-- Up Migration

-- The two-step verification PIN a person typed on the connect page after Meta refused to register their
-- WhatsApp number without it (error 133005). Encrypted with the token vault like the OAuth code, read by
-- the activation that registers the number and cleared once that registration has an answer; the whole
-- row goes when the connection finishes. Never in workflow history.
ALTER TABLE connection_sessions ADD COLUMN pin_ciphertext text;

-- Down Migration
ALTER TABLE connection_sessions DROP COLUMN pin_ciphertext;
