import type { Pool } from './pool.js';

/** Aggregates for the `channels{status}` gauge: counts only, no ids. */
export function createChannelStats(pool: Pool) {
  return {
    async countByStatus(): Promise<Record<string, number>> {
      const { rows } = await pool.query<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM channels GROUP BY status`);
      return Object.fromEntries(rows.map((r) => [r.status, r.count]));
    },
  };
}

export type ChannelStats = ReturnType<typeof createChannelStats>;
