import { z } from 'zod';
import type { InboundEvent, UnsupportedReason } from '../../shared/inbound-events.js';
import { hashOf } from '../webhook/keys.js';
import { event, isoTime, isRecord, optArray, optBool, optId, optNumber, optObject, optString, stringOr, type Ctx } from '../webhook/projection.js';

/*
 * WhatsApp's webhook shapes (reference §1.6, §2): the lenient schemas of a `whatsapp_business_account`
 * body, and the scope every WhatsApp event is built in.
 */

export const waEntrySchema = z.looseObject({ id: optId, time: z.unknown().optional(), changes: z.array(z.unknown()) });
export const waChangeSchema = z.looseObject({ field: z.string(), value: z.unknown() });

export const waMessagesValueSchema = z.looseObject({
  metadata: optObject({ phone_number_id: optId, display_phone_number: optId }),
  contacts: optArray,
  messages: optArray,
  statuses: optArray,
  errors: optArray,
});

export const WA_VALUE_LISTS = ['contacts', 'messages', 'statuses', 'errors'] as const;

export const waContactSchema = z.object({
  wa_id: optId,
  user_id: optString,
  parent_user_id: optString,
  profile: optObject({ name: optString, username: optString }),
});
export type WaContact = z.output<typeof waContactSchema>;

export const waMediaSchema = optObject({
  id: optId,
  url: optString,
  mime_type: optString,
  sha256: optString,
  caption: optString,
  filename: optString,
  voice: optBool,
  animated: optBool,
});

export const sharedContactSchema = z.object({
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

export const waMessageSchema = z.looseObject({
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
export type WaMessage = z.output<typeof waMessageSchema>;

export const interactiveReplySchema = z.object({
  id: optString,
  title: optString,
  description: optString,
  name: optString,
  body: optString,
  response_json: optString,
});

export const waStatusSchema = z.looseObject({
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

export const waAccountUpdateSchema = z.looseObject({
  event: z.string().min(1),
  phone_number: optId,
  waba_info: optObject({ waba_id: optId, owner_business_id: optId, partner_app_id: optId }),
  disconnection_info: optObject({ reason: optString, initiated_by: optString }),
});

export const waTemplateStatusSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: optId,
  message_template_name: optString,
  message_template_language: optString,
  message_template_category: optString,
  reason: optString,
});

/**
 * `template_category_update` (Meta re-categorised a template). Parsed here minimally for the template
 * catalog (issue #13); a fuller projection may come with issue #12.
 */
export const waTemplateCategorySchema = z.looseObject({
  message_template_id: optId,
  message_template_name: optString,
  message_template_language: optString,
  previous_category: optString,
  new_category: z.string().min(1),
});

export const waQualitySchema = z.looseObject({
  event: z.string().min(1),
  display_phone_number: optId,
  current_limit: optId,
  old_limit: optId,
  max_daily_conversations_per_business: optId,
});

/** `account_update` events that mean the customer removed our app from the WABA. */
export const DISCONNECTING_ACCOUNT_EVENTS = new Set(['PARTNER_APP_UNINSTALLED', 'PARTNER_REMOVED']);

export interface WaScope {
  bodyRest: Record<string, unknown>;
  entryRest: Record<string, unknown>;
  entryId: string | undefined;
  entryTime: unknown;
  changeRest: Record<string, unknown>;
  field: string;
}

export function waRaw(scope: WaScope, value: unknown): unknown {
  return { ...scope.bodyRest, entry: [{ ...scope.entryRest, changes: [{ ...scope.changeRest, value }] }] };
}

/**
 * Key for WhatsApp fields without an id of their own. Meta's retries resend the same entry time and
 * value, so they collide; the same event occurring again later has a new entry time and does not.
 */
export function waFieldKey(scope: WaScope, value: unknown): string {
  return `wa:${scope.field}:${scope.entryId ?? ''}:${hashOf({ time: scope.entryTime, value })}`;
}

export function waUnsupportedField(scope: WaScope, value: unknown, reason: UnsupportedReason, ctx: Ctx): InboundEvent {
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
