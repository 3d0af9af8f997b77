import type { GraphErrorSpec } from '../graph.js';

/*
 * Meta's customer-service windows and the failures that follow a WhatsApp send, the emulator's own
 * copy (never imported from src/). Sources are the rows of docs/meta-behaviours.md.
 */

const HOUR_MS = 60 * 60 * 1000;

/**
 * WhatsApp (W1, WA-ERR): a free-form message may go out within 24 h of the customer's last message;
 * later, Meta still accepts the send, then reports it `failed` with 131047 (chatwoot#10143,
 * megaapp977/stack#117 saw it asynchronously). Templates are not bound by the window.
 */
export const WHATSAPP_WINDOW_MS = 24 * HOUR_MS;

/**
 * Instagram (W2, IG-MSG, MS-SEND-ERR): 24 h after the customer's last message, 7 days with
 * `messaging_type: MESSAGE_TAG` + `tag: HUMAN_AGENT`; outside, the Send API refuses synchronously.
 */
export const INSTAGRAM_WINDOW_MS = 24 * HOUR_MS;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/**
 * 10/2534022 outside the window (recorded in ComposioHQ/composio#3604: HTTP 403, `IGApiException` on
 * graph.instagram.com); graph.facebook.com names the type `OAuthException`.
 */
export function instagramWindowError(host: 'graph.facebook.com' | 'graph.instagram.com'): GraphErrorSpec {
  return {
    code: 10,
    subcode: 2534022,
    status: 403,
    type: host === 'graph.instagram.com' ? 'IGApiException' : 'OAuthException',
    message: 'This message is sent outside of allowed window.',
  };
}

/**
 * 551/1545041 "This person isn't available right now." (recorded in microsoft/botframework-sdk#4556):
 * what sending to someone who blocked the account looks like (W3).
 */
export const PERSON_UNAVAILABLE_ERROR: GraphErrorSpec = { code: 551, subcode: 1545041, message: "(#551) This person isn't available right now." };

/** An error object as WhatsApp puts it in a `failed` status (S4; restfb/restfb#1344 recorded 131026). */
export interface WhatsAppStatusError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

/** Titles and details of the codes that arrive after a send was accepted (WA-ERR rows; S4). */
const ASYNC_FAILURES: Record<number, { title: string; details: string }> = {
  131047: { title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131026: { title: 'Message undeliverable', details: 'Message Undeliverable.' },
  131049: { title: 'Meta chose not to deliver.', details: 'This message was not delivered to maintain healthy ecosystem engagement.' },
  131050: { title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.', details: 'This recipient has chosen to stop receiving marketing messages from your business.' },
  130472: { title: "User's number is part of an experiment", details: "Failed to send message because this user's phone number is part of an experiment" },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.' },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  131051: { title: 'Unsupported message type', details: 'Message type is not currently supported.' },
};

/** The codes the emulator can fail a send with after accepting it. */
export const ASYNC_FAILURE_CODES = Object.keys(ASYNC_FAILURES).map(Number);

export function whatsappStatusError(code: number): WhatsAppStatusError {
  const known = ASYNC_FAILURES[code] ?? { title: 'Message failed to send', details: 'Message failed to send.' };
  return { code, title: known.title, message: known.title, error_data: { details: known.details }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' };
}

/** A status after an accepted send; the sequence is configurable (S1–S3). */
export type WhatsAppStatusStep = 'sent' | 'delivered' | 'read';

/**
 * Pricing and conversation per version (S6, WA-STATUS): up to v23 every status carries `conversation`
 * and CBP `pricing`; from v24 `conversation` is gone and PMP `pricing` comes with one of delivered/read.
 * A free-form reply inside the window is `free_customer_service`; a template is billed.
 */
export function statusBilling(
  version: number,
  step: WhatsAppStatusStep,
  first: boolean,
  send: { template: boolean; conversationId: string; expiresAt: number },
): Record<string, unknown> {
  if (version <= 23) {
    const category = send.template ? 'utility' : 'service';
    return {
      conversation: { id: send.conversationId, ...(step === 'sent' ? { expiration_timestamp: String(Math.floor(send.expiresAt / 1000)) } : {}), origin: { type: category } },
      pricing: { billable: send.template, pricing_model: 'CBP', category },
    };
  }
  if (step === 'sent' || !first) return {};
  return {
    pricing: send.template
      ? { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' }
      : { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
  };
}
