-- Up Migration

-- The flow a connection uses (Embedded Signup, Instagram via Facebook Login, Instagram Login) and the
-- channel it produced.
ALTER TABLE connections ADD COLUMN flow text NOT NULL DEFAULT 'whatsapp_embedded_signup'
  CHECK (flow IN ('whatsapp_embedded_signup', 'instagram_facebook_login', 'instagram_login'));
ALTER TABLE connections ALTER COLUMN flow DROP DEFAULT;
ALTER TABLE connections ADD COLUMN channel_id uuid REFERENCES channels (id) ON DELETE SET NULL;

-- `state` is minted when the browser opens the connect page (bound to its cookie), not when DSK
-- creates the connection, so it starts out empty. The OAuth code and the freshly exchanged token
-- (with the assets Meta granted) wait here, Fernet-encrypted, between the callback and activation;
-- the whole row is deleted when the round ends, whatever its outcome.
ALTER TABLE connection_sessions ALTER COLUMN state_hash DROP NOT NULL;
ALTER TABLE connection_sessions ADD COLUMN round integer NOT NULL DEFAULT 1;
ALTER TABLE connection_sessions ADD COLUMN code_ciphertext text;
ALTER TABLE connection_sessions ADD COLUMN pending_ciphertext text;

-- The Meta user who granted access (app-scoped id): Meta's deauthorize and data-deletion callbacks name
-- only this id, so it is how those callbacks find the channels to disconnect.
ALTER TABLE channels ADD COLUMN meta_user_id text;
CREATE INDEX channels_meta_user_idx ON channels (meta_user_id) WHERE meta_user_id IS NOT NULL;

-- Data-deletion requests from Meta, for the status page Meta links the person to. The Meta user id is
-- kept only as a hash.
CREATE TABLE deletion_requests (
  confirmation_code  text PRIMARY KEY,
  meta_user_hash     text NOT NULL,
  channels           integer NOT NULL,
  requested_at       timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz
);

-- Down Migration
DROP TABLE deletion_requests;
ALTER TABLE channels DROP COLUMN meta_user_id;
ALTER TABLE connection_sessions DROP COLUMN pending_ciphertext;
ALTER TABLE connection_sessions DROP COLUMN code_ciphertext;
ALTER TABLE connection_sessions DROP COLUMN round;
ALTER TABLE connection_sessions ALTER COLUMN state_hash SET NOT NULL;
ALTER TABLE connections DROP COLUMN channel_id;
ALTER TABLE connections DROP COLUMN flow;
