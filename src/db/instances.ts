import type { Pool } from './pool.js';

export interface Instance {
  id: string;
  eventsUrl: string | null;
}

export function createInstances(pool: Pool) {
  return {
    /** Instances come into being on first contact: DSK's JWT is the proof that the instance exists. */
    async ensure(id: string): Promise<void> {
      await pool.query(`INSERT INTO instances (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [id]);
    },
    async get(id: string): Promise<Instance | undefined> {
      const { rows } = await pool.query<{ id: string; events_url: string | null }>(`SELECT id, events_url FROM instances WHERE id = $1`, [id]);
      return rows[0] ? { id: rows[0].id, eventsUrl: rows[0].events_url } : undefined;
    },
    /**
     * Retention, one batch: instances with no channel and no connection left, untouched since
     * `cutoff` (the next DSK call creates the row again; only its events URL is lost).
     */
    async purgeIdleBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM instances WHERE id IN (
           SELECT i.id FROM instances i
            WHERE i.updated_at < $1
              AND NOT EXISTS (SELECT 1 FROM channels c WHERE c.instance_id = i.id)
              AND NOT EXISTS (SELECT 1 FROM connections n WHERE n.instance_id = i.id)
            LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
    async setEventsUrl(id: string, eventsUrl: string | null): Promise<Instance> {
      const { rows } = await pool.query<{ id: string; events_url: string | null }>(
        `INSERT INTO instances (id, events_url) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET events_url = EXCLUDED.events_url, updated_at = now()
         RETURNING id, events_url`,
        [id, eventsUrl],
      );
      return { id: rows[0]!.id, eventsUrl: rows[0]!.events_url };
    },
  };
}

export type Instances = ReturnType<typeof createInstances>;
