-- Up Migration

-- Inbound media the service captured because Meta's own id or URL would not outlive DSK's delivery
-- horizon (Instagram attachment URLs expire within days). The bytes are AES-256-GCM encrypted in
-- chunks (src/media/sealing.ts) and live in a PostgreSQL large object (`location` = its oid) or in an
-- S3-compatible bucket (`location` = the object key); this row holds no content. A row goes when DSK
-- acknowledges the media (DELETE) or at `expires_at` (the retention purge), its bytes with it.
CREATE TABLE media_objects (
  channel_id    uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  media_id      text NOT NULL,
  instance_id   text NOT NULL,
  backend       text NOT NULL CHECK (backend IN ('postgres', 's3')),
  location      text NOT NULL,
  key_id        text NOT NULL,
  nonce         bytea NOT NULL,
  chunk_size    integer NOT NULL,
  mime_type     text NOT NULL,
  size_bytes    bigint NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (channel_id, media_id)
);
CREATE INDEX media_objects_expires_idx ON media_objects (expires_at);

-- Down Migration
DROP TABLE media_objects;
