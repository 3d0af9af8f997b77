import { activityInfo, log } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { MessageStatusStore } from '../db/message-status.js';
import type { OutboundSends } from '../db/outbound-sends.js';
import type { Routing } from '../db/routing.js';
import type { DeliveryOutcome, WebhookLog } from '../db/webhook-log.js';
import { DskDeliveryError, type DskClient } from '../dsk/client.js';
import { toDskEnvelope, type DeliveryRoute } from '../shared/delivery.js';
import type { CustomerWindows } from '../db/customer-windows.js';
import { customerWindowObservation } from '../shared/customer-window.js';
import { describeMetaError } from '../meta/graph/failure.js';
import { MESSAGE_STATUSES, type ChannelType, type InboundEvent, type MessageStatus, type StatusError } from '../shared/inbound-events.js';
import type { ChannelRef } from '../shared/connections.js';
import type { ConversationSequence } from '../shared/conversation.js';
import type { OutboundError, SendRef } from '../shared/outbound.js';
import { toActivityFailure } from './failures.js';

export interface InboundActivityDeps {
  routing: Routing;
  webhookLog: WebhookLog;
  messageStatus: MessageStatusStore;
  channels: Pick<Channels, 'liveOnSameWaba' | 'disconnect'>;
  /** The send ledger: how a status or echo finds the send it proves. */
  outboundSends: Pick<OutboundSends, 'byTag' | 'byMetaMessageId' | 'unresolved' | 'recordLateFailure'>;
  dsk: DskClient;
  /** Customer-service windows (issue #13 item 2): recorded from the events by which a customer writes. */
  customerWindows?: Pick<CustomerWindows, 'record'>;
  clock: () => Date;
}

/**
 * Thin activities around the routing table, the webhook log, the send ledger and the DSK client. They
 * signal no workflow: they say which workflows to tell, and the inbound workflow signals them itself.
 */
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
      /** The event's place in its conversation (from the workflow's input), for the envelope. */
      sequence?: ConversationSequence;
      /** The event disconnected its own channel: deliver to the channel's instance although it is no longer live. */
      channelDisconnected?: boolean;
      /** Attempts the workflow already made before this activity (its local first attempts): the count DSK's log shows goes on from there. */
      priorAttempts?: number;
    }): Promise<{ status: number; attempt: number; skipped?: true }> {
      const attempt = activityInfo().attempt + (input.priorAttempts ?? 0);
      const { event, route } = input;
      let url: string | null;
      if (input.channelDisconnected) {
        url = await deps.routing.eventsUrlOfChannel(route.channelId);
      } else {
        const current = await deps.routing.resolve(route.channelType, route.externalId);
        url = current?.channelId === route.channelId ? current.eventsUrl : null;
      }
      await recordCustomerWindow(deps, event, route);
      try {
        const { status, skipped } = await deps.dsk.deliver({
          url,
          instanceId: route.instanceId,
          idempotencyKey: event.key,
          envelope: toDskEnvelope(event, route, input.receivedAt, input.sequence),
        });
        if (skipped) {
          // The instance did not subscribe to this event type (PUT /v1/instance event_types): recorded, never sent.
          await deps.webhookLog.recordOutcome(event.key, 'skipped', deps.clock());
          return { status, attempt, skipped };
        }
        await deps.webhookLog.recordDelivered(event.key, { attempts: attempt, dskStatus: status }, deps.clock());
        return { status, attempt };
      } catch (err) {
        if (!(err instanceof DskDeliveryError)) throw err;
        // A class only (never an address or a network error's text): the instance reads it at /v1/deliveries.
        await deps.webhookLog.recordAttempt(event.key, { attempts: attempt, dskStatus: err.status ?? null, errorCode: err.publicReason }, deps.clock());
        throw toActivityFailure(err);
      }
    },

    /**
     * A WhatsApp status carrying one of our send tags (biz_opaque_callback_data): the send, whose
     * client_message_id DSK gets, and whether it still waits for Meta's answer (or lost it), in which
     * case the workflow tells it that it did reach Meta. (Histories from before the
     * `inbound-signals-sends` patch recorded `{ clientMessageId }` only.)
     */
    async matchSendStatus(input: { channelId: string; tag: string; metaMessageId: string }): Promise<(SendRef & { unresolved: boolean }) | null> {
      const send = await deps.outboundSends.byTag(input.tag);
      if (!send || send.channelId !== input.channelId) return null;
      return { instanceId: send.instanceId, clientMessageId: send.clientMessageId, workflowId: send.workflowId, unresolved: send.state === 'sending' || send.state === 'unknown' };
    },

    /**
     * An Instagram echo. A mid we already know names its send (`known`); otherwise every unresolved send
     * on the channel is a candidate, and the workflow offers the echo to each: only the one with this
     * recipient and content takes it.
     */
    async findSendsForEcho(input: { channelId: string; metaMessageId: string }): Promise<{ known: SendRef | null; candidates: SendRef[] }> {
      const known = await deps.outboundSends.byMetaMessageId(input.channelId, input.metaMessageId);
      if (known) return { known: { instanceId: known.instanceId, clientMessageId: known.clientMessageId, workflowId: known.workflowId }, candidates: [] };
      const since = new Date(deps.clock().getTime() - ECHO_MATCH_WINDOW_MS);
      const candidates = await deps.outboundSends.unresolved(input.channelId, since);
      return { known: null, candidates: candidates.map((s) => ({ instanceId: s.instanceId, clientMessageId: s.clientMessageId, workflowId: s.workflowId })) };
    },

    /**
     * A `failed` status for one of our sends (S4): the ledger marks the send failed with the stable code a
     * synchronous refusal of the same Meta code gets, so the API answers it as failed from now on.
     * Returns that error for the send's workflow, if it still runs. Events parsed before the projection
     * classified failures carry only Meta's codes: classified here.
     */
    async recordSendFailure(input: { tag: string; error?: StatusError; metaCodes: number[] }): Promise<OutboundError> {
      const metaCode = input.error?.meta_code ?? input.metaCodes[0];
      const described = input.error ?? (metaCode === undefined ? undefined : describeMetaError({ operation: 'sendMessage', code: metaCode }));
      const error: OutboundError = {
        code: (described?.code ?? 'meta_error') as OutboundError['code'],
        meta_code: metaCode ?? null,
        meta_subcode: null,
        reason: described?.reason ?? 'Meta reported that the message failed without saying why.',
      };
      await deps.outboundSends.recordLateFailure(input.tag, error, deps.clock());
      return error;
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
     * The business removed the app (account_update): the channel and every other live channel on its
     * WABA, each with its connection, for the workflow to disconnect through their connection workflows.
     */
    async channelsOnSameWaba(input: { channelId: string }): Promise<ChannelRef[]> {
      return deps.channels.liveOnSameWaba(input.channelId);
    },

    /**
     * A channel without a connection workflow (none, or it has ended) is disconnected here, token
     * destroyed, so that no token outlives the disconnect. Nobody else is told: there is no workflow
     * to unsubscribe at Meta or to tell DSK.
     */
    async disconnectChannelDirectly(input: { channelId: string; reason: string }): Promise<void> {
      await deps.channels.disconnect(input.channelId, deps.clock());
      log.info('channel disconnected without a connection workflow', { channelId: input.channelId, reason: input.reason });
    },

    /**
     * Retired: runs scheduled before the `inbound-signals-workflows` patch still call it once. It no
     * longer signals (activities hold no Temporal client); the workflow signals the channels it returns.
     */
    async requestChannelDisconnect(input: { channelId: string; reason: string }): Promise<{ via: 'workflow'; channels: ChannelRef[] }> {
      return { via: 'workflow', channels: await deps.channels.liveOnSameWaba(input.channelId) };
    },
  };
}

/**
 * Issue #13 item 2, the inbound path's one hook: the customer wrote, so the conversation's window runs
 * from this message (keyed hash and time only). Before the delivery, so that a send DSK makes while
 * this event is still being retried towards it already finds the window open.
 */
async function recordCustomerWindow(deps: InboundActivityDeps, event: InboundEvent, route: DeliveryRoute): Promise<void> {
  const observed = deps.customerWindows ? customerWindowObservation(event) : null;
  if (observed) await deps.customerWindows!.record({ channelId: route.channelId, ...observed });
}

/** Echoes follow their send within seconds; a day covers Meta's webhook retries after an outage. */
const ECHO_MATCH_WINDOW_MS = 24 * 60 * 60 * 1000;

export type InboundActivities = ReturnType<typeof createInboundActivities>;
