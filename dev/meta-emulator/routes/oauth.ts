import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { authenticate, GraphError, graphErrors, requestParams, tokenFrom, VERSION_SEGMENT, type GraphErrorSpec } from '../graph.js';
import type { AuthorizationCode, EmulatedApp, EmulatedFlow } from '../scenario.js';
import { platformOf, type EmulatorState, type TokenRecord } from '../state.js';

/**
 * Token endpoints of graph.facebook.com (reference §4.1, §4.2, §4.4, §4.7): the code exchange and
 * `fb_exchange_token` on `GET /{v}/oauth/access_token`, and `debug_token`. The Instagram hosts reuse
 * the code checks and `debug_token` from here (routes/instagram.ts).
 */

const DAY_S = 24 * 60 * 60;

/** Scopes a Facebook Login grant carries, per flow. */
export const FLOW_SCOPES: Record<EmulatedFlow, readonly string[]> = {
  whatsapp_embedded_signup: ['whatsapp_business_management', 'whatsapp_business_messaging', 'business_management', 'public_profile'],
  instagram_facebook_login: ['instagram_basic', 'instagram_manage_messages', 'pages_manage_metadata', 'pages_show_list', 'business_management', 'public_profile'],
  instagram_login: ['instagram_business_basic', 'instagram_business_manage_messages'],
};

export const oauthErrors = {
  /** ⚠ Code 1 is what Graph is known to send here; the reference does not document it. */
  badClientSecret: (): GraphErrorSpec => ({ code: 1, message: 'Error validating client secret.', status: 400 }),
  badClientId: (): GraphErrorSpec => ({ code: 101, message: 'Error validating application. Invalid application ID.' }),
  /** Subcodes 36007/36008/36009 ⚠ from memory (reference §4.1). */
  codeExpired: (): GraphErrorSpec => ({ code: 100, subcode: 36007, message: 'This authorization code has expired.' }),
  redirectMismatch: (): GraphErrorSpec => ({
    code: 100,
    subcode: 36008,
    message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
  }),
  codeUsed: (): GraphErrorSpec => ({ code: 100, subcode: 36009, message: 'This authorization code has been used.' }),
  codeInvalid: (): GraphErrorSpec => ({ code: 100, message: 'Invalid verification code format.' }),
};

/** Validates a code for an exchange and burns it; throws the Graph error Meta would answer with. */
export function redeemCode(state: EmulatorState, input: { app: EmulatedApp; code: string | null; redirectUri: string | null; flows: readonly EmulatedFlow[] }): AuthorizationCode {
  if (!input.code) throw new GraphError(graphErrors.missingParam('code'));
  const record = state.codes.get(input.code);
  if (!record || record.appId !== input.app.id || !input.flows.includes(record.flow)) throw new GraphError(oauthErrors.codeInvalid());
  if (record.usedAt) throw new GraphError(oauthErrors.codeUsed());
  if (record.expiresAt.getTime() <= state.now().getTime()) throw new GraphError(oauthErrors.codeExpired());
  // Codes from a dialog opened with a redirect_uri are bound to it, exactly (reference §4.1).
  if (input.redirectUri !== record.redirectUri) throw new GraphError(oauthErrors.redirectMismatch());
  record.usedAt = state.now();
  return record;
}

/** The client_id / client_secret pair of an exchange, checked against the app (secret compared as given). */
export function checkClient(app: EmulatedApp, clientId: string | null, clientSecret: string | null): void {
  if (!clientId || clientId !== app.id) throw new GraphError(oauthErrors.badClientId());
  if (!clientSecret || clientSecret !== app.secret) throw new GraphError(oauthErrors.badClientSecret());
}

export function facebookOAuthRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  router.get('/:version/oauth/access_token', async (ctx, next) => {
    if (!VERSION_SEGMENT.test(ctx.params.version!)) return next();
    const params = await requestParams(ctx);
    if (params.get('grant_type') === 'client_credentials') {
      // An app access token (https://developers.facebook.com/docs/facebook-login/guides/access-tokens#apptokens),
      // for either app. Meta answers `APP_ID|<opaque>`; the emulator's is `APP_ID|APP_SECRET`, which Graph accepts alike.
      const client = [state.metaApp, state.instagramApp].find((a) => a.id === params.get('client_id')) ?? state.metaApp;
      checkClient(client, params.get('client_id'), params.get('client_secret'));
      ctx.body = { access_token: `${client.id}|${client.secret}`, token_type: 'bearer' };
      return;
    }
    const app = state.metaApp;
    checkClient(app, params.get('client_id'), params.get('client_secret'));
    const now = state.now();

    if (params.get('grant_type') === 'fb_exchange_token') {
      // Only a live Facebook user token of this app can be extended (reference §4.4).
      const short = liveRecord(state, params.get('fb_exchange_token'), 'facebook');
      if (short.kind !== 'user' || (short.appId ?? app.id) !== app.id) throw new GraphError(graphErrors.invalidToken());
      const seconds = state.lifetimes.facebookLongSeconds;
      const token = state.issueToken({ ...grantOf(short), longLived: true, expiresAt: new Date(now.getTime() + seconds * 1000) });
      ctx.body = { access_token: token, token_type: 'bearer', expires_in: seconds };
      return;
    }

    const code = redeemCode(state, { app, code: params.get('code'), redirectUri: params.get('redirect_uri'), flows: ['whatsapp_embedded_signup', 'instagram_facebook_login'] });
    if (code.flow === 'whatsapp_embedded_signup') {
      const wabaIds = code.assetIds;
      const phoneIds = wabaIds.flatMap((id) => state.wabas.get(id)?.phoneNumberIds ?? []);
      const seconds = state.lifetimes.businessSeconds;
      const token = state.issueToken({
        kind: 'business_integration',
        scopes: FLOW_SCOPES.whatsapp_embedded_signup,
        assets: [...wabaIds, ...phoneIds],
        appId: app.id,
        userId: code.userId,
        // Newest first; absent when nothing was selected (reference §4.7: no target_ids, no restriction info).
        granularScopes: wabaIds.length
          ? [
              { scope: 'whatsapp_business_management', targetIds: wabaIds },
              { scope: 'whatsapp_business_messaging', targetIds: wabaIds },
            ]
          : [],
        longLived: true,
        expiresAt: seconds === null ? null : new Date(now.getTime() + seconds * 1000),
      });
      // A business token that does not expire comes without expires_in (reference §4.1).
      ctx.body = { access_token: token, token_type: 'bearer', ...(seconds === null ? {} : { expires_in: seconds }) };
      return;
    }
    const pageIds = code.assetIds;
    const igIds = pageIds.flatMap((id) => state.pages.get(id)?.instagramAccountId ?? []);
    const seconds = state.lifetimes.facebookShortSeconds;
    const token = state.issueToken({
      kind: 'user',
      scopes: FLOW_SCOPES.instagram_facebook_login,
      assets: [...pageIds, ...igIds],
      appId: app.id,
      userId: code.userId,
      granularScopes: [
        { scope: 'pages_show_list', targetIds: pageIds },
        { scope: 'pages_manage_metadata', targetIds: pageIds },
        { scope: 'instagram_basic', targetIds: igIds },
        { scope: 'instagram_manage_messages', targetIds: igIds },
      ],
      expiresAt: new Date(now.getTime() + seconds * 1000),
    });
    ctx.body = { access_token: token, token_type: 'bearer', expires_in: seconds };
  });

  router.get('/:version/debug_token', debugTokenHandler(state, 'facebook'));
  return router;
}

/** A live token of the platform, or the Graph error its use would get (190 variants). */
export function liveRecord(state: EmulatorState, token: string | null, platform: 'facebook' | 'instagram'): TokenRecord {
  if (!token) throw new GraphError(graphErrors.missingParam('access_token'));
  const record = state.tokens.get(token);
  if (!record || platformOf(record.kind) !== platform) throw new GraphError(graphErrors.invalidToken());
  if (record.revoked !== undefined) throw new GraphError(graphErrors.revokedToken(record.revoked));
  const now = state.now();
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) throw new GraphError(graphErrors.expiredToken(record.expiresAt, now));
  return record;
}

/** The grant behind a token, to issue a derived one with the same reach. */
export function grantOf(record: TokenRecord) {
  return {
    kind: record.kind,
    ...(record.scopes ? { scopes: record.scopes } : {}),
    ...(record.assets ? { assets: record.assets } : {}),
    ...(record.appId ? { appId: record.appId } : {}),
    ...(record.userId ? { userId: record.userId } : {}),
    ...(record.granularScopes ? { granularScopes: record.granularScopes } : {}),
    ...(record.profileId ? { profileId: record.profileId } : {}),
  };
}

const DEBUG_TYPES: Record<TokenRecord['kind'], string> = {
  user: 'USER',
  page: 'PAGE',
  system_user: 'SYSTEM_USER',
  business_integration: 'SYSTEM_USER',
  instagram: 'USER',
};

/**
 * `GET /debug_token?input_token=` (reference §4.7), authenticated with the app token
 * `APP_ID|APP_SECRET` or a live token of the same platform. An invalid input token is still a 200,
 * with `is_valid: false` and the reason in `error`.
 */
export function debugTokenHandler(state: EmulatorState, platform: 'facebook' | 'instagram') {
  return async (ctx: Koa.Context & { params?: Record<string, string> }, next: Koa.Next) => {
    if (ctx.params?.version !== undefined && !VERSION_SEGMENT.test(ctx.params.version)) return next();
    const app = platform === 'facebook' ? state.metaApp : state.instagramApp;
    const { token } = tokenFrom(ctx);
    if (token === undefined) throw new GraphError(graphErrors.noToken());
    if (token.includes('|')) {
      if (token !== `${app.id}|${app.secret}`) throw new GraphError({ code: 190, message: 'Invalid OAuth access token signature.' });
    } else {
      authenticate(ctx, state, { platform });
    }
    const params = await requestParams(ctx);
    const input = params.get('input_token');
    if (!input) throw new GraphError(graphErrors.missingParam('input_token'));
    ctx.body = { data: describeToken(state, app, input, platform) };
  };
}

function describeToken(state: EmulatorState, app: EmulatedApp, input: string, platform: 'facebook' | 'instagram'): Record<string, unknown> {
  // An app token describes the app itself (GR-DBG: type APP, no expiry, no user).
  if (input === `${app.id}|${app.secret}`) return { app_id: app.id, type: 'APP', application: app.name, is_valid: true, scopes: [] };
  const record = state.tokens.get(input);
  if (!record || platformOf(record.kind) !== platform) {
    return { is_valid: false, scopes: [], error: { code: 190, message: 'Invalid OAuth access token.' } };
  }
  const now = state.now();
  const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0);
  const userish = record.kind === 'user' || record.kind === 'instagram';
  const base: Record<string, unknown> = {
    app_id: record.appId ?? app.id,
    type: DEBUG_TYPES[record.kind],
    application: app.name,
    data_access_expires_at: userish ? seconds(new Date(record.issuedAt.getTime() + 90 * DAY_S * 1000)) : 0,
    expires_at: seconds(record.expiresAt),
    issued_at: seconds(record.issuedAt),
    ...(record.userId ? { user_id: record.userId } : {}),
    ...(record.profileId ? { profile_id: record.profileId } : {}),
  };
  let error: Record<string, unknown> | undefined;
  if (record.revoked !== undefined) {
    const spec = graphErrors.revokedToken(record.revoked);
    error = { code: spec.code, subcode: spec.subcode, message: spec.message };
  } else if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
    const spec = graphErrors.expiredToken(record.expiresAt, now);
    error = { code: spec.code, subcode: spec.subcode, message: spec.message };
  }
  if (error) return { ...base, is_valid: false, scopes: [], error };
  const granular = (record.granularScopes ?? []).map((g) => ({ scope: g.scope, ...(g.targetIds ? { target_ids: g.targetIds } : {}) }));
  return { ...base, is_valid: true, scopes: record.scopes ?? [], ...(granular.length ? { granular_scopes: granular } : {}) };
}
