import { conversationOf, type ConversationSequence } from './conversation.js';
import { withCustomerWindow } from './customer-window.js';
import type { InboundEvent, InboundEventOf, MessageStatus } from './inbound-events.js';

/** Where an inbound event goes: resolved from its business id by the routing activity. */
export interface DeliveryRoute {
  channelId: string;
  instanceId: string;
  channelType: 'whatsapp' | 'instagram';
  externalId: string;
}

/** The JSON body DSK receives for every event (docs/schemas/dsk-event.v1.schema.json). */
export interface DskEnvelope {
  id: string;
  type: string;
  version: 1;
  instance_id: string;
  channel: { id: string; type: 'whatsapp' | 'instagram'; external_id: string };
  occurred_at: string;
  received_at: string;
  /** Events of a conversation (a customer of the channel): their order in it (README "Order within a conversation"). */
  conversation?: DskConversation;
  data: unknown;
  raw: unknown;
}

export interface DskConversation {
  /** The customer's id on the channel, as the event names it (the sender, or an echo's or status's recipient). */
  customer_id: string;
  /** 1, 2, 3…, contiguous, in the order the service accepted the conversation's events from Meta. */
  sequence: number;
  /** When this run of numbers began; a later run starts again at 1. */
  started_at: string;
}

/**
 * Pure: the envelope is a projection of the event, its route and its sequence (all from the workflow's
 * input), so a redelivery is byte-identical (a `message.received` carries the window its own message
 * opened, src/shared/customer-window.ts).
 */
export function toDskEnvelope(inbound: InboundEvent, route: DeliveryRoute, receivedAt: string, sequence?: ConversationSequence): DskEnvelope {
  const event = withCustomerWindow(inbound);
  const customer = sequence && conversationOf(event);
  return {
    id: event.key,
    type: event.kind,
    version: 1,
    instance_id: route.instanceId,
    channel: { id: route.channelId, type: route.channelType, external_id: route.externalId },
    occurred_at: event.occurredAt,
    received_at: receivedAt,
    ...(sequence && customer ? { conversation: { customer_id: customer.customerId, sequence: sequence.sequence, started_at: sequence.startedAt } } : {}),
    data: event.data,
    raw: event.raw,
  };
}

/**
 * Pure: the envelope of an event the service creates itself (`channel.status`, a send's
 * `message.status`): it happens when it is sent, and there is no Meta object to keep (`raw: null`).
 */
export function serviceEventEnvelope(event: {
  key: string;
  type: string;
  instanceId: string;
  channel: { id: string; channelType: 'whatsapp' | 'instagram'; externalId: string };
  at: Date;
  data: unknown;
}): DskEnvelope {
  const at = event.at.toISOString();
  return {
    id: event.key,
    type: event.type,
    version: 1,
    instance_id: event.instanceId,
    channel: { id: event.channel.id, type: event.channel.channelType, external_id: event.channel.externalId },
    occurred_at: at,
    received_at: at,
    data: event.data,
    raw: null,
  };
}

/**
 * Pure: a status event carrying the channel's merged view of its message next to what Meta sent
 * (`data.status` stays as Meta sent it, so nothing is dropped).
 */
export function withCurrentStatus(event: InboundEventOf<'message.status'>, currentStatus: MessageStatus): InboundEventOf<'message.status'> {
  return { ...event, data: { ...event.data, current_status: currentStatus } };
}
