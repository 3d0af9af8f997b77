import type { Pool } from './pool.js';

export interface Instance {
  id: string;
  eventsUrl: string | null;
  /** The event types DSK chose to receive; null: every type. */
  eventTypes: string[] | null;
}

type InstanceRecord = { id: string; events_url: string | null; event_types: string[] | null };
const toInstance = (r: InstanceRecord): Instance => ({ id: r.id, eventsUrl: r.events_url, eventTypes: r.event_types });

export function createInstances(pool: Pool) {
  return {
    /** Instances come into being on first contact: DSK's JWT is the proof that the instance exists. */
    async ensure(id: string): Promise<void> {
      await pool.query(`INSERT INTO instances (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [id]);
    },
    async get(id: string): Promise<Instance | undefined> {
      const { rows } = await pool.query<InstanceRecord>(`SELECT id, events_url, event_types FROM instances WHERE id = $1`, [id]);
      return rows[0] ? toInstance(rows[0]) : undefined;
    },
    /** The event types the instance receives (null: all); undefined for an unknown instance. */
    async eventTypesOf(id: string): Promise<string[] | null | undefined> {
      const { rows } = await pool.query<{ event_types: string[] | null }>(`SELECT event_types FROM instances WHERE id = $1`, [id]);
      return rows[0] ? rows[0].event_types : undefined;
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
      return this.setSettings(id, { eventsUrl });
    },
    /** PUT /v1/instance: the events URL, and the event types when given (absent: unchanged; null: all). */
    async setSettings(id: string, settings: { eventsUrl: string | null; eventTypes?: readonly string[] | null }): Promise<Instance> {
      const { rows } = await pool.query<InstanceRecord>(
        `INSERT INTO instances (id, events_url, event_types) VALUES ($1, $2, $4)
         ON CONFLICT (id) DO UPDATE SET events_url = EXCLUDED.events_url,
           event_types = CASE WHEN $3 THEN EXCLUDED.event_types ELSE instances.event_types END, updated_at = now()
         RETURNING id, events_url, event_types`,
        [id, settings.eventsUrl, settings.eventTypes !== undefined, settings.eventTypes ?? null],
      );
      return toInstance(rows[0]!);
    },
  };
}

export type Instances = ReturnType<typeof createInstances>;
