import { sandboxChannels } from './conversation.js';
import type { InstagramAccountRecord, PhoneNumberRecord } from './scenario.js';
import type { EmulatorState, SendWebhookDelivery } from './state.js';
import { deliverWebhook, instagramEchoWebhook, whatsappStatusWebhook } from './webhook-sender.js';

/**
 * The webhook Meta sends after it accepted a business's message, which is how a client reconciles a
 * send whose HTTP answer it never got (reference §0.14, §2.5, §3.2): WhatsApp's `sent` status
 * (carrying the request's `biz_opaque_callback_data`), Instagram's `is_echo` message (carrying the
 * mid). Only when `state.sendStatusWebhooks` is on.
 *
 * Delivery starts on a later turn of the event loop, so the send's answer is not held up by it; Meta
 * gives no order between the two, and a status may well arrive before the answer. Like the sandbox,
 * the emulator delivers once and logs the outcome (`state.sendWebhooks`) instead of retrying.
 */

export interface WhatsAppSentInput {
  number: PhoneNumberRecord;
  wamid: string;
  at: Date;
  to: string;
  recipientKind: 'phone' | 'bsuid';
  bizOpaqueCallbackData: string | undefined;
}

export function emitWhatsAppSentStatus(state: EmulatorState, send: WhatsAppSentInput): void {
  if (!state.sendStatusWebhooks) return;
  const payload = whatsappStatusWebhook({
    wabaId: send.number.wabaId,
    phoneNumberId: send.number.id,
    displayPhoneNumber: send.number.displayPhoneNumber,
    wamid: send.wamid,
    status: 'sent',
    at: send.at,
    recipient: send.recipientKind === 'phone' ? { phone: send.to } : { bsuid: send.to },
    bizOpaqueCallbackData: send.bizOpaqueCallbackData,
  });
  schedule(state, { kind: 'status', channelKind: 'whatsapp', channelId: send.number.id, messageId: send.wamid, at: send.at, payload });
}

export interface InstagramEchoSendInput {
  account: InstagramAccountRecord;
  mid: string;
  at: Date;
  recipientId: string;
  text: string | undefined;
  attachment: { type: string; url: string } | undefined;
}

export function emitInstagramEcho(state: EmulatorState, send: InstagramEchoSendInput): void {
  if (!state.sendStatusWebhooks) return;
  const payload = instagramEchoWebhook({ accountId: send.account.id, recipientId: send.recipientId, mid: send.mid, at: send.at, text: send.text, attachment: send.attachment });
  schedule(state, { kind: 'echo', channelKind: 'instagram', channelId: send.account.id, messageId: send.mid, at: send.at, payload });
}

interface Pending {
  kind: SendWebhookDelivery['kind'];
  channelKind: 'whatsapp' | 'instagram';
  channelId: string;
  messageId: string;
  at: Date;
  payload: Record<string, unknown>;
}

function schedule(state: EmulatorState, p: Pending): void {
  const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(state, p));
  state.trackSendWebhook(delivery);
}

/**
 * Meta delivers only for objects the app is subscribed to (the sandbox's channel list), to the WABA's
 * `override_callback_uri` when set, else to the app's callback; Instagram-Login accounts sign with the
 * Instagram app's secret (reference §1.3). ⚠ Echo field names differ between flavours (`messages` vs
 * `message_echoes`); any subscription of the account gets the echo here.
 */
async function deliver(state: EmulatorState, p: Pending): Promise<SendWebhookDelivery> {
  const base = { kind: p.kind, at: p.at, channelId: p.channelId, messageId: p.messageId, payload: p.payload };
  const channel = sandboxChannels(state).find((c) => c.kind === p.channelKind && c.id === p.channelId);
  if (!channel) return { ...base, callbackUrl: undefined, skipped: 'not_subscribed', status: undefined, detail: 'the app is not subscribed to this channel' };
  const override = channel.kind === 'whatsapp' && channel.parentId ? state.wabas.get(channel.parentId)?.subscriptions.get(state.metaApp.id)?.overrideCallbackUri : undefined;
  const callbackUrl = override ?? state.webhookCallbackUrl;
  if (!callbackUrl) return { ...base, callbackUrl: undefined, skipped: 'no_callback_url', status: undefined, detail: 'no webhook callback URL is configured' };
  const secret = channel.signingApp === 'instagram' ? state.instagramApp.secret : state.metaApp.secret;
  const outcome = await deliverWebhook(callbackUrl, p.payload, secret);
  return { ...base, callbackUrl, status: outcome.status, detail: outcome.detail };
}
