-- Up Migration

-- The WhatsApp message templates of each WABA, as last read from Meta (GET /{waba-id}/message_templates)
-- and kept current by the template webhooks: what DSK lists, and what a template send is checked
-- against before Meta is called. Templates are the business's own text, never a customer's; the
-- components are stored normalized (types, texts, parameter counts), not in Meta's field names.
CREATE TABLE message_templates (
  waba_id           text NOT NULL,
  template_id       text NOT NULL,
  name              text NOT NULL,
  language          text NOT NULL,
  category          text NOT NULL,
  status            text NOT NULL,
  parameter_format  text NOT NULL CHECK (parameter_format IN ('positional', 'named')),
  components        jsonb NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (waba_id, template_id)
);
-- A send names a template by name and language; Meta keeps that pair unique per WABA.
CREATE INDEX message_templates_name_idx ON message_templates (waba_id, name, language);

-- When each WABA's templates were last read in full: a WABA without a row was never synced, which the
-- send check treats differently from one that has no templates.
CREATE TABLE message_template_syncs (
  waba_id    text PRIMARY KEY,
  synced_at  timestamptz NOT NULL
);

-- Down Migration
DROP TABLE message_template_syncs;
DROP TABLE message_templates;
