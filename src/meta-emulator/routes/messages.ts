import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import type { BusinessMessage } from '../conversation.js';
import { authenticate, canAccess, GraphError, graphErrors, requestParams, requireScope, VERSION_SEGMENT } from '../graph.js';
import type { InstagramAccountRecord } from '../scenario.js';
import type { EmulatorState, TokenRecord } from '../state.js';
import { newEmulatorMid, newEmulatorWamid } from '../webhook-sender.js';

/**
 * The Send APIs (reference §6.1, §6.3), minimal: they validate the envelope, answer like Meta and
 * record what the business sent, so the sandbox page can show it. WhatsApp:
 * `POST graph.facebook.com/{v}/{phone-number-id}/messages`; Instagram via Facebook Login:
 * `POST graph.facebook.com/{v}/me/messages` (or `/{page-id}/messages`) with the page token; Instagram
 * Login: `POST graph.instagram.com/{v}/me/messages` or `/{ig-id}/messages`. No delivery or echo
 * webhooks follow.
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
      const product = body.messaging_product;
      if (product === undefined) throw new GraphError(graphErrors.missingParam('messaging_product'));
      if (product !== 'whatsapp') throw new GraphError(graphErrors.invalidParam('Param messaging_product must be "whatsapp"'));
      if (!number.registered) {
        throw new GraphError({ code: 133010, message: '(#133010) Account not registered', type: 'OAuthException' });
      }
      // Mark-as-read (and typing indicator) shares the endpoint.
      if (body.status === 'read') {
        if (typeof body.message_id !== 'string') throw new GraphError(graphErrors.missingParam('message_id'));
        ctx.body = { success: true };
        return;
      }
      const to = typeof body.to === 'string' ? body.to : undefined;
      if (!to) throw new GraphError(graphErrors.missingParam('to'));
      const type = typeof body.type === 'string' ? body.type : 'text';
      const content = body[type];
      if (!isRecord(content) && !Array.isArray(content)) throw new GraphError(graphErrors.missingParam(type));
      if (type === 'text' && (!isRecord(content) || typeof content.body !== 'string' || content.body === '')) {
        throw new GraphError(graphErrors.missingParam('text.body'));
      }
      const text = isRecord(content) ? (typeof content.body === 'string' ? content.body : typeof content.caption === 'string' ? content.caption : undefined) : undefined;
      const messageId = newEmulatorWamid();
      keepRecent(state.businessMessages, { at: state.now(), kind: 'whatsapp', channelId: number.id, to, type, text, messageId, body });
      ctx.body = {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
        messages: [{ id: messageId, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
      };
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
    ctx.body = await instagramSend(state, ctx, account);
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
    ctx.body = await instagramSend(state, ctx, account);
  });

  return router;
}

/** The Instagram Send API body (both flavours): `{recipient:{id}, message:{text|attachment}}` or a sender action. */
async function instagramSend(state: EmulatorState, ctx: Koa.Context, account: InstagramAccountRecord): Promise<Record<string, unknown>> {
  const body = await bodyOf(ctx);
  const recipient = body.recipient;
  if (!isRecord(recipient) || typeof recipient.id !== 'string') throw new GraphError(graphErrors.missingParam('recipient'));
  if (typeof body.sender_action === 'string') return { recipient_id: recipient.id };
  const message = body.message;
  if (!isRecord(message)) throw new GraphError(graphErrors.missingParam('message'));
  const text = typeof message.text === 'string' ? message.text : undefined;
  // Instagram limits text to 1000 bytes of UTF-8 (reference §6.3).
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > 1000) throw new GraphError(graphErrors.invalidParam('Message text is longer than 1000 bytes'));
  const attachment = isRecord(message.attachment) ? message.attachment : undefined;
  if (text === undefined && !attachment) throw new GraphError(graphErrors.missingParam('message.text'));
  const messageId = newEmulatorMid();
  const type = attachment && typeof attachment.type === 'string' ? attachment.type : 'text';
  keepRecent(state.businessMessages, { at: state.now(), kind: 'instagram', channelId: account.id, to: recipient.id, type, text, messageId, body });
  return { recipient_id: recipient.id, message_id: messageId };
}

/** Keeps the newest 1000: the sandbox is for watching, not a store. */
function keepRecent(list: BusinessMessage[], message: BusinessMessage): void {
  list.push(message);
  if (list.length > 1000) list.splice(0, list.length - 1000);
}
