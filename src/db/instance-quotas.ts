import type { Pool } from './pool.js';

/**
 * The `instance_request_windows` table: requests per instance per fixed window, counted in
 * PostgreSQL so every api replica shares one count (an instance cannot multiply its quota by the
 * number of replicas). Ids and counts only.
 */
export function createInstanceQuotas(pool: Pool) {
  return {
    /** Counts one request in the instance's current window: the window's count with it, and when the window ends. */
    async take(instanceId: string, now: Date, windowMs: number): Promise<{ count: number; windowEndsAt: Date }> {
      const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
      const { rows } = await pool.query<{ requests: number }>(
        `INSERT INTO instance_request_windows (instance_id, window_start, requests) VALUES ($1, $2, 1)
         ON CONFLICT (instance_id, window_start) DO UPDATE SET requests = instance_request_windows.requests + 1
         RETURNING requests`,
        [instanceId, windowStart],
      );
      return { count: rows[0]!.requests, windowEndsAt: new Date(windowStart.getTime() + windowMs) };
    },

    /** Retention, one batch: windows that ended before `cutoff`. */
    async purgeBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM instance_request_windows WHERE (instance_id, window_start) IN (
           SELECT instance_id, window_start FROM instance_request_windows WHERE window_start < $1 LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type InstanceQuotas = ReturnType<typeof createInstanceQuotas>;
