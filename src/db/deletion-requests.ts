import { createHash } from 'node:crypto';
import type { Pool } from './pool.js';

export interface DeletionRequest {
  channels: number;
  requestedAt: Date;
}

/**
 * The `deletion_requests` table: Meta's data-deletion requests, for the status page Meta links the
 * person to. The Meta user id is stored only as its SHA-256, which is also how the page finds the
 * person's channels again (hashed the same way in SQL).
 */
export function createDeletionRequests(pool: Pool) {
  return {
    async record(input: { confirmationCode: string; metaUserId: string; channels: number; requestedAt: Date }): Promise<void> {
      await pool.query(`INSERT INTO deletion_requests (confirmation_code, meta_user_hash, channels, requested_at) VALUES ($1, $2, $3, $4)`, [
        input.confirmationCode,
        createHash('sha256').update(input.metaUserId).digest('hex'),
        input.channels,
        input.requestedAt,
      ]);
    },

    async get(confirmationCode: string): Promise<DeletionRequest | undefined> {
      const { rows } = await pool.query<{ channels: number; requested_at: Date }>(
        `SELECT channels, requested_at FROM deletion_requests WHERE confirmation_code = $1`,
        [confirmationCode],
      );
      return rows[0] ? { channels: rows[0].channels, requestedAt: rows[0].requested_at } : undefined;
    },

    /** Retention, one batch: requests made before `cutoff`; the status page then answers "not found". */
    async purgeBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM deletion_requests WHERE confirmation_code IN (SELECT confirmation_code FROM deletion_requests WHERE requested_at < $1 LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },

    /** Channels of the request's Meta user that still hold a token: the request is complete at 0. */
    async channelsWithTokenLeft(confirmationCode: string): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM channels c JOIN deletion_requests d ON d.confirmation_code = $1
          WHERE c.meta_user_id IS NOT NULL AND encode(sha256(convert_to(c.meta_user_id, 'UTF8')), 'hex') = d.meta_user_hash AND c.token_ciphertext IS NOT NULL`,
        [confirmationCode],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type DeletionRequests = ReturnType<typeof createDeletionRequests>;
