import { createHash } from 'node:crypto';
import { WHATSAPP_BSUID, type InstagramOutboundRequest, type OutboundRequest, type WhatsAppOutboundRequest } from '../shared/outbound-request.js';
import { SEND_TAG_HEX_CHARS, SEND_TAG_PREFIX } from '../shared/outbound.js';

/*
 * Validated DSK requests → the exact JSON Meta's Send APIs take (reference meta-platform.md §6.1,
 * §6.3). Pure: the caller picks the URL (`POST /{phone-number-id}/messages`, `POST /{ig-id}/messages`
 * or `/me/messages`) and the token.
 *
 * Correlation (reference §0.14, §2.5): there is no idempotency key on the send APIs, and a status
 * webhook can arrive before, or instead of, the HTTP answer. WhatsApp echoes
 * `biz_opaque_callback_data` on every status, so each WhatsApp send carries `sendTag(...)`, derived
 * from ids only, never from content. Instagram has no such field in the reference (Messenger's
 * `message.metadata` is not documented for Instagram), so Instagram sends are matched by the
 * `message_id` the Send API returns, which the `is_echo` webhook repeats as `mid` (§3.2 ⚠).
 */

/** Meta's documented maximum for `biz_opaque_callback_data` (⚠ from memory: 512 characters). */
export const BIZ_OPAQUE_CALLBACK_DATA_MAX = 512;

/**
 * The correlation tag of one send: `dsk:` + the first 128 bits of SHA-256 over the instance id and
 * DSK's client_message_id. Deterministic, so a retried send (same client_message_id) carries the
 * same tag and its status webhooks match the one outbound row. A separator that neither id can
 * contain keeps ("ab","c") and ("a","bc") apart.
 */
export function sendTag(instanceId: string, clientMessageId: string): string {
  const digest = createHash('sha256').update(instanceId, 'utf8').update('\u0000').update(clientMessageId, 'utf8').digest('hex');
  return `${SEND_TAG_PREFIX}${digest.slice(0, SEND_TAG_HEX_CHARS)}`;
}

// ---------------------------------------------------------------------------------------------------
// WhatsApp

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

/** `POST /{phone-number-id}/messages` body for a validated WhatsApp request. */
export function whatsappGraphBody(request: WhatsAppOutboundRequest, instanceId: string): WhatsAppGraphBody {
  if (request.type === 'read') {
    return {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: request.message_id,
      ...(request.typing_indicator ? { typing_indicator: { type: request.typing_indicator.type } } : {}),
    };
  }
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

// ---------------------------------------------------------------------------------------------------
// Instagram

export type InstagramAttachmentType = Extract<InstagramOutboundRequest, { type: 'attachment' }>['attachment']['type'];

export type InstagramGraphBody =
  | {
      recipient: { id: string };
      message: { text: string } | { attachment: { type: InstagramAttachmentType; payload: { url: string } } };
      messaging_type?: 'MESSAGE_TAG';
      tag?: 'HUMAN_AGENT';
    }
  | { recipient: { id: string }; sender_action: 'react'; payload: { message_id: string; reaction: string } }
  | { recipient: { id: string }; sender_action: 'unreact'; payload: { message_id: string } }
  | { recipient: { id: string }; sender_action: 'mark_seen' };

/**
 * `POST /{ig-id}/messages` (or `/me/messages`) body for a validated Instagram request. Without a tag
 * `messaging_type` is left out, as in Meta's Instagram examples (reference §6.3).
 */
export function instagramGraphBody(request: InstagramOutboundRequest): InstagramGraphBody {
  const recipient = { id: request.to };
  switch (request.type) {
    case 'text':
    case 'attachment': {
      const message =
        request.type === 'text'
          ? { text: request.text.body }
          : { attachment: { type: request.attachment.type, payload: { url: request.attachment.url } } };
      return { recipient, message, ...(request.tag === 'HUMAN_AGENT' ? { messaging_type: 'MESSAGE_TAG' as const, tag: 'HUMAN_AGENT' as const } : {}) };
    }
    case 'reaction':
      return request.reaction.emoji === ''
        ? { recipient, sender_action: 'unreact', payload: { message_id: request.reaction.message_id } }
        : { recipient, sender_action: 'react', payload: { message_id: request.reaction.message_id, reaction: request.reaction.emoji } };
    case 'read':
      return { recipient, sender_action: 'mark_seen' };
  }
}

/** Either channel's body; `instanceId` feeds the WhatsApp correlation tag. */
export function graphMessageBody(outbound: OutboundRequest, instanceId: string): WhatsAppGraphBody | InstagramGraphBody {
  return outbound.channelType === 'whatsapp' ? whatsappGraphBody(outbound.request, instanceId) : instagramGraphBody(outbound.request);
}

/** The correlation key a send's webhooks will carry, if the channel has one before the answer. */
export function expectedCallbackData(outbound: OutboundRequest, instanceId: string): string | undefined {
  if (outbound.channelType !== 'whatsapp' || outbound.request.type === 'read') return undefined;
  return sendTag(instanceId, outbound.request.client_message_id);
}
