import { randomUUID } from 'node:crypto';
import type { ChannelKind } from '../shared/connections.js';
import { inTransaction, type Pool } from './pool.js';

export interface ChannelRow {
  id: string;
  instanceId: string;
  connectionId: string | null;
  channelType: ChannelKind;
  externalId: string;
  wabaId: string | null;
  pageId: string | null;
  businessId: string | null;
  displayName: string | null;
  phoneNumber: string | null;
  username: string | null;
  labels: Record<string, string>;
  verification: Record<string, unknown>;
  status: 'active' | 'reauth_required' | 'disconnected';
  tokenKeyId: string | null;
  tokenKind: string | null;
  tokenExpiresAt: Date | null;
  tokenCheckedAt: Date | null;
  hasToken: boolean;
  createdAt: Date;
  updatedAt: Date;
  disconnectedAt: Date | null;
}

export interface ActivatedAsset {
  instanceId: string;
  connectionId: string;
  channelType: ChannelKind;
  externalId: string;
  wabaId: string | null;
  pageId: string | null;
  businessId: string | null;
  displayName: string | null;
  phoneNumber: string | null;
  username: string | null;
  metaUserId: string | null;
  verification: Record<string, unknown>;
  tokenCiphertext: string;
  tokenKeyId: string;
  tokenKind: string;
  tokenExpiresAt: Date | null;
}

/** What a Graph call on behalf of a channel needs; the token is still encrypted. */
export interface ChannelCredentials {
  id: string;
  channelType: ChannelKind;
  /** WhatsApp phone number id / Instagram account id. */
  externalId: string;
  status: ChannelRow['status'];
  /** `fernet:<keyId>:<token>`; null once the channel was disconnected or never held a token. */
  tokenCiphertext: string | null;
}

const COLUMNS = `id, instance_id, connection_id, channel_type, external_id, waba_id, page_id, business_id, display_name, phone_number,
  username, labels, verification, status, token_key_id, token_kind, token_expires_at, token_checked_at, (token_ciphertext IS NOT NULL) AS has_token,
  created_at, updated_at, disconnected_at`;

/**
 * The `channels` table. Every read that serves DSK is scoped by instance (a channel of another
 * instance reads as absent, so callers answer 404 without revealing that it exists); the token's
 * ciphertext is read only where a Graph call needs it.
 */
export function createChannels(pool: Pool) {
  return {
    /**
     * Creates the channel, or takes over the live channel of the same Meta asset in the same instance
     * (a re-connect replaces its token). The same asset live in another instance is refused.
     */
    async activate(a: ActivatedAsset, now: Date): Promise<{ channelId: string } | { conflict: true }> {
      return inTransaction(pool, async (client, tx) => {
        const { rows } = await client.query<{ id: string; instance_id: string }>(
          `SELECT id, instance_id FROM channels WHERE channel_type = $1 AND external_id = $2 AND status <> 'disconnected' FOR UPDATE`,
          [a.channelType, a.externalId],
        );
        const existing = rows[0];
        if (existing && existing.instance_id !== a.instanceId) {
          tx.rollback();
          return { conflict: true };
        }
        const id = existing?.id ?? randomUUID();
        await client.query(
          `INSERT INTO channels (id, instance_id, connection_id, channel_type, external_id, waba_id, page_id, business_id, display_name, phone_number, username,
             verification, status, token_ciphertext, token_key_id, token_kind, token_expires_at, token_checked_at, created_at, updated_at, meta_user_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $14, $15, $16, $17, $17, $17, $18)
           ON CONFLICT (id) DO UPDATE SET connection_id = EXCLUDED.connection_id, waba_id = EXCLUDED.waba_id, page_id = EXCLUDED.page_id,
             business_id = EXCLUDED.business_id, display_name = COALESCE(channels.display_name, EXCLUDED.display_name),
             phone_number = EXCLUDED.phone_number, username = EXCLUDED.username, verification = EXCLUDED.verification, status = 'active',
             token_ciphertext = EXCLUDED.token_ciphertext, token_key_id = EXCLUDED.token_key_id, token_kind = EXCLUDED.token_kind,
             token_expires_at = EXCLUDED.token_expires_at, token_checked_at = EXCLUDED.token_checked_at, updated_at = EXCLUDED.updated_at,
             meta_user_id = EXCLUDED.meta_user_id, disconnected_at = NULL`,
          [id, a.instanceId, a.connectionId, a.channelType, a.externalId, a.wabaId, a.pageId, a.businessId, a.displayName, a.phoneNumber, a.username,
            JSON.stringify(a.verification), a.tokenCiphertext, a.tokenKeyId, a.tokenKind, a.tokenExpiresAt, now, a.metaUserId],
        );
        return { channelId: id };
      });
    },

    async get(id: string): Promise<ChannelRow | undefined> {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM channels WHERE id = $1`, [id]);
      return rows[0] ? toChannel(rows[0]) : undefined;
    },

    async getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined> {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM channels WHERE id = $1 AND instance_id = $2`, [id, instanceId]);
      return rows[0] ? toChannel(rows[0]) : undefined;
    },

    async listForInstance(instanceId: string, filter: { status?: string; channelType?: string }): Promise<ChannelRow[]> {
      const { rows } = await pool.query(
        `SELECT ${COLUMNS} FROM channels WHERE instance_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR channel_type = $3)
         ORDER BY created_at`,
        [instanceId, filter.status ?? null, filter.channelType ?? null],
      );
      return rows.map(toChannel);
    },

    /**
     * A page of the instance's channels, oldest first, after the cursor key `[created_at, id]` (the
     * timestamp as PostgreSQL writes it, so the key is exact to the microsecond).
     */
    async pageForInstance(
      instanceId: string,
      filter: { status?: string | undefined; channelType?: string | undefined },
      page: { after: readonly string[] | undefined; limit: number },
    ): Promise<Array<{ channel: ChannelRow; key: [string, string] }>> {
      const { rows } = await pool.query(
        `SELECT ${COLUMNS}, created_at::text AS created_key FROM channels
          WHERE instance_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR channel_type = $3)
            AND ($4::timestamptz IS NULL OR (created_at, id::text) > ($4::timestamptz, $5::text))
          ORDER BY created_at, id::text LIMIT $6`,
        [instanceId, filter.status ?? null, filter.channelType ?? null, page.after?.[0] ?? null, page.after?.[1] ?? '', page.limit],
      );
      return rows.map((r: Record<string, unknown>) => ({ channel: toChannel(r), key: [String(r.created_key), String(r.id)] as [string, string] }));
    },

    /** What DSK may correct: the display name and labels. */
    async correct(id: string, instanceId: string, patch: { displayName?: string | null; labels?: Record<string, string> }, now: Date): Promise<ChannelRow | undefined> {
      const { rows } = await pool.query(
        `UPDATE channels SET display_name = CASE WHEN $3 THEN $4 ELSE display_name END, labels = COALESCE($5::jsonb, labels), updated_at = $6
          WHERE id = $1 AND instance_id = $2 RETURNING ${COLUMNS}`,
        [id, instanceId, patch.displayName !== undefined, patch.displayName ?? null, patch.labels ? JSON.stringify(patch.labels) : null, now],
      );
      return rows[0] ? toChannel(rows[0]) : undefined;
    },

    /** The channel's stored token for a request made by DSK (media upload), scoped by instance. */
    async credentialsForInstance(instanceId: string, channelId: string): Promise<ChannelCredentials | undefined> {
      const { rows } = await pool.query<{ id: string; channel_type: ChannelKind; external_id: string; status: ChannelRow['status']; token_ciphertext: string | null }>(
        `SELECT id, channel_type, external_id, status, token_ciphertext FROM channels WHERE id = $1 AND instance_id = $2`,
        [channelId, instanceId],
      );
      const row = rows[0];
      return row ? { id: row.id, channelType: row.channel_type, externalId: row.external_id, status: row.status, tokenCiphertext: row.token_ciphertext } : undefined;
    },

    async tokenCiphertext(id: string): Promise<string | null> {
      const { rows } = await pool.query<{ token_ciphertext: string | null }>(`SELECT token_ciphertext FROM channels WHERE id = $1`, [id]);
      return rows[0]?.token_ciphertext ?? null;
    },

    async replaceToken(id: string, token: { ciphertext: string; keyId: string; kind: string; expiresAt: Date | null }, now: Date): Promise<void> {
      await pool.query(
        `UPDATE channels SET token_ciphertext = $2, token_key_id = $3, token_kind = $4, token_expires_at = $5, token_checked_at = $6, updated_at = $6
          WHERE id = $1 AND status <> 'disconnected'`,
        [id, token.ciphertext, token.keyId, token.kind, token.expiresAt, now],
      );
    },

    /** Live channels granted by one Meta user, for Meta's deauthorize and data-deletion callbacks. */
    async liveForMetaUser(metaUserId: string): Promise<Array<{ id: string; connectionId: string | null }>> {
      const { rows } = await pool.query<{ id: string; connection_id: string | null }>(
        `SELECT id, connection_id FROM channels WHERE meta_user_id = $1 AND status <> 'disconnected'`,
        [metaUserId],
      );
      return rows.map((r) => ({ id: r.id, connectionId: r.connection_id }));
    },

    /** Whether another live channel relies on the same WABA or page webhook subscription. */
    async sharesSubscription(channel: { id: string; channelType: ChannelKind; wabaId: string | null; pageId: string | null }): Promise<boolean> {
      if (!channel.wabaId && !channel.pageId) return false;
      const { rowCount } = await pool.query(
        `SELECT 1 FROM channels WHERE id <> $1 AND channel_type = $2 AND status <> 'disconnected'
           AND (($3::text IS NOT NULL AND waba_id = $3) OR ($4::text IS NOT NULL AND page_id = $4)) LIMIT 1`,
        [channel.id, channel.channelType, channel.wabaId, channel.pageId],
      );
      return (rowCount ?? 0) > 0;
    },

    async recordCheck(id: string, expiresAt: Date | null, now: Date): Promise<void> {
      await pool.query(`UPDATE channels SET token_expires_at = $2, token_checked_at = $3 WHERE id = $1`, [id, expiresAt, now]);
    },

    async setStatus(id: string, status: 'active' | 'reauth_required', now: Date): Promise<void> {
      await pool.query(`UPDATE channels SET status = $2, updated_at = $3 WHERE id = $1 AND status <> 'disconnected'`, [id, status, now]);
    },

    /**
     * The channel and every other live channel of the same instance on the same WABA (a WhatsApp
     * business that removes the app removes it for all its numbers), each with its connection; the
     * channel itself first. Another instance's channels on the WABA get the event routed to them, and
     * disconnect their own (inbound/waba-routing.ts).
     */
    async liveOnSameWaba(channelId: string): Promise<Array<{ id: string; connectionId: string | null }>> {
      const { rows } = await pool.query<{ id: string; connection_id: string | null }>(
        `SELECT c.id, c.connection_id FROM channels c JOIN channels me ON me.id = $1
          WHERE c.id = me.id OR (me.waba_id IS NOT NULL AND c.waba_id = me.waba_id AND c.channel_type = me.channel_type
            AND c.instance_id = me.instance_id AND c.status <> 'disconnected')
          ORDER BY (c.id = me.id) DESC`,
        [channelId],
      );
      return rows.map((r) => ({ id: r.id, connectionId: r.connection_id }));
    },

    /**
     * Marks the channel disconnected and destroys its token in one statement: the connection
     * workflow's last step, and the whole disconnect of a channel whose workflow is gone. Idempotent:
     * a channel disconnected before keeps its first `disconnected_at`. Returns whether the channel exists.
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

    /** For the `channels{status}` gauge: counts only, no ids. */
    async countByStatus(): Promise<Record<string, number>> {
      const { rows } = await pool.query<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM channels GROUP BY status`);
      return Object.fromEntries(rows.map((r) => [r.status, r.count]));
    },

    /**
     * Retention, one batch: destroys stored tokens that may no longer be kept, because the channel was
     * disconnected (disconnect already destroys it; this catches any path that did not) or the token
     * expired. The row stays; token kind and expiry remain as a record of what happened.
     */
    async destroyDeadTokensBatch(now: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `UPDATE channels SET token_ciphertext = NULL, token_key_id = NULL, updated_at = $1
          WHERE id IN (
            SELECT id FROM channels
             WHERE token_ciphertext IS NOT NULL AND (status = 'disconnected' OR token_expires_at < $1)
             LIMIT $2)`,
        [now, limit],
      );
      return rowCount ?? 0;
    },

    /**
     * Retention, one batch: channel records disconnected before `cutoff` (kept until then so the
     * platform can show the channel's history). Their ledger rows and statuses go with them.
     */
    async purgeDisconnectedBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM channels WHERE id IN (
           SELECT id FROM channels WHERE status = 'disconnected' AND disconnected_at < $1 AND token_ciphertext IS NULL LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type Channels = ReturnType<typeof createChannels>;

function toChannel(r: Record<string, unknown>): ChannelRow {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    connectionId: (r.connection_id as string | null) ?? null,
    channelType: r.channel_type as ChannelKind,
    externalId: r.external_id as string,
    wabaId: (r.waba_id as string | null) ?? null,
    pageId: (r.page_id as string | null) ?? null,
    businessId: (r.business_id as string | null) ?? null,
    displayName: (r.display_name as string | null) ?? null,
    phoneNumber: (r.phone_number as string | null) ?? null,
    username: (r.username as string | null) ?? null,
    labels: (r.labels as Record<string, string>) ?? {},
    verification: (r.verification as Record<string, unknown>) ?? {},
    status: r.status as ChannelRow['status'],
    tokenKeyId: (r.token_key_id as string | null) ?? null,
    tokenKind: (r.token_kind as string | null) ?? null,
    tokenExpiresAt: (r.token_expires_at as Date | null) ?? null,
    tokenCheckedAt: (r.token_checked_at as Date | null) ?? null,
    hasToken: r.has_token as boolean,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    disconnectedAt: (r.disconnected_at as Date | null) ?? null,
  };
}
