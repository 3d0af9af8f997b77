/**
 * Builds Meta webhook payloads and signs them the way Meta does (reference meta-platform.md §1.3,
 * "Fake sender recipe"). Shapes follow the reference §2 and §3; every id is made up.
 */
import { createHmac, randomBytes } from 'node:crypto';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Bytes and signatures: the emulator's own sender (its sandbox page sends the same bytes)

export { metaBody, metaEscape, signedDelivery, signMeta, type MetaDelivery } from '../../dev/meta-emulator/webhook-sender.js';

/**
 * Meta's `signed_request` (deauthorize / data deletion, reference §8.1): base64url without padding of
 * the JSON payload, signed as that encoded string. `algorithm` defaults to HMAC-SHA256.
 */
export function signedRequest(payload: Json, secret: string): string {
  const encodedPayload = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', ...payload }), 'utf8').toString('base64url');
  const sig = createHmac('sha256', secret).update(encodedPayload, 'utf8').digest('base64url');
  return `${sig}.${encodedPayload}`;
}

// ---------------------------------------------------------------------------------------------
// WhatsApp (reference §2)

export const WA = {
  wabaId: '102290129340398',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
  customerWaId: '16505551234',
  customerUserId: 'US.13491208655302741918',
  customerName: 'Ana',
  ownerBusinessId: '1284923862322270',
  partnerAppId: '869361281603019',
} as const;

/**
 * Test files run in parallel processes against one database: ids carry a per-process prefix so two
 * files never mint the same wamid or mid (they would dedup each other's events).
 */
const PROCESS_TAG = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
let sequence = 0;
/** A fresh wamid-like id (base64-ish, with `/`, `+` and `=` as real ones can have). */
export function newWamid(): string {
  sequence += 1;
  return `wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz/${PROCESS_TAG}+${String(sequence).padStart(6, '0')}=`;
}

/** Unix seconds as WhatsApp sends them: a string. */
export const WA_TIMESTAMP = '1749416383';

export interface WaEnvelopeOptions {
  wabaId?: string;
  time?: number;
}

export interface WaChange {
  field: string;
  value: unknown;
}

/** `{object: whatsapp_business_account, entry: [{id, changes}]}`; pass several for a batch. */
export function waEnvelope(opts: WaEnvelopeOptions, changes: WaChange[]): Json {
  return { object: 'whatsapp_business_account', entry: [waEntry(opts, changes)] };
}

export function waEntry(opts: WaEnvelopeOptions, changes: WaChange[]): Json {
  return { id: opts.wabaId ?? WA.wabaId, ...(opts.time === undefined ? {} : { time: opts.time }), changes };
}

/** Several entries in one POST. */
export function waBatch(entries: Json[]): Json {
  return { object: 'whatsapp_business_account', entry: entries };
}

export interface WaMessagesValueOptions {
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  contacts?: unknown[];
  messages?: unknown[];
  statuses?: unknown[];
  errors?: unknown[];
}

/** A `field: messages` change; its value may carry contacts, messages, statuses and errors together. */
export function waMessagesChange(opts: WaMessagesValueOptions): WaChange {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: {
        display_phone_number: opts.displayPhoneNumber ?? WA.displayPhoneNumber,
        phone_number_id: opts.phoneNumberId ?? WA.phoneNumberId,
      },
      ...(opts.contacts ? { contacts: opts.contacts } : {}),
      ...(opts.messages ? { messages: opts.messages } : {}),
      ...(opts.statuses ? { statuses: opts.statuses } : {}),
      ...(opts.errors ? { errors: opts.errors } : {}),
    },
  };
}

export interface WaContactOptions {
  waId?: string | null;
  userId?: string;
  parentUserId?: string;
  name?: string;
  username?: string;
}

/** A `contacts[]` entry; `waId: null` leaves the phone out (BSUID-only users). */
export function waContact(opts: WaContactOptions = {}): Json {
  return {
    profile: { name: opts.name ?? WA.customerName, ...(opts.username ? { username: opts.username } : {}) },
    ...(opts.waId === null ? {} : { wa_id: opts.waId ?? WA.customerWaId }),
    ...(opts.userId ? { user_id: opts.userId } : {}),
    ...(opts.parentUserId ? { parent_user_id: opts.parentUserId } : {}),
  };
}

/** One inbound message as a complete payload, with the sender's contact entry. */
export function waMessagePayload(
  message: Json,
  opts: WaEnvelopeOptions & { phoneNumberId?: string; contact?: Json | null } = {},
): Json {
  const contact =
    opts.contact === null
      ? undefined
      : (opts.contact ??
        waContact({
          waId: typeof message.from === 'string' ? message.from : null,
          ...(typeof message.from_user_id === 'string' ? { userId: message.from_user_id } : {}),
        }));
  return waEnvelope(opts, [
    waMessagesChange({ phoneNumberId: opts.phoneNumberId, messages: [message], ...(contact ? { contacts: [contact] } : {}) }),
  ]);
}

/** One status as a complete payload. */
export function waStatusPayload(status: Json, opts: WaEnvelopeOptions & { phoneNumberId?: string } = {}): Json {
  return waEnvelope(opts, [waMessagesChange({ phoneNumberId: opts.phoneNumberId, statuses: [status] })]);
}

export interface WaMessageCommon {
  wamid?: string;
  /** `null` omits `from` (a BSUID-only sender). */
  from?: string | null;
  fromUserId?: string;
  timestamp?: string;
  context?: Json;
  referral?: Json;
}

/** Any message type: the common fields plus `{type, [type]: body}`. */
export function waMessage(type: string, body: unknown, opts: WaMessageCommon = {}): Json {
  return {
    ...(opts.from === null ? {} : { from: opts.from ?? WA.customerWaId }),
    ...(opts.fromUserId ? { from_user_id: opts.fromUserId } : {}),
    id: opts.wamid ?? newWamid(),
    timestamp: opts.timestamp ?? WA_TIMESTAMP,
    ...(opts.context ? { context: opts.context } : {}),
    ...(opts.referral ? { referral: opts.referral } : {}),
    type,
    ...(body === undefined ? {} : { [type]: body }),
  };
}

export function waTextMessage(opts: WaMessageCommon & { text?: string } = {}): Json {
  return waMessage('text', { body: opts.text ?? 'Does it come in blue?' }, opts);
}

const MEDIA_URL = 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1203948576&ext=1749416383';

export function waImageMessage(opts: WaMessageCommon & { mediaId?: string; caption?: string } = {}): Json {
  return waMessage(
    'image',
    {
      id: opts.mediaId ?? '1203948576',
      mime_type: 'image/jpeg',
      sha256: 'Yk9vZGltYWdlaGFzaA==',
      ...(opts.caption === undefined ? { caption: 'pic' } : { caption: opts.caption }),
      url: MEDIA_URL,
    },
    opts,
  );
}

export function waAudioMessage(opts: WaMessageCommon & { voice?: boolean } = {}): Json {
  return waMessage(
    'audio',
    { id: '1203948577', mime_type: 'audio/ogg; codecs=opus', sha256: 'YXVkaW9oYXNo', voice: opts.voice ?? true, url: MEDIA_URL },
    opts,
  );
}

export function waVideoMessage(opts: WaMessageCommon = {}): Json {
  return waMessage('video', { id: '1203948578', mime_type: 'video/mp4', sha256: 'dmlkZW9oYXNo', caption: 'x', url: MEDIA_URL }, opts);
}

export function waDocumentMessage(opts: WaMessageCommon & { filename?: string } = {}): Json {
  return waMessage(
    'document',
    {
      id: '1203948579',
      mime_type: 'application/pdf',
      sha256: 'ZG9jaGFzaA==',
      filename: opts.filename ?? 'inv.pdf',
      caption: 'x',
      url: MEDIA_URL,
    },
    opts,
  );
}

export function waStickerMessage(opts: WaMessageCommon & { animated?: boolean } = {}): Json {
  return waMessage(
    'sticker',
    { id: '1203948580', mime_type: 'image/webp', sha256: 'c3RpY2tlcmhhc2g=', animated: opts.animated ?? false, url: MEDIA_URL },
    opts,
  );
}

export function waLocationMessage(opts: WaMessageCommon = {}): Json {
  return waMessage(
    'location',
    { latitude: 38.9, longitude: -77.0, name: 'Shop', address: '1 Main St', url: 'https://shop.example/location' },
    opts,
  );
}

export function waContactsMessage(opts: WaMessageCommon = {}): Json {
  return waMessage(
    'contacts',
    [
      {
        name: { formatted_name: 'Jo Doe', first_name: 'Jo' },
        phones: [{ phone: '+1 650 555 1234', wa_id: '16505551234', type: 'CELL' }],
        emails: [{ email: 'jo@x.com', type: 'WORK' }],
        org: { company: 'X' },
        addresses: [],
        urls: [],
        birthday: '1990-01-01',
      },
    ],
    opts,
  );
}

export function waInteractiveMessage(interactive: Json, opts: WaMessageCommon = {}): Json {
  return waMessage('interactive', interactive, opts);
}

export function waButtonReplyMessage(opts: WaMessageCommon & { id?: string; title?: string } = {}): Json {
  return waInteractiveMessage(
    { type: 'button_reply', button_reply: { id: opts.id ?? 'cancel-button', title: opts.title ?? 'Cancel' } },
    opts,
  );
}

export function waListReplyMessage(opts: WaMessageCommon = {}): Json {
  return waInteractiveMessage(
    { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day' } },
    opts,
  );
}

export function waFlowReplyMessage(opts: WaMessageCommon = {}): Json {
  return waInteractiveMessage(
    { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"ft-1","field":"v"}' } },
    opts,
  );
}

/** A template quick-reply button tap. */
export function waButtonMessage(opts: WaMessageCommon & { text?: string; payload?: string } = {}): Json {
  return waMessage('button', { text: opts.text ?? 'Yes', payload: opts.payload ?? 'CONFIRM_123' }, opts);
}

/** A reaction; without `emoji` it is the removal of a reaction. */
export function waReactionMessage(opts: WaMessageCommon & { reactedWamid: string; emoji?: string }): Json {
  return waMessage(
    'reaction',
    { message_id: opts.reactedWamid, ...(opts.emoji === undefined ? {} : { emoji: opts.emoji }) },
    opts,
  );
}

export function waOrderMessage(opts: WaMessageCommon = {}): Json {
  return waMessage(
    'order',
    {
      catalog_id: '7830129384756',
      text: 'note',
      product_items: [{ product_retailer_id: 'SKU1', quantity: 2, item_price: 10.5, currency: 'USD' }],
    },
    opts,
  );
}

export function waSystemMessage(opts: WaMessageCommon = {}): Json {
  return waMessage(
    'system',
    { body: 'User Ana changed from 16505551234 to 12195555358', wa_id: '12195555358', type: 'user_changed_number' },
    opts,
  );
}

export function waRequestWelcomeMessage(opts: WaMessageCommon = {}): Json {
  return waMessage('request_welcome', undefined, opts);
}

export function waUnsupportedMessage(opts: WaMessageCommon & { unsupportedType?: string } = {}): Json {
  return {
    ...waMessage('unsupported', { type: opts.unsupportedType ?? 'edit' }, opts),
    errors: [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ],
  };
}

export function waReferral(): Json {
  return {
    source_url: 'https://fb.me/3cr4Wqqkk',
    source_id: '120226305854810726',
    source_type: 'ad',
    headline: 'Summer sale',
    body: 'Chat with us',
    media_type: 'image',
    image_url: 'https://scontent.example/ad.jpg',
    ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
    welcome_message: { text: 'Hi! How can we help?' },
  };
}

export interface WaStatusOptions {
  wamid: string;
  status: string;
  timestamp?: string;
  /** `null` omits `recipient_id` (sent to a BSUID). */
  recipientId?: string | null;
  recipientUserId?: string;
  errors?: unknown[];
  pricing?: Json;
  conversation?: Json;
  bizOpaqueCallbackData?: string;
}

export function waStatus(opts: WaStatusOptions): Json {
  return {
    id: opts.wamid,
    status: opts.status,
    timestamp: opts.timestamp ?? '1750030073',
    ...(opts.recipientId === null ? {} : { recipient_id: opts.recipientId ?? WA.customerWaId }),
    ...(opts.recipientUserId ? { recipient_user_id: opts.recipientUserId } : {}),
    ...(opts.bizOpaqueCallbackData ? { biz_opaque_callback_data: opts.bizOpaqueCallbackData } : {}),
    ...(opts.conversation ? { conversation: opts.conversation } : {}),
    ...(opts.pricing ? { pricing: opts.pricing } : {}),
    ...(opts.errors ? { errors: opts.errors } : {}),
  };
}

export const WA_PRICING = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' } as const;
export const WA_CONVERSATION = {
  id: '72b14d6bd5f3c1a0e9b8',
  expiration_timestamp: '1750116480',
  origin: { type: 'marketing' },
} as const;

export function waError(code: number, title: string, details = title): Json {
  return { code, title, message: title, error_data: { details }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' };
}

export interface WaAccountUpdateOptions {
  event: string;
  wabaId?: string;
  /** entry.id: on account_update the partner's business id, not the WABA. */
  entryId?: string;
  time?: number;
  disconnectionInfo?: Json;
  withWabaInfo?: boolean;
}

/** A complete `account_update` payload, e.g. `PARTNER_APP_UNINSTALLED` (WhatsApp's "deauthorize"). */
export function waAccountUpdate(opts: WaAccountUpdateOptions): Json {
  const value = {
    event: opts.event,
    ...(opts.withWabaInfo === false
      ? {}
      : {
          waba_info: {
            waba_id: opts.wabaId ?? WA.wabaId,
            owner_business_id: WA.ownerBusinessId,
            partner_app_id: WA.partnerAppId,
          },
        }),
    ...(opts.disconnectionInfo ? { disconnection_info: opts.disconnectionInfo } : {}),
  };
  return waEnvelope({ wabaId: opts.entryId ?? WA.ownerBusinessId, time: opts.time ?? 1750030000 }, [
    { field: 'account_update', value },
  ]);
}

export function waTemplateStatusUpdate(opts: { event?: string; reason?: string | null; time?: number } = {}): Json {
  return waEnvelope({ time: opts.time ?? 1750030100 }, [
    {
      field: 'message_template_status_update',
      value: {
        event: opts.event ?? 'APPROVED',
        message_template_id: 1234567890,
        message_template_name: 'order_update',
        message_template_language: 'en_US',
        reason: opts.reason === undefined ? 'NONE' : opts.reason,
        message_template_category: 'UTILITY',
      },
    },
  ]);
}

export function waQualityUpdate(opts: { event?: string; time?: number } = {}): Json {
  return waEnvelope({ time: opts.time ?? 1750030200 }, [
    {
      field: 'phone_number_quality_update',
      value: {
        display_phone_number: WA.displayPhoneNumber,
        event: opts.event ?? 'FLAGGED',
        current_limit: 'TIER_10K',
        max_daily_conversations_per_business: '10000',
      },
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Instagram (reference §3)

export const IG = {
  accountId: '17841400000000000',
  customerId: '6841100000000000',
} as const;

/** Unix milliseconds as Instagram sends them. */
export const IG_TIMESTAMP = 1785312190662;

let igSequence = 0;
export function newMid(): string {
  igSequence += 1;
  return `aWdfZG1fMTc4NDE0MDAwMDAwMDAwMDA6${PROCESS_TAG}${String(igSequence).padStart(6, '0')}`;
}

export interface IgEnvelopeOptions {
  accountId?: string;
  time?: number;
  object?: 'instagram' | 'page';
  standby?: unknown[];
  changes?: unknown[];
}

/** `{object: instagram, entry: [{id, time, messaging}]}` (standby/changes optional). */
export function igEnvelope(opts: IgEnvelopeOptions, messaging: unknown[]): Json {
  return { object: opts.object ?? 'instagram', entry: [igEntry(opts, messaging)] };
}

export function igEntry(opts: IgEnvelopeOptions, messaging: unknown[] | undefined): Json {
  return {
    id: opts.accountId ?? IG.accountId,
    time: opts.time ?? 1785312191004,
    ...(messaging ? { messaging } : {}),
    ...(opts.standby ? { standby: opts.standby } : {}),
    ...(opts.changes ? { changes: opts.changes } : {}),
  };
}

export interface IgItemCommon {
  senderId?: string;
  recipientId?: string;
  timestamp?: number;
}

function igItem(opts: IgItemCommon, body: Json): Json {
  return {
    sender: { id: opts.senderId ?? IG.customerId },
    recipient: { id: opts.recipientId ?? IG.accountId },
    timestamp: opts.timestamp ?? IG_TIMESTAMP,
    ...body,
  };
}

export interface IgMessageOptions extends IgItemCommon {
  mid?: string;
  text?: string;
  attachments?: Json[];
  replyTo?: Json;
  quickReply?: Json;
  referral?: Json;
  isUnsupported?: boolean;
}

export function igMessage(opts: IgMessageOptions = {}): Json {
  const noContent = opts.attachments === undefined && !opts.isUnsupported;
  return igItem(opts, {
    message: {
      mid: opts.mid ?? newMid(),
      ...(opts.text !== undefined ? { text: opts.text } : noContent ? { text: 'Me interesa' } : {}),
      ...(opts.attachments ? { attachments: opts.attachments } : {}),
      ...(opts.replyTo ? { reply_to: opts.replyTo } : {}),
      ...(opts.quickReply ? { quick_reply: opts.quickReply } : {}),
      ...(opts.referral ? { referral: opts.referral } : {}),
      ...(opts.isUnsupported ? { is_unsupported: true } : {}),
    },
  });
}

export function igAttachment(type: string, payload: Json = { url: `https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${type}` }): Json {
  return { type, payload };
}

/** The business's own outbound message: sender and recipient are swapped. */
export function igEcho(opts: IgMessageOptions = {}): Json {
  const item = igMessage({ ...opts, senderId: opts.senderId ?? IG.accountId, recipientId: opts.recipientId ?? IG.customerId });
  return { ...item, message: { ...(item.message as Json), is_echo: true } };
}

export function igDeleted(opts: IgItemCommon & { mid: string }): Json {
  return igItem(opts, { message: { mid: opts.mid, is_deleted: true } });
}

export function igEdit(opts: IgItemCommon & { mid: string; text?: string; numEdit?: number }): Json {
  return igItem(opts, { message_edit: { mid: opts.mid, text: opts.text ?? 'new text', num_edit: opts.numEdit ?? 1 } });
}

export function igReaction(
  opts: IgItemCommon & { mid: string; action?: 'react' | 'unreact'; reaction?: string; emoji?: string },
): Json {
  const action = opts.action ?? 'react';
  return igItem(opts, {
    reaction:
      action === 'react'
        ? { mid: opts.mid, action, reaction: opts.reaction ?? 'love', emoji: opts.emoji ?? '\u2764\ufe0f' }
        : { mid: opts.mid, action },
  });
}

export function igRead(opts: IgItemCommon & { mid: string }): Json {
  return igItem(opts, { read: { mid: opts.mid } });
}

export function igPostback(opts: IgItemCommon & { mid?: string; title?: string; payload?: string } = {}): Json {
  return igItem(opts, {
    postback: {
      mid: opts.mid ?? newMid(),
      title: opts.title ?? 'Get started',
      ...(opts.payload === undefined ? { payload: 'GET_STARTED' } : { payload: opts.payload }),
    },
  });
}

export function igReferral(opts: IgItemCommon & { ref?: string; source?: string } = {}): Json {
  return igItem(opts, { referral: { ref: opts.ref ?? 'summer', source: opts.source ?? 'SHORTLINKS', type: 'OPEN_THREAD' } });
}

/** A Click-to-Instagram ad referral as carried inside a message. */
export function igAdReferral(): Json {
  return {
    ref: 'spring-campaign',
    ad_id: '120210000000000000',
    source: 'ADS',
    type: 'OPEN_THREAD',
    ads_context_data: { ad_title: 'Spring sale', photo_url: 'https://scontent.example/ad.jpg' },
  };
}

export function igComment(opts: { commentId?: string; text?: string } = {}): Json {
  return {
    field: 'comments',
    value: {
      id: opts.commentId ?? '17865799348089039',
      from: { id: IG.customerId, username: 'ana' },
      text: opts.text ?? 'Price?',
      media: { id: '17887498072083520', media_product_type: 'FEED' },
    },
  };
}

/** One messaging item as a complete payload. */
export function igPayload(item: Json, opts: IgEnvelopeOptions = {}): Json {
  return igEnvelope(opts, [item]);
}
