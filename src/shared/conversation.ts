import type { ChannelType, InboundEvent } from './inbound-events.js';

/**
 * The conversation an inbound event belongs to, for its per-conversation sequence number (issue #13):
 * the channel's business (WhatsApp phone_number_id, Instagram account id) and the customer on the other
 * side. Pure and workflow-safe: the intake derives it to number the event, the envelope names the
 * customer to DSK from the same function.
 */
export interface ConversationRef {
  channelType: ChannelType;
  businessId: string;
  /** The customer's id as the event names it: wa_id (or BSUID without one), IGSID, a WhatsApp group id. */
  customerId: string;
}

/** Where the event stands in its conversation, as the intake assigned it (its input to the workflow). */
export interface ConversationSequence {
  /** 1, 2, 3…: the intake's acceptance order within the conversation. */
  sequence: number;
  /** When this run of numbers began (ISO 8601); a later run (after the retention window) starts at 1 again. */
  startedAt: string;
}

/**
 * Events naming no customer (template, channel and account events, unsupported ones) belong to no
 * conversation. A business-side event (an echo, a coexistence edit or deletion made in the app, an
 * Instagram item the account itself sent) names the customer as its recipient; a status names the
 * message's recipient; a history chunk its thread; a contact update the customer's wa_id.
 */
export function conversationOf(event: InboundEvent): ConversationRef | undefined {
  if (event.channelType === 'unknown' || event.businessId === '') return undefined;
  const customerId = customerIdOf(event);
  return customerId ? { channelType: event.channelType, businessId: event.businessId, customerId } : undefined;
}

function customerIdOf(event: InboundEvent): string | undefined {
  switch (event.kind) {
    case 'message.status':
      return event.data.recipient?.id;
    case 'conversation.history':
      return event.data.thread_id;
    case 'contact.updated':
      return event.data.wa_id;
    case 'message.received':
    case 'message.echo':
    case 'message.reaction':
    case 'message.read':
    case 'message.edited':
    case 'message.deleted':
    case 'message.postback':
    case 'message.referral':
    case 'conversation.handover': {
      // Read defensively: this runs on the webhook's path, where a throw would refuse the whole POST.
      const data: { sender?: { id?: string }; recipient?: { id?: string }; echo?: boolean } = event.data;
      // Instagram names the account on one side of every item (entry.id is the business id); WhatsApp
      // marks the business side instead: echoes, and edits or deletions made in the app.
      const businessSide = event.channelType === 'instagram' ? data.sender?.id === event.businessId : event.kind === 'message.echo' || data.echo === true;
      return businessSide ? data.recipient?.id : data.sender?.id;
    }
    default:
      return undefined;
  }
}
