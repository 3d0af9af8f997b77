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
