import { z } from 'zod';
import { MetaRequestError, type GraphOperation } from './graph/errors.js';
import { checkId, checkSecret, IdString, requestMetaJson, TOKEN_CHARS, type GraphTransport } from './graph/transport.js';

/*
 * Meta's OAuth and token calls on graph.facebook.com (reference §4.1, §4.2, §4.4, §4.7): code exchange,
 * short-lived → long-lived, and `debug_token`; and the parsers of their answers, which the Instagram
 * Login hosts share (instagram/login-api.ts).
 */

const AccessTokenBody = z
  .object({
    access_token: z.string().regex(TOKEN_CHARS),
    token_type: z.string().optional(),
    expires_in: z.coerce.number().int().nonnegative().optional(),
  })
  .loose();

/** What an OAuth token endpoint returned, before a connector decides what kind of token it is. */
export interface OAuthTokenResponse {
  accessToken: string;
  /** undefined when Meta omitted it (or sent 0): the token does not expire. */
  expiresInSeconds: number | undefined;
}

/** An OAuth token answer, with Meta's `expires_in: 0` (never) as undefined. */
export function parseAccessTokenBody(operation: GraphOperation, json: unknown): OAuthTokenResponse {
  const parsed = AccessTokenBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError(operation, 'invalid_response');
  const expires = parsed.data.expires_in;
  return { accessToken: parsed.data.access_token, expiresInSeconds: expires === undefined || expires === 0 ? undefined : expires };
}

const UnixSeconds = z.coerce.number().int().nonnegative();
const DebugTokenBody = z.object({
  data: z
    .object({
      app_id: IdString.optional(),
      type: z.string().optional(),
      application: z.string().optional(),
      is_valid: z.boolean(),
      expires_at: UnixSeconds.optional(),
      data_access_expires_at: UnixSeconds.optional(),
      issued_at: UnixSeconds.optional(),
      scopes: z.array(z.string()).optional(),
      granular_scopes: z.array(z.object({ scope: z.string(), target_ids: z.array(IdString).optional() }).loose()).optional(),
      user_id: IdString.optional(),
      profile_id: IdString.optional(),
      error: z.object({ code: z.coerce.number().int().optional(), subcode: z.coerce.number().int().optional() }).loose().optional(),
    })
    .loose(),
});

/** `debug_token` (reference §4.7), with Meta's `0 = never` turned into null. */
export interface TokenDebugInfo {
  isValid: boolean;
  appId: string | undefined;
  /** USER, PAGE, APP, SYSTEM_USER. */
  type: string | undefined;
  expiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  issuedAt: Date | undefined;
  scopes: string[];
  /** `targetIds` undefined: the grant is not restricted to particular assets. Newest first. */
  granularScopes: Array<{ scope: string; targetIds: string[] | undefined }>;
  userId: string | undefined;
  profileId: string | undefined;
  /** Why the token is invalid (190 and a subcode, typically). */
  errorCode: number | undefined;
  errorSubcode: number | undefined;
}

/** A `debug_token` answer (graph.facebook.com or graph.instagram.com). */
export function parseDebugTokenBody(json: unknown): TokenDebugInfo {
  const parsed = DebugTokenBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('debugToken', 'invalid_response');
  const d = parsed.data.data;
  const date = (seconds: number | undefined) => (seconds ? new Date(seconds * 1000) : null);
  return {
    isValid: d.is_valid,
    appId: d.app_id,
    type: d.type,
    expiresAt: date(d.expires_at),
    dataAccessExpiresAt: date(d.data_access_expires_at),
    issuedAt: date(d.issued_at) ?? undefined,
    scopes: d.scopes ?? [],
    granularScopes: (d.granular_scopes ?? []).map((g) => ({ scope: g.scope, targetIds: g.target_ids })),
    userId: d.user_id,
    profileId: d.profile_id,
    errorCode: d.error?.code,
    errorSubcode: d.error?.subcode,
  };
}

/** The Facebook Login token calls on graph.facebook.com. */
export function createGraphOAuth(graph: GraphTransport) {
  return {
    /**
     * `GET /{v}/oauth/access_token?client_id&client_secret&code[&redirect_uri]` (reference §4.1/§4.2).
     * Meta's contract puts the code and the app secret in the query; the URL is never logged, and both
     * are scrubbed from any error. `redirectUri` must be the one the dialog was opened with (omit it for
     * codes from the JS SDK).
     */
    async exchangeCode(input: { appId: string; appSecret: string; code: string; redirectUri?: string }): Promise<OAuthTokenResponse> {
      checkId(input.appId, 'app id');
      checkSecret(input.code, 'authorization code');
      checkSecret(input.appSecret, 'app secret');
      const url = graph.url('oauth/access_token', undefined, { client_id: input.appId, client_secret: input.appSecret, redirect_uri: input.redirectUri, code: input.code });
      const json = await requestMetaJson(graph.http, 'exchangeCode', { method: 'GET', url, secrets: [input.code, input.appSecret] });
      return parseAccessTokenBody('exchangeCode', json);
    },

    /** `fb_exchange_token`: a short-lived Facebook user token → long-lived (~60 days, reference §4.4). */
    async exchangeForLongLivedToken(input: { appId: string; appSecret: string; accessToken: string }): Promise<OAuthTokenResponse> {
      checkId(input.appId, 'app id');
      checkSecret(input.accessToken, 'access token');
      checkSecret(input.appSecret, 'app secret');
      const url = graph.url('oauth/access_token', undefined, {
        grant_type: 'fb_exchange_token',
        client_id: input.appId,
        client_secret: input.appSecret,
        fb_exchange_token: input.accessToken,
      });
      const json = await requestMetaJson(graph.http, 'exchangeToken', { method: 'GET', url, secrets: [input.accessToken, input.appSecret] });
      return parseAccessTokenBody('exchangeToken', json);
    },

    /**
     * `GET /debug_token?input_token=` authenticated with the app token `APP_ID|APP_SECRET` (reference
     * §4.7). An invalid input token is a 200 with `isValid: false`; an error is about the app token.
     */
    async debugToken(input: { inputToken: string; appToken: string }): Promise<TokenDebugInfo> {
      checkSecret(input.inputToken, 'input token');
      const url = graph.url('debug_token', input.appToken, { input_token: input.inputToken });
      const json = await requestMetaJson(graph.http, 'debugToken', { method: 'GET', url, token: input.appToken, secrets: [input.inputToken] });
      return parseDebugTokenBody(json);
    },
  };
}

export type GraphOAuth = ReturnType<typeof createGraphOAuth>;
