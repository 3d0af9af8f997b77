import { z } from 'zod';
import {
  DSK_ENVELOPE_VERSION,
  DSK_EVENT_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  UNSUPPORTED_REASONS,
  type DskDataByType,
  type DskEventEnvelope,
  type DskEventType,
} from '../shared/inbound-events.js';

/*
 * The zod mirror of docs/schemas/dsk-event.v1.schema.json: the envelope the service POSTs to DSK.
 * The JSON Schema is the published contract; this mirror lets code and tests check envelopes without a
 * JSON-Schema validator, and test/unit/dsk-event-schema.test.ts compares the two structurally (types,
 * properties, required lists, enums) so they cannot drift apart silently. The compile-time checks at
 * the end tie it to the TypeScript types in src/shared/inbound-events.ts.
 *
 * Objects are strict: the service must emit exactly the documented fields. New optional fields are a
 * compatible change (DSK ignores what it does not know); anything else needs a new version.
 */

const str = z.string();
/** Statuses of a send's own outcome (`source: "send"`), next to Meta's webhook statuses. */
export const SEND_OUTCOME_STATUSES = ['accepted', 'unknown'] as const;
const opt = <T extends z.ZodType>(schema: T) => schema.optional();
const dateTime = z.iso.datetime({ offset: true });

const participant = z.strictObject({
  id: str,
  wa_id: opt(str),
  user_id: opt(str),
  parent_user_id: opt(str),
  name: opt(str),
  username: opt(str),
  profile_pic_url: opt(str),
});

const metaError = z.strictObject({
  code: opt(z.number()),
  title: opt(str),
  message: opt(str),
  details: opt(str),
  href: opt(str),
});

const media = z.strictObject({
  id: opt(str),
  url: opt(str),
  mime_type: opt(str),
  sha256: opt(str),
  caption: opt(str),
  filename: opt(str),
  voice: opt(z.boolean()),
  animated: opt(z.boolean()),
  service_url: opt(str),
});

const attachment = z.strictObject({ type: str, url: opt(str), title: opt(str), service_url: opt(str) });

const location = z.strictObject({
  latitude: opt(z.number()),
  longitude: opt(z.number()),
  name: opt(str),
  address: opt(str),
  url: opt(str),
});

const sharedContact = z.strictObject({
  name: opt(
    z.strictObject({
      formatted_name: opt(str),
      first_name: opt(str),
      last_name: opt(str),
      middle_name: opt(str),
      prefix: opt(str),
      suffix: opt(str),
    }),
  ),
  phones: opt(z.array(z.strictObject({ phone: opt(str), wa_id: opt(str), type: opt(str) }))),
  emails: opt(z.array(z.strictObject({ email: opt(str), type: opt(str) }))),
  org: opt(z.strictObject({ company: opt(str), department: opt(str), title: opt(str) })),
  addresses: opt(
    z.array(
      z.strictObject({
        street: opt(str),
        city: opt(str),
        state: opt(str),
        zip: opt(str),
        country: opt(str),
        country_code: opt(str),
        type: opt(str),
      }),
    ),
  ),
  urls: opt(z.array(z.strictObject({ url: opt(str), type: opt(str) }))),
  birthday: opt(str),
});

const interactive = z.strictObject({
  type: str,
  id: opt(str),
  title: opt(str),
  description: opt(str),
  flow: opt(z.strictObject({ name: opt(str), body: opt(str), response_json: opt(str) })),
});

const order = z.strictObject({
  catalog_id: opt(str),
  text: opt(str),
  product_items: z.array(
    z.strictObject({ product_retailer_id: opt(str), quantity: opt(z.number()), item_price: opt(z.number()), currency: opt(str) }),
  ),
});

const context = z.strictObject({
  message_id: opt(str),
  from: opt(str),
  forwarded: opt(z.boolean()),
  frequently_forwarded: opt(z.boolean()),
  referred_product: opt(z.strictObject({ catalog_id: opt(str), product_retailer_id: opt(str) })),
  story: opt(z.strictObject({ id: opt(str), url: opt(str) })),
});

const referral = z.strictObject({
  source: opt(str),
  type: opt(str),
  ref: opt(str),
  ad_id: opt(str),
  source_url: opt(str),
  source_id: opt(str),
  source_type: opt(str),
  headline: opt(str),
  body: opt(str),
  media_type: opt(str),
  image_url: opt(str),
  video_url: opt(str),
  thumbnail_url: opt(str),
  ctwa_clid: opt(str),
  welcome_message: opt(str),
  ads_context_data: opt(z.strictObject({ ad_title: opt(str), photo_url: opt(str), video_url: opt(str) })),
});

const message = z.strictObject({
  id: str,
  type: z.enum(MESSAGE_TYPES),
  text: opt(str),
  media: opt(media),
  attachments: opt(z.array(attachment)),
  location: opt(location),
  contacts: opt(z.array(sharedContact)),
  interactive: opt(interactive),
  button: opt(z.strictObject({ text: opt(str), payload: opt(str) })),
  quick_reply: opt(z.strictObject({ payload: opt(str) })),
  order: opt(order),
  system: opt(
    z.strictObject({
      type: opt(str),
      body: opt(str),
      wa_id: opt(str),
      user_id: opt(str),
      parent_user_id: opt(str),
      identity: opt(z.strictObject({ acknowledged: opt(z.boolean()), created_timestamp: opt(str), hash: opt(str) })),
    }),
  ),
  context: opt(context),
  referral: opt(referral),
  errors: opt(z.array(metaError)),
  unsupported_type: opt(str),
  group_id: opt(str),
});

const conversationFields = { sender: participant, recipient: opt(participant), standby: opt(z.boolean()) };
const previousCurrent = z.strictObject({ previous: opt(str), current: opt(str) });
const historyMessage = z.strictObject({
  direction: z.enum(['inbound', 'outbound']),
  from: opt(str),
  to: opt(str),
  sent_at: opt(dateTime),
  status: opt(str),
  message,
});

/** `data` for each envelope `type`; the keys are exactly the DSK event types. */
export const dskEventDataSchemas = {
  'message.received': z.strictObject({ ...conversationFields, message }),
  'message.echo': z.strictObject({ ...conversationFields, message, client_message_id: opt(str) }),
  'message.status': z.strictObject({
    source: opt(z.enum(['send'])),
    client_message_id: opt(str),
    message_id: opt(str),
    status: z.enum([...MESSAGE_STATUSES, ...SEND_OUTCOME_STATUSES]),
    current_status: opt(z.enum(MESSAGE_STATUSES)),
    recipient: opt(
      z.strictObject({
        id: str,
        wa_id: opt(str),
        user_id: opt(str),
        parent_user_id: opt(str),
        type: opt(str),
        participant_id: opt(str),
      }),
    ),
    errors: opt(z.array(metaError)),
    pricing: opt(z.strictObject({ billable: opt(z.boolean()), pricing_model: opt(str), type: opt(str), category: opt(str) })),
    conversation: opt(z.strictObject({ id: opt(str), expires_at: opt(dateTime), origin_type: opt(str) })),
    biz_opaque_callback_data: opt(str),
    group_id: opt(str),
    error: opt(z.strictObject({ code: str, meta_code: opt(z.number()), meta_subcode: opt(z.number()), reason: str })),
    reconciled: opt(z.boolean()),
  }),
  'message.reaction': z.strictObject({
    ...conversationFields,
    reaction: z.strictObject({
      message_id: str,
      action: z.enum(['react', 'unreact']),
      emoji: opt(str),
      name: opt(str),
    }),
    reaction_id: opt(str),
  }),
  'message.read': z.strictObject({ ...conversationFields, message_id: opt(str), watermark: opt(dateTime) }),
  'message.edited': z.strictObject({
    ...conversationFields,
    message_id: opt(str),
    text: opt(str),
    num_edit: opt(z.number()),
    edit_id: opt(str),
    message: opt(message),
    unsupported: opt(z.boolean()),
    echo: opt(z.boolean()),
  }),
  'message.deleted': z.strictObject({ ...conversationFields, message_id: str, revoke_id: opt(str), echo: opt(z.boolean()) }),
  'message.postback': z.strictObject({
    ...conversationFields,
    postback: z.strictObject({ message_id: opt(str), title: opt(str), payload: opt(str) }),
    referral: opt(referral),
  }),
  'message.referral': z.strictObject({ ...conversationFields, referral }),
  'conversation.handover': z.strictObject({
    ...conversationFields,
    action: z.enum(['pass', 'take', 'request']),
    new_owner_app_id: opt(str),
    previous_owner_app_id: opt(str),
    requested_owner_app_id: opt(str),
    metadata: opt(str),
  }),
  'conversation.history': z.strictObject({
    phase: opt(z.number()),
    chunk_order: opt(z.number()),
    progress: opt(z.number()),
    thread_id: opt(str),
    messages: z.array(historyMessage),
    errors: opt(z.array(metaError)),
  }),
  'contact.updated': z.strictObject({ wa_id: opt(str), user_id: opt(previousCurrent), parent_user_id: opt(previousCurrent), detail: opt(str) }),
  'channel.error': z.strictObject({
    errors: z.array(metaError),
    phone_number_id: opt(str),
    display_phone_number: opt(str),
  }),
  'channel.account_update': z.strictObject({
    event: str,
    disconnect: z.boolean(),
    waba_id: opt(str),
    owner_business_id: opt(str),
    partner_app_id: opt(str),
    phone_number: opt(str),
    disconnection_info: opt(z.strictObject({ reason: opt(str), initiated_by: opt(str) })),
  }),
  'channel.quality': z.strictObject({
    event: str,
    display_phone_number: opt(str),
    current_limit: opt(str),
    old_limit: opt(str),
    max_daily_conversations_per_business: opt(str),
  }),
  'template.status': z.strictObject({
    event: str,
    update: opt(z.enum(['status', 'category', 'quality'])),
    template_id: opt(str),
    template_name: opt(str),
    language: opt(str),
    reason: opt(str),
    category: opt(str),
    previous_category: opt(str),
    new_category: opt(str),
    correct_category: opt(str),
    previous_quality_score: opt(str),
    new_quality_score: opt(str),
  }),
  unsupported: z.strictObject({
    reason: z.enum(UNSUPPORTED_REASONS),
    object: opt(str),
    field: opt(str),
    item_type: opt(str),
  }),
  'channel.status': z.strictObject({ status: str, reason: opt(str) }),
} as const satisfies Record<DskEventType, z.ZodType>;

export const dskChannelSchema = z.strictObject({
  id: str,
  type: z.enum(['whatsapp', 'instagram']),
  external_id: str,
});

/** The fields every envelope has; `type` and `data` are added per event type. */
export const dskEnvelopeBaseShape = {
  id: z.string().min(1).max(200),
  version: z.literal(DSK_ENVELOPE_VERSION),
  instance_id: str,
  channel: dskChannelSchema,
  occurred_at: dateTime,
  received_at: dateTime,
  raw: z.unknown(),
} as const;

function envelopeFor<T extends DskEventType>(type: T) {
  return z.strictObject({ ...dskEnvelopeBaseShape, type: z.literal(type), data: dskEventDataSchemas[type] });
}

type EnvelopeSchemas = { [T in DskEventType]: ReturnType<typeof envelopeFor<T>> };
const envelopeSchemas = Object.fromEntries(DSK_EVENT_TYPES.map((type) => [type, envelopeFor(type)])) as EnvelopeSchemas;

/** The DSK event envelope, discriminated on `type`. */
export const dskEnvelopeSchema = z.discriminatedUnion(
  'type',
  DSK_EVENT_TYPES.map((type) => envelopeSchemas[type]) as unknown as [
    EnvelopeSchemas[DskEventType],
    ...Array<EnvelopeSchemas[DskEventType]>,
  ],
);

/** The `type` values, in the order of `DSK_EVENT_TYPES`. */
export const dskEventTypeSchema = z.enum(DSK_EVENT_TYPES);

/** Parses an envelope; strict, for tests and for checking what is about to be sent. */
export function parseDskEnvelope(value: unknown): DskEventEnvelope {
  return dskEnvelopeSchema.parse(value) as DskEventEnvelope;
}

// Compile-time ties to src/shared/inbound-events.ts: the mirror and the TypeScript types must agree on
// every data type's field names and on assignability in both directions.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type DataSchemaOutput<T extends DskEventType> = z.output<(typeof dskEventDataSchemas)[T]>;
type SameKeys = { [T in DskEventType]: Equal<keyof DataSchemaOutput<T>, keyof DskDataByType[T]> }[DskEventType];
type BothWays = {
  [T in DskEventType]: DataSchemaOutput<T> extends DskDataByType[T] ? (DskDataByType[T] extends DataSchemaOutput<T> ? true : false) : false;
}[DskEventType];
export type DskSchemaMatchesTypes = [Assert<SameKeys>, Assert<BothWays>];
