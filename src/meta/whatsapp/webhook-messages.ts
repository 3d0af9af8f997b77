import type { InboundEvent, MessageStatus, MetaErrorInfo, Participant, StatusError, UnsupportedReason } from '../../shared/inbound-events.js';
import { MESSAGE_STATUSES } from '../../shared/inbound-events.js';
import { describeMetaError } from '../graph/failure.js';
import { hashOf } from '../webhook/keys.js';
import { event, isoTime, isRecord, normalizeErrors, omit, stringOr, type Ctx } from '../webhook/projection.js';
import { normalizeWaContent, parseWaContent, shownText } from './webhook-content.js';
import {
  WA_VALUE_LISTS,
  waContactSchema,
  waMessageSchema,
  waMessagesValueSchema,
  waRaw,
  waStatusSchema,
  waUnsupportedField,
  type WaContact,
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

export interface WaContactEntry {
  raw: unknown;
  contact: WaContact | undefined;
}

/**
 * The `contacts[]` entry describing a user, matched by phone (`wa_id`) or BSUID (`user_id`). A single
 * unmatched contact is taken as the user's: Meta documents that `wa_id` and `from` may differ.
 */
export function matchContact(contacts: WaContactEntry[], waId: string | undefined, userId: string | undefined): WaContactEntry | undefined {
  const match = contacts.find(
    ({ contact }) =>
      contact !== undefined &&
      ((waId !== undefined && contact.wa_id === waId) || (userId !== undefined && contact.user_id === userId)),
  );
  return match ?? (contacts.length === 1 ? contacts[0] : undefined);
}

export function rawContacts(contacts: WaContactEntry[], matched: WaContactEntry | undefined): { contacts?: unknown[] } {
  if (matched) return { contacts: [matched.raw] };
  return contacts.length > 0 ? { contacts: contacts.map((entry) => entry.raw) } : {};
}

export interface ChannelRef {
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
  // A BSUID change (`user_changed_user_id`) comes without `from` and contacts: the user is named by the new id (WA-SYS).
  const systemUserId = message.type === 'system' ? message.system?.user_id : undefined;
  const userId = message.from_user_id ?? contact?.user_id ?? (waId === undefined ? systemUserId : undefined);
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
    parent_user_id: message.from_parent_user_id ?? contact?.parent_user_id ?? (waId === undefined ? message.system?.parent_user_id : undefined),
    name: contact?.profile?.name,
    username: contact?.profile?.username,
  };
  const common = { key, channelType: 'whatsapp' as const, ...channel, occurredAt, raw };

  if (message.type === 'reaction') {
    const target = message.reaction?.message_id;
    if (!target) return unsupported('malformed');
    const emoji = message.reaction?.emoji || undefined;
    return event('message.reaction', {
      ...common,
      data: {
        sender,
        reaction: { message_id: target, action: emoji ? 'react' : 'unreact', emoji },
        reaction_id: message.id,
      },
    }, ctx);
  }
  // Coexistence numbers (WA-EDIT, WA-REVOKE): an edit or a deletion is a message of its own about an earlier one.
  if (message.type === 'edit') {
    const original = message.edit?.original_message_id;
    if (!original) return unsupported('malformed');
    const content = parseWaContent(message.edit?.message);
    const now = content ? normalizeWaContent(content, original) : undefined;
    return event('message.edited', { ...common, data: { sender, message_id: original, edit_id: message.id, text: shownText(now), message: now } }, ctx);
  }
  if (message.type === 'revoke') {
    const original = message.revoke?.original_message_id;
    if (!original) return unsupported('malformed');
    return event('message.deleted', { ...common, data: { sender, message_id: original, revoke_id: message.id } }, ctx);
  }
  // Meta (WA-EDIT, 2026): edits are for now delivered as `unsupported`, naming neither the message nor its new content.
  if ((message.type === 'unsupported' || message.type === 'unknown') && message.unsupported?.type === 'edit') {
    return event('message.edited', { ...common, data: { sender, message_id: message.context?.id, edit_id: message.id, unsupported: true } }, ctx);
  }

  const normalized = normalizeWaContent(message, message.id, message.group_id);
  if (!normalized) return unsupported('unknown_message_type');
  return event('message.received', { ...common, data: { sender, message: normalized } }, ctx);
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
      error: status.status === 'failed' ? statusError(errors) : undefined,
    },
    raw,
  }, ctx);
}

/**
 * A failure Meta found after accepting the send (WA-ERR "asynchronous"): the stable code and reason a
 * synchronous refusal of the same code gets, so DSK branches the same way whichever path it came by.
 */
function statusError(errors: MetaErrorInfo[] | undefined): StatusError {
  const code = errors?.find((error) => error.code !== undefined)?.code;
  if (code === undefined) return { code: 'meta_error', reason: 'Meta reported that the message failed without saying why.' };
  const failure = describeMetaError({ operation: 'sendMessage', code });
  return { code: failure.code, meta_code: code, reason: failure.reason };
}

function isMessageStatus(status: string): status is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(status);
}
