import type { ConversationSequence } from '../shared/conversation.js';
import { inTransaction, type Pool } from './pool.js';

/** One event as the intake stores it: ids and routing hints in clear, the event itself sealed. */
export interface IntakeEntry {
  key: string;
  kind: string;
  channelType: string;
  businessId: string;
  receivedAt: Date;
  /** The payload key that sealed `payload`; null only outside production, without keys. */
  payloadKeyId: string | null;
  payload: Buffer;
  /**
   * The keyed hash of the event's conversation (src/inbound/conversation-key.ts); absent for events
   * naming no customer. A new key of a conversation is numbered in the statement that accepts it.
   */
  conversation?: string;
}

/** `queued`: a new key, its row is in the intake; `duplicate`: seen before (or already waiting there). */
export type IntakeOutcome = 'queued' | 'duplicate';

export interface ClaimedEntry extends Omit<IntakeEntry, 'conversation'> {
  attempts: number;
  /** The event's place in its conversation, when it has one and was numbered at acceptance. */
  sequence?: ConversationSequence;
}

/** A started event's route as the webhook log records it (null: no live channel, an orphan). */
export interface StartedEntry {
  key: string;
  route: { channelId: string; instanceId: string } | null;
}

export interface IntakeStats {
  depth: number;
  oldestReceivedAt: Date | null;
}

/**
 * The intake table (migrations/1764515000000_inbound-intake.sql) together with the webhook log it
 * writes in the same statement: the dedup record and the queued event commit or fail together, so an
 * acknowledged event is always either queued or already started.
 */
export function createInboundIntakeStore(pool: Pool) {
  return {
    /**
     * One statement for a whole group-committed batch. Every key gets its webhook-log row (a repeat
     * counts as a duplicate there, repeats inside the batch included); a key whose workflow was never
     * started (new, or left by a crash of the former start-in-request path) is queued for the relay.
     * Keys are written in sorted order so that concurrent batches lock rows in the same order.
     *
     * Each key new to the webhook log that names a conversation takes that conversation's next sequence
     * number, in the order of `entries` (arrival order: group commit keeps its callers' order), from one
     * counter upsert per conversation, in sorted order (the lock order again: webhook-log keys, then
     * conversations, then intake keys). A duplicate never takes a number; a rollback takes none either.
     */
    async accept(entries: readonly IntakeEntry[], taskQueue: string): Promise<Map<string, IntakeOutcome>> {
      const outcomes = new Map<string, IntakeOutcome>();
      if (entries.length === 0) return outcomes;
      const repeats = new Map<string, number>();
      const unique = new Map<string, IntakeEntry>();
      const arrival = new Map<string, number>();
      entries.forEach((e, i) => {
        if (unique.has(e.key)) {
          repeats.set(e.key, (repeats.get(e.key) ?? 0) + 1);
        } else {
          unique.set(e.key, e);
          arrival.set(e.key, i);
        }
      });
      const rows = [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const { rows: result } = await pool.query<{ idempotency_key: string; queued: boolean }>(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::bytea[], $8::int[], $10::text[], $11::int[])
             AS t(k, kd, ct, b, r, kid, p, rep, conv, arr)
         ), logged AS (
           INSERT INTO webhook_log (idempotency_key, kind, channel_type, business_id, outcome, duplicates, received_at, updated_at)
           SELECT k, kd, ct, b, 'accepted', rep, r, r FROM input ORDER BY k
           ON CONFLICT (idempotency_key) DO UPDATE
             SET duplicates = webhook_log.duplicates + 1 + EXCLUDED.duplicates, updated_at = EXCLUDED.updated_at
           RETURNING idempotency_key, (xmax = 0) AS inserted, (workflow_started_at IS NOT NULL) AS started
         ), numbered AS (
           SELECT i.k, i.conv, i.r, row_number() OVER (PARTITION BY i.conv ORDER BY i.arr) AS n, count(*) OVER (PARTITION BY i.conv) AS total
             FROM input i JOIN logged l ON l.idempotency_key = i.k WHERE l.inserted AND i.conv IS NOT NULL
         ), counters AS (
           INSERT INTO conversation_sequences (conversation, last_sequence, started_at, updated_at)
           SELECT conv, count(*), max(r), max(r) FROM numbered GROUP BY conv ORDER BY conv
           ON CONFLICT (conversation) DO UPDATE
             SET last_sequence = conversation_sequences.last_sequence + EXCLUDED.last_sequence,
                 updated_at = GREATEST(conversation_sequences.updated_at, EXCLUDED.updated_at)
           RETURNING conversation, last_sequence, started_at
         ), sequenced AS (
           SELECT n.k, c.last_sequence - n.total + n.n AS seq, c.started_at FROM numbered n JOIN counters c ON c.conversation = n.conv
         ), queued AS (
           INSERT INTO inbound_intake (idempotency_key, task_queue, kind, channel_type, business_id, received_at, payload_key_id, payload, sequence, sequence_started_at)
           SELECT i.k, $9, i.kd, i.ct, i.b, i.r, i.kid, i.p, s.seq, s.started_at
             FROM input i JOIN logged l ON l.idempotency_key = i.k LEFT JOIN sequenced s ON s.k = i.k WHERE NOT l.started ORDER BY i.k
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING idempotency_key
         )
         SELECT l.idempotency_key, (l.inserted OR q.idempotency_key IS NOT NULL) AS queued
           FROM logged l LEFT JOIN queued q USING (idempotency_key)`,
        [
          rows.map((e) => e.key),
          rows.map((e) => e.kind),
          rows.map((e) => e.channelType),
          rows.map((e) => e.businessId),
          rows.map((e) => e.receivedAt),
          rows.map((e) => e.payloadKeyId),
          rows.map((e) => e.payload),
          rows.map((e) => repeats.get(e.key) ?? 0),
          taskQueue,
          rows.map((e) => e.conversation ?? null),
          rows.map((e) => arrival.get(e.key)!),
        ],
      );
      for (const row of result) outcomes.set(row.idempotency_key, row.queued ? 'queued' : 'duplicate');
      return outcomes;
    },

    /**
     * Claims up to `limit` of the oldest rows of `taskQueue` that no other relay holds (SKIP LOCKED),
     * hands them to `start`, and in the same transaction records the started ones' routes in the webhook
     * log and deletes their rows; rows `start` did not report started stay, their attempt counted. A
     * crash anywhere before the commit leaves every row for the next claim.
     */
    async claim(taskQueue: string, limit: number, start: (rows: ClaimedEntry[]) => Promise<StartedEntry[]>, now: () => Date): Promise<{ claimed: number; started: number }> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{
          idempotency_key: string;
          kind: string;
          channel_type: string;
          business_id: string;
          received_at: Date;
          payload_key_id: string | null;
          payload: Buffer;
          attempts: number;
          sequence: string | null;
          sequence_started_at: Date | null;
        }>(
          `SELECT idempotency_key, kind, channel_type, business_id, received_at, payload_key_id, payload, attempts, sequence, sequence_started_at
             FROM inbound_intake WHERE task_queue = $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [taskQueue, limit],
        );
        if (rows.length === 0) return { claimed: 0, started: 0 };
        const claimed = rows.map((r) => ({
          key: r.idempotency_key,
          kind: r.kind,
          channelType: r.channel_type,
          businessId: r.business_id,
          receivedAt: r.received_at,
          payloadKeyId: r.payload_key_id,
          payload: r.payload,
          attempts: r.attempts,
          ...(r.sequence !== null && r.sequence_started_at !== null ? { sequence: { sequence: Number(r.sequence), startedAt: r.sequence_started_at.toISOString() } } : {}),
        }));
        const started = await start(claimed);
        const startedKeys = new Set(started.map((s) => s.key));
        const at = now();
        if (started.length > 0) {
          // The workflow may already have recorded its outcome (it can finish before this commit): only
          // a row still `accepted`/`started` takes the routing outcome.
          await client.query(
            `UPDATE webhook_log w
                SET workflow_started_at = COALESCE(w.workflow_started_at, $4), channel_id = v.ch, instance_id = v.inst, updated_at = $4,
                    outcome = CASE WHEN w.outcome IN ('accepted', 'started') THEN CASE WHEN v.ch IS NULL THEN 'orphan' ELSE 'delivering' END ELSE w.outcome END,
                    finished_at = CASE WHEN w.outcome IN ('accepted', 'started') AND v.ch IS NULL THEN $4 ELSE w.finished_at END
               FROM unnest($1::text[], $2::uuid[], $3::text[]) AS v(k, ch, inst)
              WHERE w.idempotency_key = v.k`,
            [started.map((s) => s.key), started.map((s) => s.route?.channelId ?? null), started.map((s) => s.route?.instanceId ?? null), at],
          );
          await client.query(`DELETE FROM inbound_intake WHERE idempotency_key = ANY($1::text[])`, [[...startedKeys]]);
        }
        const left = claimed.filter((c) => !startedKeys.has(c.key)).map((c) => c.key);
        if (left.length > 0) await client.query(`UPDATE inbound_intake SET attempts = attempts + 1 WHERE idempotency_key = ANY($1::text[])`, [left]);
        return { claimed: claimed.length, started: started.length };
      });
    },

    /** Depth and oldest row, of one task queue or of the whole table: one indexed read. */
    async stats(taskQueue?: string): Promise<IntakeStats> {
      const { rows } = await pool.query<{ depth: string; oldest: Date | null }>(
        `SELECT count(*)::text AS depth, min(received_at) AS oldest FROM inbound_intake WHERE $1::text IS NULL OR task_queue = $1`,
        [taskQueue ?? null],
      );
      return { depth: Number(rows[0]?.depth ?? 0), oldestReceivedAt: rows[0]?.oldest ?? null };
    },
  };
}

export type InboundIntakeStore = ReturnType<typeof createInboundIntakeStore>;
