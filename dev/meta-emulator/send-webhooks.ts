import { sandboxChannels } from './conversation.js';
import { statusBilling, whatsappStatusError, type WhatsAppStatusStep } from './rules/messaging.js';
import type { InstagramAccountRecord, PhoneNumberRecord } from './scenario.js';
import type { EmulatorState, SendWebhookDelivery } from './state.js';
import { deliverWebhook, instagramEchoWebhook, newEmulatorWamid, whatsappEchoWebhook, whatsappHistoryWebhook, whatsappStatusWebhook, type WhatsAppHistoryInput } from './webhook-sender.js';

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
  /** The Graph version of the send (`v26.0` → 26): pricing and conversation differ by version (S6). */
  version: number;
  template: boolean;
  /** Meta accepted the send but will not deliver it: a single `failed` status with this code follows (S4). */
  failure: number | undefined;
}

/**
 * The statuses that follow an accepted send, each its own webhook, in order: `state.messaging
 * .whatsappStatusSequence` (`sent` by default; `sent`, `delivered`, `read`, or read without delivered,
 * S1–S2), or one `failed` status with `errors[]` when the send fails after acceptance (window 131047, a
 * failing recipient).
 */
export function emitWhatsAppStatuses(state: EmulatorState, send: WhatsAppSentInput): void {
  if (!state.sendStatusWebhooks) return;
  const steps: Array<WhatsAppStatusStep | 'failed'> = send.failure === undefined ? state.messaging.whatsappStatusSequence : ['failed'];
  const billing = { template: send.template, conversationId: newEmulatorWamid().slice(10, 42).replace(/[^A-Za-z0-9]/g, 'x'), expiresAt: send.at.getTime() + 24 * 60 * 60 * 1000 };
  let billed = false;
  const pending = steps.map((status): Pending => {
    const first = status !== 'sent' && status !== 'failed' && !billed;
    if (first) billed = true;
    const payload = whatsappStatusWebhook({
      wabaId: send.number.wabaId,
      phoneNumberId: send.number.id,
      displayPhoneNumber: send.number.displayPhoneNumber,
      wamid: send.wamid,
      status,
      at: send.at,
      recipient: send.recipientKind === 'phone' ? { phone: send.to } : { bsuid: send.to },
      bizOpaqueCallbackData: send.bizOpaqueCallbackData,
      billing: status === 'failed' ? undefined : statusBilling(send.version, status, first, billing),
      errors: status === 'failed' ? [whatsappStatusError(send.failure!)] : undefined,
    });
    return { kind: 'status', channelKind: 'whatsapp', channelId: send.number.id, messageId: send.wamid, at: send.at, payload };
  });
  scheduleInOrder(state, pending);
}

/**
 * A coexistence number's business writes from the WhatsApp Business app: the `smb_message_echoes`
 * webhook (C1). Only for numbers on the app (`is_on_biz_app`); delivered whatever `sendStatusWebhooks`
 * says, since no send of the app's caused it. Returns the echo's wamid.
 */
export function emitBusinessAppEcho(state: EmulatorState, number: PhoneNumberRecord, echo: { to: string; text: string }): string {
  if (!number.onBizApp) throw new Error(`number ${number.id} is not on the WhatsApp Business app (coexistence)`);
  const at = state.now();
  const wamid = newEmulatorWamid();
  const payload = whatsappEchoWebhook({ wabaId: number.wabaId, phoneNumberId: number.id, displayPhoneNumber: number.displayPhoneNumber, to: echo.to, text: echo.text, wamid, at });
  scheduleInOrder(state, [{ kind: 'echo', channelKind: 'whatsapp', channelId: number.id, messageId: wamid, at, payload }]);
  return wamid;
}

/** The chat history a coexistence number shares after onboarding, one chunk per call (C3). */
export function emitHistoryChunk(state: EmulatorState, number: PhoneNumberRecord, chunk: Pick<WhatsAppHistoryInput, 'phase' | 'chunkOrder' | 'progress' | 'threads'>): void {
  if (!number.onBizApp) throw new Error(`number ${number.id} is not on the WhatsApp Business app (coexistence)`);
  const payload = whatsappHistoryWebhook({ wabaId: number.wabaId, phoneNumberId: number.id, displayPhoneNumber: number.displayPhoneNumber, ...chunk });
  scheduleInOrder(state, [{ kind: 'history', channelKind: 'whatsapp', channelId: number.id, messageId: `history:${chunk.phase}:${chunk.chunkOrder}`, at: state.now(), payload }]);
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
  scheduleInOrder(state, [p]);
}

/** One after the other: each starts once the previous one was answered, as Meta's statuses of one message mostly arrive. */
function scheduleInOrder(state: EmulatorState, pending: Pending[]): void {
  let previous: Promise<unknown> = new Promise<void>((resolve) => setImmediate(resolve));
  for (const p of pending) {
    const delivery = previous.then(() => deliver(state, p));
    state.trackSendWebhook(delivery);
    previous = delivery.catch(() => undefined);
  }
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
