import type { Pool } from './pool.js';

export interface Route {
  channelId: string;
  instanceId: string;
  channelType: 'whatsapp' | 'instagram';
  externalId: string;
  eventsUrl: string | null;
}

/** A live WhatsApp channel on a WABA, for routing the WABA's own events (inbound/waba-routing.ts). */
export interface WabaChannel {
  wabaId: string;
  instanceId: string;
  channelId: string;
  externalId: string;
  phoneNumber: string | null;
}

/**
 * Resolves the live channel an inbound event belongs to. A channel waiting for re-authorization is
 * still live here: inbound events need no token, so nothing is discarded while a person re-connects.
 * A WABA id never resolves by itself: several instances may have numbers on one WABA, and its events
 * are routed per number and per instance before they get here (inbound/waba-routing.ts).
 */
export function createRouting(pool: Pool) {
  return {
    async resolve(channelType: 'whatsapp' | 'instagram', businessId: string): Promise<Route | undefined> {
      const { rows } = await pool.query<{ id: string; instance_id: string; channel_type: 'whatsapp' | 'instagram'; external_id: string; events_url: string | null }>(
        `SELECT c.id, c.instance_id, c.channel_type, c.external_id, i.events_url
           FROM channels c JOIN instances i ON i.id = c.instance_id
          WHERE c.channel_type = $1 AND c.status <> 'disconnected' AND (c.external_id = $2 OR c.page_id = $2)
          ORDER BY (c.external_id = $2) DESC, c.created_at
          LIMIT 1`,
        [channelType, businessId],
      );
      const row = rows[0];
      return row
        ? { channelId: row.id, instanceId: row.instance_id, channelType: row.channel_type, externalId: row.external_id, eventsUrl: row.events_url }
        : undefined;
    },

    /** The live WhatsApp channels on these WABAs, oldest first. */
    async liveOnWabas(wabaIds: readonly string[]): Promise<WabaChannel[]> {
      if (wabaIds.length === 0) return [];
      const { rows } = await pool.query<{ waba_id: string; instance_id: string; id: string; external_id: string; phone_number: string | null }>(
        `SELECT waba_id, instance_id, id, external_id, phone_number FROM channels
          WHERE channel_type = 'whatsapp' AND status <> 'disconnected' AND waba_id = ANY($1::text[])
          ORDER BY created_at, id`,
        [wabaIds],
      );
      return rows.map((r) => ({ wabaId: r.waba_id, instanceId: r.instance_id, channelId: r.id, externalId: r.external_id, phoneNumber: r.phone_number }));
    },

    /**
     * `resolve` for many (channel type, business id) pairs in one query (the same rule: a WABA id never
     * resolves by itself), as the intake relay resolves a
     * batch before starting its workflows; a pair without a live channel is absent from the answer.
     * Keyed by `routeKey(channelType, businessId)`.
     */
    async resolveMany(pairs: ReadonlyArray<{ channelType: 'whatsapp' | 'instagram'; businessId: string }>): Promise<Map<string, Route>> {
      const routes = new Map<string, Route>();
      const unique = [...new Map(pairs.map((p) => [routeKey(p.channelType, p.businessId), p])).values()];
      if (unique.length === 0) return routes;
      const { rows } = await pool.query<{ ct: string; b: string; id: string; instance_id: string; channel_type: 'whatsapp' | 'instagram'; external_id: string; events_url: string | null }>(
        `SELECT v.ct, v.b, r.id, r.instance_id, r.channel_type, r.external_id, r.events_url
           FROM unnest($1::text[], $2::text[]) AS v(ct, b)
           JOIN LATERAL (
             SELECT c.id, c.instance_id, c.channel_type, c.external_id, i.events_url
               FROM channels c JOIN instances i ON i.id = c.instance_id
              WHERE c.channel_type = v.ct AND c.status <> 'disconnected' AND (c.external_id = v.b OR c.page_id = v.b)
              ORDER BY (c.external_id = v.b) DESC, c.created_at
              LIMIT 1) r ON true`,
        [unique.map((p) => p.channelType), unique.map((p) => p.businessId)],
      );
      for (const row of rows) {
        routes.set(routeKey(row.ct, row.b), { channelId: row.id, instanceId: row.instance_id, channelType: row.channel_type, externalId: row.external_id, eventsUrl: row.events_url });
      }
      return routes;
    },

    /**
     * The events URL of the instance that owns this channel, whatever the channel's status now. For an
     * event that disconnected its own channel, which must still reach DSK.
     */
    async eventsUrlOfChannel(channelId: string): Promise<string | null> {
      const { rows } = await pool.query<{ events_url: string | null }>(
        `SELECT i.events_url FROM channels c JOIN instances i ON i.id = c.instance_id WHERE c.id = $1`,
        [channelId],
      );
      return rows[0]?.events_url ?? null;
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;

export const routeKey = (channelType: string, businessId: string): string => `${channelType}\u0000${businessId}`;
