-- Up Migration

-- The furthest delivery status seen per outbound message and channel, so that a status arriving late or
-- twice never moves the channel's view of a message backwards (merged by mergeStatus in
-- src/shared/inbound-events.ts). Ids and the status only, never content; purged with the webhook log.
CREATE TABLE message_status (
  channel_id    uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  message_id    text NOT NULL,
  status        text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, message_id)
);
-- The retention purge deletes by age.
CREATE INDEX message_status_updated_idx ON message_status (updated_at);

-- Down Migration
DROP TABLE message_status;
