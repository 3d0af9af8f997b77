import type { MessageMedia, NormalizedMessage } from '../../shared/inbound-events.js';
import { normalizeErrors, normalizeReferral } from '../webhook/projection.js';
import { interactiveReplySchema, sharedContactSchema, waContentSchema, type WaContent } from './webhook-common.js';

/*
 * What a WhatsApp message says, normalized: for messages, the new content of an edit, echoes of what the
 * business sent from the WhatsApp Business app and imported history alike (WA-MSG and its per-type pages).
 */

/** The content of `raw` (an edit's `message`, a history entry) when it is an object; undefined otherwise. */
export function parseWaContent(raw: unknown): WaContent | undefined {
  const parsed = waContentSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Normalizes every documented WhatsApp content type under `id`; undefined for a type we do not know. */
export function normalizeWaContent(content: WaContent, id: string, groupId?: string): NormalizedMessage | undefined {
  const body = waMessageContent(content);
  if (!body) return undefined;
  return {
    id,
    ...body,
    context: content.context
      ? {
          message_id: content.context.id,
          from: content.context.from,
          forwarded: content.context.forwarded,
          frequently_forwarded: content.context.frequently_forwarded,
          referred_product: content.context.referred_product,
        }
      : undefined,
    referral: normalizeReferral(content.referral),
    errors: content.errors ? normalizeErrors(content.errors) : undefined,
    group_id: groupId,
  };
}

type MessageBody = Omit<NormalizedMessage, 'id' | 'context' | 'referral' | 'errors' | 'group_id'>;

function waMessageContent(message: WaContent): MessageBody | undefined {
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
    case 'system': {
      const system = message.system;
      // Older payloads name the new number `new_wa_id`; `identity` sits next to `system` (WA-SYS).
      return {
        type: 'system',
        system: {
          type: system?.type,
          body: system?.body,
          wa_id: system?.wa_id ?? system?.new_wa_id,
          user_id: system?.user_id,
          parent_user_id: system?.parent_user_id,
          identity: message.identity,
        },
      };
    }
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
function normalizeInteractive(interactive: WaContent['interactive']): NormalizedMessage['interactive'] {
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

/** The text a message shows: a text body or a media caption. */
export function shownText(message: NormalizedMessage | undefined): string | undefined {
  return message?.text ?? message?.media?.caption;
}
