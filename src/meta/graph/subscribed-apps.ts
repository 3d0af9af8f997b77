import { z } from 'zod';
import { MetaRequestError, type GraphOperation } from './errors.js';
import { checkId, expectSuccess, IdString, type GraphTransport } from './transport.js';

/*
 * `/{object-id}/subscribed_apps`: how an app gets a WABA's or a page's webhooks (reference §5.1, §5.2).
 * The same Graph edge serves WhatsApp (WABA) and Instagram via Facebook Login (page); Instagram Login
 * has its own on graph.instagram.com, answered in the same shape.
 */

const SubscribedAppsBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString.optional(),
        name: z.string().optional(),
        subscribed_fields: z.array(z.string()).optional(),
        whatsapp_business_api_data: z.object({ id: IdString.optional(), name: z.string().optional() }).loose().optional(),
      })
      .loose(),
  ),
});

/**
 * One app subscribed to a WABA, a page or an Instagram account. WABAs nest the app under
 * `whatsapp_business_api_data`; pages list `id` and `subscribed_fields`; Instagram Login lists only
 * the calling app's `subscribed_fields`.
 */
export interface SubscribedApp {
  appId: string | undefined;
  subscribedFields: string[] | undefined;
}

/** Either shape, as `{appId, subscribedFields}` rows. */
export function parseSubscribedAppsBody(operation: GraphOperation, json: unknown): SubscribedApp[] {
  const parsed = SubscribedAppsBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError(operation, 'invalid_response');
  return parsed.data.data.map((row) => ({ appId: row.whatsapp_business_api_data?.id ?? row.id, subscribedFields: row.subscribed_fields }));
}

/** The subscription calls on one Graph object (a WABA or a page). */
export function createSubscribedApps(graph: GraphTransport) {
  return {
    /** `GET /{waba-id|page-id}/subscribed_apps`. */
    async list(token: string, objectId: string): Promise<SubscribedApp[]> {
      checkId(objectId, 'object id');
      return parseSubscribedAppsBody('listSubscribedApps', await graph.json('listSubscribedApps', 'GET', `${objectId}/subscribed_apps`, token));
    },

    /** `POST /{waba-id|page-id}/subscribed_apps[?subscribed_fields=]`: pages need the fields, WABAs take none. */
    async subscribe(token: string, objectId: string, opts: { subscribedFields?: readonly string[] } = {}): Promise<void> {
      checkId(objectId, 'object id');
      const query = opts.subscribedFields ? { subscribed_fields: opts.subscribedFields.join(',') } : {};
      expectSuccess('subscribeApp', await graph.json('subscribeApp', 'POST', `${objectId}/subscribed_apps`, token, { query }));
    },

    /** `DELETE /{waba-id|page-id}/subscribed_apps`: removes this app's subscription. */
    async unsubscribe(token: string, objectId: string): Promise<void> {
      checkId(objectId, 'object id');
      expectSuccess('unsubscribeApp', await graph.json('unsubscribeApp', 'DELETE', `${objectId}/subscribed_apps`, token));
    },
  };
}

export type SubscribedApps = ReturnType<typeof createSubscribedApps>;
