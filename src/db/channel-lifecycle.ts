import type { Pool } from './pool.js';

/**
 * Channel state changes that do not go through a connection workflow. The connection workflow owns
 * a channel's lifecycle; these are for channels that have none (or whose workflow has ended), so that
 * the promise "tokens are kept until disconnect" holds for them too.
 */
export function createChannelLifecycle(pool: Pool) {
  return {
    /** The connection that created the channel: `null` when it has none, `undefined` when there is no such channel. */
    async connectionOf(channelId: string): Promise<string | null | undefined> {
      const { rows } = await pool.query<{ connection_id: string | null }>(`SELECT connection_id FROM channels WHERE id = $1`, [channelId]);
      return rows[0] ? rows[0].connection_id : undefined;
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
