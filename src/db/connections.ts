import { randomUUID } from 'node:crypto';
import type { ConnectFlow, ChannelKind } from '../shared/connections.js';
import { inTransaction, type Pool } from './pool.js';

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
  /** SHA-256 of the request that created it under an Idempotency-Key (null: created without one). */
  requestHash: string | null;
}

/** How long an Idempotency-Key of POST /v1/connections names its connection (README "DSK"). */
export const CONNECTION_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The `connections` table: one row per channel connection DSK asked for. Creating one also makes sure
 * its instance exists and opens its first OAuth session (src/db/connection-sessions.ts), in one
 * transaction, so a connect link never exists without its session.
 */
export function createConnections(pool: Pool) {
  return {
    /**
     * With `idempotency`, the key is claimed in the same transaction: when the instance already used it
     * within the window, nothing is created and that connection is answered (`created: false`), also to
     * a concurrent request with the same key. A key older than the window is released first.
     */
    async create(input: {
      instanceId: string;
      channelType: ChannelKind;
      flow: ConnectFlow;
      returnUrl: string;
      expiresAt: Date;
      idempotency?: { key: string; requestHash: string; now: Date };
    }): Promise<ConnectionRow & { created: boolean }> {
      const id = randomUUID();
      const idem = input.idempotency;
      const existing = await inTransaction(pool, async (client): Promise<string | undefined> => {
        await client.query(`INSERT INTO instances (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [input.instanceId]);
        if (idem) {
          await client.query(`UPDATE connections SET idempotency_key = NULL WHERE instance_id = $1 AND idempotency_key = $2 AND created_at <= $3`, [
            input.instanceId,
            idem.key,
            new Date(idem.now.getTime() - CONNECTION_IDEMPOTENCY_WINDOW_MS),
          ]);
        }
        const inserted = await client.query(
          `INSERT INTO connections (id, instance_id, channel_type, flow, return_url, status, expires_at, idempotency_key, request_hash)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)
           ON CONFLICT (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
          [id, input.instanceId, input.channelType, input.flow, input.returnUrl, input.expiresAt, idem?.key ?? null, idem?.requestHash ?? null],
        );
        if (inserted.rowCount === 0) {
          const { rows } = await client.query<{ id: string }>(`SELECT id FROM connections WHERE instance_id = $1 AND idempotency_key = $2`, [input.instanceId, idem!.key]);
          return rows[0]!.id;
        }
        await client.query(`INSERT INTO connection_sessions (connection_id, expires_at) VALUES ($1, $2)`, [id, input.expiresAt]);
        return undefined;
      });
      return { ...(await this.get(existing ?? id))!, created: existing === undefined };
    },

    /** The connection the instance created under this Idempotency-Key within the window, if any. */
    async byIdempotencyKey(instanceId: string, key: string, now: Date): Promise<ConnectionRow | undefined> {
      const { rows } = await pool.query(`SELECT * FROM connections WHERE instance_id = $1 AND idempotency_key = $2 AND created_at > $3`, [
        instanceId,
        key,
        new Date(now.getTime() - CONNECTION_IDEMPOTENCY_WINDOW_MS),
      ]);
      return rows[0] ? toConnection(rows[0]) : undefined;
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

    /** A page of the instance's connections, oldest first, after the cursor key `[created_at as PostgreSQL writes it, id]`. */
    async pageForInstance(instanceId: string, page: { after: readonly string[] | undefined; limit: number }): Promise<Array<{ connection: ConnectionRow; key: [string, string] }>> {
      const { rows } = await pool.query(
        `SELECT *, created_at::text AS created_key FROM connections
          WHERE instance_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id::text) > ($2::timestamptz, $3::text))
          ORDER BY created_at, id::text LIMIT $4`,
        [instanceId, page.after?.[0] ?? null, page.after?.[1] ?? '', page.limit],
      );
      return rows.map((r: Record<string, unknown>) => ({ connection: toConnection(r), key: [String(r.created_key), String(r.id)] as [string, string] }));
    },

    /** The instance's connections still waiting for a person to authorize: its open connect flows, for the quota. */
    async openForInstance(instanceId: string, now: Date): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM connections WHERE instance_id = $1 AND status IN ('pending', 'authorizing') AND expires_at > $2`,
        [instanceId, now],
      );
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Retention, one batch: connections that ended (cancelled, expired, failed, or never active) more
     * than `cutoff` ago and that no channel points at any more. A channel's connection stays as long
     * as the channel row does.
     */
    async purgeEndedBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM connections WHERE id IN (
           SELECT c.id FROM connections c
            WHERE c.updated_at < $1 AND (c.status IN ('cancelled', 'expired', 'failed', 'disconnected') OR (c.status = 'pending' AND c.expires_at < $1))
              AND NOT EXISTS (SELECT 1 FROM channels ch WHERE ch.connection_id = c.id)
            LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },

    async setStatus(id: string, status: string, failureCode: string | null, now: Date): Promise<void> {
      await pool.query(`UPDATE connections SET status = $2, failure_code = $3, updated_at = $4 WHERE id = $1`, [id, status, failureCode, now]);
    },

    async setChannel(id: string, channelId: string, now: Date): Promise<void> {
      await pool.query(`UPDATE connections SET channel_id = $2, status = 'active', failure_code = NULL, updated_at = $3 WHERE id = $1`, [id, channelId, now]);
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
    requestHash: (r.request_hash as string | null | undefined) ?? null,
  };
}
