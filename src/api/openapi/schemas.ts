import { z } from 'zod';
import { CustomerWindowResponse } from '../routes/customer-windows.js';
import { EventTypes } from '../routes/instance.js';
import { Uuid } from './common.js';

/*
 * The answers' schemas: what the routes put in their JSON bodies. Each becomes a component of
 * docs/openapi.json under its id. Pure schema data (hence the length).
 */

/** Every list's `next_cursor` (src/api/pagination.ts). */
const NextCursor = z.string().nullable().meta({"description": "Pass as `after` for the next page; null on the last page."});

export const Instance = z.strictObject({
  id: z.string().meta({"description": "The instance id (from the token's instance claim)."}),
  events_url: z.url().nullable().meta({"description": "Where events are POSTed; `null`: nowhere (deliveries fail with `no_events_url`)."}),
  event_types: EventTypes.unwrap().meta({"description": "The event types the instance receives (each once); null: every type, including types added later. Events of other types are recorded as `skipped` (GET /v1/deliveries does not list them) and never sent. `test.ping` always comes."}),
}).meta({"id": "Instance"});

export const TestEventResult = z.strictObject({
  event_id: z.string().meta({"description": "The event's id, also its Idempotency-Key: `test:ping:<uuid>`."}),
  delivered: z.literal(true),
  dsk_status: z.int().meta({"description": "The 2xx status DSK answered."}),
}).meta({"id": "TestEventResult"});

export const TestEventFailureDetails = z.strictObject({
  event_id: z.string(),
  dsk_status: z.int().nullable().meta({"description": "DSK's HTTP status; null when none came."}),
  reason: z.string().meta({"description": "The class of failure: `http`, `network`, `timeout`, `no_events_url`."}),
});

export const ChannelType = z.enum(["whatsapp", "instagram"]).meta({"id": "ChannelType"});

export const ConnectFlow = z.enum(["whatsapp_embedded_signup", "instagram_facebook_login", "instagram_login"]).meta({"id": "ConnectFlow", "description": "`whatsapp_embedded_signup`: WhatsApp Embedded Signup (Facebook Login for Business). `instagram_facebook_login`: an Instagram professional account linked to a Facebook Page, through Facebook Login. `instagram_login`: Instagram Login (Instagram app configured)."});

export const ConnectionCreated = z.strictObject({
  connection_id: Uuid,
  connect_url: z.url().meta({"description": "The page to send the end user to (`<public base URL>/connect/<connection_id>`)."}),
  expires_at: z.iso.datetime().meta({"description": "When the connect link stops working (30 minutes)."}),
  status: z.literal("awaiting_authorization"),
  flow: ConnectFlow,
}).meta({"id": "ConnectionCreated"});

export const ConnectionStatus = z.enum(["pending", "awaiting_authorization", "authorizing", "choosing_asset", "awaiting_pin", "registration_waiting", "active", "reauth_required", "disconnected", "expired", "cancelled", "failed"]).meta({"id": "ConnectionStatus", "description": "`awaiting_authorization` (`pending` when the workflow cannot be asked): waiting for the end user. `authorizing`: Meta's code is being exchanged and assets verified. `choosing_asset`: the end user picks one of several numbers/accounts. `awaiting_pin`: Meta registers the WhatsApp number only with its two-step verification PIN, which the connect page asks the end user for. `registration_waiting`: Meta asked to wait before registering the number (a few minutes after it was deleted, up to 72 hours after too many attempts); the connection continues by itself. `active`: connected (`channel_id` set). `reauth_required`: the token died, a re-connect is needed. Final: `disconnected`, `expired` (the link timed out), `cancelled`, `failed` (see `failure`)."});

export const Connection = z.strictObject({
  connection_id: Uuid,
  channel_type: ChannelType,
  flow: ConnectFlow,
  status: ConnectionStatus,
  channel_id: Uuid.nullable().meta({"description": "The channel this connection created, once there is one."}),
  failure: z.strictObject({
    code: z.string().meta({"description": "Stable, e.g. `no_assets`, `asset_in_use` (the asset is connected to another instance), `no_waba_granted`, `whatsapp_pin_locked`, `authorization_failed`, `activation_failed`; when Meta refused a call, the code of Meta's failure as failed sends name it (`reauth_required`, `permission_missing`, `meta_unavailable`, `meta_throttled`, `bad_request`, `meta_error`, …); `dsk.http`, `dsk.timeout`, `dsk.network` when DSK could not be told."}),
    message: z.string().meta({"description": "Readable explanation (absent once the workflow has ended)."}).optional(),
  }).nullable().meta({"description": "Why the connection failed; `null` otherwise."}),
  expires_at: z.iso.datetime().meta({"description": "When the current connect link expires."}),
  created_at: z.iso.datetime(),
}).meta({"id": "Connection"});

export const ConnectionSummary = z.strictObject({
  connection_id: Uuid,
  channel_type: ChannelType,
  flow: ConnectFlow,
  status: z.string().meta({"description": "As stored: `awaiting_authorization`, `authorizing`, `active`, `cancelled`, `expired`, `failed`, `disconnected`, … (GET /v1/connections/{id} answers the live phase)."}),
  channel_id: Uuid.nullable(),
  failure: z.strictObject({ code: z.string() }).nullable(),
  expires_at: z.iso.datetime(),
  created_at: z.iso.datetime(),
}).meta({"id": "ConnectionSummary", "description": "A connection as stored (the list does not ask each workflow for its live phase)."});

export const ConnectionList = z.strictObject({
  connections: z.array(ConnectionSummary),
  next_cursor: NextCursor,
}).meta({"id": "ConnectionList"});

export const ReconnectLink = z.strictObject({
  connection_id: Uuid,
  connect_url: z.url(),
  expires_at: z.iso.datetime(),
  status: z.literal("awaiting_authorization"),
}).meta({"id": "ReconnectLink"});

export const ChannelStatus = z.enum(["active", "reauth_required", "disconnected"]).meta({"id": "ChannelStatus", "description": "`active`: sends and receives. `reauth_required`: Meta no longer accepts the token; inbound events still arrive, re-connect with `POST /v1/channels/{id}/reconnect`. `disconnected`: final."});

export const Channel = z.strictObject({
  id: Uuid,
  channel_type: ChannelType,
  status: ChannelStatus,
  external_id: z.string().meta({"description": "Meta's id: the WhatsApp `phone_number_id`, or the Instagram professional account id. Events carry it as `channel.external_id`."}),
  display_name: z.string().nullable(),
  phone_number: z.string().nullable().meta({"description": "WhatsApp: the display phone number."}),
  username: z.string().nullable().meta({"description": "Instagram: the account's username."}),
  waba_id: z.string().nullable().meta({"description": "WhatsApp Business Account id."}),
  page_id: z.string().nullable().meta({"description": "Instagram through Facebook Login: the linked Facebook Page."}),
  labels: z.record(z.string(), z.string()).meta({"description": "DSK's own labels (`PATCH`)."}),
  verification: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).meta({"description": "Verification and quality facts read from Meta when connecting, e.g. `code_verification_status`, `quality_rating`, `name_status`, `page_tasks`."}),
  connection_id: Uuid.nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  disconnected_at: z.iso.datetime().nullable(),
}).meta({"id": "Channel"});

export const ChannelList = z.strictObject({
  channels: z.array(Channel),
  next_cursor: NextCursor,
}).meta({"id": "ChannelList"});

export const ChannelDisconnect = z.strictObject({
  id: Uuid,
  status: z.enum(["disconnected", "disconnecting"]),
}).meta({"id": "ChannelDisconnect"});

export const ChannelData = z.strictObject({
  channel: Channel,
  token: z.strictObject({
    present: z.boolean().meta({"description": "A token is stored (false once disconnected)."}),
    kind: z.string().nullable().meta({"description": "`business_system_user` (WhatsApp, does not expire), `facebook_user`, `facebook_page`, `instagram_user` (60 days, refreshed)."}),
    expires_at: z.iso.datetime().nullable().meta({"description": "`null`: does not expire (or no token)."}),
    encryption_key_id: z.string().nullable().meta({"description": "Id of the key that encrypts it."}),
    last_checked_at: z.iso.datetime().nullable().meta({"description": "Last periodic check with Meta."}),
  }).meta({"description": "The Meta token, described: it is stored Fernet-encrypted and never shown."}),
  webhook_log: z.strictObject({
    retention_days: z.literal(30),
    contains: z.string(),
    by_outcome: z.array(z.strictObject({
      outcome: z.enum(["accepted", "started", "delivering", "delivered", "orphan", "failed"]),
      count: z.int().min(1),
      oldest: z.iso.datetime().nullable(),
    })),
  }),
  message_statuses: z.strictObject({
    count: z.int().min(0),
    contains: z.string(),
  }),
  sends: z.strictObject({
    retention_days: z.literal(30),
    contains: z.string(),
    by_state: z.array(z.strictObject({
      state: z.enum(["sending", "accepted", "failed", "unknown"]),
      count: z.int().min(1),
    })),
  }).meta({"description": "The send ledger: one row per message sent through the service, so Meta's status webhooks can be matched to it."}),
  captured_media: z.strictObject({
    contains: z.string(),
    count: z.int().min(0),
    bytes: z.int().min(0),
    oldest: z.iso.datetime().nullable(),
  }).meta({"description": "Inbound media the service holds for the platform (Instagram attachments whose CDN links expire), encrypted, until acknowledged or the delivery horizon plus one day."}).optional(),
}).meta({"id": "ChannelData"});

export const Delivery = z.strictObject({
  key: z.string().meta({"description": "The event's id and `Idempotency-Key`."}),
  kind: z.string().meta({"description": "The event `type`, e.g. `message.received`."}),
  channel_id: Uuid.nullable(),
  outcome: z.enum(["failed", "delivering"]).meta({"description": "`failed`: given up (retry with `POST …/retry`). `delivering`: still being retried."}),
  attempts: z.int().min(0).meta({"description": "Attempts in the current delivery run."}),
  last_dsk_status: z.int().nullable().meta({"description": "DSK's last HTTP status, if it answered."}),
  last_error_code: z.string().nullable().meta({"description": "Why the last attempt failed: `http` (see `last_dsk_status`), `timeout`, `network`, `no_events_url`."}),
  received_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
}).meta({"id": "Delivery"});

export const DeliveryList = z.strictObject({
  deliveries: z.array(Delivery),
  next_cursor: NextCursor,
}).meta({"id": "DeliveryList"});

export const DeliveryRetry = z.strictObject({
  key: z.string(),
  status: z.literal("retrying"),
}).meta({"id": "DeliveryRetry"});

export const MediaUpload = z.strictObject({
  id: z.string().regex(/^\d{1,32}$/).meta({"description": "Meta's media id: use it as `image.id`, `document.id`, … in a WhatsApp message of this channel."}),
  mime_type: z.string().meta({"description": "The bare type Meta received (parameters dropped)."}),
  file_size: z.int().min(1).meta({"description": "Bytes uploaded."}),
  expires_at: z.iso.datetime().meta({"description": "About when Meta drops the media (30 days after the upload, by the service's clock)."}),
}).meta({"id": "MediaUpload", "description": "A file Meta stored for this channel's phone number."});

export const MediaSizeLimit = z.strictObject({
  kind: z.enum(["image", "sticker", "audio", "video", "document"]),
  max_bytes: z.int().min(1),
}).meta({"id": "MediaSizeLimit"});

export const MetaFailureDetails = z.strictObject({
  meta_code: z.int().nullable().meta({"description": "Meta's `error.code`; null when Meta gave none (timeout, unreadable answer)."}),
  meta_subcode: z.int().nullable(),
  reason: z.string().meta({"description": "Readable English; never Meta's own message."}),
  retryable: z.boolean().meta({"description": "Whether repeating the same request later can succeed."}),
}).meta({"id": "MetaFailureDetails", "description": "Why Meta refused or failed a call made for DSK (a media download or upload), in the vocabulary of failed sends (`DskEventMetaError`)."});

export const Jwk = z.strictObject({
  kty: z.enum(["EC", "RSA", "OKP"]),
  kid: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
  alg: z.enum(["ES256", "RS256", "EdDSA"]),
  use: z.literal("sig"),
  crv: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  n: z.string().optional(),
  e: z.string().optional(),
}).meta({"id": "Jwk", "description": "A public key: EC (`crv`, `x`, `y`), RSA (`n`, `e`) or OKP (`crv`, `x`). Never private members."});

export const Jwks = z.strictObject({
  keys: z.array(Jwk).min(1),
}).meta({"id": "Jwks"});

export const SendError = z.strictObject({
  code: z.string().meta({"description": "Stable code: outside_customer_window, recipient_unavailable, invalid_recipient, template_error, permission_missing, policy_blocked, quality_limited, undeliverable, bad_request, reauth_required, meta_throttled, meta_unavailable, meta_error, ambiguous_send, channel_disconnected, channel_not_found."}),
  meta_code: z.int().nullable().meta({"description": "Meta's error.code, when Meta gave one."}),
  meta_subcode: z.int().nullable().meta({"description": "Meta's error.error_subcode, when Meta gave one."}),
  reason: z.string().meta({"description": "A readable sentence (never Meta's own text, which can quote the message)."}),
}).meta({"id": "SendError"});

export const SendResult = z.strictObject({
  client_message_id: z.string(),
  channel_id: Uuid,
  status: z.enum(["accepted", "pending", "unknown", "failed"]),
  message_id: z.string().nullable().optional(),
  error: SendError.optional(),
  recipient: z.strictObject({
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
  }).meta({"description": "WhatsApp, `accepted`: the recipient as Meta normalised it in its answer (`contacts[0]`). `wa_id` can differ from the `to` you sent (e.g. Brazil's extra 9, Mexico's 1): replies come from it, so match the conversation on it. A send to a business-scoped user id gives `user_id` instead. Absent when the send is answered from the send ledger after Temporal's retention dropped its workflow (the ledger keeps no recipient)."}).optional(),
}).meta({"id": "SendResult", "description": "Where a send stands. `accepted`: Meta took it (`message_id` is Meta's wamid or Instagram mid; null for mark-as-read and Instagram sender actions); delivery statuses follow as `message.status` events. `pending`: Meta has not answered within the wait; the outcome follows as a `message.status` event (`source: \"send\"`) and `GET` reads it. `unknown`: the request may have reached Meta but its answer was lost: it is never sent again; if a status or echo webhook proves it went out, it becomes `accepted` (event with `reconciled: true`). `failed` (GET only; POST answers it as an error): `error` says why. A WhatsApp send Meta accepted can still fail afterwards (a `failed` status webhook: 131047 outside the 24-hour window, 131026 undeliverable, …): from then on it reads `failed` with the stable code a synchronous refusal of that Meta code gets, and DSK hears it once, as that `message.status` event (`status: failed`, `client_message_id`, `error`)."});

export const TemplateComponent = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("header"),
    format: z.string().meta({"description": "text, image, video, document or location."}),
    text: z.string().optional(),
    parameter_count: z.int().min(0).max(1),
    parameter_names: z.array(z.string()).meta({"description": "Named templates: the variable names."}).optional(),
  }),
  z.strictObject({
    type: z.literal("body"),
    text: z.string(),
    parameter_count: z.int().min(0),
    parameter_names: z.array(z.string()).optional(),
  }),
  z.strictObject({
    type: z.literal("footer"),
    text: z.string(),
    parameter_count: z.literal(0),
  }),
  z.strictObject({
    type: z.literal("button"),
    index: z.int().min(0).meta({"description": "The button's position: a send's `components[].index`."}),
    sub_type: z.string().meta({"description": "quick_reply, url, phone_number, copy_code, otp, flow, catalog, mpm, … (Meta's button type, lower case)."}),
    text: z.string().optional(),
    url: z.string().optional(),
    phone_number: z.string().optional(),
    parameter_count: z.int().min(0).max(1),
  }),
]).meta({"id": "TemplateComponent", "description": "One component of a template, in the vocabulary of a template send: `parameter_count` is how many parameters a send must give it (a quick-reply button's payload is optional, so 0)."});

export const Template = z.strictObject({
  id: z.string().meta({"description": "Meta's template id."}),
  name: z.string(),
  language: z.string().meta({"description": "e.g. en_US."}),
  category: z.string().meta({"description": "MARKETING, UTILITY or AUTHENTICATION."}),
  status: z.string().meta({"description": "APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …; only APPROVED templates can be sent."}),
  parameter_format: z.enum(["positional", "named"]),
  components: z.array(TemplateComponent),
}).meta({"id": "Template", "description": "A message template of the channel's WhatsApp Business account, as last read from Meta and kept current by template webhooks."});

export const TemplateList = z.strictObject({
  templates: z.array(Template),
  next_cursor: NextCursor,
}).meta({"id": "TemplateList"});

export const TemplateDeleted = z.strictObject({
  name: z.string(),
  template_id: z.string().nullable(),
  deleted: z.int().min(0).meta({"description": "How many stored templates (languages) went."}),
}).meta({"id": "TemplateDeleted"});

export const BusinessProfile = z.strictObject({
  about: z.string().nullable(),
  address: z.string().nullable(),
  description: z.string().nullable(),
  email: z.string().nullable(),
  profile_picture_url: z.string().nullable().meta({"description": "Meta's URL of the photo (changed with PUT /profile/photo)."}),
  websites: z.array(z.string()),
  vertical: z.string().nullable(),
}).meta({"id": "BusinessProfile", "description": "A WhatsApp number's business profile as customers see it (read from Meta)."});

export const CustomerWindow = CustomerWindowResponse.meta({"id": "CustomerWindow", "description": "A customer's service window on a channel: whether a free-form message to them is accepted now, and until when."});
