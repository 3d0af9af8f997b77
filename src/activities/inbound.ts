import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { Routing } from '../db/routing.js';
import type { DeliveryOutcome, WebhookLog } from '../db/webhook-log.js';
import { DskDeliveryError, type DskClient } from '../dsk/client.js';
import { toDskEnvelope, type DeliveryRoute } from '../shared/delivery.js';
import type { ChannelType, InboundEvent } from '../shared/inbound-events.js';

export interface InboundActivityDeps {
  routing: Routing;
  webhookLog: WebhookLog;
  dsk: DskClient;
  clock: () => Date;
}

/** Thin activities around the routing table, the webhook log and the DSK client. */
export function createInboundActivities(deps: InboundActivityDeps) {
  return {
    async resolveInboundRoute(input: { key: string; channelType: ChannelType | 'unknown'; businessId: string }): Promise<DeliveryRoute | null> {
      const route =
        input.channelType === 'unknown' || input.businessId === '' ? undefined : await deps.routing.resolve(input.channelType, input.businessId);
      await deps.webhookLog.recordRoute(input.key, route ? { channelId: route.channelId, instanceId: route.instanceId } : null, deps.clock());
      return route ? { channelId: route.channelId, instanceId: route.instanceId, channelType: route.channelType, externalId: route.externalId } : null;
    },

    /**
     * One attempt to hand the event to DSK. The events URL is read at each attempt so that an instance
     * that fixes its URL is picked up by the retries already under way.
     */
    async deliverToDsk(input: { event: InboundEvent; route: DeliveryRoute; receivedAt: string }): Promise<{ status: number; attempt: number }> {
      const { attempt } = activityInfo();
      const { event, route } = input;
      const current = await deps.routing.resolve(route.channelType, route.externalId);
      const url = current?.channelId === route.channelId ? current.eventsUrl : null;
      try {
        const { status } = await deps.dsk.deliver({
          url,
          instanceId: route.instanceId,
          idempotencyKey: event.key,
          envelope: toDskEnvelope(event, route, input.receivedAt),
        });
        await deps.webhookLog.recordAttempt(event.key, { attempts: attempt, dskStatus: status, errorCode: null }, deps.clock());
        return { status, attempt };
      } catch (err) {
        if (!(err instanceof DskDeliveryError)) throw err;
        await deps.webhookLog.recordAttempt(event.key, { attempts: attempt, dskStatus: err.status ?? null, errorCode: err.reason }, deps.clock());
        throw ApplicationFailure.create({
          type: err.reason === 'http' ? `dsk.http_${err.status}` : `dsk.${err.reason}`,
          message: err.message,
          nonRetryable: !err.retryable,
          nextRetryDelay: err.retryAfterMs,
          details: [{ dskStatus: err.status ?? null }],
        });
      }
    },

    async recordInboundOutcome(input: { key: string; outcome: DeliveryOutcome }): Promise<void> {
      await deps.webhookLog.recordOutcome(input.key, input.outcome, deps.clock());
    },
  };
}

export type InboundActivities = ReturnType<typeof createInboundActivities>;
