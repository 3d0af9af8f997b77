import type { Pool } from './pool.js';

export interface SessionRow {
  connectionId: string;
  stateHash: string | null;
  cookieHash: string | null;
  round: number;
  usedAt: Date | null;
  expiresAt: Date;
  codeCiphertext: string | null;
  pendingCiphertext: string | null;
  /** The number's two-step verification PIN the person gave, encrypted; until the registration it was for has an answer. */
  pinCiphertext: string | null;
}

/**
 * The `connection_sessions` table: the short-lived OAuth session of a connection's current
 * authorization round. Secrets are stored hashed (state, cookie) or encrypted (code, pending grant).
 */
export function createConnectionSessions(pool: Pool) {
  return {
    async get(connectionId: string): Promise<SessionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connection_sessions WHERE connection_id = $1`, [connectionId]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },

    async byState(stateHash: string): Promise<SessionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connection_sessions WHERE state_hash = $1`, [stateHash]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },

    /** A new session round for a re-connect of an existing connection. */
    async open(connectionId: string, expiresAt: Date, round: number): Promise<void> {
      await pool.query(
        `INSERT INTO connection_sessions (connection_id, expires_at, round) VALUES ($1, $2, $3)
         ON CONFLICT (connection_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, round = EXCLUDED.round, state_hash = NULL,
           cookie_hash = NULL, used_at = NULL, code_ciphertext = NULL, pending_ciphertext = NULL, pin_ciphertext = NULL, created_at = now()`,
        [connectionId, expiresAt, round],
      );
    },

    /**
     * Binds the session to the browser that opened the connect page: a fresh state, and the cookie,
     * both stored as hashes. The first browser binds it (`boundCookieHash` null); later only that
     * browser, presenting the same cookie, may reload it for a fresh state. Only while unused and
     * unexpired; false otherwise, or when another browser bound it first (a race lost).
     */
    async bindBrowser(connectionId: string, stateHash: string, cookieHash: string, boundCookieHash: string | null, now: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE connection_sessions SET state_hash = $2, cookie_hash = $3
          WHERE connection_id = $1 AND used_at IS NULL AND expires_at > $4 AND cookie_hash IS NOT DISTINCT FROM $5`,
        [connectionId, stateHash, cookieHash, now, boundCookieHash],
      );
      return (rowCount ?? 0) > 0;
    },

    /** Single use: only the first callback with this state gets true, and its code is stored encrypted. */
    async consumeState(stateHash: string, codeCiphertext: string | null, now: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE connection_sessions SET used_at = $3, code_ciphertext = $2 WHERE state_hash = $1 AND used_at IS NULL AND expires_at > $3`,
        [stateHash, codeCiphertext, now],
      );
      return (rowCount ?? 0) > 0;
    },

    /** Reads the code once: it is cleared in the same statement. */
    async takeCode(connectionId: string): Promise<string | null> {
      const { rows } = await pool.query<{ code: string | null }>(
        `UPDATE connection_sessions s SET code_ciphertext = NULL FROM (SELECT code_ciphertext AS code FROM connection_sessions WHERE connection_id = $1 FOR UPDATE) old
          WHERE s.connection_id = $1 RETURNING old.code`,
        [connectionId],
      );
      return rows[0]?.code ?? null;
    },

    async storePending(connectionId: string, pendingCiphertext: string): Promise<void> {
      await pool.query(`UPDATE connection_sessions SET pending_ciphertext = $2 WHERE connection_id = $1`, [connectionId, pendingCiphertext]);
    },

    /** The PIN the person typed, encrypted; replaces one not used yet. */
    async storePin(connectionId: string, pinCiphertext: string): Promise<boolean> {
      const { rowCount } = await pool.query(`UPDATE connection_sessions SET pin_ciphertext = $2 WHERE connection_id = $1`, [connectionId, pinCiphertext]);
      return (rowCount ?? 0) > 0;
    },

    /** Once the registration it was typed for has Meta's answer: a PIN is used once. */
    async clearPin(connectionId: string): Promise<void> {
      await pool.query(`UPDATE connection_sessions SET pin_ciphertext = NULL WHERE connection_id = $1`, [connectionId]);
    },

    /**
     * Keeps the session (its pending grant) until `until`: while the workflow waits for Meta to allow
     * registration again, retention must not purge what activation still needs. Never shortens.
     */
    async extend(connectionId: string, until: Date): Promise<void> {
      await pool.query(`UPDATE connection_sessions SET expires_at = GREATEST(expires_at, $2) WHERE connection_id = $1`, [connectionId, until]);
    },

    async delete(connectionId: string): Promise<void> {
      await pool.query(`DELETE FROM connection_sessions WHERE connection_id = $1`, [connectionId]);
    },

    /** Retention, one batch: sessions past their expiry (the connection workflow deletes its own; this is the safety net). */
    async purgeExpiredBatch(now: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM connection_sessions WHERE connection_id IN (
           SELECT connection_id FROM connection_sessions WHERE expires_at < $1 LIMIT $2)`,
        [now, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type ConnectionSessions = ReturnType<typeof createConnectionSessions>;

function toSession(r: Record<string, unknown>): SessionRow {
  return {
    connectionId: r.connection_id as string,
    stateHash: (r.state_hash as string | null) ?? null,
    cookieHash: (r.cookie_hash as string | null) ?? null,
    round: r.round as number,
    usedAt: (r.used_at as Date | null) ?? null,
    expiresAt: r.expires_at as Date,
    codeCiphertext: (r.code_ciphertext as string | null) ?? null,
    pendingCiphertext: (r.pending_ciphertext as string | null) ?? null,
    pinCiphertext: (r.pin_ciphertext as string | null) ?? null,
  };
}
