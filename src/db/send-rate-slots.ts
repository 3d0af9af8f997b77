import { inTransaction, type Pool } from './pool.js';

/** One rate a send must respect: at most `burst` at once, then one per `intervalMs`. */
export interface SendRateLimit {
  key: string;
  intervalMs: number;
  burst: number;
}

export type SendRateReservation =
  /** Send `waitMs` from now; `sendAt` is that moment on the database's clock (whole ms, rounded up). */
  | { granted: true; waitMs: number; sendAt: Date }
  /** Nothing was reserved; the same request fits within maxWaitMs in `retryAfterMs` (if nobody else reserves first). */
  | { granted: false; retryAfterMs: number };

/**
 * The GCRA state of one key and its limit, in integer microseconds of the database clock.
 * `tat` is the key's theoretical arrival time; intervals are at least 1 µs.
 */
export interface GcraSlot {
  tatUs: number;
  intervalUs: number;
  burst: number;
}

export type GcraDecision =
  | { granted: true; sendAtUs: number; newTatsUs: number[] }
  | { granted: false; retryAfterUs: number };

/**
 * Decides one send under several GCRA limits at once (e.g. the number's throughput and the
 * number-recipient pair): when it goes and what each key is charged, or that it would wait too long.
 *
 * Per key: interval T, tolerance τ = (burst−1)·T, state tat. A send at time s conforms to the key iff
 * s ≥ tat − τ, and charges it new tat = max(tat, s) + T.
 *
 * One send goes at one time s = max(now, max over keys of (tat − τ)): the earliest time every key
 * accepts. Each key is charged at that common s, not at its own earliest time s_k ≤ s. Write
 * v = max(tat, s) for the start of the T-long stretch of "virtual time" a send takes from a key:
 * v ≥ the previous tat, so a key's stretches never overlap and successive v are ≥ T apart; and
 * v − τ ≤ s ≤ v, since v is tat or s and s ≥ tat − τ. Sends falling in any window [a, b] therefore
 * have v in [a, b + τ], so there are at most floor((b − a)/T) + burst of them: the burst, then one per
 * T, whatever order the sends were reserved in. With burst 1, v = s, so sends are ≥ T apart.
 * Charging key k at max(tat_k, now) + T instead (its own schedule) would break this whenever another
 * key holds the send back past tat_k: the next send on k could then go less than T after this one.
 * (For a single key both forms agree: max(tat, max(now, tat − τ)) = max(tat, now).)
 *
 * A request whose wait s − now exceeds maxWait is refused and charges nothing. Without other
 * reservations the same keys accept it at s = max over keys of (tat − τ) from any time t' with
 * s − t' ≤ maxWait, i.e. retry after (s − now) − maxWait.
 */
export function gcraSchedule(slots: readonly GcraSlot[], nowUs: number, maxWaitUs: number): GcraDecision {
  let sendAtUs = nowUs;
  for (const slot of slots) sendAtUs = Math.max(sendAtUs, slot.tatUs - (slot.burst - 1) * slot.intervalUs);
  const waitUs = sendAtUs - nowUs;
  if (waitUs > maxWaitUs) return { granted: false, retryAfterUs: waitUs - maxWaitUs };
  return { granted: true, sendAtUs, newTatsUs: slots.map((slot) => Math.max(slot.tatUs, sendAtUs) + slot.intervalUs) };
}

/**
 * Send pacing shared by every worker process: the state lives in PostgreSQL (table send_rate_slots)
 * and all times are the database's clock_timestamp(), so workers' clocks never enter into it.
 */
export function createSendRateLimiter(pool: Pool) {
  return {
    /**
     * Reserves one send under every limit in `limits` (all or none) and says how long to wait before
     * sending. A send that would have to wait longer than `maxWaitMs` reserves nothing.
     */
    async reserve(limits: readonly SendRateLimit[], opts: { maxWaitMs: number }): Promise<SendRateReservation> {
      const byKey = checkedLimits(limits);
      if (!(Number.isFinite(opts.maxWaitMs) && opts.maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be a finite number >= 0');
      const keys = [...byKey.keys()];
      // The rows are soft state: losing the last reservations in a database crash costs at most a
      // short excess, while waiting for the WAL flush would hold the hot rows' locks that much longer.
      return inTransaction(pool, async (client, tx) => {
        // Locks every key's row in one statement, in one order for everybody (so two reservations
        // sharing keys never deadlock), creating missing rows on the way. A new row gets tat = now,
        // which schedules exactly like no row. An upsert rather than "insert, then SELECT … FOR UPDATE"
        // because the retention purge may delete an idle row between those two statements.
        // The clock is read after each lock is taken; the latest reading is "now".
        const { rows } = await client.query<{ key: string; tat_us: string; now_us: string }>(
          `INSERT INTO send_rate_slots AS s (key, tat)
           SELECT k, clock_timestamp() FROM unnest($1::text[]) AS k ORDER BY k COLLATE "C"
           ON CONFLICT (key) DO UPDATE SET tat = s.tat
           RETURNING s.key,
                     (extract(epoch FROM s.tat) * 1000000)::bigint AS tat_us,
                     (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us`,
          [keys],
        );
        const tatByKey = new Map(rows.map((r) => [r.key, Number(r.tat_us)]));
        const nowUs = Math.max(...rows.map((r) => Number(r.now_us)));
        const slots = keys.map((key) => ({ tatUs: tatByKey.get(key)!, intervalUs: byKey.get(key)!.intervalUs, burst: byKey.get(key)!.burst }));
        const decision = gcraSchedule(slots, nowUs, Math.round(opts.maxWaitMs * 1000));
        if (!decision.granted) {
          tx.rollback();
          return { granted: false, retryAfterMs: Math.ceil(decision.retryAfterUs / 1000) };
        }
        await client.query(
          `UPDATE send_rate_slots AS s SET tat = timestamptz 'epoch' + u.tat_us * interval '1 microsecond'
             FROM unnest($1::text[], $2::bigint[]) AS u(key, tat_us)
            WHERE s.key = u.key`,
          [keys, decision.newTatsUs.map(String)],
        );
        // Rounded up: a caller sleeping waitMs never sends before its slot.
        return { granted: true, waitMs: Math.ceil((decision.sendAtUs - nowUs) / 1000), sendAt: new Date(Math.ceil(decision.sendAtUs / 1000)) };
      }, { begin: 'BEGIN; SET LOCAL synchronous_commit TO off' });
    },

    /**
     * Deletes up to `limit` rows whose tat has passed on the database clock, returning how many. Such a
     * row schedules exactly like a missing one, so this changes no decision. Rows a reservation holds
     * are skipped rather than waited for: the purge never blocks a send, nor deadlocks with one.
     */
    async purgeIdle(limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `WITH idle AS (
           SELECT key FROM send_rate_slots WHERE tat < clock_timestamp() LIMIT $1 FOR UPDATE SKIP LOCKED)
         DELETE FROM send_rate_slots AS s USING idle WHERE s.key = idle.key`,
        [limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type SendRateLimiter = ReturnType<typeof createSendRateLimiter>;

/**
 * Limits by key, with the interval in whole microseconds; a malformed list is a programming error.
 * Messages never name the key: its recipient part identifies a person, if only through an HMAC.
 */
function checkedLimits(limits: readonly SendRateLimit[]): Map<string, { intervalUs: number; burst: number }> {
  if (limits.length === 0) throw new RangeError('reserve needs at least one limit');
  const byKey = new Map<string, { intervalUs: number; burst: number }>();
  for (const limit of limits) {
    if (!limit.key || limit.key.length > 512) throw new RangeError('a rate-limit key must have 1 to 512 characters');
    if (byKey.has(limit.key)) throw new RangeError('each rate-limit key may appear once');
    const intervalUs = Math.round(limit.intervalMs * 1000);
    if (!(Number.isFinite(intervalUs) && intervalUs >= 1)) throw new RangeError('a rate-limit interval must be at least 1 µs');
    if (!(Number.isInteger(limit.burst) && limit.burst >= 1)) throw new RangeError('a rate-limit burst must be an integer >= 1');
    byKey.set(limit.key, { intervalUs, burst: limit.burst });
  }
  return byKey;
}
