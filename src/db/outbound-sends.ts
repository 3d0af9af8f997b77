import { legacyOutboundWorkflowId } from '../shared/ids.js';
import type { OutboundError } from '../shared/outbound.js';
import type { Pool } from './pool.js';

export type OutboundSendState = 'sending' | 'accepted' | 'failed' | 'unknown';

export interface OutboundSendRow {
  tag: string;
  instanceId: string;
  channelId: string;
  clientMessageId: string;
  /** The one run that may call Meta for this send. */
  workflowId: string;
  state: OutboundSendState;
  metaMessageId: string | null;
  /** When that run first went to call Meta; null: Meta has not been called for this send. */
  attemptedAt: Date | null;
  /** A failed or unknown send's stable error (never Meta's text). */
  error: OutboundError | null;
  /** Meta accepted the send and reported it failed afterwards: failed, whatever its workflow answered. */
  failedLate: boolean;
}

interface Row {
  tag: string;
  instance_id: string;
  channel_id: string;
  client_message_id: string;
  workflow_id: string | null;
  state: OutboundSendState;
  meta_message_id: string | null;
  attempted_at: Date | null;
  failed_late_at: Date | null;
  error: OutboundError | null;
}

const toRow = (r: Row): OutboundSendRow => ({
  tag: r.tag,
  instanceId: r.instance_id,
  channelId: r.channel_id,
  clientMessageId: r.client_message_id,
  workflowId: r.workflow_id ?? legacyOutboundWorkflowId(r.instance_id, r.client_message_id),
  state: r.state,
  metaMessageId: r.meta_message_id,
  attemptedAt: r.attempted_at,
  error: r.error,
  failedLate: r.failed_late_at !== null,
});

const COLUMNS = 'tag, instance_id, channel_id, client_message_id, workflow_id, state, meta_message_id, attempted_at, error, failed_late_at';

export interface SendClaim {
  tag: string;
  instanceId: string;
  channelId: string;
  clientMessageId: string;
  workflowId: string;
}

/**
 * The send ledger (migrations/1764400000000_outbound-sends.sql, 1765100000000_tenancy.sql): ids and
 * state of every send, never content or the recipient. It is the idempotency authority for a
 * client_message_id for as long as its row is kept (the webhook log's 30 days after its last change):
 * the api claims the row before any workflow exists, the claim names the one workflow that may call
 * Meta, and a repeat is answered from that workflow or, once Temporal has forgotten it, from here. It
 * also lets a status or echo webhook find its send again.
 */
export function createOutboundSends(pool: Pool) {
  return {
    /**
     * Claims (instance, client_message_id) for a new send before its workflow starts. `created` is
     * false when the id was claimed before, with that claim's row: a repeat, never a second send.
     */
    async claim(input: SendClaim, now: Date): Promise<{ created: boolean; row: OutboundSendRow }> {
      const inserted = await pool.query<Row>(
        `INSERT INTO outbound_sends (tag, instance_id, channel_id, client_message_id, workflow_id, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'sending', $6, $6) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [input.tag, input.instanceId, input.channelId, input.clientMessageId, input.workflowId, now],
      );
      if (inserted.rows[0]) return { created: true, row: toRow(inserted.rows[0]) };
      const existing = await this.forClient(input.instanceId, input.clientMessageId);
      if (!existing) throw new Error('send ledger: claim conflicted but no row holds it');
      return { created: false, row: existing };
    },

    /** Gives up a claim no run has used (the quota refused the send): the id may be sent later. */
    async release(tag: string): Promise<void> {
      await pool.query(`DELETE FROM outbound_sends WHERE tag = $1 AND state = 'sending' AND attempted_at IS NULL`, [tag]);
    },

    /** The instance's send with this client_message_id; another instance's is never found. */
    async forClient(instanceId: string, clientMessageId: string): Promise<OutboundSendRow | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM outbound_sends WHERE instance_id = $1 AND client_message_id = $2`, [instanceId, clientMessageId]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    /**
     * Just before Meta is called: `began` only for the run the claim names (a row is created for a run
     * started before claims existed), while the send is unsettled. Any other run must not call Meta.
     * Otherwise the row as it stands comes back, so a retried attempt can see that an earlier attempt
     * of its own run already got Meta's answer.
     */
    async begin(input: SendClaim, now: Date): Promise<{ began: boolean; row: OutboundSendRow | undefined }> {
      const updated = await pool.query<Row>(
        `INSERT INTO outbound_sends (tag, instance_id, channel_id, client_message_id, workflow_id, state, attempted_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'sending', $6, $6, $6)
         ON CONFLICT (tag) DO UPDATE SET attempted_at = COALESCE(outbound_sends.attempted_at, EXCLUDED.attempted_at), updated_at = EXCLUDED.updated_at
          WHERE COALESCE(outbound_sends.workflow_id, 'outbound-' || outbound_sends.instance_id || '-' || outbound_sends.client_message_id) = EXCLUDED.workflow_id
            AND outbound_sends.state = 'sending'
         RETURNING ${COLUMNS}`,
        [input.tag, input.instanceId, input.channelId, input.clientMessageId, input.workflowId, now],
      );
      if (updated.rows[0]) return { began: true, row: toRow(updated.rows[0]) };
      return { began: false, row: await this.byTag(input.tag) };
    },

    /**
     * Meta's answer (or its absence), or the send's final outcome. An accepted row is final: a late
     * "unknown" from an attempt that timed out after a status webhook already proved the send must not
     * undo that proof. A failure Meta reported afterwards (recordLateFailure) is final too, even when
     * the answer comes in later still.
     */
    async settle(tag: string, outcome: { state: Exclude<OutboundSendState, 'sending'>; metaMessageId?: string | null; error?: OutboundError | null }, now: Date): Promise<void> {
      await pool.query(
        `UPDATE outbound_sends SET state = $2, meta_message_id = COALESCE($3, meta_message_id), error = COALESCE($4::jsonb, error), updated_at = $5
          WHERE tag = $1 AND state <> 'accepted' AND failed_late_at IS NULL`,
        [tag, outcome.state, outcome.metaMessageId ?? null, outcome.error ? JSON.stringify(outcome.error) : null, now],
      );
    },

    /**
     * Meta accepted the send and then reported it failed (a `failed` status webhook): the send is failed
     * with our stable code. True only for the first report; Meta can send one per device or code.
     */
    async recordLateFailure(tag: string, error: OutboundError, now: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE outbound_sends SET state = 'failed', error = $2::jsonb, failed_late_at = $3, updated_at = $3 WHERE tag = $1 AND failed_late_at IS NULL`,
        [tag, JSON.stringify(error), now],
      );
      return (rowCount ?? 0) > 0;
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

    /** Sends of the instance still unsettled and started after `since`: its open send workflows, for the quota. */
    async openForInstance(instanceId: string, since: Date): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM outbound_sends WHERE instance_id = $1 AND state = 'sending' AND created_at >= $2`,
        [instanceId, since],
      );
      return Number(rows[0]?.n ?? 0);
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
