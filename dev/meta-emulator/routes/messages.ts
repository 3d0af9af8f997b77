import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import type { BusinessMessage } from '../conversation.js';
import { authenticate, canAccess, GraphError, graphErrors, hostOf, requestParams, requireScope, VERSION_SEGMENT, type GraphErrorSpec } from '../graph.js';
import type { InstagramAccountRecord } from '../scenario.js';
import { instagramWindowError, PERSON_UNAVAILABLE_ERROR } from '../rules/messaging.js';
import { emitInstagramEcho, emitWhatsAppStatuses } from '../send-webhooks.js';
import { checkWhatsAppProduct, validateInstagramSend, validateWhatsAppSend } from '../send-validation.js';
import { templateSendRefusal } from '../rules/templates.js';
import type { EmulatorState, TokenRecord } from '../state.js';
import { newEmulatorMid, newEmulatorWamid } from '../webhook-sender.js';

/**
 * The Send APIs (reference §6.1, §6.3). WhatsApp: `POST graph.facebook.com/{v}/{phone-number-id}/messages`;
 * Instagram via Facebook Login: `POST graph.facebook.com/{v}/me/messages` (or `/{page-id}/messages`)
 * with the page token; Instagram Login: `POST graph.instagram.com/{v}/me/messages` or
 * `/{ig-id}/messages`.
 *
 * A call is checked in Meta's order: token and access, then the body per type (send-validation.ts),
 * then throughput (state.admit*), and only then is the message accepted: recorded in
 * `state.businessMessages`, answered, and followed by its status/echo webhook when
 * `state.sendStatusWebhooks` is on. An `afterSend` fault then fails the answer of the accepted send.
 *
 * The customer-service window (`state.messaging`, when enforced) differs by product: WhatsApp accepts a
 * free-form message outside it and fails it afterwards (a `failed` status with 131047, W1); Instagram
 * refuses it at once with 10/2534022 (W2).
 */

/** Graph takes JSON bodies; requestParams flattens nested values to JSON text, which is parsed back here. */
async function bodyOf(ctx: Koa.Context): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of await requestParams(ctx)) {
    if (name === 'access_token' || name === 'appsecret_proof') continue;
    let parsed: unknown = value;
    if (/^[[{]/.test(value)) {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
    }
    out[name] = parsed;
  }
  return out;
}

export function whatsappMessageRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  router.post('/:version/:id/messages', async (ctx, next) => {
    const number = VERSION_SEGMENT.test(ctx.params.version!) ? state.phoneNumbers.get(ctx.params.id!) : undefined;
    if (number) {
      const record = authenticate(ctx, state);
      if (!canAccess(record, number.id)) throw new GraphError(graphErrors.objectNotFound('POST', number.id));
      requireScope(record, 'whatsapp_business_messaging');
      const body = await bodyOf(ctx);
      const productError = checkWhatsAppProduct(body);
      if (productError) throw new GraphError(productError);
      if (!number.registered) {
        throw new GraphError({ code: 133010, message: '(#133010) Account not registered', type: 'OAuthException' });
      }
      const check = validateWhatsAppSend(body);
      if (!check.ok) throw new GraphError(check.error);
      const send = check.value;
      if (send.kind !== 'read' && send.type === 'template') {
        // The template must exist in the language, be approved, and get the parameters it expects (rules/templates.ts).
        const refusal = templateSendRefusal(state.catalog.templatesOf(number.wabaId).values(), body.template as Record<string, unknown>);
        if (refusal) throw new GraphError(refusal);
      }
      // Mark-as-read (and typing indicator) shares the endpoint; it is not a message, so no limit counts it.
      if (send.kind === 'read') {
        ctx.body = { success: true };
        return;
      }
      // The pair is keyed by the recipient Meta resolves: digits of a phone number, or the BSUID.
      const recipientKey = send.recipientKind === 'phone' ? send.to.replace(/\D/g, '') : send.to;
      const limit = state.admitWhatsAppSend(number.id, recipientKey);
      if (limit === 'throughput') throw new GraphError(WHATSAPP_THROUGHPUT_ERROR);
      if (limit === 'pair_rate') throw new GraphError(WHATSAPP_PAIR_RATE_ERROR);

      const at = state.now();
      const messageId = newEmulatorWamid();
      const message: BusinessMessage = { at, kind: 'whatsapp', channelId: number.id, to: send.to, type: send.type, text: send.text, messageId, body };
      keepRecent(state.businessMessages, message);
      // Meta knows some customers under another form of their number (X1: Brazil's 9th digit): replies come from that id.
      const waId = send.recipientKind === 'phone' ? state.messaging.whatsappIdOf(recipientKey) : undefined;
      const template = send.type === 'template';
      const failure = !template && !state.messaging.whatsappWindowOpen(number.id, waId ?? send.to) ? 131047 : state.messaging.failingRecipients.get(waId ?? recipientKey);
      emitWhatsAppStatuses(state, {
        number,
        wamid: messageId,
        at,
        to: waId ?? send.to,
        recipientKind: send.recipientKind,
        bizOpaqueCallbackData: send.bizOpaqueCallbackData,
        version: Number(ctx.params.version!.slice(1, -2)),
        template,
        failure,
      });
      const answer = {
        messaging_product: 'whatsapp',
        // A BSUID recipient comes back as `user_id` instead of `wa_id` (reference §2.2).
        contacts: [waId !== undefined ? { input: send.to, wa_id: waId } : { input: send.to, user_id: send.to }],
        messages: [{ id: messageId, ...(send.type === 'template' ? { message_status: 'accepted' } : {}) }],
      };
      await answerSend(ctx, state, message, answer);
      return;
    }
    // Instagram via Facebook Login: the page's token, `me` = the page.
    const isVersioned = VERSION_SEGMENT.test(ctx.params.version!);
    const page = isVersioned && ctx.params.id !== 'me' ? state.pages.get(ctx.params.id!) : undefined;
    if (!isVersioned || (ctx.params.id !== 'me' && !page)) return next();
    const record = authenticate(ctx, state);
    if (record.kind !== 'page') throw new GraphError({ code: 210, message: '(#210) A page access token is required to request this resource.' });
    if (page && record.profileId !== page.id) throw new GraphError(graphErrors.objectNotFound('POST', page.id));
    requireScope(record, 'instagram_manage_messages');
    const own = state.pages.get(record.profileId ?? '');
    const account = own?.instagramAccountId ? state.instagramAccounts.get(own.instagramAccountId) : undefined;
    // Messenger sends from a page without an Instagram account are not emulated.
    if (!account) throw new GraphError(graphErrors.invalidParam('The emulator sends Instagram messages only; this page has no Instagram account'));
    await instagramSend(state, ctx, account);
  });

  return router;
}

export function instagramMessageRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  router.post('/:version/:id/messages', async (ctx, next) => {
    if (!VERSION_SEGMENT.test(ctx.params.version!)) return next();
    const record: TokenRecord = authenticate(ctx, state, { platform: 'instagram' });
    const account = state.instagramAccounts.get(record.assets?.[0] ?? state.grantFor('instagram_login').assetIds[0] ?? '');
    if (!account) throw new GraphError(graphErrors.objectNotFound('POST', ctx.params.id!));
    if (ctx.params.id !== 'me' && ctx.params.id !== account.id && ctx.params.id !== account.appScopedId) {
      throw new GraphError(graphErrors.objectNotFound('POST', ctx.params.id!));
    }
    requireScope(record, 'instagram_business_manage_messages');
    await instagramSend(state, ctx, account);
  });

  return router;
}

/** WA-ERR 130429: the number's messages-per-second throughput (reference §6.1). */
const WHATSAPP_THROUGHPUT_ERROR: GraphErrorSpec = {
  code: 130429,
  message: '(#130429) Rate limit hit',
  errorData: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
};

/** WA-ERR 131056: too many messages from this number to the same recipient (reference §6.1). */
const WHATSAPP_PAIR_RATE_ERROR: GraphErrorSpec = {
  code: 131056,
  message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
  errorData: { messaging_product: 'whatsapp', details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.' },
};

/**
 * The Instagram Send API's calls/s per account (reference §6.3). 613 "Calls to this api have exceeded
 * the rate limit" is Graph's per-API rate-limit code; 80002 is the Instagram Business Use Case quota,
 * a rolling 24-hour call budget (4800 × impressions, §7.3), not a per-second rate, so it does not fit.
 */
const INSTAGRAM_RATE_ERROR: GraphErrorSpec = { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' };

/** The Instagram Send API body (both flavours): `{recipient:{id}, message:{text|attachment}}` or a sender action. */
async function instagramSend(state: EmulatorState, ctx: Koa.Context, account: InstagramAccountRecord): Promise<void> {
  const body = await bodyOf(ctx);
  const check = validateInstagramSend(body);
  if (!check.ok) throw new GraphError(check.error);
  const send = check.value;
  if (state.messaging.blocked.has(`${account.id}:${send.recipientId}`)) throw new GraphError(PERSON_UNAVAILABLE_ERROR);
  if (send.kind === 'message') {
    const window = state.messaging.instagramWindow(account.id, send.recipientId);
    if (window === 'closed' || (window === 'human_agent_only' && send.tag !== 'HUMAN_AGENT')) {
      throw new GraphError(instagramWindowError(hostOf(ctx) === 'graph.instagram.com' ? 'graph.instagram.com' : 'graph.facebook.com'));
    }
  }
  const media = send.kind === 'message' && (send.type === 'audio' || send.type === 'video');
  if (!state.admitInstagramSend(account.id, media)) throw new GraphError(INSTAGRAM_RATE_ERROR);
  // Sender actions (reactions, mark_seen, typing) answer without a message id and trigger no webhook (§3.2).
  if (send.kind === 'sender_action') {
    ctx.body = { recipient_id: send.recipientId };
    return;
  }
  const at = state.now();
  const messageId = newEmulatorMid();
  const message: BusinessMessage = { at, kind: 'instagram', channelId: account.id, to: send.recipientId, type: send.type, text: send.text, messageId, body };
  keepRecent(state.businessMessages, message);
  emitInstagramEcho(state, {
    account,
    mid: messageId,
    at,
    recipientId: send.recipientId,
    text: send.text,
    attachment: send.attachmentUrl === undefined ? undefined : { type: send.type, url: send.attachmentUrl },
  });
  await answerSend(ctx, state, message, { recipient_id: send.recipientId, message_id: messageId });
}

/** Answers an accepted send, unless an `afterSend` fault says the answer fails although the message went out. */
async function answerSend(ctx: Koa.Context, state: EmulatorState, message: BusinessMessage, answer: Record<string, unknown>): Promise<void> {
  const fault = state.takeAfterSendFault(ctx.method, ctx.path, hostOf(ctx));
  if (!fault) {
    ctx.body = answer;
    return;
  }
  message.afterSend = fault.afterSend;
  ctx.state.emulatedAfterSend = fault.afterSend;
  if (fault.delayMs) await sleep(fault.delayMs);
  for (const [name, value] of Object.entries(fault.headers ?? {})) ctx.set(name, value);
  switch (fault.afterSend) {
    case 'reset':
      // The request was read in full; an RST instead of an answer is what a dropped connection looks like.
      ctx.respond = false;
      ctx.req.socket.resetAndDestroy();
      return;
    case 'error-but-sent':
      // Messenger's "invalid JSON reply" (reference §7.2); Graph answers its code 1 with HTTP 500.
      throw new GraphError({ code: 1, subcode: 1357046, message: 'An unknown error has occurred.', status: 500 });
    case 'invalid-json': {
      ctx.status = 200;
      ctx.type = 'application/json; charset=UTF-8';
      const json = JSON.stringify(answer);
      ctx.body = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
      return;
    }
  }
}

/** Keeps the newest 1000: the sandbox is for watching, not a store. */
function keepRecent(list: BusinessMessage[], message: BusinessMessage): void {
  list.push(message);
  if (list.length > 1000) list.splice(0, list.length - 1000);
}
