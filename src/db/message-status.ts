import { mergeStatus } from '../shared/status-merge.js';
import { inTransaction, type Pool } from './pool.js';

/**
 * The channel's view of each outbound message's delivery status. Meta sends statuses unordered and
 * sometimes twice; `merge` folds each one in with `mergeStatus` so the view never goes backwards.
 * Ids and statuses only, never content.
 */
export function createMessageStatusStore(pool: Pool) {
  return {
    /**
     * Merges `incoming` into the stored status and returns the result. The read-merge-write runs in one
     * transaction holding the row lock, so concurrent statuses for one message (several workflows at
     * once) are applied one after the other and none is lost. Merging the same status again is a no-op,
     * so a retried activity gives the same answer or a later one.
     */
    async merge(input: { channelId: string; messageId: string; status: string }, now: Date): Promise<string> {
      return inTransaction(pool, async (client) => {
        // Waits for a concurrent insert of the same key to commit; then the row exists and is locked below.
        const inserted = await client.query(
          `INSERT INTO message_status (channel_id, message_id, status, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (channel_id, message_id) DO NOTHING`,
          [input.channelId, input.messageId, input.status, now],
        );
        let current = input.status;
        if (inserted.rowCount === 0) {
          const { rows } = await client.query<{ status: string }>(
            `SELECT status FROM message_status WHERE channel_id = $1 AND message_id = $2 FOR UPDATE`,
            [input.channelId, input.messageId],
          );
          const stored = rows[0]!.status;
          current = mergeStatus(stored, input.status);
          if (current !== stored) {
            await client.query(`UPDATE message_status SET status = $3, updated_at = $4 WHERE channel_id = $1 AND message_id = $2`, [
              input.channelId,
              input.messageId,
              current,
              now,
            ]);
          }
        }
        return current;
      });
    },

    async get(channelId: string, messageId: string): Promise<string | undefined> {
      const { rows } = await pool.query<{ status: string }>(`SELECT status FROM message_status WHERE channel_id = $1 AND message_id = $2`, [
        channelId,
        messageId,
      ]);
      return rows[0]?.status;
    },

    /** How many messages of the channel have a stored status (information right). */
    async countForChannel(channelId: string): Promise<number> {
      const { rows } = await pool.query<{ count: string }>(`SELECT count(*)::text AS count FROM message_status WHERE channel_id = $1`, [channelId]);
      return Number(rows[0]?.count ?? 0);
    },

    /** Retention, one batch: statuses last changed before `cutoff` (same window as the webhook log). */
    async purgeBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM message_status WHERE (channel_id, message_id) IN (
           SELECT channel_id, message_id FROM message_status WHERE updated_at < $1 ORDER BY updated_at LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type MessageStatusStore = ReturnType<typeof createMessageStatusStore>;
