import { randomUUID } from 'node:crypto';
import type { ConnectFlow, ChannelKind } from '../shared/connections.js';
import type { Pool } from './pool.js';

export interface ConnectionRow {
  id: string;
  instanceId: string;
  channelType: ChannelKind;
  flow: ConnectFlow;
  returnUrl: string;
  status: string;
  failureCode: string | null;
  channelId: string | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRow {
  connectionId: string;
  stateHash: string | null;
  cookieHash: string | null;
  round: number;
  usedAt: Date | null;
  expiresAt: Date;
  codeCiphertext: string | null;
  pendingCiphertext: string | null;
}

/** Connections and their short-lived OAuth sessions. Secrets in sessions are stored hashed or encrypted. */
export function createConnections(pool: Pool) {
  return {
    async create(input: { instanceId: string; channelType: ChannelKind; flow: ConnectFlow; returnUrl: string; expiresAt: Date }): Promise<ConnectionRow> {
      const id = randomUUID();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO instances (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [input.instanceId]);
        await client.query(
          `INSERT INTO connections (id, instance_id, channel_type, flow, return_url, status, expires_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)`,
          [id, input.instanceId, input.channelType, input.flow, input.returnUrl, input.expiresAt],
        );
        await client.query(`INSERT INTO connection_sessions (connection_id, expires_at) VALUES ($1, $2)`, [id, input.expiresAt]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
      return (await this.get(id))!;
    },

    async get(id: string): Promise<ConnectionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connections WHERE id = $1`, [id]);
      return rows[0] ? toConnection(rows[0]) : undefined;
    },

    /** Instance-scoped read: another instance's connection does not exist for the caller. */
    async getForInstance(id: string, instanceId: string): Promise<ConnectionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connections WHERE id = $1 AND instance_id = $2`, [id, instanceId]);
      return rows[0] ? toConnection(rows[0]) : undefined;
    },

    async setStatus(id: string, status: string, failureCode: string | null, now: Date): Promise<void> {
      await pool.query(`UPDATE connections SET status = $2, failure_code = $3, updated_at = $4 WHERE id = $1`, [id, status, failureCode, now]);
    },

    async setChannel(id: string, channelId: string, now: Date): Promise<void> {
      await pool.query(`UPDATE connections SET channel_id = $2, status = 'active', failure_code = NULL, updated_at = $3 WHERE id = $1`, [id, channelId, now]);
    },

    async session(connectionId: string): Promise<SessionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connection_sessions WHERE connection_id = $1`, [connectionId]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },

    async sessionByState(stateHash: string): Promise<SessionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connection_sessions WHERE state_hash = $1`, [stateHash]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },

    /** A new session round for a re-connect of an existing connection. */
    async openSession(connectionId: string, expiresAt: Date, round: number): Promise<void> {
      await pool.query(
        `INSERT INTO connection_sessions (connection_id, expires_at, round) VALUES ($1, $2, $3)
         ON CONFLICT (connection_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, round = EXCLUDED.round, state_hash = NULL,
           cookie_hash = NULL, used_at = NULL, code_ciphertext = NULL, pending_ciphertext = NULL, created_at = now()`,
        [connectionId, expiresAt, round],
      );
    },

    /**
     * Binds the session to the browser that opened the connect page: a fresh state and cookie, both
     * stored as hashes. Only while unused and unexpired; returns false otherwise.
     */
    async bindBrowser(connectionId: string, stateHash: string, cookieHash: string, now: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE connection_sessions SET state_hash = $2, cookie_hash = $3 WHERE connection_id = $1 AND used_at IS NULL AND expires_at > $4`,
        [connectionId, stateHash, cookieHash, now],
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

    async deleteSession(connectionId: string): Promise<void> {
      await pool.query(`DELETE FROM connection_sessions WHERE connection_id = $1`, [connectionId]);
    },

    async deleteExpiredSessions(now: Date): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM connection_sessions WHERE expires_at < $1`, [now]);
      return rowCount ?? 0;
    },
  };
}

export type Connections = ReturnType<typeof createConnections>;

function toConnection(r: Record<string, unknown>): ConnectionRow {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    channelType: r.channel_type as ChannelKind,
    flow: r.flow as ConnectFlow,
    returnUrl: r.return_url as string,
    status: r.status as string,
    failureCode: (r.failure_code as string | null) ?? null,
    channelId: (r.channel_id as string | null) ?? null,
    expiresAt: r.expires_at as Date,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

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
  };
}
