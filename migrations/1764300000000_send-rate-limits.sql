-- Up Migration

-- Send-rate limits shared by every worker process (src/db/send-rate-limiter.ts): one GCRA "theoretical
-- arrival time" per limited key (a WhatsApp number, a number and recipient pair, an Instagram account).
-- Times are the database's clock, so skew between workers does not matter. A row whose tat has passed
-- behaves exactly like a missing one, which is why the retention purge may delete it at any time.
-- Recipient parts of keys are HMACs supplied by the caller: this table never holds a phone number.
-- Every send updates its rows: no index on tat and free room on each page (fillfactor) keep those
-- updates HOT, and the daily purge can afford a sequential scan.
CREATE TABLE send_rate_slots (
  key  text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 512),
  tat  timestamptz NOT NULL
) WITH (fillfactor = 70);

-- Down Migration
DROP TABLE send_rate_slots;
