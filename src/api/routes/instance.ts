import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { Instances } from '../../db/instances.js';
import { DskDeliveryError, type DskClient } from '../../dsk/client.js';
import { checkEventsUrl, type EgressPolicy } from '../../dsk/egress.js';
import { TEST_EVENT_TYPE } from '../../dsk/subscriptions.js';
import { DSK_EVENT_TYPES } from '../../shared/inbound-events.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody } from '../validate.js';

const EventsUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048);
/** The types an instance may choose; `test.ping` always comes, so it is not among them. */
const SUBSCRIBABLE_TYPES = DSK_EVENT_TYPES.filter((t) => t !== TEST_EVENT_TYPE) as Array<Exclude<(typeof DSK_EVENT_TYPES)[number], 'test.ping'>>;
/** Absent: unchanged; null: every type (also types added later); a list: only those. */
export const EventTypes = z
  .array(z.enum(SUBSCRIBABLE_TYPES as [string, ...string[]]))
  .min(1, 'give at least one type, or null for every type')
  .refine((types) => new Set(types).size === types.length, 'each type once')
  .nullable()
  .optional();
export const InstanceBody = z.object({ events_url: EventsUrl.nullable(), event_types: EventTypes });
// Events carry message content: in production they travel over HTTPS only (privacy policy §4.3).
export const HttpsInstanceBody = InstanceBody.extend({ events_url: EventsUrl.refine((u) => u.startsWith('https://'), 'must be an https URL').nullable() });

export interface InstanceRouteDeps {
  instances: Instances;
  /** The delivery egress policy: a URL it would refuse is refused here already, with a clear 422. */
  egress: EgressPolicy;
  /** Refuse plain-http events URLs (production). */
  httpsOnly?: boolean;
  /** For the test event (absent: POST /v1/instance/test-event answers 404). */
  dsk?: Pick<DskClient, 'deliver'>;
  clock?: () => Date;
}

const view = (instance: { id: string; eventsUrl: string | null; eventTypes: string[] | null }) => ({ id: instance.id, events_url: instance.eventsUrl, event_types: instance.eventTypes });

/** The calling instance's own settings: where the service POSTs its events, and which types. */
export function instanceRoutes(deps: InstanceRouteDeps): Router {
  const router = new Router({ prefix: '/v1' });
  const body = deps.httpsOnly ? HttpsInstanceBody : InstanceBody;
  router.get('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const instance = await deps.instances.get(instanceId);
    if (!instance) throw new ApiError(404, 'instance_not_found', 'This instance has no settings yet; PUT /v1/instance first');
    ctx.body = view(instance);
  });
  router.put('/instance', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { events_url, event_types } = await parseBody(ctx, body);
    if (events_url !== null && (await checkEventsUrl(deps.egress, events_url)) !== undefined) {
      throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [
        { path: 'events_url', message: 'must reach a public address (loopback, private, link-local and metadata addresses are refused)' },
      ]);
    }
    const instance =
      event_types === undefined ? await deps.instances.setEventsUrl(instanceId, events_url) : await deps.instances.setSettings(instanceId, { eventsUrl: events_url, eventTypes: event_types });
    ctx.body = view(instance);
  });

  /**
   * A `test.ping` event to the instance's events URL now, signed and keyed like every event and
   * whatever its event_types: DSK checks its endpoint and sees the answer it gave.
   */
  router.post('/instance/test-event', async (ctx) => {
    const instanceId = requireInstance(ctx);
    if (!deps.dsk) throw new ApiError(404, 'not_found', 'No such route');
    const instance = await deps.instances.get(instanceId);
    if (!instance?.eventsUrl) throw new ApiError(409, 'no_events_url', 'This instance has no events URL; PUT /v1/instance first');
    const at = (deps.clock ?? (() => new Date()))().toISOString();
    const id = `test:ping:${randomUUID()}`;
    const envelope = { id, type: TEST_EVENT_TYPE, version: 1, instance_id: instanceId, channel: null, occurred_at: at, received_at: at, data: { requested_at: at }, raw: null };
    try {
      const { status } = await deps.dsk.deliver({ url: instance.eventsUrl, instanceId, idempotencyKey: id, envelope });
      ctx.body = { event_id: id, delivered: true, dsk_status: status };
    } catch (err) {
      if (!(err instanceof DskDeliveryError)) throw err;
      // DSK's answer (a status, or a class such as `timeout`), never an address or a network error's text.
      throw new ApiError(502, 'test_event_failed', 'The events URL did not accept the test event', { event_id: id, dsk_status: err.status ?? null, reason: err.publicReason });
    }
  });
  return router;
}
