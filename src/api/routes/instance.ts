import Router from '@koa/router';
import { z } from 'zod';
import type { Instances } from '../../db/instances.js';
import { checkEventsUrl, type EgressPolicy } from '../../dsk/egress.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody } from '../validate.js';

const EventsUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048);
export const EventsUrlBody = z.object({ events_url: EventsUrl.nullable() });
// Events carry message content: in production they travel over HTTPS only (privacy policy §4.3).
const HttpsEventsUrlBody = z.object({ events_url: EventsUrl.refine((u) => u.startsWith('https://'), 'must be an https URL').nullable() });

export interface InstanceRouteDeps {
  instances: Instances;
  /** The delivery egress policy: a URL it would refuse is refused here already, with a clear 422. */
  egress: EgressPolicy;
  /** Refuse plain-http events URLs (production). */
  httpsOnly?: boolean;
}

/** The calling instance's own settings: where the service POSTs its events. */
export function instanceRoutes(deps: InstanceRouteDeps): Router {
  const router = new Router({ prefix: '/v1' });
  const body = deps.httpsOnly ? HttpsEventsUrlBody : EventsUrlBody;
  router.get('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const instance = await deps.instances.get(instanceId);
    if (!instance) throw new ApiError(404, 'instance_not_found', 'This instance has no settings yet; PUT /v1/instance first');
    ctx.body = { id: instance.id, events_url: instance.eventsUrl };
  });
  router.put('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { events_url } = await parseBody(ctx, body);
    if (events_url !== null && (await checkEventsUrl(deps.egress, events_url)) !== undefined) {
      throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [
        { path: 'events_url', message: 'must reach a public address (loopback, private, link-local and metadata addresses are refused)' },
      ]);
    }
    const instance = await deps.instances.setEventsUrl(instanceId, events_url);
    ctx.body = { id: instance.id, events_url: instance.eventsUrl };
  });
  return router;
}
