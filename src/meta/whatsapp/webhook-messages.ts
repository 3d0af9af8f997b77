import type { InboundEvent, MessageMedia, MessageStatus, NormalizedMessage, Participant, UnsupportedReason } from '../../shared/inbound-events.js';
import { MESSAGE_STATUSES } from '../../shared/inbound-events.js';
import { hashOf } from '../webhook/keys.js';
import { event, isoTime, isRecord, normalizeErrors, normalizeReferral, omit, stringOr, type Ctx } from '../webhook/projection.js';
import {
  interactiveReplySchema,
  sharedContactSchema,
  WA_VALUE_LISTS,
  waContactSchema,
  waMessageSchema,
  waMessagesValueSchema,
  waRaw,
  waStatusSchema,
  waUnsupportedField,
  type WaContact,
  type WaMessage,
  type WaScope,
} from './webhook-common.js';

/*
 * WhatsApp's `messages` field: one event per message, status and error list, each keyed by its wamid
 * (reference §1.6, §2.1–2.4).
 */

export function splitWaMessagesValue(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  const parsed = waMessagesValueSchema.safeParse(value);
  if (!parsed.success || !isRecord(value)) return [waUnsupportedField(scope, value, 'malformed', ctx)];
  const { metadata, messages, statuses, errors } = parsed.data;
  if (!messages && !statuses && !errors) return [waUnsupportedField(scope, value, 'malformed', ctx)];
  const base = omit(value, 'contacts', 'messages', 'statuses', 'errors');
  // A list that is not a list is kept on its own, so it neither hides nor blocks the valid ones.
  const malformedLists = WA_VALUE_LISTS.filter((name) => name in value && !Array.isArray(value[name])).map((name) =>
    waUnsupportedField(scope, { ...base, [name]: value[name] }, 'malformed', ctx),
  );
  const contacts = (parsed.data.contacts ?? []).map((raw) => ({ raw, contact: waContactSchema.safeParse(raw).data }));
  const businessId = metadata?.phone_number_id ?? scope.entryId ?? '';
  const channel = { businessId, wabaId: scope.entryId };

  const events: InboundEvent[] = [];
  for (const item of messages ?? []) events.push(waMessageEvent(scope, base, contacts, item, channel, ctx));
  for (const item of statuses ?? []) events.push(waStatusEvent(scope, base, contacts, item, channel, ctx));
  if (errors && errors.length > 0) {
    events.push(
      event('channel.error', {
        // No id of its own: the error content, the number and the entry time identify it (reference §1.6).
        key: `wa:error:${businessId}:${hashOf({ errors, phone_number_id: metadata?.phone_number_id, time: scope.entryTime })}`,
        channelType: 'whatsapp',
        ...channel,
        occurredAt: isoTime(scope.entryTime),
        data: {
          errors: normalizeErrors(errors),
          phone_number_id: metadata?.phone_number_id,
          display_phone_number: metadata?.display_phone_number,
        },
        raw: waRaw(scope, { ...base, errors }),
      }, ctx),
    );
  }
  return [...events, ...malformedLists];
}

interface WaContactEntry {
  raw: unknown;
  contact: WaContact | undefined;
}

/**
 * The `contacts[]` entry describing a user, matched by phone (`wa_id`) or BSUID (`user_id`). A single
 * unmatched contact is taken as the user's: Meta documents that `wa_id` and `from` may differ.
 */
function matchContact(contacts: WaContactEntry[], waId: string | undefined, userId: string | undefined): WaContactEntry | undefined {
  const match = contacts.find(
    ({ contact }) =>
      contact !== undefined &&
      ((waId !== undefined && contact.wa_id === waId) || (userId !== undefined && contact.user_id === userId)),
  );
  return match ?? (contacts.length === 1 ? contacts[0] : undefined);
}

function rawContacts(contacts: WaContactEntry[], matched: WaContactEntry | undefined): { contacts?: unknown[] } {
  if (matched) return { contacts: [matched.raw] };
  return contacts.length > 0 ? { contacts: contacts.map((entry) => entry.raw) } : {};
}

interface ChannelRef {
  businessId: string;
  wabaId: string | undefined;
}

function waMessageEvent(
  scope: WaScope,
  base: Record<string, unknown>,
  contacts: WaContactEntry[],
  item: unknown,
  channel: ChannelRef,
  ctx: Ctx,
): InboundEvent {
  const parsed = waMessageSchema.safeParse(item);
  const matched = parsed.success ? matchContact(contacts, parsed.data.from, parsed.data.from_user_id) : undefined;
  const raw = waRaw(scope, { ...base, ...rawContacts(contacts, matched), messages: [item] });
  if (!parsed.success) {
    return event('unsupported', {
      key: `wa:unsupported:${hashOf(raw)}`,
      channelType: 'whatsapp',
      ...channel,
      occurredAt: isoTime(scope.entryTime),
      data: { reason: 'malformed', object: stringOr(scope.bodyRest.object), field: scope.field },
      raw,
    }, ctx);
  }
  const message = parsed.data;
  const key = `wa:msg:${message.id}`;
  const occurredAt = isoTime(message.timestamp) ?? isoTime(scope.entryTime);
  const contact = matched?.contact;
  const waId = message.from ?? contact?.wa_id;
  const userId = message.from_user_id ?? contact?.user_id;
  const senderId = waId ?? userId;
  const unsupported = (reason: UnsupportedReason) =>
    event('unsupported', {
      key,
      channelType: 'whatsapp',
      ...channel,
      occurredAt,
      data: { reason, object: stringOr(scope.bodyRest.object), field: scope.field, item_type: message.type },
      raw,
    }, ctx);
  if (senderId === undefined) return unsupported('malformed');
  const sender: Participant = {
    id: senderId,
    wa_id: waId,
    user_id: userId,
    parent_user_id: message.from_parent_user_id ?? contact?.parent_user_id,
    name: contact?.profile?.name,
    username: contact?.profile?.username,
  };

  if (message.type === 'reaction') {
    const target = message.reaction?.message_id;
    if (!target) return unsupported('malformed');
    const emoji = message.reaction?.emoji || undefined;
    return event('message.reaction', {
      key,
      channelType: 'whatsapp',
      ...channel,
      occurredAt,
      data: {
        sender,
        reaction: { message_id: target, action: emoji ? 'react' : 'unreact', emoji },
        reaction_id: message.id,
      },
      raw,
    }, ctx);
  }

  const normalized = normalizeWaMessage(message);
  if (!normalized) return unsupported('unknown_message_type');
  return event('message.received', { key, channelType: 'whatsapp', ...channel, occurredAt, data: { sender, message: normalized }, raw }, ctx);
}

/** Normalizes every documented WhatsApp message type; `undefined` for a type we do not know. */
function normalizeWaMessage(message: WaMessage): NormalizedMessage | undefined {
  const content = waMessageContent(message);
  if (!content) return undefined;
  return {
    id: message.id,
    ...content,
    context: message.context
      ? {
          message_id: message.context.id,
          from: message.context.from,
          forwarded: message.context.forwarded,
          frequently_forwarded: message.context.frequently_forwarded,
          referred_product: message.context.referred_product,
        }
      : undefined,
    referral: normalizeReferral(message.referral),
    errors: message.errors ? normalizeErrors(message.errors) : undefined,
    group_id: message.group_id,
  };
}

type MessageContent = Omit<NormalizedMessage, 'id' | 'context' | 'referral' | 'errors' | 'group_id'>;

function waMessageContent(message: WaMessage): MessageContent | undefined {
  switch (message.type) {
    case 'text':
      return { type: 'text', text: message.text?.body };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return { type: message.type, media: message[message.type] as MessageMedia | undefined };
    case 'location':
      return { type: 'location', location: message.location };
    case 'contacts':
      return {
        type: 'contacts',
        contacts: (message.contacts ?? []).flatMap((card) => {
          const parsed = sharedContactSchema.safeParse(card);
          return parsed.success ? [parsed.data] : [];
        }),
      };
    case 'interactive':
      return { type: 'interactive', interactive: normalizeInteractive(message.interactive) };
    case 'button':
      return { type: 'button', button: message.button };
    case 'order':
      return { type: 'order', order: message.order ? { ...message.order, product_items: message.order.product_items ?? [] } : undefined };
    case 'system':
      return { type: 'system', system: message.system };
    case 'request_welcome':
      return { type: 'request_welcome' };
    case 'unsupported':
    case 'unknown': // older API versions and libraries name the same thing `unknown`
      return { type: 'unsupported', unsupported_type: message.unsupported?.type };
    default:
      return undefined;
  }
}

/**
 * Interactive replies keep their type even when it is new to us (e.g. `call_permission_reply`); the id,
 * title and description are read from the object named by the type, the Flow fields from `nfm_reply`.
 */
function normalizeInteractive(interactive: WaMessage['interactive']): NormalizedMessage['interactive'] {
  const type = interactive?.type ?? 'unknown';
  const reply = interactive ? interactiveReplySchema.safeParse(interactive[type]).data : undefined;
  return {
    type,
    id: reply?.id,
    title: reply?.title,
    description: reply?.description,
    flow: type === 'nfm_reply' ? { name: reply?.name, body: reply?.body, response_json: reply?.response_json } : undefined,
  };
}

function waStatusEvent(
  scope: WaScope,
  base: Record<string, unknown>,
  contacts: WaContactEntry[],
  item: unknown,
  channel: ChannelRef,
  ctx: Ctx,
): InboundEvent {
  const parsed = waStatusSchema.safeParse(item);
  const matched =
    parsed.success && contacts.length > 0
      ? matchContact(contacts, parsed.data.recipient_id, parsed.data.recipient_user_id)
      : undefined;
  const raw = waRaw(scope, { ...base, ...rawContacts(contacts, matched), statuses: [item] });
  if (!parsed.success) {
    return event('unsupported', {
      key: `wa:unsupported:${hashOf(raw)}`,
      channelType: 'whatsapp',
      ...channel,
      occurredAt: isoTime(scope.entryTime),
      data: { reason: 'malformed', object: stringOr(scope.bodyRest.object), field: scope.field },
      raw,
    }, ctx);
  }
  const status = parsed.data;
  const occurredAt = isoTime(status.timestamp) ?? isoTime(scope.entryTime);
  if (!isMessageStatus(status.status)) {
    return event('unsupported', {
      key: `wa:status:${status.id}:${status.status}`,
      channelType: 'whatsapp',
      ...channel,
      occurredAt,
      data: { reason: 'unknown_status', object: stringOr(scope.bodyRest.object), field: scope.field, item_type: status.status },
      raw,
    }, ctx);
  }
  const errors = status.errors ? normalizeErrors(status.errors) : undefined;
  // Several `failed` webhooks for one message are possible (multi-device); the codes tell them apart.
  const errorCodes = (errors ?? []).flatMap((error) => (error.code === undefined ? [] : [String(error.code)]));
  const key =
    status.status === 'failed' && errorCodes.length > 0
      ? `wa:status:${status.id}:failed:${errorCodes.join(',')}`
      : `wa:status:${status.id}:${status.status}`;
  const recipientId = status.recipient_id ?? status.recipient_user_id;
  return event('message.status', {
    key,
    channelType: 'whatsapp',
    ...channel,
    occurredAt,
    data: {
      message_id: status.id,
      status: status.status,
      recipient:
        recipientId === undefined
          ? undefined
          : {
              id: recipientId,
              wa_id: status.recipient_type === 'group' ? undefined : status.recipient_id,
              user_id: status.recipient_user_id,
              parent_user_id: status.parent_recipient_user_id,
              type: status.recipient_type,
              participant_id: status.recipient_participant_id,
            },
      errors,
      pricing: status.pricing,
      conversation: status.conversation
        ? {
            id: status.conversation.id,
            expires_at: isoTime(status.conversation.expiration_timestamp),
            origin_type: status.conversation.origin?.type,
          }
        : undefined,
      biz_opaque_callback_data: status.biz_opaque_callback_data,
      group_id: status.group_id,
    },
    raw,
  }, ctx);
}

function isMessageStatus(status: string): status is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(status);
}
