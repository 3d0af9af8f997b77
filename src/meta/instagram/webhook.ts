import { z } from 'zod';
import type { InboundEvent, MessageAttachment, MessageContext, MessageType, NormalizedMessage, UnsupportedReason } from '../../shared/inbound-events.js';
import { hashOf } from '../webhook/keys.js';
import { event, guarded, isoTime, isRecord, normalizeReferral, omit, optArray, optBool, optId, optNumber, optObject, optString, requiredId, stringOr, unsupportedEntry, type Ctx } from '../webhook/projection.js';

/*
 * The Instagram projection (`object: "instagram"`, both logins, reference §3): one entry's `messaging`,
 * `standby` and `changes` items → normalized events. Items are dispatched by which key they carry;
 * `message` is never assumed. Items of `standby[]` (a thread another app owns, e.g. the Business Suite
 * inbox under Conversation Routing) are the same events marked `standby: true`.
 */

const igEntrySchema = z.looseObject({
  id: optId,
  time: z.unknown().optional(),
  messaging: optArray,
  standby: optArray,
  changes: optArray,
});
const IG_ENTRY_LISTS = ['messaging', 'standby', 'changes'] as const;
const igPartySchema = optObject({ id: requiredId });
const igItemSchema = z.looseObject({ sender: igPartySchema, recipient: igPartySchema, timestamp: z.unknown().optional() });

const igMessageSchema = z.looseObject({
  mid: z.string().min(1),
  text: optString,
  is_echo: optBool,
  is_deleted: optBool,
  is_unsupported: optBool,
  attachments: optArray,
  reply_to: optObject({ mid: optString, story: optObject({ id: optId, url: optString }) }),
  quick_reply: optObject({ payload: optString }),
  referral: z.unknown().optional(),
});
const igAttachmentSchema = z.looseObject({
  type: optString,
  title: optString,
  payload: optObject({ url: optString, title: optString }),
});
const igEditSchema = z.looseObject({ mid: z.string().min(1), text: optString, num_edit: optNumber });
const igReactionSchema = z.looseObject({ mid: z.string().min(1), action: optString, reaction: optString, emoji: optString });
const igReadSchema = z.looseObject({ mid: optString, watermark: optNumber });
const igPostbackSchema = z.looseObject({ mid: optString, title: optString, payload: optString, referral: z.unknown().optional() });
const igChangeSchema = z.looseObject({ field: optString, value: z.unknown().optional() });
const igHandoverSchema = z.looseObject({ new_owner_app_id: optId, previous_owner_app_id: optId, requested_owner_app_id: optId, metadata: optString });

/** Handover items (MS-HOP; Instagram sends them under `messaging_handover`) and the action each names. */
const HANDOVER_ACTIONS = { pass_thread_control: 'pass', take_thread_control: 'take', request_thread_control: 'request' } as const;

const IG_MESSAGING_KEYS = ['message', 'message_edit', 'reaction', 'read', 'postback', 'referral', 'pass_thread_control', 'take_thread_control', 'request_thread_control'] as const;
const IG_ITEM_COMMON_KEYS = new Set(['sender', 'recipient', 'timestamp']);

/** Instagram attachment types → the normalized message type. Unknown types become `unknown`. */
const IG_ATTACHMENT_TYPES: Record<string, MessageType> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  file: 'document',
  share: 'share',
  story_mention: 'story_mention',
  ig_reel: 'reel',
  reel: 'reel',
  ig_post: 'post',
  ephemeral: 'ephemeral',
};
const MEDIA_MESSAGE_TYPES = new Set<MessageType>(['image', 'audio', 'video', 'document']);

type IgSource = 'messaging' | 'standby';

interface IgScope {
  bodyRest: Record<string, unknown>;
  entryRest: Record<string, unknown>;
  entryId: string | undefined;
  entryTime: unknown;
}

export function splitIgEntry(entry: unknown, bodyRest: Record<string, unknown>, ctx: Ctx): InboundEvent[] {
  const parsed = igEntrySchema.safeParse(entry);
  if (!parsed.success || !isRecord(entry)) return [unsupportedEntry('instagram', entry, bodyRest, 'malformed', ctx)];
  const { messaging, standby, changes } = parsed.data;
  if (!messaging && !standby && !changes) {
    const hasList = IG_ENTRY_LISTS.some((name) => name in entry);
    return [unsupportedEntry('instagram', entry, bodyRest, hasList ? 'malformed' : 'unknown_item', ctx)];
  }
  const scope: IgScope = {
    bodyRest,
    entryRest: omit(entry, 'messaging', 'standby', 'changes'),
    entryId: parsed.data.id,
    entryTime: parsed.data.time,
  };
  const events: InboundEvent[] = [];
  const malformedLists = IG_ENTRY_LISTS.filter((name) => name in entry && !Array.isArray(entry[name])).map((name) =>
    unsupportedEntry('instagram', { ...scope.entryRest, [name]: entry[name] }, bodyRest, 'malformed', ctx),
  );
  for (const item of messaging ?? []) {
    events.push(...guarded(() => [igItemEvent(scope, 'messaging', item, ctx)], () => igUnsupportedItem(scope, 'messaging', item, 'malformed', undefined, ctx)));
  }
  for (const item of standby ?? []) {
    events.push(...guarded(() => [igItemEvent(scope, 'standby', item, ctx)], () => igUnsupportedItem(scope, 'standby', item, 'malformed', undefined, ctx)));
  }
  for (const change of changes ?? []) events.push(igChangeEvent(scope, change, ctx));
  return [...events, ...malformedLists];
}

function igRaw(scope: IgScope, source: IgSource | 'changes', item: unknown): unknown {
  return { ...scope.bodyRest, entry: [{ ...scope.entryRest, [source]: [item] }] };
}

/** Comments, mentions and other `changes` are outside messaging: acknowledged and recorded only. */
function igChangeEvent(scope: IgScope, change: unknown, ctx: Ctx): InboundEvent {
  const parsed = igChangeSchema.safeParse(change);
  const field = parsed.success ? parsed.data.field : undefined;
  return event('unsupported', {
    key: `ig:${field ?? 'change'}:${scope.entryId ?? ''}:${hashOf({ time: scope.entryTime, change })}`,
    channelType: 'instagram',
    businessId: scope.entryId ?? '',
    occurredAt: isoTime(scope.entryTime),
    data: { reason: field ? 'unhandled_field' : 'malformed', object: stringOr(scope.bodyRest.object), field },
    raw: igRaw(scope, 'changes', change),
  }, ctx);
}

function igUnsupportedItem(
  scope: IgScope,
  source: IgSource,
  item: unknown,
  reason: UnsupportedReason,
  itemType: string | undefined,
  ctx: Ctx,
): InboundEvent {
  const timestamp = isRecord(item) ? item.timestamp : undefined;
  return event('unsupported', {
    key: `ig:unsupported:${hashOf({ entry: scope.entryId, item })}`,
    channelType: 'instagram',
    businessId: scope.entryId ?? '',
    occurredAt: isoTime(timestamp) ?? isoTime(scope.entryTime),
    data: { reason, object: stringOr(scope.bodyRest.object), item_type: itemType },
    raw: igRaw(scope, source, item),
  }, ctx);
}

/** Dispatches one `messaging[]`/`standby[]` item by which key it carries; `message` is never assumed. */
function igItemEvent(scope: IgScope, source: IgSource, item: unknown, ctx: Ctx): InboundEvent {
  const parsed = igItemSchema.safeParse(item);
  if (!parsed.success || !isRecord(item)) return igUnsupportedItem(scope, source, item, 'malformed', undefined, ctx);
  const kind = IG_MESSAGING_KEYS.find((name) => isRecord(item[name]));
  const senderId = parsed.data.sender?.id;
  if (!kind) {
    const known = IG_MESSAGING_KEYS.find((name) => name in item);
    if (known) return igUnsupportedItem(scope, source, item, 'malformed', known, ctx);
    const itemType = Object.keys(item).find((name) => !IG_ITEM_COMMON_KEYS.has(name));
    return igUnsupportedItem(scope, source, item, 'unknown_item', itemType, ctx);
  }
  if (senderId === undefined) return igUnsupportedItem(scope, source, item, 'malformed', kind, ctx);

  const recipientId = parsed.data.recipient?.id;
  const timestamp = parsed.data.timestamp;
  const conversation = {
    sender: { id: senderId },
    recipient: recipientId === undefined ? undefined : { id: recipientId },
    standby: source === 'standby' ? true : undefined,
  };
  const common = {
    channelType: 'instagram' as const,
    // Echoes swap sender and recipient, but entry.id is always our account, so it routes both ways.
    businessId: scope.entryId ?? recipientId ?? '',
    occurredAt: isoTime(timestamp) ?? isoTime(scope.entryTime),
    raw: igRaw(scope, source, item),
  };
  const timeKey = typeof timestamp === 'string' || typeof timestamp === 'number' ? String(timestamp) : hashOf(item);
  const malformed = () => igUnsupportedItem(scope, source, item, 'malformed', kind, ctx);

  switch (kind) {
    case 'message': {
      const message = igMessageSchema.safeParse(item.message);
      if (!message.success) return malformed();
      const { mid } = message.data;
      // An unsend, an edit, reactions and reads all reuse the original mid: the kind is part of every key.
      if (message.data.is_deleted) {
        return event('message.deleted', { ...common, key: `ig:del:${mid}`, data: { ...conversation, message_id: mid } }, ctx);
      }
      const normalized = normalizeIgMessage(message.data);
      if (message.data.is_echo) {
        return event('message.echo', { ...common, key: `ig:echo:${mid}`, data: { ...conversation, message: normalized } }, ctx);
      }
      return event('message.received', { ...common, key: `ig:msg:${mid}`, data: { ...conversation, message: normalized } }, ctx);
    }
    case 'message_edit': {
      const edit = igEditSchema.safeParse(item.message_edit);
      if (!edit.success) return malformed();
      const { mid, num_edit: numEdit, text } = edit.data;
      return event('message.edited', {
        ...common,
        key: `ig:edit:${mid}:${numEdit ?? hashOf(item)}`,
        data: { ...conversation, message_id: mid, text, num_edit: numEdit },
      }, ctx);
    }
    case 'reaction': {
      const reaction = igReactionSchema.safeParse(item.reaction);
      if (!reaction.success) return malformed();
      const { mid, emoji, reaction: name } = reaction.data;
      const action = reaction.data.action === 'react' || reaction.data.action === 'unreact'
        ? reaction.data.action
        : emoji || name ? 'react' : 'unreact';
      return event('message.reaction', {
        ...common,
        key: `ig:react:${mid}:${senderId}:${action}:${timeKey}`,
        data: { ...conversation, reaction: { message_id: mid, action, emoji, name } },
      }, ctx);
    }
    case 'read': {
      const read = igReadSchema.safeParse(item.read);
      if (!read.success) return malformed();
      const { mid, watermark } = read.data;
      if (mid) return event('message.read', { ...common, key: `ig:read:${mid}`, data: { ...conversation, message_id: mid } }, ctx);
      if (watermark === undefined) return malformed();
      // Messenger reads have no mid, only a watermark: "everything before this time was read".
      return event('message.read', {
        ...common,
        key: `fb:read:${senderId}:${watermark}`,
        data: { ...conversation, watermark: isoTime(watermark) },
      }, ctx);
    }
    case 'postback': {
      const postback = igPostbackSchema.safeParse(item.postback);
      if (!postback.success) return malformed();
      return event('message.postback', {
        ...common,
        key: `ig:postback:${senderId}:${timeKey}:${hashOf(item)}`,
        data: {
          ...conversation,
          postback: { message_id: postback.data.mid, title: postback.data.title, payload: postback.data.payload },
          referral: normalizeReferral(postback.data.referral),
        },
      }, ctx);
    }
    case 'referral': {
      const referral = normalizeReferral(item.referral);
      if (!referral) return malformed();
      return event('message.referral', {
        ...common,
        key: `ig:referral:${senderId}:${timeKey}:${hashOf(item)}`,
        data: { ...conversation, referral },
      }, ctx);
    }
    case 'pass_thread_control':
    case 'take_thread_control':
    case 'request_thread_control': {
      const handover = igHandoverSchema.safeParse(item[kind]);
      if (!handover.success) return malformed();
      const action = HANDOVER_ACTIONS[kind];
      return event('conversation.handover', {
        ...common,
        key: `ig:handover:${scope.entryId ?? ''}:${senderId}:${action}:${timeKey}:${hashOf(item)}`,
        data: {
          ...conversation,
          action,
          new_owner_app_id: handover.data.new_owner_app_id,
          previous_owner_app_id: handover.data.previous_owner_app_id,
          requested_owner_app_id: handover.data.requested_owner_app_id,
          metadata: handover.data.metadata,
        },
      }, ctx);
    }
  }
}

function normalizeIgMessage(message: z.output<typeof igMessageSchema>): NormalizedMessage {
  const attachments: MessageAttachment[] = [];
  let firstType: MessageType | undefined;
  for (const raw of message.attachments ?? []) {
    const attachment = igAttachmentSchema.safeParse(raw).data;
    const rawType = attachment?.type ?? 'unknown';
    const known = Object.hasOwn(IG_ATTACHMENT_TYPES, rawType) ? IG_ATTACHMENT_TYPES[rawType] : undefined;
    firstType ??= known ?? 'unknown';
    attachments.push({ type: known ?? rawType, url: attachment?.payload?.url, title: attachment?.payload?.title ?? attachment?.title });
  }
  const first = attachments[0];
  const type: MessageType = message.is_unsupported
    ? 'unsupported'
    : (firstType ?? (message.text !== undefined ? 'text' : 'unsupported'));
  const media = first && MEDIA_MESSAGE_TYPES.has(type) && first.url !== undefined ? { url: first.url } : undefined;
  const replyTo = message.reply_to;
  const context: MessageContext | undefined = replyTo
    ? { message_id: replyTo.mid, story: replyTo.story ? { id: replyTo.story.id, url: replyTo.story.url } : undefined }
    : undefined;
  return {
    id: message.mid,
    type,
    text: message.text,
    media,
    attachments: attachments.length > 0 ? attachments : undefined,
    quick_reply: message.quick_reply,
    context,
    referral: normalizeReferral(message.referral),
  };
}
