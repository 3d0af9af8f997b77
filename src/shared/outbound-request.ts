/*
 * The body DSK posts to `POST /v1/channels/:id/messages`, as plain types: what the API hands to the
 * outbound workflow and what graph-bodies.ts turns into Meta's request. The API validates bodies
 * against the zod schemas of src/api/outbound-schema/, which are checked at compile time to produce
 * exactly these types. Field names mirror Meta's (reference meta-platform.md §6). Plain data only:
 * the workflow bundle imports this module.
 */

/** Ours: long enough for ULIDs, UUIDs and prefixed ids; the charset keeps it safe in logs and URLs. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** E.164 is at most 15 digits; a leading + is optional, separators are not accepted. */
export const WHATSAPP_PHONE = /^\+?[1-9]\d{6,14}$/;
/**
 * BSUID, reference §2.2: `CC.<up to 128 alnum>`, e.g. `US.13491208655302741918`. Parent BSUIDs
 * ("contain ENT", exact shape ⚠ unverified) are not accepted as recipients.
 */
export const WHATSAPP_BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
/** Instagram-scoped user id: digits. */
export const INSTAGRAM_IGSID = /^\d{1,32}$/;

export type OutboundChannelType = 'whatsapp' | 'instagram';

// WhatsApp ------------------------------------------------------------------------------------------

interface WhatsAppAddressed {
  client_message_id: string;
  /** A phone number (E.164 digits, optional +) or a business-scoped user id. */
  to: string;
  reply_to?: { message_id: string };
}

/** An uploaded media id or a public https link: exactly one of them. */
export interface MediaSource {
  id?: string;
  link?: string;
}

export interface WhatsAppContact {
  name: { formatted_name: string; first_name?: string; last_name?: string; middle_name?: string; suffix?: string; prefix?: string };
  phones?: Array<{ phone?: string; type?: string; wa_id?: string }>;
  emails?: Array<{ email?: string; type?: string }>;
  urls?: Array<{ url?: string; type?: string }>;
  addresses?: Array<{ street?: string; city?: string; state?: string; zip?: string; country?: string; country_code?: string; type?: string }>;
  org?: { company?: string; department?: string; title?: string };
  /** YYYY-MM-DD. */
  birthday?: string;
}

export interface TemplateTextParameter {
  type: 'text';
  text: string;
  parameter_name?: string;
}

export type TemplateHeaderParameter =
  | TemplateTextParameter
  | { type: 'image'; image: MediaSource }
  | { type: 'video'; video: MediaSource }
  | { type: 'document'; document: MediaSource & { filename?: string } };

export type TemplateBodyParameter =
  | TemplateTextParameter
  | { type: 'currency'; parameter_name?: string; currency: { fallback_value: string; code: string; amount_1000: number } }
  | { type: 'date_time'; parameter_name?: string; date_time: { fallback_value: string } };

export type TemplateComponent =
  | { type: 'header'; parameters: TemplateHeaderParameter[] }
  | { type: 'body'; parameters: TemplateBodyParameter[] }
  /** `index`: the button's position 0–9, as a number or a digit. */
  | { type: 'button'; sub_type: 'quick_reply'; index: number | string; parameters: Array<{ type: 'payload'; payload: string }> }
  | { type: 'button'; sub_type: 'url'; index: number | string; parameters: TemplateTextParameter[] };

export interface WhatsAppTemplate {
  name: string;
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateComponent[];
}

/** Media headers take an uploaded media id or a link, exactly one of them (WA-HDR). */
export type InteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: MediaSource }
  | { type: 'video'; video: MediaSource }
  | { type: 'document'; document: MediaSource & { filename?: string } };

interface InteractiveText {
  body: { text: string };
  footer?: { text: string };
}

export type WhatsAppInteractive =
  | (InteractiveText & { type: 'button'; header?: InteractiveHeader; action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> } })
  | (InteractiveText & {
      type: 'list';
      header?: { type: 'text'; text: string };
      action: { button: string; sections: Array<{ title?: string; rows: Array<{ id: string; title: string; description?: string }> }> };
    })
  | (InteractiveText & { type: 'cta_url'; header?: InteractiveHeader; action: { name: 'cta_url'; parameters: { display_text: string; url: string } } });

export type WhatsAppOutboundRequest =
  | (WhatsAppAddressed & { type: 'text'; text: { body: string; preview_url?: boolean } })
  | (WhatsAppAddressed & { type: 'image'; image: MediaSource & { caption?: string } })
  | (WhatsAppAddressed & { type: 'audio'; audio: MediaSource })
  | (WhatsAppAddressed & { type: 'video'; video: MediaSource & { caption?: string } })
  | (WhatsAppAddressed & { type: 'document'; document: MediaSource & { caption?: string; filename?: string } })
  | (WhatsAppAddressed & { type: 'sticker'; sticker: MediaSource })
  | (WhatsAppAddressed & { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } })
  | (WhatsAppAddressed & { type: 'contacts'; contacts: WhatsAppContact[] })
  | (WhatsAppAddressed & { type: 'template'; template: WhatsAppTemplate })
  | (WhatsAppAddressed & { type: 'interactive'; interactive: WhatsAppInteractive })
  /** A reaction answers a message by itself: it takes no reply_to. An empty emoji removes it. */
  | { client_message_id: string; to: string; type: 'reaction'; reaction: { message_id: string; emoji: string } }
  /** Mark-as-read (+ typing indicator) addresses a received message, not a recipient. */
  | { client_message_id: string; to?: string; type: 'read'; message_id: string; typing_indicator?: { type: 'text' } };

// Instagram -----------------------------------------------------------------------------------------

export const INSTAGRAM_ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file'] as const;

interface InstagramAddressed {
  client_message_id: string;
  /** Instagram-scoped user id. */
  to: string;
  /** Not supported by Instagram's Send API: always rejected by the API. */
  reply_to?: undefined;
}

export type InstagramOutboundRequest =
  | (InstagramAddressed & { type: 'text'; text: { body: string }; tag?: 'HUMAN_AGENT' })
  | (InstagramAddressed & { type: 'attachment'; attachment: { type: (typeof INSTAGRAM_ATTACHMENT_TYPES)[number]; url: string }; tag?: 'HUMAN_AGENT' })
  | (InstagramAddressed & { type: 'reaction'; reaction: { message_id: string; emoji: string } })
  | (InstagramAddressed & { type: 'read'; message_id?: string });

/** A validated send, its body typed by the channel it goes to. */
export type OutboundRequest =
  | { channelType: 'whatsapp'; request: WhatsAppOutboundRequest }
  | { channelType: 'instagram'; request: InstagramOutboundRequest };
