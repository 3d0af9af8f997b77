import type { Pool } from './pool.js';
import { createSendRateLimiter } from './send-rate-limiter.js';

/**
 * The retention purge's statements, one batch each: a bounded number of rows per statement keeps
 * locks and WAL per transaction small, so the purge never stalls webhook intake. Each returns how
 * many rows it touched; the caller repeats until a batch comes back short.
 */
export function createRetentionStore(pool: Pool) {
  const count = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rowCount ?? 0;
  const sendRateLimiter = createSendRateLimiter(pool);
  return {
    /** Webhook-log rows (the dedup record) received before `cutoff`. */
    deleteWebhookLogBatch: (cutoff: Date, limit: number) =>
      count(
        `DELETE FROM webhook_log WHERE idempotency_key IN (
           SELECT idempotency_key FROM webhook_log WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
        [cutoff, limit],
      ),

    /** Message statuses last changed before `cutoff` (same window as the webhook log). */
    deleteMessageStatusBatch: (cutoff: Date, limit: number) =>
      count(
        `DELETE FROM message_status WHERE (channel_id, message_id) IN (
           SELECT channel_id, message_id FROM message_status WHERE updated_at < $1 ORDER BY updated_at LIMIT $2)`,
        [cutoff, limit],
      ),

    /** OAuth sessions past their expiry (the connection workflow deletes its own; this is the safety net). */
    deleteExpiredSessionsBatch: (now: Date, limit: number) =>
      count(
        `DELETE FROM connection_sessions WHERE connection_id IN (
           SELECT connection_id FROM connection_sessions WHERE expires_at < $1 LIMIT $2)`,
        [now, limit],
      ),

    /**
     * Destroys stored tokens that may no longer be kept: the channel was disconnected (disconnect
     * already destroys it; this catches any path that did not) or the token expired. The channel
     * row stays; token kind and expiry remain as a record of what happened.
     */
    destroyDeadTokensBatch: (now: Date, limit: number) =>
      count(
        `UPDATE channels SET token_ciphertext = NULL, token_key_id = NULL, updated_at = $1
          WHERE id IN (
            SELECT id FROM channels
             WHERE token_ciphertext IS NOT NULL AND (status = 'disconnected' OR token_expires_at < $1)
             LIMIT $2)`,
        [now, limit],
      ),

    /**
     * Send-rate rows whose slot has passed (idle keys, mostly number-recipient pairs). Judged by the
     * database clock, as the limiter is, never by an injected one: deleting a row whose slot is still
     * ahead would let a send through early.
     */
    deleteIdleSendRateSlotsBatch: (limit: number) => sendRateLimiter.purgeIdle(limit),

    /** Send-ledger rows last touched before `cutoff`: no status webhook can need them any more. */
    deleteOutboundSendsBatch: (cutoff: Date, limit: number) =>
      count(`DELETE FROM outbound_sends WHERE tag IN (SELECT tag FROM outbound_sends WHERE updated_at < $1 LIMIT $2)`, [cutoff, limit]),
  };
}

export type RetentionStore = ReturnType<typeof createRetentionStore>;
