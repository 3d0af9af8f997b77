-- Up Migration

-- Per-instance event-type subscriptions (issue #13 item 5, PUT /v1/instance `event_types`): NULL is
-- every type. An inbound event of a type the instance did not choose is recorded as `skipped` in the
-- webhook log and never sent.
ALTER TABLE instances ADD COLUMN event_types text[];
ALTER TABLE webhook_log DROP CONSTRAINT webhook_log_outcome_check;
ALTER TABLE webhook_log ADD CONSTRAINT webhook_log_outcome_check CHECK (outcome IN ('accepted', 'started', 'delivering', 'delivered', 'orphan', 'failed', 'skipped'));

-- Down Migration
ALTER TABLE webhook_log DROP CONSTRAINT webhook_log_outcome_check;
ALTER TABLE webhook_log ADD CONSTRAINT webhook_log_outcome_check CHECK (outcome IN ('accepted', 'started', 'delivering', 'delivered', 'orphan', 'failed'));
ALTER TABLE instances DROP COLUMN event_types;
