import type { Logger } from '../../logger.js';
import { appToken, ConnectorError, exchanged, expiresAtFrom, withQuery } from '../connector-common.js';
import type { ChannelConnector, DiscoveredAsset, ExchangedToken, TokenInspection } from '../connectors.js';
import { MetaApiError, MetaRequestError } from '../graph/errors.js';
import { INSTAGRAM_SUBSCRIBED_FIELDS, type InstagramLoginApi } from './login-api.js';

export interface InstagramLoginDeps {
  instagram: InstagramLoginApi;
  /** `https://www.instagram.com` (emulator: `<emu>/www.instagram.com`). */
  dialogBaseUrl: string;
  app: { appId: string; appSecret: string };
  clock: () => Date;
  log?: Logger;
}

export const INSTAGRAM_LOGIN_SCOPES = ['instagram_business_basic', 'instagram_business_manage_messages'] as const;

/** Long-lived Instagram-Login tokens live 60 days (reference §4.6); used when Meta leaves `expires_in` out. */
const LONG_LIVED_SECONDS = 60 * 24 * 60 * 60;

/**
 * Business Login for Instagram (reference §4.3–4.5, §5.3): the Instagram app's own dialog and token
 * endpoints, one account per login, a 60-day token refreshable once at least 24 h old.
 */
export function instagramLoginConnector(deps: InstagramLoginDeps): ChannelConnector {
  const { instagram, app } = deps;

  return {
    flow: 'instagram_login',

    dialogUrl({ state, redirectUri }) {
      return withQuery(`${deps.dialogBaseUrl}/oauth/authorize`, {
        client_id: app.appId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: INSTAGRAM_LOGIN_SCOPES.join(','),
        state,
      });
    },

    async exchangeCode({ code, redirectUri }): Promise<ExchangedToken> {
      // Instagram appends `#_` to the redirect; should it ever reach us as part of the code, drop it.
      const clean = code.replace(/#_$/, '');
      const short = await instagram.exchangeCode({ appId: app.appId, appSecret: app.appSecret, code: clean, redirectUri });
      const long = await instagram.exchangeForLongLivedToken({ appSecret: app.appSecret, accessToken: short.accessToken });
      return exchanged(long.accessToken, 'instagram_user', expiresAtFrom(long, deps.clock(), LONG_LIVED_SECONDS));
    },

    async discoverAssets(token): Promise<DiscoveredAsset[]> {
      const profile = await instagram.getProfile(token.accessToken, ['user_id', 'username', 'name']);
      if (!profile.userId) throw new ConnectorError('profile_incomplete', 'Instagram did not return the professional account id');
      return [
        {
          externalId: profile.userId,
          displayName: profile.name || profile.username || profile.userId,
          ...(profile.username ? { username: profile.username } : {}),
          // The app-scoped id: what Instagram's deauthorize and data-deletion callbacks name.
          metaUserId: profile.id,
          verification: {},
          token,
        },
      ];
    },

    async activate(asset) {
      await instagram.subscribeApp(asset.token.accessToken, INSTAGRAM_SUBSCRIBED_FIELDS);
    },

    async inspectToken(accessToken): Promise<TokenInspection> {
      try {
        const info = await instagram.debugToken({ inputToken: accessToken, appToken: appToken(app) });
        return { valid: info.isValid, expiresAt: info.expiresAt, ...(info.errorCode === undefined ? {} : { errorCode: info.errorCode }) };
      } catch (err) {
        if (!(err instanceof MetaApiError) && !(err instanceof MetaRequestError && err.reason === 'invalid_response')) throw err;
      }
      // debug_token on graph.instagram.com is unverified (reference §4.7 ⚠): where it is missing, a
      // profile read tells valid from dead, but not the expiry.
      deps.log?.warn({ flow: 'instagram_login' }, 'debug_token unavailable on graph.instagram.com; token expiry unknown');
      try {
        await instagram.getProfile(accessToken, ['user_id']);
        return { valid: true, expiresAt: null };
      } catch (err) {
        if (err instanceof MetaApiError && err.code === 190) return { valid: false, expiresAt: null, errorCode: 190 };
        throw err;
      }
    },

    async refreshToken(accessToken): Promise<ExchangedToken> {
      const refreshed = await instagram.refreshToken(accessToken);
      return exchanged(refreshed.accessToken, 'instagram_user', expiresAtFrom(refreshed, deps.clock(), LONG_LIVED_SECONDS));
    },

    async ensureSubscribed(_asset, accessToken) {
      const apps = await instagram.listSubscribedApps(accessToken);
      const ours = apps.find((a) => (a.appId === undefined || a.appId === app.appId) && INSTAGRAM_SUBSCRIBED_FIELDS.every((f) => a.subscribedFields?.includes(f)));
      if (ours) return false;
      await instagram.subscribeApp(accessToken, INSTAGRAM_SUBSCRIBED_FIELDS);
      return true;
    },

    async unsubscribe(_asset, accessToken) {
      await instagram.unsubscribeApp(accessToken);
    },
  };
}
