import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { ConnectionSessions } from '../../db/connection-sessions.js';
import type { Connections } from '../../db/connections.js';
import type { Logger } from '../../logger.js';
import type { ChannelConnector } from '../../meta/connectors.js';
import type { ConnectFlow, ConnectionStatus } from '../../shared/connections.js';
import type { Workflows } from '../../temporal/client.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { html, page, type RawHtml } from '../pages/html.js';
import { readText } from '../validate.js';

/** The one technical cookie the service sets: it binds the browser that started a connection to its callback. */
export const CONNECT_COOKIE = 'mis_connect';

export interface ConnectPagesDeps {
  connections: Connections;
  sessions: ConnectionSessions;
  workflows: Pick<Workflows, 'authorize' | 'chooseAsset' | 'cancelConnection' | 'submitPin'>;
  vault: TokenVault;
  connectors: Readonly<Record<ConnectFlow, ChannelConnector>>;
  publicBaseUrl: string;
  clock: () => Date;
  log: Logger;
  /** The public pages' rate limit (shared with the other public routers); omitted: none. */
  rateLimit?: Koa.Middleware;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const ConnectionId = z.uuid();

/**
 * The pages the end user sees while connecting a channel, and Meta's OAuth redirect. They work
 * without JavaScript. The state sent to Meta is minted when this browser opens the connect page and
 * is stored hashed, single-use and expiring, together with the hash of the cookie set here: a
 * callback is accepted only with the state and from the same browser.
 */
export function connectPageRoutes(deps: ConnectPagesDeps): Router {
  const router = new Router();
  const redirectUri = `${deps.publicBaseUrl}/oauth/callback`;
  const secureCookies = deps.publicBaseUrl.startsWith('https://');

  // The page headers (CSP, framing, referrer, no-store, HSTS) come from securityHeaders, for every HTML response.
  if (deps.rateLimit) router.use(deps.rateLimit);

  function setCookie(ctx: Koa.Context, value: string, maxAgeSeconds: number) {
    ctx.append(
      'Set-Cookie',
      `${CONNECT_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secureCookies || ctx.secure ? '; Secure' : ''}`,
    );
  }

  function render(ctx: Koa.Context, status: number, title: string, body: RawHtml, kind: 'ok' | 'error' | 'info') {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = page(title, body, { status: kind });
  }

  function cookieMatches(ctx: Koa.Context, expectedHash: string | null): boolean {
    const cookie = ctx.cookies.get(CONNECT_COOKIE);
    if (!cookie || !expectedHash) return false;
    return timingSafeEqual(Buffer.from(sha256(cookie)), Buffer.from(expectedHash));
  }

  function openedElsewhere(ctx: Koa.Context) {
    deps.log.info({ connectionId: ctx.params.connectionId }, 'connect link opened by a second browser');
    return render(
      ctx,
      409,
      'Link already in use',
      html`<p>This connection link was already opened in another browser. For your security it works only in the browser that opened it first. If that was not you, ask your platform for a new link.</p>`,
      'error',
    );
  }

  function returnLink(returnUrl: string, connectionId: string, status: string): RawHtml {
    const url = new URL(returnUrl);
    url.searchParams.set('connection_id', connectionId);
    url.searchParams.set('status', status);
    return html`<p><a class="button" href="${url.toString()}">Return to your platform</a></p>`;
  }

  function outcomePage(ctx: Koa.Context, connectionId: string, returnUrl: string, status: ConnectionStatus) {
    if (status.phase === 'active') {
      setCookie(ctx, '', 0);
      return render(ctx, 200, 'Channel connected', html`<p>Your ${label(status.channelType)} channel is connected and ready.</p>${returnLink(returnUrl, connectionId, 'active')}`, 'ok');
    }
    if (status.phase === 'choosing_asset') {
      const options = status.assetOptions ?? [];
      return render(
        ctx,
        200,
        'Choose what to connect',
        html`<form method="post" action="/connect/${connectionId}/choose">
<fieldset><legend>Meta gave access to several ${status.channelType === 'whatsapp' ? 'phone numbers' : 'accounts'}. Choose one:</legend>
${options.map((o, i) => html`<label><input type="radio" name="asset_id" value="${o.id}" ${i === 0 ? html`checked` : ''}> ${o.name}${o.detail ? html` <small>${o.detail}</small>` : ''}</label>`)}
</fieldset>
<button type="submit">Connect</button>
</form>`,
        'info',
      );
    }
    if (status.phase === 'awaiting_pin') {
      // The PIN is posted to the service, stored encrypted for the one registration it is for, and never
      // shown, logged or put into workflow history.
      return render(
        ctx,
        200,
        'Enter your two-step verification PIN',
        html`<p>${status.failure?.message ?? 'This number has two-step verification: enter its six-digit PIN to finish connecting.'}</p>
<form method="post" action="/connect/${connectionId}/pin" autocomplete="off">
<p><label>Two-step verification PIN <input name="pin" type="password" inputmode="numeric" pattern="[0-9]{6}" minlength="6" maxlength="6" required autocomplete="one-time-code"></label></p>
<button type="submit">Connect</button>
</form>
<p><small>This is the six-digit PIN set for this number in WhatsApp Manager (two-step verification), not a code sent by SMS. It is used once to register the number and is not kept.</small></p>`,
        'info',
      );
    }
    if (status.phase === 'registration_waiting') {
      setCookie(ctx, '', 0);
      return render(
        ctx,
        200,
        'Connection pending',
        html`<p>${status.failure?.message ?? 'Meta asks to wait before this number can be registered.'}</p><p>The connection continues by itself${status.retryAt ? html` after ${status.retryAt.slice(0, 16).replace('T', ' ')} UTC` : ''}; you can close this page. Your platform is told when the channel is connected.</p>${returnLink(returnUrl, connectionId, 'pending')}`,
        'info',
      );
    }
    setCookie(ctx, '', 0);
    const failedStatus = status.phase === 'cancelled' || status.phase === 'expired' ? status.phase : 'failed';
    return render(
      ctx,
      200,
      failedStatus === 'failed' ? 'The connection failed' : `Connection ${failedStatus}`,
      html`<p>${status.failure?.message ?? 'The channel was not connected.'}</p>${returnLink(returnUrl, connectionId, failedStatus)}`,
      'error',
    );
  }

  router.get('/connect/:connectionId', async (ctx) => {
    const id = ConnectionId.safeParse(ctx.params.connectionId);
    const connection = id.success ? await deps.connections.get(id.data) : undefined;
    if (!connection) return render(ctx, 404, 'Link not found', html`<p>This connection link does not exist.</p>`, 'error');
    const now = deps.clock();
    const expired = () =>
      render(ctx, 410, 'Link expired', html`<p>This connection link has expired or was already used. Please start again from your platform.</p>${returnLink(connection.returnUrl, connection.id, 'expired')}`, 'error');
    const current = await deps.sessions.get(connection.id);
    if (!current || current.usedAt || current.expiresAt <= now) return expired();
    // The first browser that opens the link owns it: anyone else who gets the link (forwarded, leaked,
    // shoulder-surfed) can neither attach their own Meta asset to this connection nor break its flow.
    // The owner may reload: its cookie is kept and a fresh state issued.
    const reload = current.cookieHash !== null && cookieMatches(ctx, current.cookieHash);
    if (current.cookieHash !== null && !reload) return openedElsewhere(ctx);
    const state = randomBytes(32).toString('base64url');
    const cookie = reload ? ctx.cookies.get(CONNECT_COOKIE)! : randomBytes(32).toString('base64url');
    if (!(await deps.sessions.bindBrowser(connection.id, sha256(state), sha256(cookie), current.cookieHash, now))) {
      const after = await deps.sessions.get(connection.id);
      return !after || after.usedAt || after.expiresAt <= now ? expired() : openedElsewhere(ctx);
    }
    const maxAge = Math.max(1, Math.floor((current.expiresAt.getTime() - now.getTime()) / 1000));
    setCookie(ctx, cookie, maxAge);
    const dialog = deps.connectors[connection.flow].dialogUrl({ state, redirectUri });
    render(
      ctx,
      200,
      `Connect ${label(connection.channelType)}`,
      html`<p>You will be taken to Meta to sign in and choose the ${connection.channelType === 'whatsapp' ? 'WhatsApp Business number' : 'Instagram professional account'} to connect.</p>
<p><a class="button" href="${dialog}">Continue with Meta</a></p>
<p><small>This page sets one technical cookie that ties this browser to your connection. It is deleted when you finish and expires within 30 minutes.</small></p>`,
      'info',
    );
  });

  router.get('/oauth/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    const session = state ? await deps.sessions.byState(sha256(state)) : undefined;
    if (!state || !session) {
      return render(ctx, 400, 'Invalid link', html`<p>This sign-in response is not valid or has already been used. Please start again from your platform.</p>`, 'error');
    }
    const connection = (await deps.connections.get(session.connectionId))!;
    if (!cookieMatches(ctx, session.cookieHash)) {
      return render(ctx, 400, 'Different browser', html`<p>This sign-in was started in another browser or window. Please start again from your platform, in one browser.</p>`, 'error');
    }
    const now = deps.clock();
    if (session.usedAt) {
      return render(ctx, 409, 'Already used', html`<p>This sign-in response was already used.</p>${returnLink(connection.returnUrl, connection.id, connection.status)}`, 'error');
    }
    if (session.expiresAt <= now) {
      return render(ctx, 410, 'Link expired', html`<p>The connection took too long and has expired. Please start again from your platform.</p>${returnLink(connection.returnUrl, connection.id, 'expired')}`, 'error');
    }
    const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
    const rawCode = typeof ctx.query.code === 'string' ? ctx.query.code : undefined;
    if (error || !rawCode) {
      await deps.sessions.consumeState(sha256(state), null, now);
      await deps.workflows.cancelConnection(connection.id, error === 'access_denied' ? 'user_cancelled' : 'meta_error');
      setCookie(ctx, '', 0);
      return render(ctx, 200, 'Connection cancelled', html`<p>Nothing was connected.</p>${returnLink(connection.returnUrl, connection.id, 'cancelled')}`, 'error');
    }
    // Instagram appends `#_` to the code; browsers usually keep it in the fragment, but not always.
    const code = rawCode.replace(/#_$/, '');
    if (!(await deps.sessions.consumeState(sha256(state), deps.vault.encrypt(code), now))) {
      return render(ctx, 409, 'Already used', html`<p>This sign-in response was already used.</p>`, 'error');
    }
    const authorized = await deps.workflows.authorize(connection.id);
    if (authorized.accepted) return outcomePage(ctx, connection.id, connection.returnUrl, authorized.status);
    deps.log.warn({ connectionId: connection.id }, 'authorize update refused');
    return render(ctx, 409, 'Already used', html`<p>This connection is no longer waiting for a sign-in.</p>${returnLink(connection.returnUrl, connection.id, connection.status)}`, 'error');
  });

  router.post('/connect/:connectionId/pin', async (ctx) => {
    const id = ConnectionId.safeParse(ctx.params.connectionId);
    const connection = id.success ? await deps.connections.get(id.data) : undefined;
    const session = connection ? await deps.sessions.get(connection.id) : undefined;
    if (!connection || !session || !cookieMatches(ctx, session.cookieHash)) {
      return render(ctx, 400, 'Invalid request', html`<p>This PIN cannot be accepted from this browser.</p>`, 'error');
    }
    const pin = new URLSearchParams(await readText(ctx, 4 * 1024)).get('pin') ?? '';
    if (!/^\d{6}$/.test(pin)) {
      return outcomePage(ctx, connection.id, connection.returnUrl, {
        connectionId: connection.id,
        instanceId: connection.instanceId,
        channelType: connection.channelType,
        phase: 'awaiting_pin',
        round: 1,
        failure: { code: 'whatsapp_pin_required', message: 'The PIN has six digits. Enter the two-step verification PIN of this number.' },
      });
    }
    await deps.sessions.storePin(connection.id, deps.vault.encrypt(pin));
    const submitted = await deps.workflows.submitPin(connection.id);
    if (submitted.accepted) return outcomePage(ctx, connection.id, connection.returnUrl, submitted.status);
    await deps.sessions.clearPin(connection.id);
    return render(ctx, 409, 'PIN not needed', html`<p>This connection is not waiting for a PIN any more.</p>${returnLink(connection.returnUrl, connection.id, connection.status)}`, 'error');
  });

  router.post('/connect/:connectionId/choose', async (ctx) => {
    const id = ConnectionId.safeParse(ctx.params.connectionId);
    const connection = id.success ? await deps.connections.get(id.data) : undefined;
    const session = connection ? await deps.sessions.get(connection.id) : undefined;
    if (!connection || !session || !cookieMatches(ctx, session.cookieHash)) {
      return render(ctx, 400, 'Invalid request', html`<p>This choice cannot be accepted from this browser.</p>`, 'error');
    }
    const form = new URLSearchParams(await readText(ctx, 16 * 1024));
    const assetId = form.get('asset_id') ?? '';
    const chosen = await deps.workflows.chooseAsset(connection.id, assetId);
    if (chosen.accepted) return outcomePage(ctx, connection.id, connection.returnUrl, chosen.status);
    return render(ctx, 409, 'Choice not accepted', html`<p>That choice is not available any more.</p>${returnLink(connection.returnUrl, connection.id, connection.status)}`, 'error');
  });

  return router;
}

function label(channelType: 'whatsapp' | 'instagram'): string {
  return channelType === 'whatsapp' ? 'WhatsApp' : 'Instagram';
}
