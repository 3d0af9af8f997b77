import Router from '@koa/router';
import { z } from 'zod';
import type { Instances } from '../../db/instances.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody } from '../validate.js';

const EventsUrlBody = z.object({
  events_url: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .max(2048)
    .nullable(),
});

/** The calling instance's own settings: where the service POSTs its events. */
export function instanceRoutes(deps: { instances: Instances }): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const instance = await deps.instances.get(instanceId);
    if (!instance) throw new ApiError(404, 'instance_not_found', 'This instance has no settings yet; PUT /v1/instance first');
    ctx.body = { id: instance.id, events_url: instance.eventsUrl };
  });
  router.put('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const body = await parseBody(ctx, EventsUrlBody);
    const instance = await deps.instances.setEventsUrl(instanceId, body.events_url);
    ctx.body = { id: instance.id, events_url: instance.eventsUrl };
  });
  return router;
}
