import type { AfterSendMode, EmulatorState } from './state.js';

/**
 * The sandbox's conversations: the channels a customer can write to (numbers and Instagram accounts
 * the app is subscribed to, so Meta would deliver their webhooks), what customers wrote (sent as
 * signed webhooks to the app's callback) and what the business sent through the Send APIs.
 */

export type SandboxChannelKind = 'whatsapp' | 'instagram';

/** A business number or Instagram account a customer can write to, and how its webhooks are signed. */
export interface SandboxChannel {
  kind: SandboxChannelKind;
  /** Phone number id, or the Instagram professional account id (`1784…`). */
  id: string;
  name: string;
  /** `+1 555-…` for numbers, `@username` for Instagram accounts. */
  handle: string;
  /** The WABA (WhatsApp) or page (Instagram via Facebook Login) the subscription is on. */
  parentId: string | undefined;
  flow: 'whatsapp_embedded_signup' | 'instagram_facebook_login' | 'instagram_login';
  /** The app whose secret signs this channel's webhooks: Instagram Login deliveries use the Instagram app's (reference §1.3). */
  signingApp: 'meta' | 'instagram';
}

export interface CustomerMessage {
  seq: number;
  at: Date;
  channel: SandboxChannel;
  /** The customer: a WhatsApp id (digits) or an Instagram-scoped id. */
  from: string;
  customerName: string;
  text: string;
  /** wamid or Instagram mid. */
  messageId: string;
  callbackUrl: string;
  /** The callback's HTTP status; undefined when it did not answer. */
  status: number | undefined;
  detail: string;
  ms: number;
}

export interface BusinessMessage {
  at: Date;
  kind: SandboxChannelKind;
  /** The sending phone number id or Instagram account id. */
  channelId: string;
  /** The recipient as the request named it (`to`, or `recipient.id`). */
  to: string;
  /** `text`, `template`, `image`, …, or the Instagram attachment type. */
  type: string;
  /** The text, when there is one (text body, caption, Instagram message text). */
  text: string | undefined;
  /** The id the emulator answered with (wamid or mid). */
  messageId: string;
  /** The request body as sent (parameters, JSON values parsed). */
  body: Record<string, unknown>;
  /** Set when an injected `afterSend` fault failed the answer although the message was sent. */
  afterSend?: AfterSendMode;
}

/**
 * Channels Meta would deliver customer messages for: numbers of WABAs, and Instagram accounts of pages,
 * the Meta app is subscribed to, and Instagram-Login accounts with a webhook subscription.
 */
export function sandboxChannels(state: EmulatorState): SandboxChannel[] {
  const channels: SandboxChannel[] = [];
  for (const waba of state.wabas.values()) {
    if (!waba.subscriptions.has(state.metaApp.id)) continue;
    for (const id of waba.phoneNumberIds) {
      const number = state.phoneNumbers.get(id);
      if (!number) continue;
      channels.push({ kind: 'whatsapp', id, name: number.verifiedName, handle: number.displayPhoneNumber, parentId: waba.id, flow: 'whatsapp_embedded_signup', signingApp: 'meta' });
    }
  }
  for (const account of state.instagramAccounts.values()) {
    const page = account.pageId ? state.pages.get(account.pageId) : undefined;
    if (page) {
      if (!page.subscriptions.has(state.metaApp.id)) continue;
      channels.push({ kind: 'instagram', id: account.id, name: account.name, handle: `@${account.username}`, parentId: page.id, flow: 'instagram_facebook_login', signingApp: 'meta' });
    } else if (account.loginSubscription !== undefined && !account.pageId) {
      channels.push({ kind: 'instagram', id: account.id, name: account.name, handle: `@${account.username}`, parentId: undefined, flow: 'instagram_login', signingApp: 'instagram' });
    }
  }
  return channels;
}
