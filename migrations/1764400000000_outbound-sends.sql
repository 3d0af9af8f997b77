-- Up Migration

-- One row per send DSK asked for, written before Meta is called: ids and state only, never content or
-- the recipient. It is how a status webhook finds its send again (WhatsApp echoes the send's tag as
-- biz_opaque_callback_data; Instagram echoes carry the mid) when the Send API's answer was lost, so an
-- ambiguous send is resolved from webhooks instead of being sent twice. Purged with the webhook log.
CREATE TABLE outbound_sends (
  tag                text PRIMARY KEY,
  instance_id        text NOT NULL,
  channel_id         uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  client_message_id  text NOT NULL,
  -- sending: Meta may be being called; accepted / failed: Meta answered; unknown: no answer (ambiguous).
  state              text NOT NULL CHECK (state IN ('sending', 'accepted', 'failed', 'unknown')),
  meta_message_id    text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (instance_id, client_message_id)
);
-- Instagram echoes are matched by channel and mid; unresolved sends are looked up per channel.
CREATE INDEX outbound_sends_channel_idx ON outbound_sends (channel_id, state);
CREATE INDEX outbound_sends_meta_id_idx ON outbound_sends (channel_id, meta_message_id) WHERE meta_message_id IS NOT NULL;
CREATE INDEX outbound_sends_updated_idx ON outbound_sends (updated_at);

-- Down Migration
DROP TABLE outbound_sends;
