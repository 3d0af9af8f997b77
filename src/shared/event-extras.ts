import type { DeliveryRoute } from './delivery.js';
import type { InboundEvent, InboundEventOf, MessageAttachment, MessageMedia } from './inbound-events.js';
import type { TemplateUpdate } from './templates.js';

/*
 * What the inbound workflow asks the event-extras activity (src/activities/event-extras.ts) for
 * before it delivers an event, and how the answer is folded into the event. Three features share the
 * one call so the workflow has one step for them, taken only by the events that need it:
 * - media DSK can fetch through the service for the whole delivery horizon (a `service_url` per item,
 *   the bytes captured where Meta's own link dies sooner);
 * - the Instagram sender's name and username;
 * - a template webhook applied to the template catalog.
 * Pure and deterministic: workflow code imports it.
 */

/** The patch id of the inbound workflow's extras step: histories from before it replay without it. */
export const EVENT_EXTRAS_PATCH = 'inbound-event-extras';

/** Attempts of the extras activity; on the last one it answers with what it has instead of failing. */
export const EVENT_EXTRAS_ATTEMPTS = 4;

/** One inbound media item: WhatsApp's media (`id`), or an Instagram attachment (`url`) by its position. */
export interface MediaItemRef {
  /** Position among the message's attachments (Instagram); 0 for WhatsApp's one media. */
  index: number;
  id?: string;
  url?: string;
  mimeType?: string;
}

/** The part of an event the extras activity needs: ids and Meta's links, never message text. */
export interface EventExtrasRequest {
  key: string;
  channelId: string;
  instanceId: string;
  channelType: 'whatsapp' | 'instagram';
  /** Instagram `message.received`: the IGSID whose profile DSK should see. */
  senderId?: string;
  media?: MediaItemRef[];
  template?: TemplateUpdate;
  /** When the event reached the service: captured media lives for the delivery horizon from here. */
  receivedAt: string;
}

export interface SenderProfile {
  name?: string;
  username?: string;
  profile_pic_url?: string;
}

export interface EventExtras {
  sender?: SenderProfile;
  /** Per media item (by index): the service URL DSK fetches it from. */
  media?: Array<{ index: number; service_url: string }>;
}

function mediaRefs(event: InboundEventOf<'message.received'>): MediaItemRef[] {
  const { message } = event.data;
  if (event.channelType === 'whatsapp') {
    const media: MessageMedia | undefined = message.media;
    return media?.id ? [{ index: 0, id: media.id, ...(media.mime_type ? { mimeType: media.mime_type } : {}) }] : [];
  }
  return (message.attachments ?? []).flatMap((a: MessageAttachment, index) => (a.url && CAPTURED_ATTACHMENT_TYPES.has(a.type) ? [{ index, url: a.url }] : []));
}

/** Instagram attachment types whose URL points at media bytes (shares, reels and posts point at Instagram content). */
const CAPTURED_ATTACHMENT_TYPES = new Set(['image', 'video', 'audio', 'document', 'story_mention']);

/** What the extras activity must do for this event, or undefined when nothing (most events). */
export function eventExtrasRequest(event: InboundEvent, route: DeliveryRoute, receivedAt: string): EventExtrasRequest | undefined {
  const base = { key: event.key, channelId: route.channelId, instanceId: route.instanceId, channelType: route.channelType, receivedAt };
  if (event.kind === 'message.received') {
    const media = mediaRefs(event);
    const senderId = event.channelType === 'instagram' ? event.data.sender.id : undefined;
    if (media.length === 0 && senderId === undefined) return undefined;
    return { ...base, ...(senderId ? { senderId } : {}), ...(media.length > 0 ? { media } : {}) };
  }
  if (event.kind === 'template.status' && event.wabaId) {
    const d = event.data;
    const isCategoryUpdate = d.event === 'CATEGORY_UPDATE';
    const template: TemplateUpdate = {
      wabaId: event.wabaId,
      ...(d.template_id ? { templateId: d.template_id } : {}),
      ...(d.template_name ? { name: d.template_name } : {}),
      ...(d.language ? { language: d.language } : {}),
      ...(isCategoryUpdate ? {} : { status: d.event }),
      ...(d.category ? { category: d.category } : {}),
    };
    return { ...base, template };
  }
  return undefined;
}

/** The event as DSK receives it: the sender's profile and each media item's service URL added. */
export function withEventExtras(event: InboundEvent, extras: EventExtras): InboundEvent {
  if (event.kind !== 'message.received') return event;
  const { sender, message } = event.data;
  const urls = new Map((extras.media ?? []).map((m) => [m.index, m.service_url]));
  const withUrl = <T extends object>(item: T, index: number): T => (urls.has(index) ? { ...item, service_url: urls.get(index)! } : item);
  return {
    ...event,
    data: {
      ...event.data,
      sender: extras.sender ? { ...sender, ...extras.sender } : sender,
      message: {
        ...message,
        ...(message.media ? { media: withUrl(message.media, 0) } : {}),
        ...(message.attachments ? { attachments: message.attachments.map((a, i) => withUrl(a, i)) } : {}),
      },
    },
  };
}
