import type { Logger } from '../../logger.js';
import { appToken, ConnectorError, exchanged, expiresAtFrom, withQuery } from '../connector-common.js';
import type { ChannelConnector, DiscoveredAsset, ExchangedToken, StoredAsset, TokenInspection } from '../connectors.js';
import type { GraphOAuth } from '../oauth.js';
import type { FacebookPage, InstagramPagesApi } from './pages-api.js';

export interface InstagramFacebookLoginDeps {
  oauth: GraphOAuth;
  pages: InstagramPagesApi;
  version: string;
  /** `https://www.facebook.com` (emulator: `<emu>/www.facebook.com`). */
  dialogBaseUrl: string;
  /** `configId` undefined: the dialog asks for DEFAULT_SCOPES instead of a configuration. */
  app: { appId: string; appSecret: string; configId?: string | undefined };
  clock: () => Date;
  log?: Logger;
}

/** Asked for when no Facebook Login for Business configuration is set. */
export const INSTAGRAM_FACEBOOK_LOGIN_SCOPES = ['instagram_basic', 'instagram_manage_messages', 'pages_manage_metadata', 'pages_show_list', 'business_management'] as const;

/**
 * The Page's webhook fields (docs/meta-behaviours.md F1–F4). A Page takes only Page names: Instagram's own
 * (`messaging_seen`, `messaging_referral`) fail the whole call with #100. The Instagram fields that
 * carry the account's DMs are chosen on the app's Instagram object; this subscription enables delivery
 * for the page ("only fields subscribed at both levels"). `standby` and `messaging_handovers` bring the
 * threads another app owns (Business Suite inbox, Conversation Routing) and their ownership changes.
 */
export const PAGE_SUBSCRIBED_FIELDS = ['messages', 'messaging_postbacks', 'message_reactions', 'message_reads', 'messaging_referrals', 'standby', 'messaging_handovers'] as const;

/** Page tasks that let the app read and answer the account's messages (reference §5.2: `MESSAGING`, or `MODERATE`). */
const MESSAGING_TASKS = ['MESSAGING', 'MODERATE'];

/**
 * Instagram through Facebook Login for Business (reference §4.1, §4.4, §5.2): code → short-lived user
 * token → long-lived user token → the pages it grants, each with its page token and linked Instagram
 * professional account. The channel keeps the page token (no expiry when derived from a long-lived
 * user token); webhooks come through the page's subscription.
 */
export function instagramFacebookLoginConnector(deps: InstagramFacebookLoginDeps): ChannelConnector {
  const { oauth, pages, app } = deps;

  function requirePage(asset: { pageId?: string | null | undefined }): string {
    if (!asset.pageId) throw new ConnectorError('asset_incomplete', 'The Instagram account is missing its Facebook page');
    return asset.pageId;
  }

  return {
    flow: 'instagram_facebook_login',

    dialogUrl({ state, redirectUri }) {
      const common = { client_id: app.appId, redirect_uri: redirectUri, state, response_type: 'code' };
      return withQuery(
        `${deps.dialogBaseUrl}/${deps.version}/dialog/oauth`,
        app.configId
          ? { ...common, config_id: app.configId, override_default_response_type: 'true' }
          : { ...common, scope: INSTAGRAM_FACEBOOK_LOGIN_SCOPES.join(',') },
      );
    },

    async exchangeCode({ code, redirectUri }): Promise<ExchangedToken> {
      const short = await oauth.exchangeCode({ appId: app.appId, appSecret: app.appSecret, code, redirectUri });
      if (short.expiresInSeconds === undefined) {
        // A configuration issuing business (BISU) tokens: nothing to extend, it does not expire.
        return exchanged(short.accessToken, 'business_system_user', null);
      }
      const long = await oauth.exchangeForLongLivedToken({ appId: app.appId, appSecret: app.appSecret, accessToken: short.accessToken });
      return exchanged(long.accessToken, 'facebook_user', expiresAtFrom(long, deps.clock()));
    },

    async discoverAssets(token): Promise<DiscoveredAsset[]> {
      const info = await oauth.debugToken({ inputToken: token.accessToken, appToken: appToken(app) });
      if (!info.isValid) throw new ConnectorError('token_invalid', 'Meta reports the new user token as invalid');
      const granted = await pages.listPages(token.accessToken);
      const assets = granted.filter(usable).map((page) => assetOf(page, info.userId));
      deps.log?.info({ flow: 'instagram_facebook_login', pageCount: granted.length, assetCount: assets.length }, 'assets discovered');
      return assets;
    },

    async activate(asset) {
      await pages.subscribeApp(asset.token.accessToken, requirePage(asset), PAGE_SUBSCRIBED_FIELDS);
    },

    async inspectToken(accessToken): Promise<TokenInspection> {
      const info = await oauth.debugToken({ inputToken: accessToken, appToken: appToken(app) });
      return { valid: info.isValid, expiresAt: info.expiresAt, ...(info.errorCode === undefined ? {} : { errorCode: info.errorCode }) };
    },

    async ensureSubscribed(asset: StoredAsset, accessToken: string) {
      const pageId = requirePage(asset);
      const ours = (await pages.listSubscribedApps(accessToken, pageId)).find((a) => a.appId === app.appId);
      // Subscribed, but without a field we need (someone changed it by hand), counts as missing.
      if (ours && PAGE_SUBSCRIBED_FIELDS.every((f) => ours.subscribedFields?.includes(f) ?? true)) return false;
      await pages.subscribeApp(accessToken, pageId, PAGE_SUBSCRIBED_FIELDS);
      return true;
    },

    async unsubscribe(asset: StoredAsset, accessToken: string) {
      await pages.unsubscribeApp(accessToken, requirePage(asset));
    },
  };
}

function usable(page: FacebookPage): page is FacebookPage & { instagramAccount: NonNullable<FacebookPage['instagramAccount']>; accessToken: string } {
  return page.instagramAccount !== undefined && page.accessToken !== undefined && page.tasks.some((t) => MESSAGING_TASKS.includes(t));
}

function assetOf(page: FacebookPage & { instagramAccount: NonNullable<FacebookPage['instagramAccount']>; accessToken: string }, metaUserId: string | undefined): DiscoveredAsset {
  const { instagramAccount: ig } = page;
  return {
    externalId: ig.id,
    displayName: page.name ?? ig.username ?? ig.id,
    ...(ig.username ? { username: ig.username } : {}),
    pageId: page.id,
    ...(metaUserId ? { metaUserId } : {}),
    verification: { page_tasks: page.tasks.join(',') },
    // Derived from a long-lived user token, a page token does not expire (reference §4.6).
    token: exchanged(page.accessToken, 'facebook_page', null),
  };
}
