import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { DialogError, escapeHtml, prefixOf, requestParams, VERSION_SEGMENT } from '../graph.js';
import type { ConfiguredGrant, EmulatedApp, EmulatedFlow } from '../scenario.js';
import type { EmulatorState } from '../state.js';

/**
 * The OAuth dialogs (reference §4.1–4.3): `www.facebook.com/{v}/dialog/oauth` (Facebook Login for
 * Business: Embedded Signup by `config_id`, Instagram via Facebook Login by `config_id` or `scope`) and
 * `www.instagram.com/oauth/authorize` (Instagram Login). A GET validates the request like Meta does
 * (an HTML error page when it cannot redirect back) and renders a consent page listing what the
 * current grant offers, with Continue and Cancel buttons; the form POSTs back to the same URL with the
 * same parameters plus `decision`, so a test can also POST directly. Continue redirects with a
 * single-use `code` bound to the redirect URI; Cancel with Meta's `error=access_denied` parameters.
 * Instagram appends `#_` to its redirects.
 */

interface DialogRequest {
  flow: EmulatedFlow;
  app: EmulatedApp;
  redirectUri: string;
  state: string | undefined;
  /** Every parameter the dialog was opened with, echoed as hidden fields. */
  params: URLSearchParams;
}

const FLOW_TITLES: Record<EmulatedFlow, string> = {
  whatsapp_embedded_signup: 'WhatsApp Embedded Signup',
  instagram_facebook_login: 'Instagram via Facebook Login',
  instagram_login: 'Instagram Login',
};

/** Form fields of the consent page that are not dialog parameters. */
const OWN_FIELDS = new Set(['decision', 'asset', 'assets_selected']);

export function facebookDialogRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  async function handle(ctx: Koa.Context, next: Koa.Next) {
    if (!VERSION_SEGMENT.test(ctx.params.version!)) return next();
    const params = await requestParams(ctx);
    const app = state.metaApp;
    const clientId = params.get('client_id');
    if (!clientId || clientId !== app.id) throw new DialogError('Invalid App ID', 'The provided app ID does not look like a valid app ID.');
    const redirectUri = checkRedirectUri(app, params.get('redirect_uri'));
    const responseType = params.get('response_type') ?? 'code';
    if (responseType !== 'code') throw new DialogError('Unsupported response_type', 'This emulator only issues authorization codes (response_type=code).');
    const extras = params.get('extras');
    if (extras !== null && !isJson(extras)) throw new DialogError('Invalid extras', 'The extras parameter must be JSON.');
    const configId = params.get('config_id');
    let flow: EmulatedFlow;
    if (configId !== null) {
      const configured = app.configs.get(configId);
      if (!configured) throw new DialogError('Invalid configuration', 'The config_id does not belong to a Facebook Login for Business configuration of this app.');
      flow = configured;
    } else {
      const scopes = (params.get('scope') ?? '').split(/[,\s]+/).filter(Boolean);
      if (scopes.includes('whatsapp_business_management')) flow = 'whatsapp_embedded_signup';
      else if (scopes.some((s) => s === 'instagram_basic' || s === 'instagram_manage_messages')) flow = 'instagram_facebook_login';
      else throw new DialogError('Invalid Scopes', 'The emulator grants WhatsApp (whatsapp_business_management) or Instagram (instagram_basic, instagram_manage_messages) access; ask for one, or pass a config_id.');
    }
    await decide(ctx, state, { flow, app, redirectUri, state: params.get('state') ?? undefined, params });
  }

  router.get('/:version/dialog/oauth', handle);
  router.post('/:version/dialog/oauth', handle);
  return router;
}

export function instagramDialogRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  async function handle(ctx: Koa.Context) {
    const params = await requestParams(ctx);
    const app = state.instagramApp;
    const clientId = params.get('client_id');
    if (!clientId || clientId !== app.id) throw new DialogError('Invalid request', 'Invalid platform app');
    const redirectUri = checkRedirectUri(app, params.get('redirect_uri'));
    if ((params.get('response_type') ?? 'code') !== 'code') throw new DialogError('Invalid request', 'Invalid response_type: only code is supported');
    const scopes = (params.get('scope') ?? '').split(/[,\s]+/).filter(Boolean);
    if (!scopes.includes('instagram_business_basic')) {
      // The old `business_basic` family was retired 2025-01-27 (reference §4.3).
      throw new DialogError('Invalid request', 'Invalid scope: instagram_business_basic is required');
    }
    await decide(ctx, state, { flow: 'instagram_login', app, redirectUri, state: params.get('state') ?? undefined, params });
  }

  router.get('/oauth/authorize', handle);
  router.post('/oauth/authorize', handle);
  return router;
}

/** Exact match against the app's Valid OAuth Redirect URIs (when set); any http(s) URL otherwise. */
function checkRedirectUri(app: EmulatedApp, raw: string | null): string {
  const blocked = () =>
    new DialogError(
      'URL Blocked',
      "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
    );
  if (!raw) throw blocked();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw blocked();
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash) throw blocked();
  if (app.redirectUris !== undefined && !app.redirectUris.includes(raw)) throw blocked();
  return raw;
}

async function decide(ctx: Koa.Context, state: EmulatorState, request: DialogRequest): Promise<void> {
  const params = request.params;
  const decision = ctx.method === 'POST' ? params.get('decision') : state.dialogBehaviour === 'consent_page' ? null : state.dialogBehaviour === 'approve' ? 'continue' : 'cancel';
  if (decision === null) {
    renderConsentPage(ctx, state, request);
    return;
  }
  if (decision === 'cancel') {
    redirectBack(ctx, request, request.flow === 'instagram_login'
      ? { error: 'access_denied', error_reason: 'user_denied', error_description: 'The user denied your request' }
      : { error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied' });
    return;
  }
  if (decision !== 'continue') throw new DialogError('Invalid request', 'decision must be continue or cancel');
  const grant = state.grantFor(request.flow);
  // The form marks that it carried the checkboxes, so "all unticked" differs from "no selection sent".
  const assetIds = params.has('assets_selected') ? params.getAll('asset').filter((id) => grant.assetIds.includes(id)) : [...grant.assetIds];
  const code = state.issueCode({ flow: request.flow, appId: request.app.id, redirectUri: request.redirectUri, userId: grant.userId, assetIds });
  redirectBack(ctx, request, { code: code.code });
}

function redirectBack(ctx: Koa.Context, request: DialogRequest, params: Record<string, string>): void {
  const url = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  // Instagram appends `#_` (reference §4.3); browsers keep it in the fragment.
  if (request.flow === 'instagram_login') url.hash = '_';
  ctx.status = 302;
  ctx.set('Location', url.toString());
  ctx.body = '';
}

function renderConsentPage(ctx: Koa.Context, state: EmulatorState, request: DialogRequest): void {
  const grant = state.grantFor(request.flow);
  const hidden = [...request.params]
    .filter(([name]) => !OWN_FIELDS.has(name))
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const action = `${prefixOf(ctx)}${ctx.path}`;
  ctx.status = 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(request.flow === 'instagram_login' ? 'Instagram' : 'Facebook')} — ${escapeHtml(request.app.name)}</title></head>
<body>
<main data-flow="${request.flow}">
<h1>${escapeHtml(request.app.name)} is requesting access</h1>
<p>${escapeHtml(FLOW_TITLES[request.flow])} (Meta emulator)</p>
<form method="post" action="${escapeHtml(action)}">
${hidden}
${assetList(state, request.flow, grant)}
<button type="submit" name="decision" value="continue">Continue</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>
</main>
</body>
</html>`;
}

function assetList(state: EmulatorState, flow: EmulatedFlow, grant: ConfiguredGrant): string {
  const box = (id: string, label: string) => `<li><label><input type="checkbox" name="asset" value="${escapeHtml(id)}" checked> ${label}</label></li>`;
  if (flow === 'whatsapp_embedded_signup') {
    const items = grant.wabaIds.map((id) => {
      const waba = state.wabas.get(id)!;
      const numbers = waba.phoneNumberIds
        .map((pn) => state.phoneNumbers.get(pn)!)
        .map((n) => `<li data-phone-number-id="${escapeHtml(n.id)}">${escapeHtml(n.displayPhoneNumber)} — ${escapeHtml(n.verifiedName)}</li>`)
        .join('');
      return box(id, `${escapeHtml(waba.name)}<ul>${numbers}</ul>`);
    });
    return `<input type="hidden" name="assets_selected" value="1">\n<fieldset><legend>WhatsApp Business accounts</legend><ul>${items.join('\n')}</ul></fieldset>`;
  }
  if (flow === 'instagram_facebook_login') {
    const items = grant.pageIds.map((id) => {
      const page = state.pages.get(id)!;
      const ig = page.instagramAccountId ? state.instagramAccounts.get(page.instagramAccountId) : undefined;
      return box(id, `${escapeHtml(page.name)}${ig ? ` (Instagram @${escapeHtml(ig.username)})` : ' (no Instagram account)'}`);
    });
    return `<input type="hidden" name="assets_selected" value="1">\n<fieldset><legend>Facebook Pages</legend><ul>${items.join('\n')}</ul></fieldset>`;
  }
  const account = state.instagramAccounts.get(grant.assetIds[0]!)!;
  return `<p class="account">Logged in as <strong>@${escapeHtml(account.username)}</strong> (${escapeHtml(account.name)})</p>`;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
