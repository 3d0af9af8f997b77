/**
 * The normalized inbound event: what the rest of the service (API, inbound workflow, DSK delivery)
 * works with instead of Meta's webhook shapes. Only Meta's webhook projection (`src/meta/webhook/split.ts`
 * and the product modules it dispatches to) reads Meta's field names; everything downstream reads these types.
 *
 * Plain data and pure functions only: this module is imported by workflow code, so it must stay
 * deterministic (no Node built-ins, no I/O, no schema library).
 *
 * Field names inside `data` are snake_case because `data` is forwarded to DSK unchanged as the
 * envelope's `data` (docs/schemas/dsk-event.v1.schema.json); the event's own metadata is camelCase.
 */

export type ChannelType = 'whatsapp' | 'instagram';

/** Every kind an inbound Meta event is normalized to. */
export const EVENT_KINDS = [
  'message.received',
  'message.echo',
  'message.status',
  'message.reaction',
  'message.read',
  'message.edited',
  'message.deleted',
  'message.postback',
  'message.referral',
  'conversation.handover',
  'conversation.history',
  'contact.updated',
  'channel.error',
  'channel.account_update',
  'channel.quality',
  'template.status',
  'unsupported',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * A person or account taking part in a conversation.
 *
 * `id` is the address to reply to on the channel: on WhatsApp the phone-based `wa_id` when Meta sent
 * one, otherwise the business-scoped user id (BSUID, sends accept it as recipient); on Instagram the
 * IGSID (customers) or the professional account id (the business).
 */
export interface Participant {
  id: string;
  wa_id?: string;
  /** WhatsApp business-scoped user id (BSUID), e.g. `US.1349…`. */
  user_id?: string;
  parent_user_id?: string;
  name?: string;
  username?: string;
  /**
   * Instagram: the profile picture's URL, looked up with the name and username when the message
   * arrived (Meta's URL, which expires in days).
   */
  profile_pic_url?: string;
}

/** One error object as Meta sends it in webhooks (`{code, title, message, error_data: {details}, href}`). */
export interface MetaErrorInfo {
  code?: number;
  title?: string;
  message?: string;
  details?: string;
  href?: string;
}

/** Inbound media. WhatsApp sends `id` (valid 7 days) and usually a `url`; Instagram only a `url`, which expires. */
export interface MessageMedia {
  id?: string;
  url?: string;
  mime_type?: string;
  /** WhatsApp: base64 SHA-256 of the file. */
  sha256?: string;
  caption?: string;
  filename?: string;
  /** WhatsApp audio recorded as a voice note. */
  voice?: boolean;
  /** WhatsApp animated sticker. */
  animated?: boolean;
  /** Where DSK fetches the bytes through the service (`GET /v1/channels/:id/media/:mediaId`) for the whole delivery horizon. */
  service_url?: string;
}

/**
 * One Instagram attachment. `type` is normalized where known (`file` → `document`, `ig_reel` →
 * `reel`, `ig_post` → `post`) and kept as Meta sent it otherwise.
 */
export interface MessageAttachment {
  type: string;
  url?: string;
  title?: string;
  /** Media attachments: where DSK fetches the bytes through the service once Meta's URL has expired. */
  service_url?: string;
}

export interface MessageLocation {
  latitude?: number;
  longitude?: number;
  name?: string;
  address?: string;
  url?: string;
}

/** A contact card shared in a WhatsApp `contacts` message (Meta's vCard-like shape). */
export interface SharedContact {
  name?: {
    formatted_name?: string;
    first_name?: string;
    last_name?: string;
    middle_name?: string;
    prefix?: string;
    suffix?: string;
  };
  phones?: Array<{ phone?: string; wa_id?: string; type?: string }>;
  emails?: Array<{ email?: string; type?: string }>;
  org?: { company?: string; department?: string; title?: string };
  addresses?: Array<{
    street?: string;
    city?: string;
    state?: string;
    zip?: string;
    country?: string;
    country_code?: string;
    type?: string;
  }>;
  urls?: Array<{ url?: string; type?: string }>;
  birthday?: string;
}

/**
 * A reply to an interactive message. `type` is Meta's `interactive.type` (`button_reply`,
 * `list_reply`, `nfm_reply`, or a type we do not know yet, which is kept with its raw object in
 * the event's `raw`).
 */
export interface InteractiveReply {
  type: string;
  id?: string;
  title?: string;
  description?: string;
  /** A completed WhatsApp Flow (`nfm_reply`); `response_json` is a JSON string as Meta sends it. */
  flow?: { name?: string; body?: string; response_json?: string };
}

/** A tap on a WhatsApp template quick-reply button. */
export interface ButtonReply {
  text?: string;
  payload?: string;
}

export interface MessageOrder {
  catalog_id?: string;
  text?: string;
  product_items: Array<{ product_retailer_id?: string; quantity?: number; item_price?: number; currency?: string }>;
}

/**
 * A WhatsApp system notice (WA-SYS): `user_changed_number` (the new number in `wa_id`; older payloads
 * name it `new_wa_id`), `user_changed_user_id` (the new BSUID in `user_id`), `customer_identity_changed`
 * (with `identity`).
 */
export interface SystemNotice {
  type?: string;
  body?: string;
  /** The user's new WhatsApp id (number). */
  wa_id?: string;
  /** The user's new business-scoped user id. */
  user_id?: string;
  parent_user_id?: string;
  /** `customer_identity_changed`: Meta's identity check (the message's top-level `identity`). */
  identity?: { acknowledged?: boolean; created_timestamp?: string; hash?: string };
}

/** What a message replies to or was forwarded from (WhatsApp `context`, Instagram `reply_to`). */
export interface MessageContext {
  message_id?: string;
  from?: string;
  forwarded?: boolean;
  frequently_forwarded?: boolean;
  referred_product?: { catalog_id?: string; product_retailer_id?: string };
  /** Instagram story reply. */
  story?: { id?: string; url?: string };
}

/**
 * Where a conversation came from: a Click-to-WhatsApp/Click-to-Instagram ad, a post, a short link.
 * Union of the WhatsApp and Instagram field sets; each channel fills its own.
 */
export interface Referral {
  source?: string;
  type?: string;
  ref?: string;
  ad_id?: string;
  source_url?: string;
  source_id?: string;
  source_type?: string;
  headline?: string;
  body?: string;
  media_type?: string;
  image_url?: string;
  video_url?: string;
  thumbnail_url?: string;
  ctwa_clid?: string;
  welcome_message?: string;
  ads_context_data?: { ad_title?: string; photo_url?: string; video_url?: string };
}

export const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'order',
  'system',
  'request_welcome',
  'share',
  'story_mention',
  'reel',
  'post',
  'ephemeral',
  'unsupported',
  'unknown',
] as const;

/**
 * `unsupported`: Meta itself says it cannot show the content (WhatsApp `unsupported`, Instagram
 * `is_unsupported`). `unknown`: an Instagram attachment type this service does not know yet.
 */
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface NormalizedMessage {
  id: string;
  type: MessageType;
  text?: string;
  media?: MessageMedia;
  /** Instagram only: every attachment (a message can carry several). */
  attachments?: MessageAttachment[];
  location?: MessageLocation;
  contacts?: SharedContact[];
  interactive?: InteractiveReply;
  button?: ButtonReply;
  /** Instagram quick-reply tap; the tapped title is `text`. */
  quick_reply?: { payload?: string };
  order?: MessageOrder;
  system?: SystemNotice;
  context?: MessageContext;
  referral?: Referral;
  /** WhatsApp `unsupported` messages: why Meta could not deliver the content. */
  errors?: MetaErrorInfo[];
  /** WhatsApp `unsupported.type`, e.g. `edit`, `poll_creation`. */
  unsupported_type?: string;
  group_id?: string;
}

/** Fields shared by every conversation event. */
interface ConversationEventData {
  /** For echoes the sender is the business account (Meta swaps sender and recipient). */
  sender: Participant;
  /** The other side: on Instagram the recipient (the business account for inbound, the customer for echoes); on a WhatsApp echo the customer. */
  recipient?: Participant;
  /** Instagram: the event came from `standby[]` (the thread is owned by another app, e.g. the Inbox). */
  standby?: boolean;
}

export interface MessageData extends ConversationEventData {
  message: NormalizedMessage;
}

export interface EchoData extends MessageData {
  /** Instagram: the echo of a send made through this service (its mid is in the send ledger). */
  client_message_id?: string;
}

export const MESSAGE_STATUSES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface StatusRecipient {
  id: string;
  wa_id?: string;
  user_id?: string;
  parent_user_id?: string;
  /** `group` for group sends (then `participant_id` is the member). */
  type?: string;
  participant_id?: string;
}

export interface StatusPricing {
  billable?: boolean;
  pricing_model?: string;
  type?: string;
  category?: string;
}

export interface StatusConversation {
  id?: string;
  expires_at?: string;
  origin_type?: string;
}

export interface StatusData {
  /** The outbound message (wamid) this status is about. */
  message_id: string;
  /** What Meta sent in this event; statuses arrive unordered, so it may be behind `current_status`. */
  status: MessageStatus;
  /** A message sent through this service (its tag matched): DSK's id of the send. */
  client_message_id?: string;
  /**
   * The channel's view of the message after merging `status` into it (`mergeStatus`): never goes
   * backwards. Set by the inbound workflow when it delivers the event, absent in a freshly split event.
   */
  current_status?: MessageStatus;
  recipient?: StatusRecipient;
  errors?: MetaErrorInfo[];
  pricing?: StatusPricing;
  conversation?: StatusConversation;
  /** Echo of what we set when sending; correlates a status with our row even if the send response was lost. */
  biz_opaque_callback_data?: string;
  group_id?: string;
  /**
   * A `failed` status: why, as the stable code a synchronous refusal of the same Meta code gets
   * (outside_customer_window for 131047, undeliverable for 131026, …), Meta's code and a readable reason.
   */
  error?: StatusError;
}

/** Our stable code for a failure Meta reported, with Meta's codes when given (the event schema has no nulls). */
export interface StatusError {
  code: string;
  meta_code?: number;
  meta_subcode?: number;
  reason: string;
}

export interface ReactionData extends ConversationEventData {
  reaction: {
    /** The message reacted to. */
    message_id: string;
    action: 'react' | 'unreact';
    emoji?: string;
    /** Instagram's named reaction, e.g. `love`. */
    name?: string;
  };
  /** WhatsApp: a reaction is itself a message with its own wamid. */
  reaction_id?: string;
}

export interface ReadData extends ConversationEventData {
  /** Instagram: the message seen. */
  message_id?: string;
  /** Messenger: everything before this time was read. */
  watermark?: string;
}

export interface EditData extends ConversationEventData {
  /**
   * The message edited. Absent only when Meta withholds it: WhatsApp delivers some edits as an
   * `unsupported` message of `unsupported.type: "edit"`, without the original or the new content.
   */
  message_id?: string;
  text?: string;
  num_edit?: number;
  /** WhatsApp: the edit is a message with its own wamid. */
  edit_id?: string;
  /** WhatsApp: the message as it reads now (type and content). */
  message?: NormalizedMessage;
  /** WhatsApp: the edit arrived as `unsupported` (see message_id). */
  unsupported?: boolean;
  /** WhatsApp coexistence: the business made the change in the WhatsApp Business app (`smb_message_echoes`). */
  echo?: boolean;
}

export interface DeleteData extends ConversationEventData {
  message_id: string;
  /** WhatsApp: the deletion (`revoke`) is a message with its own wamid. */
  revoke_id?: string;
  /** WhatsApp coexistence: the business deleted it in the WhatsApp Business app. */
  echo?: boolean;
}

/**
 * Who owns a Messenger/Instagram thread changed (handover protocol, kept by Conversation Routing):
 * `pass` (ownership passed to `new_owner_app_id`), `take` (taken from `previous_owner_app_id`),
 * `request` (the requesting app asks the owner to pass it).
 */
export interface HandoverData extends ConversationEventData {
  action: 'pass' | 'take' | 'request';
  new_owner_app_id?: string;
  previous_owner_app_id?: string;
  requested_owner_app_id?: string;
  /** The free text the app passed along. */
  metadata?: string;
}

/** One past message of a WhatsApp coexistence history import. */
export interface HistoryMessage {
  /** `inbound`: the customer wrote it; `outbound`: the business (from the app). */
  direction: 'inbound' | 'outbound';
  from?: string;
  to?: string;
  /** When it was sent (ISO 8601). */
  sent_at?: string;
  /** `history_context.status` as Meta gives it (e.g. READ, DELIVERED, PLAYED). */
  status?: string;
  message: NormalizedMessage;
}

/**
 * A chunk of the chat history a WhatsApp Business app number shares when it is connected (coexistence,
 * WA-HIST): one event per thread (customer) of a chunk. Past messages are history, not new messages: no
 * customer-service window opens and nothing should be answered. When the business declined to share,
 * one event carries `errors` and no messages.
 */
export interface HistoryData {
  phase?: number;
  chunk_order?: number;
  /** 100 = the import is complete. */
  progress?: number;
  /** The customer's WhatsApp id (the thread). */
  thread_id?: string;
  messages: HistoryMessage[];
  errors?: MetaErrorInfo[];
}

/** WhatsApp `user_id_update`: a customer's business-scoped user id changed. */
export interface ContactUpdateData {
  wa_id?: string;
  user_id?: { previous?: string; current?: string };
  parent_user_id?: { previous?: string; current?: string };
  detail?: string;
}

export interface PostbackData extends ConversationEventData {
  postback: { message_id?: string; title?: string; payload?: string };
  referral?: Referral;
}

export interface ReferralData extends ConversationEventData {
  referral: Referral;
}

/** A WhatsApp system/app/account problem not tied to one message (value-level `errors[]`). */
export interface ChannelErrorData {
  errors: MetaErrorInfo[];
  phone_number_id?: string;
  display_phone_number?: string;
}

export interface AccountUpdateData {
  event: string;
  /**
   * True for `PARTNER_APP_UNINSTALLED` and `PARTNER_REMOVED`: WhatsApp's equivalent of a deauthorize
   * callback, so the channel of this WABA must be disconnected.
   */
  disconnect: boolean;
  waba_id?: string;
  owner_business_id?: string;
  partner_app_id?: string;
  phone_number?: string;
  disconnection_info?: { reason?: string; initiated_by?: string };
}

export interface QualityData {
  event: string;
  display_phone_number?: string;
  current_limit?: string;
  old_limit?: string;
  max_daily_conversations_per_business?: string;
}

/**
 * A WABA's message template changed: its review status (`update: "status"`, e.g. APPROVED, REJECTED,
 * PAUSED), its category (`"category"`, event CATEGORY_UPDATE) or its quality (`"quality"`, event
 * QUALITY_UPDATE). Templates belong to the WABA, so every number of the WABA is concerned.
 */
export interface TemplateStatusData {
  /** Meta's status event (APPROVED, REJECTED, PAUSED, …), or `CATEGORY_UPDATE` when Meta re-categorised the template. */
  event: string;
  update?: 'status' | 'category' | 'quality';
  template_id?: string;
  template_name?: string;
  language?: string;
  reason?: string;
  category?: string;
  /** `CATEGORY_UPDATE` only: the category before. */
  previous_category?: string;
  new_category?: string;
  correct_category?: string;
  previous_quality_score?: string;
  new_quality_score?: string;
}

export const UNSUPPORTED_REASONS = [
  'unknown_object',
  'unsupported_channel',
  'unhandled_field',
  'unknown_message_type',
  'unknown_status',
  'unknown_item',
  'malformed',
] as const;

export type UnsupportedReason = (typeof UNSUPPORTED_REASONS)[number];

/**
 * A correctly signed event this service does not understand. It is acknowledged and recorded with
 * its raw object (so Meta does not resend it for days and nothing is lost), never interpreted.
 */
export interface UnsupportedData {
  /** `unsupported_channel`: a Meta product this service has no channel for (Messenger's `object: "page"`); routed nowhere. */
  reason: UnsupportedReason;
  object?: string;
  field?: string;
  /** The unknown message type, status value or messaging key. */
  item_type?: string;
}

export interface EventDataByKind {
  'message.received': MessageData;
  'message.echo': EchoData;
  'message.status': StatusData;
  'message.reaction': ReactionData;
  'message.read': ReadData;
  'message.edited': EditData;
  'message.deleted': DeleteData;
  'message.postback': PostbackData;
  'message.referral': ReferralData;
  'conversation.handover': HandoverData;
  'conversation.history': HistoryData;
  'contact.updated': ContactUpdateData;
  'channel.error': ChannelErrorData;
  'channel.account_update': AccountUpdateData;
  'channel.quality': QualityData;
  'template.status': TemplateStatusData;
  unsupported: UnsupportedData;
}

export interface InboundEventOf<K extends EventKind> {
  /** Idempotency key, e.g. `wa:msg:<wamid>`; also the suffix of the inbound workflow id (≤ 200 ASCII chars). */
  key: string;
  kind: K;
  /** `unknown` only for unsupported events whose Meta object names no channel. */
  channelType: ChannelType | 'unknown';
  /**
   * Routing key to the channel: WhatsApp `phone_number_id` (the WABA id for account-level fields),
   * Instagram `entry.id` (the professional account). Empty when Meta's object carries none.
   */
  businessId: string;
  /** WhatsApp: the WABA (`entry.id`, or `waba_info.waba_id`): template events concern every number of it. */
  wabaId?: string;
  /**
   * WhatsApp WABA-level events that name their number only by its display form
   * (`phone_number_quality_update`): its digits, to find the channel among the WABA's numbers.
   */
  phoneNumber?: string;
  /** When it happened according to Meta (ISO 8601); the receive time when Meta gives none. */
  occurredAt: string;
  receivedAt: string;
  data: EventDataByKind[K];
  /**
   * Meta's original object for this event, as a complete webhook body holding only this event (the
   * envelope, the entry, the change or messaging item, the matched contact). Nothing Meta sent about
   * the event is dropped.
   */
  raw: unknown;
}

export type InboundEvent = { [K in EventKind]: InboundEventOf<K> }[EventKind];

/** Connection lifecycle events the service sends to DSK itself (not from a Meta webhook). */
export interface ChannelStatusData {
  /** e.g. `active`, `reauth_required`, `disconnected`. */
  status: string;
  reason?: string;
}

/**
 * `message.status` as DSK receives it: Meta's status webhooks (StatusData) and, with `source: "send"`,
 * the outcome of a send DSK asked for (src/activities/outbound.ts notifySendOutcome).
 */
export interface DskStatusData extends Omit<StatusData, 'message_id' | 'status'> {
  source?: 'send';
  /** Absent only on a send outcome Meta gave no id for. */
  message_id?: string;
  status: MessageStatus | 'accepted' | 'unknown';
  error?: StatusError;
  /** An `accepted` outcome proved by a webhook after the send's answer was lost. */
  reconciled?: boolean;
}

export interface DskDataByType extends Omit<EventDataByKind, 'message.status'> {
  'message.status': DskStatusData;
  'channel.status': ChannelStatusData;
}

export type DskEventType = keyof DskDataByType;

export const DSK_EVENT_TYPES = [...EVENT_KINDS, 'channel.status'] as const satisfies readonly DskEventType[];

export const DSK_ENVELOPE_VERSION = 1;

export interface DskEnvelopeChannel {
  id: string;
  type: ChannelType;
  /** The Meta-side id: WhatsApp phone_number_id, Instagram account id. */
  external_id: string;
}

/** The body of `POST <events_url>` to DSK (docs/schemas/dsk-event.v1.schema.json). */
export type DskEventEnvelope = {
  [T in DskEventType]: {
    /** The idempotency key; DSK receives it as `Idempotency-Key` too. */
    id: string;
    type: T;
    version: typeof DSK_ENVELOPE_VERSION;
    instance_id: string;
    channel: DskEnvelopeChannel;
    occurred_at: string;
    received_at: string;
    data: DskDataByType[T];
    raw: unknown;
  };
}[DskEventType];
