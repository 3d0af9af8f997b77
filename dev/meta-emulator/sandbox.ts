import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { EmulatorContext } from './context.js';
import { sandboxChannels, type BusinessMessage, type CustomerMessage, type SandboxChannel } from './conversation.js';
import { escapeHtml } from './graph.js';
import type { EmulatorState } from './state.js';
import { deliverWebhook, instagramTextWebhook, newEmulatorMid, newEmulatorWamid, whatsappTextWebhook } from './webhook-sender.js';

/**
 * The sandbox page, `GET /sandbox` on the emulator's root (server-rendered, no JavaScript): the
 * channels Meta would deliver webhooks for, a form to write to one of them as a customer, and the
 * conversation so far, both ways. `POST /sandbox/messages` builds the webhook Meta would send
 * (WhatsApp `messages` change, or Instagram `messaging` item), escapes and signs the exact bytes with
 * the app secret, POSTs them to the app's webhook callback URL and shows the answer.
 * `Accept: application/json` gets the outcome as JSON instead of a redirect (scripts, tests).
 *
 * An Instagram message can be written into a thread another app owns (`standby`): Meta delivers it
 * in `standby[]`, and only to apps subscribed to `standby`. `POST /sandbox/conversations/age` moves a
 * customer's last message back in time, so that the business's next free-form send falls outside the
 * customer-service window (WhatsApp: accepted, then `failed` 131047; Instagram: 10/2534022).
 */

export const SANDBOX_PATH = '/sandbox';
export const SANDBOX_MESSAGES_PATH = '/sandbox/messages';
export const SANDBOX_AGE_PATH = '/sandbox/conversations/age';
/** Makes every Instagram CDN link handed out so far expire now, as Meta's do after a while. */
export const SANDBOX_EXPIRE_CDN_PATH = '/sandbox/expire-cdn';

/** A 16×16 PNG the customer can attach (Instagram), so the sandbox shows media DSK fetches through the service. */
export const SANDBOX_IMAGE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGO4oxFFEmIY1TCqYfhqAACUeF4Q+VWXnAAAAABJRU5ErkJggg==', 'base64');

/** The customer the form writes as unless told otherwise. */
export const SANDBOX_CUSTOMER = { waId: '16505551234', igsid: '6841100000000001', name: 'Sandbox Customer' } as const;

const MAX_FORM_BYTES = 64 * 1024;
const SHOWN_MESSAGES = 100;

export function sandboxRoutes(emu: EmulatorContext): Koa.Middleware {
  const { state } = emu;
  let seq = 0;

  return async (ctx, next) => {
    if (ctx.state.emulatedPrefix !== '') return next();
    if ((ctx.path === SANDBOX_PATH || ctx.path === `${SANDBOX_PATH}/`) && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      const sent = Number(ctx.query.sent);
      const last = Number.isInteger(sent) ? state.customerMessages.find((m) => m.seq === sent) : undefined;
      return renderPage(ctx, state, { ...(last ? { last } : {}) });
    }
    if (ctx.path === SANDBOX_AGE_PATH) return ageConversation(ctx, state);
    if (ctx.path === SANDBOX_EXPIRE_CDN_PATH && ctx.method === 'POST') {
      const expired = state.catalog.expireInstagramUrls();
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { expired };
        return;
      }
      ctx.status = 303;
      ctx.redirect(`${SANDBOX_PATH}?expired=${expired}`);
      return;
    }
    if (ctx.path !== SANDBOX_MESSAGES_PATH) return next();
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      return;
    }
    const wantsJson = ctx.accepts('html', 'json') === 'json';
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await getRawBody(ctx.req, { limit: MAX_FORM_BYTES, encoding: 'utf8' }));
    } catch {
      return refuse(ctx, wantsJson, state, 413, 'The form is too large.');
    }
    const channel = sandboxChannels(state).find((c) => c.id === form.get('channel'));
    const text = form.get('text') ?? '';
    if (!channel) return refuse(ctx, wantsJson, state, 400, 'Choose a connected channel (the app must be subscribed to it).');
    const withImage = form.get('image') === 'on' && channel.kind === 'instagram';
    if (text.trim() === '' && !withImage) return refuse(ctx, wantsJson, state, 400, 'Write a message.');
    const callbackUrl = callbackFor(state, channel);
    if (!callbackUrl) return refuse(ctx, wantsJson, state, 409, 'The emulator has no webhook callback URL (createMetaEmulator({ webhookCallbackUrl }) or state.webhookCallbackUrl).');

    const standby = channel.kind === 'instagram' && form.get('standby') === 'on';
    if (standby && !subscribedToStandby(state, channel)) {
      return refuse(ctx, wantsJson, state, 409, 'Meta delivers messages of threads another app owns (standby) only to apps subscribed to the standby field; this channel is not.');
    }

    const at = state.now();
    const from = (form.get('from') ?? '').trim() || (channel.kind === 'whatsapp' ? SANDBOX_CUSTOMER.waId : SANDBOX_CUSTOMER.igsid);
    const customerName = (form.get('name') ?? '').trim() || SANDBOX_CUSTOMER.name;
    const messageId = channel.kind === 'whatsapp' ? newEmulatorWamid() : newEmulatorMid();
    if (channel.kind === 'instagram') {
      // Whoever writes can be looked up with the User Profile API, as at Meta.
      state.catalog.instagramUsers.set(from, { name: customerName, username: customerName.toLowerCase().replace(/[^a-z0-9_.]+/g, '_') });
    }
    const attachments = withImage ? [{ type: 'image', url: state.catalog.addInstagramAttachment(emu.publicUrl ?? ownOrigin(ctx), SANDBOX_IMAGE, 'image/png').url }] : undefined;
    const payload =
      channel.kind === 'whatsapp'
        ? whatsappTextWebhook({ wabaId: channel.parentId!, phoneNumberId: channel.id, displayPhoneNumber: channel.handle, from, customerName, text, wamid: messageId, at })
        : instagramTextWebhook({ accountId: channel.id, senderId: from, text, mid: messageId, at, standby, ...(attachments ? { attachments } : {}) });
    // The customer wrote: the customer-service window (re)opens whether or not the webhook got through.
    state.messaging.customerWrote(channel.id, from, at);
    const secret = channel.signingApp === 'instagram' ? state.instagramApp.secret : state.metaApp.secret;
    const outcome = await deliverWebhook(callbackUrl, payload, secret);
    seq += 1;
    const message: CustomerMessage = { seq, at, channel, from, customerName, text: withImage ? `${text}${text ? ' ' : ''}[image]` : text, messageId, callbackUrl, ...outcome };
    state.customerMessages.push(message);
    if (state.customerMessages.length > 1000) state.customerMessages.splice(0, state.customerMessages.length - 1000);

    if (wantsJson) {
      ctx.status = 200;
      ctx.body = { seq, channel: { kind: channel.kind, id: channel.id }, message_id: messageId, callback_url: callbackUrl, callback_status: outcome.status ?? null, callback_detail: outcome.detail };
      return;
    }
    // Post/redirect/get: a reload does not send the message again.
    ctx.status = 303;
    ctx.redirect(`${SANDBOX_PATH}?sent=${seq}`);
  };
}

/** Whether the app's subscription for this Instagram account includes `standby` (page or Instagram Login). */
function subscribedToStandby(state: EmulatorState, channel: SandboxChannel): boolean {
  if (channel.flow === 'instagram_login') return state.instagramAccounts.get(channel.id)?.loginSubscription?.includes('standby') ?? false;
  return (channel.parentId ? state.pages.get(channel.parentId)?.subscriptions.get(state.metaApp.id)?.includes('standby') : false) ?? false;
}

/** `POST /sandbox/conversations/age`: `channel`, `customer` (default the sandbox customer), `hours` (default 25). */
async function ageConversation(ctx: Koa.Context, state: EmulatorState): Promise<void> {
  const wantsJson = ctx.accepts('html', 'json') === 'json';
  if (ctx.method !== 'POST') {
    ctx.status = 405;
    ctx.set('Allow', 'POST');
    return;
  }
  const form = new URLSearchParams(await getRawBody(ctx.req, { limit: MAX_FORM_BYTES, encoding: 'utf8' }));
  const channel = sandboxChannels(state).find((c) => c.id === form.get('channel'));
  if (!channel) return refuse(ctx, wantsJson, state, 400, 'Choose a connected channel (the app must be subscribed to it).');
  const customer = (form.get('customer') ?? '').trim() || (channel.kind === 'whatsapp' ? SANDBOX_CUSTOMER.waId : SANDBOX_CUSTOMER.igsid);
  const hours = Number(form.get('hours') ?? '25');
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 400) return refuse(ctx, wantsJson, state, 400, 'Hours must be a positive number.');
  if (!state.messaging.lastCustomerMessageAt(channel.id, customer)) return refuse(ctx, wantsJson, state, 409, 'This customer has not written to this channel yet.');
  state.messaging.ageConversation(channel.id, customer, hours * 60 * 60 * 1000);
  const lastAt = state.messaging.lastCustomerMessageAt(channel.id, customer)!;
  if (wantsJson) {
    ctx.status = 200;
    ctx.body = { channel: { kind: channel.kind, id: channel.id }, customer, last_customer_message_at: lastAt.toISOString(), windows_enforced: state.messaging.windowsEnforced };
    return;
  }
  ctx.status = 303;
  ctx.redirect(SANDBOX_PATH);
}

/**
 * The emulator's own address as the service knows it (its META_MEDIA_HOSTS names the listening
 * origin), whatever host name the browser used for the page: the CDN links it hands out must be
 * fetchable by the service.
 */
function ownOrigin(ctx: Koa.Context): string {
  const { localAddress, localPort } = ctx.req.socket;
  const host = localAddress && localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  return host && localPort ? `http://${host}:${localPort}` : `${ctx.protocol}://${ctx.host}`;
}

/** Meta honours a WABA's `override_callback_uri`; everything else goes to the app's callback. */
function callbackFor(state: EmulatorState, channel: SandboxChannel): string | undefined {
  if (channel.kind === 'whatsapp' && channel.parentId) {
    const override = state.wabas.get(channel.parentId)?.subscriptions.get(state.metaApp.id)?.overrideCallbackUri;
    if (override) return override;
  }
  return state.webhookCallbackUrl;
}

function refuse(ctx: Koa.Context, wantsJson: boolean, state: EmulatorState, status: number, message: string): void {
  if (wantsJson) {
    ctx.status = status;
    ctx.body = { error: message };
    return;
  }
  renderPage(ctx, state, { error: message }, status);
}

const LABELS: Record<SandboxChannel['flow'], string> = {
  whatsapp_embedded_signup: 'WhatsApp (Embedded Signup)',
  instagram_facebook_login: 'Instagram (via Facebook Login)',
  instagram_login: 'Instagram (Instagram Login)',
};

const time = (d: Date) => d.toISOString().slice(11, 19);

/** A template send shows its template and parameters; other sends their text or type. */
function describeSent(m: BusinessMessage): string {
  const template = m.body.template as { name?: unknown; language?: { code?: unknown }; components?: Array<{ parameters?: Array<{ text?: unknown }> }> } | undefined;
  if (m.type === 'template' && template) {
    const params = (template.components ?? []).flatMap((c) => c.parameters ?? []).flatMap((p) => (typeof p.text === 'string' ? [p.text] : []));
    return `<em>template</em> <code>${e(String(template.name))}</code> (${e(String(template.language?.code ?? ''))})${params.length ? `: ${params.map((p) => e(p)).join(', ')}` : ''}`;
  }
  return m.text === undefined ? `<em>${e(m.type)}</em>` : e(m.text);
}
const e = (s: string | undefined) => escapeHtml(s ?? '');

function renderPage(ctx: Koa.Context, state: EmulatorState, notice: { last?: CustomerMessage; error?: string }, status = 200): void {
  const channels = sandboxChannels(state);
  const byId = new Map(channels.map((c) => [c.id, c]));
  const nameOf = (id: string) => (byId.get(id) ? `${byId.get(id)!.name} ${byId.get(id)!.handle}` : id);

  let banner = '';
  if (notice.error) banner = `<p class="notice bad" role="alert">${e(notice.error)}</p>`;
  else if (notice.last) {
    const m = notice.last;
    const ok = m.status !== undefined && m.status >= 200 && m.status < 300;
    banner = `<p class="notice ${ok ? 'ok' : 'bad'}" role="status" id="result" data-status="${m.status ?? ''}">Sent to ${e(m.callbackUrl)}: ${
      m.status === undefined ? `no answer (${e(m.detail)})` : `HTTP ${m.status}${ok ? '' : ` ${e(m.detail)}`}`
    } in ${m.ms} ms. Message id <code>${e(m.messageId)}</code>.</p>`;
  }

  const callback = state.webhookCallbackUrl ? `<code>${e(state.webhookCallbackUrl)}</code>` : '<strong>not configured</strong>: messages cannot be delivered';
  const form = channels.length
    ? `<form method="post" action="${SANDBOX_MESSAGES_PATH}" accept-charset="utf-8">
<p><label>To <select name="channel" required>
${channels.map((c) => `<option value="${e(c.id)}">${e(LABELS[c.flow])}: ${e(c.name)} ${e(c.handle)}</option>`).join('\n')}
</select></label></p>
<p><label>Your name <input name="name" placeholder="${e(SANDBOX_CUSTOMER.name)}"></label>
<label>Your id <input name="from" placeholder="WhatsApp ${SANDBOX_CUSTOMER.waId} / Instagram ${SANDBOX_CUSTOMER.igsid}"></label></p>
<p><label>Message<br><textarea name="text" rows="3" cols="60" placeholder="Hi! Does it come in blue?"></textarea></label></p>
<p><label><input type="checkbox" name="image"> Attach a sample image (Instagram: its CDN link expires; DSK fetches it through the service)</label></p>
<p><label><input type="checkbox" name="standby"> Instagram: the thread is owned by another app (delivered in <code>standby</code>)</label></p>
<p><button type="submit">Send as the customer</button></p>
</form>
<form method="post" action="${SANDBOX_EXPIRE_CDN_PATH}"><p><button type="submit">Expire Instagram CDN links now</button> (${state.catalog.instagramAttachments.size} attachment(s) sent so far)</p></form>
<h2>Let time pass</h2>
<p>Customer-service windows are ${state.messaging.windowsEnforced ? '<strong>enforced</strong>' : 'not enforced'}: a free-form message more than 24 hours after the customer's last one fails (WhatsApp: accepted, then a <code>failed</code> status 131047; Instagram: refused with 10/2534022, or allowed up to 7 days with the HUMAN_AGENT tag).</p>
<form method="post" action="${SANDBOX_AGE_PATH}" accept-charset="utf-8">
<p><label>Channel <select name="channel" required>
${channels.map((c) => `<option value="${e(c.id)}">${e(LABELS[c.flow])}: ${e(c.name)} ${e(c.handle)}</option>`).join('\n')}
</select></label>
<label>Customer <input name="customer" placeholder="${SANDBOX_CUSTOMER.waId} / ${SANDBOX_CUSTOMER.igsid}"></label>
<label>Hours <input name="hours" value="25" size="4"></label></p>
<p><button type="submit">Move the customer's last message back</button></p>
</form>`
    : `<p>No connected channel yet. Connect one through the service (create a connection, open its <code>connect_url</code>, click Continue), then <a href="${SANDBOX_PATH}">reload</a>.</p>`;

  const table = channels.length
    ? `<table><thead><tr><th>Channel</th><th>Name</th><th>Id</th><th>Subscribed on</th><th>Webhooks signed with</th></tr></thead><tbody>
${channels
  .map(
    (c) =>
      `<tr data-channel-id="${e(c.id)}"><td>${e(LABELS[c.flow])}</td><td>${e(c.name)} ${e(c.handle)}</td><td><code>${e(c.id)}</code></td><td>${
        c.parentId ? `${c.kind === 'whatsapp' ? 'WABA' : 'page'} <code>${e(c.parentId)}</code>` : 'the account (Instagram Login)'
      }</td><td>${c.signingApp === 'instagram' ? 'Instagram app secret' : 'Meta app secret'}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '';

  type Row = { at: Date; html: string };
  const rows: Row[] = [
    ...state.customerMessages.map((m): Row => {
      const ok = m.status !== undefined && m.status >= 200 && m.status < 300;
      return {
        at: m.at,
        html: `<tr class="in"><td>${time(m.at)}</td><td>customer → business</td><td>${e(m.channel.name)} ${e(m.channel.handle)}</td><td>${e(m.customerName)} <code>${e(m.from)}</code></td><td>${e(m.text)}</td><td class="${ok ? 'ok' : 'bad'}">webhook ${m.status ?? 'failed'}</td></tr>`,
      };
    }),
    ...state.businessMessages.map((m: BusinessMessage): Row => ({
      at: m.at,
      html: `<tr class="out"><td>${time(m.at)}</td><td>business → customer</td><td>${e(nameOf(m.channelId))}</td><td><code>${e(m.to)}</code></td><td>${describeSent(m)}</td><td>sent (${e(m.type)})</td></tr>`,
    })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, SHOWN_MESSAGES);
  const conversation = rows.length
    ? `<table><thead><tr><th>Time (UTC)</th><th>Direction</th><th>Channel</th><th>Customer</th><th>Text</th><th>Result</th></tr></thead><tbody>
${rows.map((r) => r.html).join('\n')}
</tbody></table>`
    : '<p>Nothing yet.</p>';

  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Meta emulator sandbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.notice{padding:.5rem;border-radius:4px}.ok{background:#e6f4ea}.bad{background:#fce8e6}tr.out{background:#f1f3f4}input,select,textarea{font:inherit}</style></head>
<body>
<h1>Meta emulator sandbox</h1>
<p>Write to a connected channel as a customer: the emulator sends the webhook Meta would send, signed with the app secret, to the app's callback ${callback}. Messages the business sends through the Send API show up below. <a href="${SANDBOX_PATH}">Reload</a></p>
${banner}
<h2>Write as a customer</h2>
${form}
<h2>Connected channels</h2>
${table || '<p>None: Meta delivers webhooks only for numbers and accounts the app is subscribed to.</p>'}
<h2>Conversation</h2>
${conversation}
</body>
</html>`;
}
