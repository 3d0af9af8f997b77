import type { Pool } from './pool.js';

export interface AcceptedEvent {
  key: string;
  kind: string;
  channelType: string;
  businessId: string;
}

export type AcceptOutcome = 'new' | 'duplicate' | 'unstarted';

export type DeliveryOutcome = 'delivering' | 'delivered' | 'orphan' | 'failed' | 'skipped';

/** What `GET /v1/deliveries?status=` filters on; see `listUndelivered`. */
export const UNDELIVERED_STATUSES = ['failed', 'retrying'] as const;
export type UndeliveredStatus = (typeof UNDELIVERED_STATUSES)[number];

export interface WebhookLogRow {
  idempotencyKey: string;
  kind: string;
  channelType: string;
  channelId: string | null;
  instanceId: string | null;
  outcome: string;
  attempts: number;
  lastDskStatus: number | null;
  lastErrorCode: string | null;
  duplicates: number;
  receivedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/**
 * The webhook log is the 30-day dedup record (Temporal's own id dedup ends with namespace retention,
 * while WhatsApp redelivers for up to 7 days) and the outbox the relay drains. It never stores
 * message content: keys, kinds, routing ids, times and outcomes only.
 */
export function createWebhookLog(pool: Pool) {
  return {
    /**
     * Records every event of one POST in a single statement. A key seen before counts as a
     * duplicate; a key recorded but never handed to Temporal (a crash between the two) comes back as
     * 'unstarted' so the caller starts it now. A key repeated inside one POST is recorded once.
     */
    async accept(events: readonly AcceptedEvent[], now: Date): Promise<Map<string, AcceptOutcome>> {
      const outcomes = new Map<string, AcceptOutcome>();
      if (events.length === 0) return outcomes;
      const unique = [...new Map(events.map((e) => [e.key, e])).values()];
      const { rows } = await pool.query<{ idempotency_key: string; inserted: boolean; started: boolean }>(
        `INSERT INTO webhook_log (idempotency_key, kind, channel_type, business_id, outcome, received_at, updated_at)
         SELECT k, kd, ct, b, 'accepted', $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, kd, ct, b)
         ON CONFLICT (idempotency_key) DO UPDATE SET duplicates = webhook_log.duplicates + 1, updated_at = EXCLUDED.updated_at
         RETURNING idempotency_key, (xmax = 0) AS inserted, (workflow_started_at IS NOT NULL) AS started`,
        [unique.map((e) => e.key), unique.map((e) => e.kind), unique.map((e) => e.channelType), unique.map((e) => e.businessId), now],
      );
      for (const row of rows) {
        outcomes.set(row.idempotency_key, row.inserted ? 'new' : row.started ? 'duplicate' : 'unstarted');
      }
      return outcomes;
    },

    async markStarted(keys: readonly string[], now: Date): Promise<void> {
      if (keys.length === 0) return;
      await pool.query(
        `UPDATE webhook_log SET workflow_started_at = $2, outcome = CASE WHEN outcome = 'accepted' THEN 'started' ELSE outcome END, updated_at = $2
         WHERE idempotency_key = ANY($1::text[]) AND workflow_started_at IS NULL`,
        [keys, now],
      );
    },

    /** Rows the relay must still hand to Temporal, oldest first. */
    async unstarted(olderThan: Date, limit: number): Promise<string[]> {
      const { rows } = await pool.query<{ idempotency_key: string }>(
        `SELECT idempotency_key FROM webhook_log WHERE workflow_started_at IS NULL AND received_at <= $1 ORDER BY received_at LIMIT $2`,
        [olderThan, limit],
      );
      return rows.map((r) => r.idempotency_key);
    },

    async recordRoute(key: string, route: { channelId: string; instanceId: string } | null, now: Date): Promise<void> {
      await pool.query(
        `UPDATE webhook_log SET channel_id = $2, instance_id = $3, outcome = CASE WHEN $2::uuid IS NULL THEN 'orphan' ELSE 'delivering' END,
           finished_at = CASE WHEN $2::uuid IS NULL THEN $4::timestamptz ELSE NULL END, updated_at = $4
         WHERE idempotency_key = $1`,
        [key, route?.channelId ?? null, route?.instanceId ?? null, now],
      );
    },

    async recordAttempt(key: string, attempt: { attempts: number; dskStatus: number | null; errorCode: string | null }, now: Date): Promise<void> {
      await pool.query(
        `UPDATE webhook_log SET attempts = GREATEST(attempts, $2), last_dsk_status = $3, last_error_code = $4, updated_at = $5 WHERE idempotency_key = $1`,
        [key, attempt.attempts, attempt.dskStatus, attempt.errorCode, now],
      );
    },

    /** DSK accepted the event: the attempt and the final outcome in one statement. */
    async recordDelivered(key: string, attempt: { attempts: number; dskStatus: number }, now: Date): Promise<void> {
      await pool.query(
        `UPDATE webhook_log SET attempts = GREATEST(attempts, $2), last_dsk_status = $3, last_error_code = NULL, outcome = 'delivered',
           finished_at = $4, updated_at = $4 WHERE idempotency_key = $1`,
        [key, attempt.attempts, attempt.dskStatus, now],
      );
    },

    async recordOutcome(key: string, outcome: DeliveryOutcome, now: Date): Promise<void> {
      await pool.query(
        `UPDATE webhook_log SET outcome = $2, updated_at = $3, finished_at = CASE WHEN $2 IN ('delivered', 'orphan', 'failed', 'skipped') THEN $3::timestamptz ELSE NULL END
         WHERE idempotency_key = $1`,
        [key, outcome, now],
      );
    },

    async get(key: string): Promise<WebhookLogRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM webhook_log WHERE idempotency_key = $1`, [key]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    async listForInstance(instanceId: string, outcomes: readonly string[], limit: number): Promise<WebhookLogRow[]> {
      const { rows } = await pool.query(
        `SELECT * FROM webhook_log WHERE instance_id = $1 AND outcome = ANY($2::text[]) ORDER BY received_at DESC LIMIT $3`,
        [instanceId, outcomes, limit],
      );
      return rows.map(toRow);
    },

    /**
     * An instance's deliveries that need attention, newest first: `failed` (DSK refused the event or
     * the delivery horizon passed) and `retrying` (still being delivered after at least one attempt
     * that DSK did not accept). Both when `which` is undefined.
     */
    async listUndelivered(
      instanceId: string,
      which: UndeliveredStatus | undefined,
      limit: number,
      /** The last row of the previous page, `[received_at as PostgreSQL writes it, key]`. */
      after?: readonly string[],
    ): Promise<Array<WebhookLogRow & { cursorKey: [string, string] }>> {
      const { rows } = await pool.query(
        `SELECT *, received_at::text AS received_key FROM webhook_log
          WHERE instance_id = $1
            AND ((outcome = 'failed' AND $2::text IN ('failed', 'any'))
              OR (outcome = 'delivering' AND $2::text IN ('retrying', 'any') AND attempts >= 1
                  AND (last_error_code IS NOT NULL OR (last_dsk_status IS NOT NULL AND last_dsk_status NOT BETWEEN 200 AND 299))))
            AND ($4::timestamptz IS NULL OR received_at < $4::timestamptz OR (received_at = $4::timestamptz AND idempotency_key > $5))
          ORDER BY received_at DESC, idempotency_key
          LIMIT $3`,
        [instanceId, which ?? 'any', limit, after?.[0] ?? null, after?.[1] ?? ''],
      );
      return rows.map((r: Record<string, unknown>) => ({ ...toRow(r), cursorKey: [String(r.received_key), String(r.idempotency_key)] as [string, string] }));
    },

    /**
     * Claims a failed delivery of this instance for a new attempt: 'failed' → 'delivering', with the
     * attempt count restarted for the new run (DSK's last status is kept until the new run replaces
     * it). Only one caller can claim a given failure. Not claimed: the row's current outcome, or
     * undefined when the instance has no such key.
     */
    async claimRetry(
      key: string,
      instanceId: string,
      now: Date,
    ): Promise<{ claimed: true; row: WebhookLogRow; previousAttempts: number } | { claimed: false; outcome: string | undefined }> {
      const { rows } = await pool.query(
        `UPDATE webhook_log w SET outcome = 'delivering', attempts = 0, finished_at = NULL, updated_at = $3
           FROM (SELECT idempotency_key, attempts FROM webhook_log WHERE idempotency_key = $1 FOR UPDATE) AS before
          WHERE w.idempotency_key = before.idempotency_key AND w.instance_id = $2 AND w.outcome = 'failed'
          RETURNING w.*, before.attempts AS previous_attempts`,
        [key, instanceId, now],
      );
      if (rows[0]) return { claimed: true, row: toRow(rows[0]), previousAttempts: rows[0].previous_attempts as number };
      const current = await pool.query<{ outcome: string }>(`SELECT outcome FROM webhook_log WHERE idempotency_key = $1 AND instance_id = $2`, [
        key,
        instanceId,
      ]);
      return { claimed: false, outcome: current.rows[0]?.outcome };
    },

    /** Undoes `claimRetry` when the new run could not be started, so the delivery is listed as failed again. */
    async releaseRetry(key: string, previousAttempts: number, now: Date): Promise<void> {
      await pool.query(
        `UPDATE webhook_log SET outcome = 'failed', attempts = GREATEST(attempts, $2), finished_at = $3, updated_at = $3
          WHERE idempotency_key = $1 AND outcome = 'delivering'`,
        [key, previousAttempts, now],
      );
    },

    /** What the service keeps about a channel's events (information right): counts by outcome, oldest first seen. */
    async summaryForChannel(channelId: string): Promise<Array<{ outcome: string; count: number; oldest: Date | null }>> {
      const { rows } = await pool.query<{ outcome: string; count: string; oldest: Date | null }>(
        `SELECT outcome, count(*)::text AS count, min(received_at) AS oldest FROM webhook_log WHERE channel_id = $1 GROUP BY outcome ORDER BY outcome`,
        [channelId],
      );
      return rows.map((r) => ({ outcome: r.outcome, count: Number(r.count), oldest: r.oldest }));
    },

    /**
     * Retention, one batch: rows (the dedup record) received before `cutoff`. A bounded number of rows
     * per statement keeps locks and WAL small, so the purge never stalls webhook intake.
     */
    async purgeBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM webhook_log WHERE idempotency_key IN (
           SELECT idempotency_key FROM webhook_log WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type WebhookLog = ReturnType<typeof createWebhookLog>;

function toRow(r: Record<string, unknown>): WebhookLogRow {
  return {
    idempotencyKey: r.idempotency_key as string,
    kind: r.kind as string,
    channelType: r.channel_type as string,
    channelId: (r.channel_id as string | null) ?? null,
    instanceId: (r.instance_id as string | null) ?? null,
    outcome: r.outcome as string,
    attempts: r.attempts as number,
    lastDskStatus: (r.last_dsk_status as number | null) ?? null,
    lastErrorCode: (r.last_error_code as string | null) ?? null,
    duplicates: r.duplicates as number,
    receivedAt: r.received_at as Date,
    updatedAt: r.updated_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
  };
}
