import { activityInfo, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import type { ChannelLifecycle } from '../db/channel-lifecycle.js';
import type { MessageStatusStore } from '../db/message-status.js';
import type { OutboundSends } from '../db/outbound-sends.js';
import type { Routing } from '../db/routing.js';
import type { DeliveryOutcome, WebhookLog } from '../db/webhook-log.js';
import { DskDeliveryError, type DskClient } from '../dsk/client.js';
import { toDskEnvelope, type DeliveryRoute } from '../shared/delivery.js';
import { connectionWorkflowId, outboundWorkflowId } from '../shared/ids.js';
import { MESSAGE_STATUSES, type ChannelType, type InboundEvent, type MessageStatus } from '../shared/inbound-events.js';
import { toActivityFailure } from './failures.js';
import { disconnectSignal, sendObservedSignal, type SendObservation } from '../workflows/messages.js';

export interface InboundActivityDeps {
  routing: Routing;
  webhookLog: WebhookLog;
  messageStatus: MessageStatusStore;
  channels: ChannelLifecycle;
  /** The send ledger: how a status or echo finds the send it proves. */
  outboundSends: Pick<OutboundSends, 'byTag' | 'byMetaMessageId' | 'unresolved'>;
  dsk: DskClient;
  /** Signals other workflows (a channel's connection workflow) from activities. */
  workflows: WorkflowClient;
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
    async deliverToDsk(input: {
      event: InboundEvent;
      route: DeliveryRoute;
      receivedAt: string;
      /** The event disconnected its own channel: deliver to the channel's instance although it is no longer live. */
      channelDisconnected?: boolean;
    }): Promise<{ status: number; attempt: number }> {
      const { attempt } = activityInfo();
      const { event, route } = input;
      let url: string | null;
      if (input.channelDisconnected) {
        url = await deps.routing.eventsUrlOfChannel(route.channelId);
      } else {
        const current = await deps.routing.resolve(route.channelType, route.externalId);
        url = current?.channelId === route.channelId ? current.eventsUrl : null;
      }
      try {
        const { status } = await deps.dsk.deliver({
          url,
          instanceId: route.instanceId,
          idempotencyKey: event.key,
          envelope: toDskEnvelope(event, route, input.receivedAt),
        });
        await deps.webhookLog.recordDelivered(event.key, { attempts: attempt, dskStatus: status }, deps.clock());
        return { status, attempt };
      } catch (err) {
        if (!(err instanceof DskDeliveryError)) throw err;
        await deps.webhookLog.recordAttempt(event.key, { attempts: attempt, dskStatus: err.status ?? null, errorCode: err.reason }, deps.clock());
        throw toActivityFailure(err);
      }
    },

    /**
     * A WhatsApp status carrying one of our send tags (biz_opaque_callback_data): returns the send's
     * client_message_id for DSK, and tells a send still waiting for Meta's answer (or that lost it)
     * that it did reach Meta.
     */
    async matchSendStatus(input: { channelId: string; tag: string; metaMessageId: string }): Promise<{ clientMessageId: string } | null> {
      const send = await deps.outboundSends.byTag(input.tag);
      if (!send || send.channelId !== input.channelId) return null;
      if (send.state === 'sending' || send.state === 'unknown') {
        await signalSend(send, { metaMessageId: input.metaMessageId });
      }
      return { clientMessageId: send.clientMessageId };
    },

    /**
     * An Instagram echo. A mid we already know names its send; otherwise every unresolved send on the
     * channel is offered the echo, and only the one with this recipient and content takes it.
     */
    async matchSendEcho(input: {
      channelId: string;
      metaMessageId: string;
      echo: NonNullable<SendObservation['echo']>;
    }): Promise<{ clientMessageId: string } | null> {
      const known = await deps.outboundSends.byMetaMessageId(input.channelId, input.metaMessageId);
      if (known) return { clientMessageId: known.clientMessageId };
      const since = new Date(deps.clock().getTime() - ECHO_MATCH_WINDOW_MS);
      for (const send of await deps.outboundSends.unresolved(input.channelId, since)) {
        await signalSend(send, { metaMessageId: input.metaMessageId, echo: input.echo });
      }
      return null;
    },

    async recordInboundOutcome(input: { key: string; outcome: DeliveryOutcome }): Promise<void> {
      await deps.webhookLog.recordOutcome(input.key, input.outcome, deps.clock());
    },

    /**
     * Folds a message status into the channel's view of the message (it never goes backwards) and
     * returns that view. Idempotent, so safe to retry.
     */
    async mergeMessageStatus(input: { channelId: string; messageId: string; status: MessageStatus }): Promise<{ currentStatus: MessageStatus }> {
      const merged = await deps.messageStatus.merge(input, deps.clock());
      // Only known statuses are ever stored; anything else would be a bug, and must not reach DSK.
      if (!(MESSAGE_STATUSES as readonly string[]).includes(merged)) throw new Error(`stored message status is not a known status`);
      return { currentStatus: merged as MessageStatus };
    },

    /**
     * Hands a disconnect to the channel's connection workflow. A channel without one (or whose workflow
     * has ended) is disconnected here, token destroyed, so that no token outlives the disconnect.
     */
    /**
     * The business removed the app (account_update): every live channel on its WABA is disconnected,
     * through its connection workflow where it has one (which also tells DSK), directly otherwise.
     */
    async requestChannelDisconnect(input: { channelId: string; reason: string }): Promise<{ via: 'connection_workflow' | 'direct' | 'no_channel' }> {
      const channels = await deps.channels.liveOnSameWaba(input.channelId);
      if (channels.length === 0) return { via: 'no_channel' };
      const vias: Array<'connection_workflow' | 'direct'> = [];
      for (const channel of channels) {
        let via: 'connection_workflow' | 'direct' = 'direct';
        if (channel.connectionId !== null) {
          try {
            await deps.workflows.getHandle(connectionWorkflowId(channel.connectionId)).signal(disconnectSignal, { reason: input.reason });
            via = 'connection_workflow';
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }
        if (via === 'direct') await deps.channels.disconnect(channel.id, deps.clock());
        log.info('channel disconnect requested', { channelId: channel.id, via, reason: input.reason });
        vias.push(via);
      }
      return { via: vias[0]! };
    },

  };

  async function signalSend(send: { instanceId: string; clientMessageId: string }, observation: SendObservation): Promise<void> {
    try {
      await deps.workflows.getHandle(outboundWorkflowId(send.instanceId, send.clientMessageId)).signal(sendObservedSignal, observation);
    } catch (err) {
      // The send's workflow has finished (resolved, or its reconcile window passed): nothing left to tell.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}

/** Echoes follow their send within seconds; a day covers Meta's webhook retries after an outage. */
const ECHO_MATCH_WINDOW_MS = 24 * 60 * 60 * 1000;

export type InboundActivities = ReturnType<typeof createInboundActivities>;
