import type { Pool } from './pool.js';

export type OutboundSendState = 'sending' | 'accepted' | 'failed' | 'unknown';

export interface OutboundSendRow {
  tag: string;
  instanceId: string;
  channelId: string;
  clientMessageId: string;
  state: OutboundSendState;
  metaMessageId: string | null;
}

interface Row {
  tag: string;
  instance_id: string;
  channel_id: string;
  client_message_id: string;
  state: OutboundSendState;
  meta_message_id: string | null;
}

const toRow = (r: Row): OutboundSendRow => ({
  tag: r.tag,
  instanceId: r.instance_id,
  channelId: r.channel_id,
  clientMessageId: r.client_message_id,
  state: r.state,
  metaMessageId: r.meta_message_id,
});

const COLUMNS = 'tag, instance_id, channel_id, client_message_id, state, meta_message_id';

/**
 * The send ledger (migrations/1764400000000_outbound-sends.sql): ids and state of every send, so a
 * status or echo webhook can be matched to the send it is about. Never content, never the recipient.
 */
export function createOutboundSends(pool: Pool) {
  return {
    /**
     * Before Meta is called. A retried attempt finds its row and leaves it as it is; either way the row
     * as it now stands comes back, so a retry can see that an earlier attempt already got Meta's answer.
     */
    async begin(input: { tag: string; instanceId: string; channelId: string; clientMessageId: string }, now: Date): Promise<{ state: OutboundSendState; metaMessageId: string | null } | undefined> {
      await pool.query(
        `INSERT INTO outbound_sends (tag, instance_id, channel_id, client_message_id, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'sending', $5, $5) ON CONFLICT (tag) DO NOTHING`,
        [input.tag, input.instanceId, input.channelId, input.clientMessageId, now],
      );
      const { rows } = await pool.query<{ state: OutboundSendState; meta_message_id: string | null }>(`SELECT state, meta_message_id FROM outbound_sends WHERE tag = $1`, [input.tag]);
      return rows[0] ? { state: rows[0].state, metaMessageId: rows[0].meta_message_id } : undefined;
    },

    /**
     * Meta's answer (or its absence). An accepted row is final: a late "unknown" from an attempt that
     * timed out after a status webhook already proved the send must not undo that proof.
     */
    async settle(tag: string, outcome: { state: Exclude<OutboundSendState, 'sending'>; metaMessageId?: string | null }, now: Date): Promise<void> {
      await pool.query(
        `UPDATE outbound_sends SET state = $2, meta_message_id = COALESCE($3, meta_message_id), updated_at = $4
          WHERE tag = $1 AND state <> 'accepted'`,
        [tag, outcome.state, outcome.metaMessageId ?? null, now],
      );
    },

    async byTag(tag: string): Promise<OutboundSendRow | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM outbound_sends WHERE tag = $1`, [tag]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    async byMetaMessageId(channelId: string, metaMessageId: string): Promise<OutboundSendRow | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM outbound_sends WHERE channel_id = $1 AND meta_message_id = $2`, [channelId, metaMessageId]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    /** Sends on the channel that Meta has not answered for (yet), newest first, bounded. */
    async unresolved(channelId: string, since: Date, limit = 20): Promise<OutboundSendRow[]> {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM outbound_sends
          WHERE channel_id = $1 AND state IN ('sending', 'unknown') AND created_at >= $2
          ORDER BY created_at DESC LIMIT $3`,
        [channelId, since, limit],
      );
      return rows.map(toRow);
    },

    /** The channel's sends by state (information right). */
    async countByStateForChannel(channelId: string): Promise<Array<{ state: string; count: number }>> {
      const { rows } = await pool.query<{ state: string; count: string }>(
        `SELECT state, count(*)::text AS count FROM outbound_sends WHERE channel_id = $1 GROUP BY state ORDER BY state`,
        [channelId],
      );
      return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
    },

    /** Retention, one batch: rows last touched before `cutoff` (the webhook log's window) can match no webhook any more. */
    async purgeBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM outbound_sends WHERE tag IN (SELECT tag FROM outbound_sends WHERE updated_at < $1 LIMIT $2)`, [cutoff, limit]);
      return rowCount ?? 0;
    },
  };
}

export type OutboundSends = ReturnType<typeof createOutboundSends>;
