import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  MESSAGE_STATUSES,
  type ChannelType,
  type EventDataByKind,
  type EventKind,
  type InboundEvent,
  type InboundEventOf,
  type MessageAttachment,
  type MessageContext,
  type MessageMedia,
  type MessageStatus,
  type MessageType,
  type MetaErrorInfo,
  type NormalizedMessage,
  type Participant,
  type Referral,
  type UnsupportedReason,
} from '../shared/inbound-events.js';

/*
 * The only module that reads Meta's webhook field names (reference: shared/reference/meta-platform.md
 * §1.6, §2, §3). It turns one verified POST body into normalized events, one per message, status,
 * messaging item or change, each with a stable idempotency key.
 *
 * Parsing is deliberately lenient: Meta adds fields and types without notice, and a correctly signed
 * body that we fail to understand must still be acknowledged and recorded (otherwise WhatsApp resends
 * it for 7 days). So nothing here throws and nothing is dropped: whatever is not understood becomes an
 * `unsupported` event carrying its raw object. A field of an unexpected type is ignored, not fatal.
 */

// ---------------------------------------------------------------------------------------------
// Keys: canonical JSON, hashing, length limit

/** JSON with object keys sorted at every depth, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export const MAX_KEY_LENGTH = 200;
const SAFE_KEY = /^[\x21-\x7e]+$/;
const HASH_SUFFIX_LENGTH = 65; // '~' + 64 hex

/**
 * Makes a key usable inside a Temporal workflow id: printable ASCII, at most 200 characters. Longer or
 * unusual keys keep their readable head and replace the tail with its SHA-256, so distinct keys stay
 * distinct and the same key always maps to the same result.
 */
export function safeKey(key: string): string {
  if (key.length > 0 && key.length <= MAX_KEY_LENGTH && SAFE_KEY.test(key)) return key;
  let head = '';
  for (const char of key) {
    if (head.length >= MAX_KEY_LENGTH - HASH_SUFFIX_LENGTH || !SAFE_KEY.test(char)) break;
    head += char;
  }
  return `${head}~${sha256Hex(key.slice(head.length))}`;
}

// ---------------------------------------------------------------------------------------------
// Lenient field schemas: a wrong type yields `undefined` for that field, never a failed parse.

const optString = z.string().optional().catch(undefined);
/** Meta ids are strings, but some payloads emit numbers. */
const optId = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .optional()
  .catch(undefined);
const optNumber = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)])
  .optional()
  .catch(undefined);
const optBool = z.boolean().optional().catch(undefined);
const optArray = z.array(z.unknown()).optional().catch(undefined);
const requiredId = z.union([z.string().min(1), z.number()]).transform((value) => String(value));

function optObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape).optional().catch(undefined);
}

const envelopeSchema = z.looseObject({ object: optString, entry: z.array(z.unknown()) });

const metaErrorSchema = z.object({
  code: optNumber,
  title: optString,
  message: optString,
  href: optString,
  error_data: optObject({ details: optString }),
});

const referralSchema = z.object({
  source: optString,
  type: optString,
  ref: optString,
  ad_id: optId,
  source_url: optString,
  source_id: optId,
  source_type: optString,
  headline: optString,
  body: optString,
  media_type: optString,
  image_url: optString,
  video_url: optString,
  thumbnail_url: optString,
  ctwa_clid: optString,
  welcome_message: optObject({ text: optString }),
  ads_context_data: optObject({ ad_title: optString, photo_url: optString, video_url: optString }),
});

// WhatsApp ---------------------------------------------------------------------------------------

const waEntrySchema = z.looseObject({ id: optId, time: z.unknown().optional(), changes: z.array(z.unknown()) });
const waChangeSchema = z.looseObject({ field: z.string(), value: z.unknown() });

const waMessagesValueSchema = z.looseObject({
  metadata: optObject({ phone_number_id: optId, display_phone_number: optId }),
  contacts: optArray,
  messages: optArray,
  statuses: optArray,
  errors: optArray,
});

const WA_VALUE_LISTS = ['contacts', 'messages', 'statuses', 'errors'] as const;

const waContactSchema = z.object({
  wa_id: optId,
  user_id: optString,
  parent_user_id: optString,
  profile: optObject({ name: optString, username: optString }),
});
type WaContact = z.output<typeof waContactSchema>;

const waMediaSchema = optObject({
  id: optId,
  url: optString,
  mime_type: optString,
  sha256: optString,
  caption: optString,
  filename: optString,
  voice: optBool,
  animated: optBool,
});

const sharedContactSchema = z.object({
  name: optObject({
    formatted_name: optString,
    first_name: optString,
    last_name: optString,
    middle_name: optString,
    prefix: optString,
    suffix: optString,
  }),
  phones: z.array(z.object({ phone: optString, wa_id: optId, type: optString })).optional().catch(undefined),
  emails: z.array(z.object({ email: optString, type: optString })).optional().catch(undefined),
  org: optObject({ company: optString, department: optString, title: optString }),
  addresses: z
    .array(
      z.object({
        street: optString,
        city: optString,
        state: optString,
        zip: optString,
        country: optString,
        country_code: optString,
        type: optString,
      }),
    )
    .optional()
    .catch(undefined),
  urls: z.array(z.object({ url: optString, type: optString })).optional().catch(undefined),
  birthday: optString,
});

const waMessageSchema = z.looseObject({
  id: z.string().min(1),
  type: optString,
  from: optId,
  from_user_id: optString,
  from_parent_user_id: optString,
  timestamp: z.unknown().optional(),
  group_id: optString,
  text: optObject({ body: optString }),
  image: waMediaSchema,
  audio: waMediaSchema,
  video: waMediaSchema,
  document: waMediaSchema,
  sticker: waMediaSchema,
  location: optObject({ latitude: optNumber, longitude: optNumber, name: optString, address: optString, url: optString }),
  contacts: optArray,
  interactive: z.looseObject({ type: optString }).optional().catch(undefined),
  button: optObject({ text: optString, payload: optString }),
  reaction: optObject({ message_id: optString, emoji: optString }),
  order: optObject({
    catalog_id: optId,
    text: optString,
    product_items: z
      .array(z.object({ product_retailer_id: optId, quantity: optNumber, item_price: optNumber, currency: optString }))
      .optional()
      .catch(undefined),
  }),
  system: optObject({ type: optString, body: optString, wa_id: optId, user_id: optString }),
  unsupported: optObject({ type: optString }),
  errors: optArray,
  context: optObject({
    id: optString,
    from: optId,
    forwarded: optBool,
    frequently_forwarded: optBool,
    referred_product: optObject({ catalog_id: optId, product_retailer_id: optId }),
  }),
  referral: z.unknown().optional(),
});
type WaMessage = z.output<typeof waMessageSchema>;

const interactiveReplySchema = z.object({
  id: optString,
  title: optString,
  description: optString,
  name: optString,
  body: optString,
  response_json: optString,
});

const waStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.unknown().optional(),
  recipient_id: optId,
  recipient_user_id: optString,
  parent_recipient_user_id: optString,
  recipient_type: optString,
  recipient_participant_id: optString,
  biz_opaque_callback_data: optString,
  group_id: optString,
  conversation: optObject({
    id: optString,
    expiration_timestamp: z.unknown().optional(),
    origin: optObject({ type: optString }),
  }),
  pricing: optObject({ billable: optBool, pricing_model: optString, type: optString, category: optString }),
  errors: optArray,
});

const waAccountUpdateSchema = z.looseObject({
  event: z.string().min(1),
  phone_number: optId,
  waba_info: optObject({ waba_id: optId, owner_business_id: optId, partner_app_id: optId }),
  disconnection_info: optObject({ reason: optString, initiated_by: optString }),
});

const waTemplateStatusSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: optId,
  message_template_name: optString,
  message_template_language: optString,
  message_template_category: optString,
  reason: optString,
});

const waQualitySchema = z.looseObject({
  event: z.string().min(1),
  display_phone_number: optId,
  current_limit: optId,
  old_limit: optId,
  max_daily_conversations_per_business: optId,
});

/** `account_update` events that mean the customer removed our app from the WABA. */
const DISCONNECTING_ACCOUNT_EVENTS = new Set(['PARTNER_APP_UNINSTALLED', 'PARTNER_REMOVED']);

// Instagram / Messenger ----------------------------------------------------------------------------

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

const IG_MESSAGING_KEYS = ['message', 'message_edit', 'reaction', 'read', 'postback', 'referral'] as const;
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

// ---------------------------------------------------------------------------------------------
// Entry point

export interface SplitOptions {
  /** When the POST arrived; also the `occurredAt` of events Meta gives no time for. */
  receivedAt: Date;
}

interface Ctx {
  receivedAt: string;
}

/**
 * Splits one verified Meta webhook body into normalized events, one per message, status, messaging
 * item or change (a POST carries up to 1000). Never throws and never drops anything: shapes it does
 * not understand come back as `unsupported` events with their raw object.
 */
export function splitWebhook(body: unknown, opts: SplitOptions): InboundEvent[] {
  const time = opts.receivedAt.getTime();
  const ctx: Ctx = { receivedAt: new Date(Number.isFinite(time) ? time : 0).toISOString() };
  // Some Instagram doc samples wrap the body in a top-level array; real deliveries are one object.
  const bodies = Array.isArray(body) ? body : [body];
  return bodies.flatMap((item) => guarded(() => splitBody(item, ctx), () => unsupportedBody(item, 'malformed', ctx)));
}

/** Runs `parse`; a bug that throws on some odd shape turns into an `unsupported` event, not a lost batch. */
function guarded(parse: () => InboundEvent[], fallback: () => InboundEvent): InboundEvent[] {
  try {
    return parse();
  } catch {
    return [fallback()];
  }
}

function splitBody(body: unknown, ctx: Ctx): InboundEvent[] {
  const object = isRecord(body) && typeof body.object === 'string' ? body.object : undefined;
  const channelType = channelOfObject(object);
  if (channelType === 'unknown') return [unsupportedBody(body, object === undefined ? 'malformed' : 'unknown_object', ctx)];
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success || !isRecord(body)) return [unsupportedBody(body, 'malformed', ctx)];
  const bodyRest = omit(body, 'entry');
  return envelope.data.entry.flatMap((entry) =>
    guarded(
      () => (channelType === 'whatsapp' ? splitWaEntry(entry, bodyRest, ctx) : splitIgEntry(entry, bodyRest, ctx)),
      () => unsupportedEntry(channelType, entry, bodyRest, 'malformed', ctx),
    ),
  );
}

function channelOfObject(object: string | undefined): ChannelType | 'unknown' {
  if (object === 'whatsapp_business_account') return 'whatsapp';
  // Instagram via Facebook Login is documented both as `instagram` and as `page`; route by entry id.
  if (object === 'instagram' || object === 'page') return 'instagram';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// WhatsApp

interface WaScope {
  bodyRest: Record<string, unknown>;
  entryRest: Record<string, unknown>;
  entryId: string | undefined;
  entryTime: unknown;
  changeRest: Record<string, unknown>;
  field: string;
}

function splitWaEntry(entry: unknown, bodyRest: Record<string, unknown>, ctx: Ctx): InboundEvent[] {
  const parsed = waEntrySchema.safeParse(entry);
  if (!parsed.success || !isRecord(entry)) return [unsupportedEntry('whatsapp', entry, bodyRest, 'malformed', ctx)];
  const entryRest = omit(entry, 'changes');
  return parsed.data.changes.flatMap((change) => {
    const parsedChange = waChangeSchema.safeParse(change);
    if (!parsedChange.success || !isRecord(change)) {
      const raw = { ...bodyRest, entry: [{ ...entryRest, changes: [change] }] };
      return [
        event('unsupported', {
          key: `wa:unsupported:${hashOf(raw)}`,
          channelType: 'whatsapp',
          businessId: parsed.data.id ?? '',
          wabaId: parsed.data.id,
          occurredAt: isoTime(parsed.data.time),
          data: { reason: 'malformed', object: stringOr(bodyRest.object) },
          raw,
        }, ctx),
      ];
    }
    const scope: WaScope = {
      bodyRest,
      entryRest,
      entryId: parsed.data.id,
      entryTime: parsed.data.time,
      changeRest: omit(change, 'value'),
      field: parsedChange.data.field,
    };
    return guarded(
      () => splitWaChange(scope, parsedChange.data.value, ctx),
      () => waUnsupportedField(scope, parsedChange.data.value, 'malformed', ctx),
    );
  });
}

function waRaw(scope: WaScope, value: unknown): unknown {
  return { ...scope.bodyRest, entry: [{ ...scope.entryRest, changes: [{ ...scope.changeRest, value }] }] };
}

function splitWaChange(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  switch (scope.field) {
    case 'messages':
      return splitWaMessagesValue(scope, value, ctx);
    case 'account_update':
      return [waAccountUpdate(scope, value, ctx)];
    case 'message_template_status_update':
      return [waTemplateStatus(scope, value, ctx)];
    case 'phone_number_quality_update':
      return [waQuality(scope, value, ctx)];
    default:
      return [waUnsupportedField(scope, value, 'unhandled_field', ctx)];
  }
}

/**
 * Key for WhatsApp fields without an id of their own. Meta's retries resend the same entry time and
 * value, so they collide; the same event occurring again later has a new entry time and does not.
 */
function waFieldKey(scope: WaScope, value: unknown): string {
  return `wa:${scope.field}:${scope.entryId ?? ''}:${hashOf({ time: scope.entryTime, value })}`;
}

function waUnsupportedField(scope: WaScope, value: unknown, reason: UnsupportedReason, ctx: Ctx): InboundEvent {
  const metadata = isRecord(value) && isRecord(value.metadata) ? value.metadata : undefined;
  const phoneNumberId = metadata ? optId.parse(metadata.phone_number_id) : undefined;
  return event('unsupported', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: phoneNumberId ?? scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: { reason, object: stringOr(scope.bodyRest.object), field: scope.field },
    raw: waRaw(scope, value),
  }, ctx);
}

function splitWaMessagesValue(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
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

function waAccountUpdate(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waAccountUpdateSchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  // On account_update, entry.id can be the partner's business id; the WABA is in waba_info.
  const wabaId = update.waba_info?.waba_id ?? scope.entryId;
  return event('channel.account_update', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: wabaId ?? '',
    wabaId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      disconnect: DISCONNECTING_ACCOUNT_EVENTS.has(update.event),
      waba_id: update.waba_info?.waba_id,
      owner_business_id: update.waba_info?.owner_business_id,
      partner_app_id: update.waba_info?.partner_app_id,
      phone_number: update.phone_number,
      disconnection_info: update.disconnection_info,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

function waTemplateStatus(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waTemplateStatusSchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('template.status', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      template_id: update.message_template_id,
      template_name: update.message_template_name,
      language: update.message_template_language,
      reason: update.reason,
      category: update.message_template_category,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

function waQuality(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waQualitySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('channel.quality', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    // The quality webhook names the number only by its display form; the WABA routes it.
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      display_phone_number: update.display_phone_number,
      current_limit: update.current_limit,
      old_limit: update.old_limit,
      max_daily_conversations_per_business: update.max_daily_conversations_per_business,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

// ---------------------------------------------------------------------------------------------
// Instagram (and Messenger `page`)

type IgSource = 'messaging' | 'standby';

interface IgScope {
  bodyRest: Record<string, unknown>;
  entryRest: Record<string, unknown>;
  entryId: string | undefined;
  entryTime: unknown;
}

function splitIgEntry(entry: unknown, bodyRest: Record<string, unknown>, ctx: Ctx): InboundEvent[] {
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

// ---------------------------------------------------------------------------------------------
// Shared normalizers and builders

function normalizeReferral(value: unknown): Referral | undefined {
  const parsed = referralSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { welcome_message: welcome, ...rest } = parsed.data;
  return { ...rest, welcome_message: welcome?.text };
}

function normalizeErrors(errors: unknown[]): MetaErrorInfo[] {
  return errors.flatMap((raw) => {
    const parsed = metaErrorSchema.safeParse(raw);
    if (!parsed.success) return [];
    const { error_data: errorData, ...rest } = parsed.data;
    return [{ ...rest, details: errorData?.details }];
  });
}

function unsupportedBody(body: unknown, reason: UnsupportedReason, ctx: Ctx): InboundEvent {
  const object = isRecord(body) ? stringOr(body.object) : undefined;
  const channelType = channelOfObject(object);
  const prefix = channelType === 'whatsapp' ? 'wa' : channelType === 'instagram' ? 'ig' : 'meta';
  return event('unsupported', {
    key: `${prefix}:unsupported:${hashOrFallback(body, ctx)}`,
    channelType,
    businessId: '',
    data: { reason, object },
    raw: body,
  }, ctx);
}

function unsupportedEntry(
  channelType: ChannelType,
  entry: unknown,
  bodyRest: Record<string, unknown>,
  reason: UnsupportedReason,
  ctx: Ctx,
): InboundEvent {
  const raw = { ...bodyRest, entry: [entry] };
  const entryId = isRecord(entry) ? optId.parse(entry.id) : undefined;
  return event('unsupported', {
    key: `${channelType === 'whatsapp' ? 'wa' : 'ig'}:unsupported:${hashOrFallback(raw, ctx)}`,
    channelType,
    businessId: entryId ?? '',
    wabaId: channelType === 'whatsapp' ? entryId : undefined,
    occurredAt: isRecord(entry) ? isoTime(entry.time) : undefined,
    data: { reason, object: stringOr(bodyRest.object) },
    raw,
  }, ctx);
}

/** Parsed JSON always hashes; anything else (a cycle from a caller bug) still gets a usable key. */
function hashOrFallback(value: unknown, ctx: Ctx): string {
  try {
    return hashOf(value);
  } catch {
    return sha256Hex(`unhashable:${ctx.receivedAt}`);
  }
}

interface EventFields<K extends EventKind> {
  key: string;
  channelType: ChannelType | 'unknown';
  businessId: string;
  wabaId?: string | undefined;
  occurredAt?: string | undefined;
  data: EventDataByKind[K];
  raw: unknown;
}

function event<K extends EventKind>(kind: K, fields: EventFields<K>, ctx: Ctx): InboundEvent {
  const built: InboundEventOf<K> = {
    key: safeKey(fields.key),
    kind,
    channelType: fields.channelType,
    businessId: fields.businessId,
    ...(fields.wabaId === undefined ? {} : { wabaId: fields.wabaId }),
    occurredAt: fields.occurredAt ?? ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    data: withoutUndefined(fields.data),
    raw: fields.raw,
  };
  return built as unknown as InboundEvent;
}

/**
 * Meta timestamps → ISO. WhatsApp sends string Unix seconds, Instagram Unix milliseconds, and some
 * Instagram samples (`changes` entries) seconds again; a value below 1e11 cannot be milliseconds of
 * this era (it would be 1973), so it is read as seconds.
 */
function isoTime(value: unknown): string | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) return undefined;
  const date = new Date(number < 1e11 ? number * 1000 : number);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function omit(record: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/** Normalized data carries no `undefined` fields, so it compares, serializes and hashes predictably. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item)) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = withoutUndefined(field);
    return out as T;
  }
  return value;
}
