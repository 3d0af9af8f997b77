import type { Pool } from './pool.js';

/**
 * Channel state changes that do not go through a connection workflow. The connection workflow owns
 * a channel's lifecycle; these are for channels that have none (or whose workflow has ended), so that
 * the promise "tokens are kept until disconnect" holds for them too.
 */
export function createChannelLifecycle(pool: Pool) {
  return {
    /**
     * The channel and every other live channel on the same WABA (a WhatsApp business that removes the
     * app removes it for all its numbers), each with its connection.
     */
    async liveOnSameWaba(channelId: string): Promise<Array<{ id: string; connectionId: string | null }>> {
      const { rows } = await pool.query<{ id: string; connection_id: string | null }>(
        `SELECT c.id, c.connection_id FROM channels c JOIN channels me ON me.id = $1
          WHERE c.id = me.id OR (me.waba_id IS NOT NULL AND c.waba_id = me.waba_id AND c.channel_type = me.channel_type AND c.status <> 'disconnected')
          ORDER BY (c.id = me.id) DESC`,
        [channelId],
      );
      return rows.map((r) => ({ id: r.id, connectionId: r.connection_id }));
    },

    /**
     * Marks the channel disconnected and destroys its token in one statement. Idempotent: a channel
     * disconnected before keeps its first `disconnected_at`. Returns whether the channel exists.
     */
    async disconnect(channelId: string, now: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE channels
            SET status = 'disconnected', token_ciphertext = NULL, token_key_id = NULL,
                disconnected_at = COALESCE(disconnected_at, $2), updated_at = $2
          WHERE id = $1`,
        [channelId, now],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}

export type ChannelLifecycle = ReturnType<typeof createChannelLifecycle>;
