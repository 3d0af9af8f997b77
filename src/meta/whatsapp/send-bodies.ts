import type { WhatsAppOutboundRequest } from '../../shared/outbound-request.js';
import { WHATSAPP_BSUID } from '../../shared/outbound-request.js';
import { sendTag } from '../../outbound/send-tag.js';

/*
 * Validated DSK requests → the exact JSON WhatsApp's Send API takes (reference meta-platform.md §6.1).
 * Pure: the adapter picks the URL (`POST /{phone-number-id}/messages`) and the token.
 *
 * Correlation (reference §0.14, §2.5): there is no idempotency key on the send API, and a status
 * webhook can arrive before, or instead of, the HTTP answer. WhatsApp echoes
 * `biz_opaque_callback_data` on every status, so each WhatsApp send carries `sendTag(...)`, derived
 * from ids only, never from content.
 */

/** Meta's documented maximum for `biz_opaque_callback_data` (⚠ from memory: 512 characters). */
export const BIZ_OPAQUE_CALLBACK_DATA_MAX = 512;

export interface WhatsAppSendBody {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** Phone number. Absent when the recipient is a BSUID. */
  to?: string;
  /** BSUID recipient (see whatsappRecipientField). Absent when `to` is set. */
  recipient?: string;
  type: Exclude<WhatsAppOutboundRequest['type'], 'read'>;
  context?: { message_id: string };
  biz_opaque_callback_data: string;
  [payload: string]: unknown;
}

export interface WhatsAppReadBody {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

export type WhatsAppGraphBody = WhatsAppSendBody | WhatsAppReadBody;

/**
 * A phone number goes in `to`; a BSUID goes in `recipient`, with `to` omitted. ⚠ The reference
 * (§2.2) says only that "sends accept a BSUID as recipient"; the `recipient` field (and "`to` wins
 * when both are given") comes from vendor documentation of Meta's BSUID rollout; the Meta emulator
 * accepts either, as that documentation describes.
 */
export function whatsappRecipientField(to: string): { to: string } | { recipient: string } {
  return WHATSAPP_BSUID.test(to) ? { recipient: to } : { to };
}

/** Drops undefined members (deeply), so optional fields DSK left out are absent, not `undefined`. */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
    return out as T;
  }
  return value;
}

type Template = Extract<WhatsAppOutboundRequest, { type: 'template' }>['template'];

function templatePayload(template: Template): Record<string, unknown> {
  return compact({
    name: template.name,
    language: template.language,
    components: template.components?.map((c) =>
      // Meta's examples give the button position as a string ("0").
      c.type === 'button' ? { ...c, index: String(c.index) } : c,
    ),
  });
}

function whatsappPayload(request: Exclude<WhatsAppOutboundRequest, { type: 'read' }>): Record<string, unknown> {
  switch (request.type) {
    case 'text':
      return { text: compact(request.text) };
    case 'image':
      return { image: compact(request.image) };
    case 'audio':
      return { audio: compact(request.audio) };
    case 'video':
      return { video: compact(request.video) };
    case 'document':
      return { document: compact(request.document) };
    case 'sticker':
      return { sticker: compact(request.sticker) };
    case 'location':
      return { location: compact(request.location) };
    case 'contacts':
      return { contacts: compact(request.contacts) };
    case 'template':
      return { template: templatePayload(request.template) };
    case 'interactive':
      return { interactive: compact(request.interactive) };
    case 'reaction':
      return { reaction: { message_id: request.reaction.message_id, emoji: request.reaction.emoji } };
  }
}

export type WhatsAppReadRequest = Extract<WhatsAppOutboundRequest, { type: 'read' }>;
export type WhatsAppMessageRequest = Exclude<WhatsAppOutboundRequest, { type: 'read' }>;

/** `POST /{phone-number-id}/messages` body of a message (anything but mark-as-read). */
export function whatsappSendBody(request: WhatsAppMessageRequest, instanceId: string): WhatsAppSendBody {
  const replyTo = request.type === 'reaction' ? undefined : request.reply_to;
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...whatsappRecipientField(request.to),
    type: request.type,
    ...whatsappPayload(request),
    ...(replyTo ? { context: { message_id: replyTo.message_id } } : {}),
    biz_opaque_callback_data: sendTag(instanceId, request.client_message_id),
  };
}

/** Mark-as-read (+ typing indicator) on the same endpoint. */
export function whatsappReadBody(request: WhatsAppReadRequest): WhatsAppReadBody {
  return {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: request.message_id,
    ...(request.typing_indicator ? { typing_indicator: { type: request.typing_indicator.type } } : {}),
  };
}

/** `POST /{phone-number-id}/messages` body for a validated WhatsApp request. */
export function whatsappGraphBody(request: WhatsAppOutboundRequest, instanceId: string): WhatsAppGraphBody {
  return request.type === 'read' ? whatsappReadBody(request) : whatsappSendBody(request, instanceId);
}
