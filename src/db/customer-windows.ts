import { customerVariants, normalizeCustomer, retentionMsOf } from '../shared/customer-window.js';
import type { ChannelType } from '../shared/inbound-events.js';
import type { Pool } from './pool.js';
import { keyedHash } from '../vault/keyed-hash.js';

/**
 * The `customer_windows` table: when each customer last wrote to each channel, under a keyed hash of
 * the pair, so PostgreSQL never holds the customer's id and the table cannot be reversed by hashing
 * candidate numbers without the key. The key is derived (HKDF-SHA256, a label of its own) from each
 * TOKEN_ENCRYPTION_KEYS entry: the newest writes, every one is looked up, so a token-key rotation
 * loses no open window.
 */
export function createCustomerWindows(pool: Pool, tokenKeys: ReadonlyArray<{ key: string }>) {
  if (tokenKeys.length === 0) throw new TypeError('no token key to derive the customer-window key from');
  const keys = tokenKeys.map((k) => keyedHash(k.key, 'customer-window-key'));
  const hashWith = (hash: (text: string) => string, channelId: string, customer: string) => hash(`${channelId}\n${customer}`);

  return {
    /**
     * The customer wrote at `at`: the conversation's window runs from the latest such time (an older
     * event arriving late never shortens it). Idempotent, so a retried delivery may call it again.
     */
    async record(input: { channelId: string; channelType: ChannelType; customers: readonly string[]; at: Date }): Promise<void> {
      const expiresAt = new Date(input.at.getTime() + retentionMsOf(input.channelType));
      for (const customer of input.customers) {
        await pool.query(
          `INSERT INTO customer_windows (conversation_hash, last_message_at, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (conversation_hash) DO UPDATE SET
             last_message_at = GREATEST(customer_windows.last_message_at, EXCLUDED.last_message_at),
             expires_at = GREATEST(customer_windows.expires_at, EXCLUDED.expires_at)`,
          [hashWith(keys[0]!, input.channelId, normalizeCustomer(input.channelType, customer)), input.at, expiresAt],
        );
      }
    },

    /** When the customer last wrote to the channel, under any form Meta knows them by; undefined: not within the kept window. */
    async lastMessageAt(channelId: string, channelType: ChannelType, customer: string, now: Date): Promise<Date | undefined> {
      const hashes = customerVariants(channelType, customer).flatMap((c) => keys.map((key) => hashWith(key, channelId, c)));
      const { rows } = await pool.query<{ last: Date | null }>(
        `SELECT max(last_message_at) AS last FROM customer_windows WHERE conversation_hash = ANY($1) AND expires_at > $2`,
        [hashes, now],
      );
      return rows[0]?.last ?? undefined;
    },

    /**
     * Retention, one batch: conversations whose longest window has passed, by the database clock (as
     * the send-rate rows are), never by an injected one: a row still open must not go early.
     */
    async purgeExpiredBatch(limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM customer_windows WHERE conversation_hash IN (
           SELECT conversation_hash FROM customer_windows WHERE expires_at <= clock_timestamp() LIMIT $1)`,
        [limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type CustomerWindows = ReturnType<typeof createCustomerWindows>;
