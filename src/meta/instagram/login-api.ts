import { z } from 'zod';
import { normalizeBaseUrl } from '../base-url.js';
import { MetaRequestError } from '../graph/errors.js';
import { parseSubscribedAppsBody, type SubscribedApp } from '../graph/subscribed-apps.js';
import { checkSecret, expectSuccess, IdString, requestMetaJson, requestMetaSend, TOKEN_CHARS, type MetaHttp } from '../graph/transport.js';
import { parseAccessTokenBody, parseDebugTokenBody, type OAuthTokenResponse, type TokenDebugInfo } from '../oauth.js';
import { parseInstagramSendBody, type InstagramSendResult } from './send-result.js';
import type { InstagramGraphBody } from './send-bodies.js';
import { IGSID, parseSenderProfile, SENDER_PROFILE_FIELDS, type InstagramSenderProfile } from './sender-profile.js';

/**
 * Instagram API with Instagram Login (reference §4.3–4.5, §5.3): the code exchange on
 * api.instagram.com (form POST, its own error shape) and everything else on graph.instagram.com.
 * Both base URLs are injected; in dev/tests they point at the emulator's `/api.instagram.com` and
 * `/graph.instagram.com` prefixes. Same rules as graph.facebook.com (graph/transport.ts): tokens in the
 * Authorization header where Meta allows it, and never in an error message or a log line.
 */

export interface InstagramLoginApiOptions {
  /** e.g. `https://graph.instagram.com`, without the version. */
  graphBaseUrl: string;
  /** e.g. `https://api.instagram.com`. */
  apiBaseUrl: string;
  /** e.g. `v26.0`: graph.instagram.com shares Graph versioning (reference §9). */
  version: string;
  /** Per call; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface InstagramCodeExchange {
  /** Short-lived (1 h): exchange it at once. */
  accessToken: string;
  /** App-scoped; imprecise when Meta sends it as a JSON number above 2^53, so only informational. */
  userId: string | undefined;
  permissions: string[] | undefined;
}

export interface InstagramProfile {
  /** App-scoped id of the account for this app (what deauthorize callbacks name). */
  id: string;
  /** The professional account id used in webhooks (`entry[].id`), `1784…`. */
  userId: string | undefined;
  username: string | undefined;
  name: string | undefined;
}

const TOKEN = z.string().regex(TOKEN_CHARS);
const Permissions = z.union([z.string().transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean)), z.array(z.string())]);
const CodeGrant = z.object({ access_token: TOKEN, user_id: IdString.optional(), permissions: Permissions.optional() }).loose();
/** Documented with a `data` wrapper, observed flat as well (reference §4.3): both are accepted. */
const CodeExchangeBody = z.union([z.object({ data: z.array(CodeGrant).min(1) }).loose(), CodeGrant]);

const ProfileBody = z
  .object({ id: IdString, user_id: IdString.optional(), username: z.string().optional(), name: z.string().optional() })
  .loose();

/**
 * The Instagram object's webhook fields (docs/meta-behaviours.md F5, F6): Instagram names, so the read
 * receipt is `messaging_seen` (Messenger's `message_reads` is refused). `standby` brings the threads another
 * app owns (Business Suite inbox, Conversation Routing), `messaging_handover` their ownership changes,
 * `message_edit` the customer's edits.
 */
export const INSTAGRAM_SUBSCRIBED_FIELDS = ['messages', 'messaging_seen', 'message_reactions', 'messaging_postbacks', 'messaging_referral', 'message_edit', 'standby', 'messaging_handover'] as const;

/** The code exchange's answer, wrapped in `data` or flat, `permissions` as a string or an array. */
export function parseInstagramCodeExchange(json: unknown): { accessToken: string; userId: string | undefined; permissions: string[] | undefined } {
  const parsed = CodeExchangeBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('exchangeCode', 'invalid_response');
  const grant = 'data' in parsed.data && Array.isArray(parsed.data.data) ? parsed.data.data[0]! : (parsed.data as z.infer<typeof CodeGrant>);
  return { accessToken: grant.access_token, userId: grant.user_id, permissions: grant.permissions };
}

export function createInstagramLoginApi(options: InstagramLoginApiOptions) {
  if (!/^v\d+\.0$/.test(options.version)) throw new TypeError('Graph version must look like v26.0');
  const graphBase = normalizeBaseUrl(options.graphBaseUrl);
  const apiBase = normalizeBaseUrl(options.apiBaseUrl);
  const versionRoot = `${graphBase}/${options.version}`;
  const http: MetaHttp = { fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? 10_000, now: options.now ?? Date.now };

  const url = (root: string, path: string, query: Record<string, string | undefined> = {}) => {
    const u = new URL(`${root}/${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) u.searchParams.set(name, value);
    return u.toString();
  };

  return {
    /** `POST api.instagram.com/oauth/access_token` (form): code → short-lived token. */
    async exchangeCode(input: { appId: string; appSecret: string; code: string; redirectUri: string }): Promise<InstagramCodeExchange> {
      checkSecret(input.code, 'authorization code');
      checkSecret(input.appSecret, 'app secret');
      const json = await requestMetaJson(http, 'exchangeCode', {
        method: 'POST',
        url: url(apiBase, 'oauth/access_token'),
        form: { client_id: input.appId, client_secret: input.appSecret, grant_type: 'authorization_code', redirect_uri: input.redirectUri, code: input.code },
        secrets: [input.code, input.appSecret],
      });
      return parseInstagramCodeExchange(json);
    },

    /** `GET graph.instagram.com/access_token?grant_type=ig_exchange_token` → long-lived (60 days). */
    async exchangeForLongLivedToken(input: { appSecret: string; accessToken: string }): Promise<OAuthTokenResponse> {
      checkSecret(input.accessToken, 'access token');
      checkSecret(input.appSecret, 'app secret');
      const json = await requestMetaJson(http, 'exchangeToken', {
        method: 'GET',
        url: url(graphBase, 'access_token', { grant_type: 'ig_exchange_token', client_secret: input.appSecret, access_token: input.accessToken }),
        secrets: [input.accessToken, input.appSecret],
      });
      return parseAccessTokenBody('exchangeToken', json);
    },

    /** `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token`: only for tokens ≥ 24 h old and still valid. */
    async refreshToken(accessToken: string): Promise<OAuthTokenResponse> {
      checkSecret(accessToken, 'access token');
      const json = await requestMetaJson(http, 'refreshToken', {
        method: 'GET',
        url: url(graphBase, 'refresh_access_token', { grant_type: 'ig_refresh_token', access_token: accessToken }),
        secrets: [accessToken],
      });
      return parseAccessTokenBody('refreshToken', json);
    },

    /** `debug_token` on graph.instagram.com with the Instagram app token (reference §4.7 ⚠ unverified). */
    async debugToken(input: { inputToken: string; appToken: string }): Promise<TokenDebugInfo> {
      checkSecret(input.inputToken, 'input token');
      const json = await requestMetaJson(http, 'debugToken', {
        method: 'GET',
        url: url(versionRoot, 'debug_token', { input_token: input.inputToken }),
        token: input.appToken,
        secrets: [input.inputToken],
      });
      return parseDebugTokenBody(json);
    },

    /** `GET /{v}/me?fields=…`. */
    async getProfile(token: string, fields: readonly string[] = ['user_id', 'username', 'name']): Promise<InstagramProfile> {
      const json = await requestMetaJson(http, 'getProfile', { method: 'GET', url: url(versionRoot, 'me', { fields: fields.join(',') }), token });
      const parsed = ProfileBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('getProfile', 'invalid_response');
      return { id: parsed.data.id, userId: parsed.data.user_id, username: parsed.data.username, name: parsed.data.name };
    },

    /** A customer's name, username and picture, with the Instagram user token (sender-profile.ts). */
    async getSenderProfile(token: string, igsid: string): Promise<InstagramSenderProfile> {
      if (!IGSID.test(igsid)) throw new TypeError('IGSID must be 1-32 digits');
      return parseSenderProfile(await requestMetaJson(http, 'getSenderProfile', { method: 'GET', url: url(versionRoot, igsid, { fields: SENDER_PROFILE_FIELDS }), token }));
    },

    /** `POST graph.instagram.com/{v}/{ig-id}/messages` (or `/me/messages`) with the Instagram user token (reference §6.3). */
    async sendMessage(token: string, igId: string | 'me', body: InstagramGraphBody): Promise<InstagramSendResult> {
      if (igId !== 'me' && !/^\d{1,32}$/.test(igId)) throw new TypeError('Instagram account id must be 1-32 digits');
      const json = await requestMetaSend(http, { method: 'POST', url: url(versionRoot, `${igId}/messages`), token, json: body });
      return parseInstagramSendBody(json);
    },

    async listSubscribedApps(token: string): Promise<SubscribedApp[]> {
      const json = await requestMetaJson(http, 'listSubscribedApps', { method: 'GET', url: url(versionRoot, 'me/subscribed_apps'), token });
      return parseSubscribedAppsBody('listSubscribedApps', json);
    },

    async subscribeApp(token: string, subscribedFields: readonly string[] = INSTAGRAM_SUBSCRIBED_FIELDS): Promise<void> {
      const json = await requestMetaJson(http, 'subscribeApp', {
        method: 'POST',
        url: url(versionRoot, 'me/subscribed_apps', { subscribed_fields: subscribedFields.join(',') }),
        token,
      });
      expectSuccess('subscribeApp', json);
    },

    async unsubscribeApp(token: string): Promise<void> {
      const json = await requestMetaJson(http, 'unsubscribeApp', { method: 'DELETE', url: url(versionRoot, 'me/subscribed_apps'), token });
      expectSuccess('unsubscribeApp', json);
    },
  };
}

export type InstagramLoginApi = ReturnType<typeof createInstagramLoginApi>;
