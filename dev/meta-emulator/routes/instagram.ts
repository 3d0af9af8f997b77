import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { authenticate, GraphError, graphErrors, parseFields, requestParams, VERSION_SEGMENT, type GraphErrorSpec } from '../graph.js';
import { INSTAGRAM_SUBSCRIPTION_FIELDS, unknownFieldMessage, unknownSubscriptionField } from '../rules/subscription-fields.js';
import type { InstagramAccountRecord } from '../scenario.js';
import type { EmulatorState, TokenRecord } from '../state.js';
import { debugTokenHandler, FLOW_SCOPES, grantOf, liveRecord, oauthErrors, redeemCode } from './oauth.js';

/**
 * Instagram API with Instagram Login (reference §4.3–4.5, §5.3). graph.instagram.com: `/{v}/me`,
 * `/{v}/me/subscribed_apps`, `access_token` (ig_exchange_token), `refresh_access_token` (≥ 24 h old)
 * and `debug_token` (⚠ unverified on this host; emulated like graph.facebook.com's). api.instagram.com:
 * the form-POST code exchange with Instagram's own error shape (rendered by app.ts for that host).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export function instagramGraphRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  function accountOf(record: TokenRecord): InstagramAccountRecord {
    const id = record.assets?.[0] ?? state.grantFor('instagram_login').assetIds[0]!;
    const account = state.instagramAccounts.get(id);
    if (!account) throw new GraphError(graphErrors.objectNotFound('GET', 'me'));
    return account;
  }

  const versioned = (handler: (ctx: Koa.Context) => Promise<void> | void) => async (ctx: Koa.Context & { params: Record<string, string> }, next: Koa.Next) =>
    VERSION_SEGMENT.test(ctx.params.version!) ? handler(ctx) : next();

  router.get(
    '/:version/me',
    versioned(async (ctx) => {
      const account = accountOf(authenticate(ctx, state, { platform: 'instagram' }));
      const fields = parseFields((await requestParams(ctx)).get('fields'));
      const all: Record<string, unknown> = {
        user_id: account.id,
        username: account.username,
        name: account.name,
        account_type: 'BUSINESS',
        profile_picture_url: `https://scontent.cdninstagram.com/emulator/${account.id}.jpg`,
      };
      const body: Record<string, unknown> = {};
      for (const name of fields?.keys() ?? []) if (all[name] !== undefined) body[name] = all[name];
      // `id` is always there: the account's app-scoped id (reference §5.3).
      body.id = account.appScopedId;
      ctx.body = body;
    }),
  );

  router.get(
    '/:version/me/subscribed_apps',
    versioned((ctx) => {
      const account = accountOf(authenticate(ctx, state, { platform: 'instagram' }));
      ctx.body = { data: account.loginSubscription ? [{ subscribed_fields: account.loginSubscription }] : [] };
    }),
  );

  router.post(
    '/:version/me/subscribed_apps',
    versioned(async (ctx) => {
      const account = accountOf(authenticate(ctx, state, { platform: 'instagram' }));
      const raw = (await requestParams(ctx)).get('subscribed_fields');
      if (raw === null || raw.trim() === '') throw new GraphError(graphErrors.missingParam('subscribed_fields'));
      const fields = raw.split(',').map((f) => f.trim()).filter(Boolean);
      const unknown = unknownSubscriptionField(fields, INSTAGRAM_SUBSCRIPTION_FIELDS);
      if (unknown) throw new GraphError(graphErrors.invalidParam(unknownFieldMessage(unknown, INSTAGRAM_SUBSCRIPTION_FIELDS)));
      account.loginSubscription = fields;
      ctx.body = { success: true };
    }),
  );

  router.delete(
    '/:version/me/subscribed_apps',
    versioned((ctx) => {
      const account = accountOf(authenticate(ctx, state, { platform: 'instagram' }));
      account.loginSubscription = undefined;
      ctx.body = { success: true };
    }),
  );

  async function exchange(ctx: Koa.Context) {
    const params = await requestParams(ctx);
    if (params.get('grant_type') !== 'ig_exchange_token') throw new GraphError(graphErrors.invalidParam('Unsupported grant_type'));
    const secret = params.get('client_secret');
    if (!secret || secret !== state.instagramApp.secret) throw new GraphError(oauthErrors.badClientSecret());
    const short = liveRecord(state, params.get('access_token'), 'instagram');
    const seconds = state.lifetimes.instagramLongSeconds;
    const token = state.issueToken({ ...grantOf(short), longLived: true, expiresAt: new Date(state.now().getTime() + seconds * 1000) });
    ctx.body = { access_token: token, token_type: 'bearer', expires_in: seconds };
  }

  async function refresh(ctx: Koa.Context) {
    const params = await requestParams(ctx);
    if (params.get('grant_type') !== 'ig_refresh_token') throw new GraphError(graphErrors.invalidParam('Unsupported grant_type'));
    const current = liveRecord(state, params.get('access_token'), 'instagram');
    // Long-lived, still valid and at least 24 h old (reference §4.5); the error text is ⚠ ours.
    if (!current.longLived) throw new GraphError(graphErrors.invalidParam('Only long-lived tokens can be refreshed'));
    if (state.now().getTime() - current.issuedAt.getTime() < DAY_MS) {
      throw new GraphError(graphErrors.invalidParam('The access token can only be refreshed once it is at least 24 hours old'));
    }
    const seconds = state.lifetimes.instagramLongSeconds;
    const token = state.issueToken({ ...grantOf(current), longLived: true, expiresAt: new Date(state.now().getTime() + seconds * 1000) });
    ctx.body = { access_token: token, token_type: 'bearer', expires_in: seconds, permissions: (current.scopes ?? FLOW_SCOPES.instagram_login).join(',') };
  }

  router.get('/access_token', exchange);
  router.get('/:version/access_token', versioned(exchange));
  router.get('/refresh_access_token', refresh);
  router.get('/:version/refresh_access_token', versioned(refresh));
  router.get('/debug_token', debugTokenHandler(state, 'instagram'));
  router.get('/:version/debug_token', debugTokenHandler(state, 'instagram'));
  return router;
}

/** Instagram's OAuth errors: `code` 400 and its own messages (reference §4.3). */
function igOAuthError(message: string): GraphErrorSpec {
  return { code: 400, status: 400, type: 'OAuthException', message };
}

export function instagramApiRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  router.post('/oauth/access_token', async (ctx) => {
    const params = await requestParams(ctx);
    const app = state.instagramApp;
    if (params.get('client_id') !== app.id) throw new GraphError(igOAuthError('Invalid platform app'));
    if (params.get('client_secret') !== app.secret) throw new GraphError(igOAuthError('Error validating client secret.'));
    if (params.get('grant_type') !== 'authorization_code') throw new GraphError(igOAuthError('Invalid grant_type: authorization_code is expected'));
    const code = redeemInstagramCode(state, params);
    const account = state.instagramAccounts.get(code.assetIds[0] ?? '');
    if (!account) throw new GraphError(igOAuthError('No Instagram account was granted'));
    const seconds = state.lifetimes.instagramShortSeconds;
    const scopes = FLOW_SCOPES.instagram_login;
    const token = state.issueToken({
      kind: 'instagram',
      scopes,
      assets: [account.id],
      appId: app.id,
      userId: account.appScopedId,
      expiresAt: new Date(state.now().getTime() + seconds * 1000),
    });
    const grant = { access_token: token, user_id: account.appScopedId, permissions: scopes.join(',') };
    ctx.body = state.instagramTokenResponse === 'flat' ? grant : { data: [grant] };
  });

  return router;
}

function redeemInstagramCode(state: EmulatorState, params: URLSearchParams) {
  try {
    return redeemCode(state, { app: state.instagramApp, code: params.get('code'), redirectUri: params.get('redirect_uri'), flows: ['instagram_login'] });
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const subcode = err.spec.subcode;
    if (subcode === 36007) throw new GraphError(igOAuthError('This authorization code has expired'));
    if (subcode === 36008) throw new GraphError(igOAuthError(err.spec.message));
    throw new GraphError(igOAuthError('Matching code was not found or was already used'));
  }
}
