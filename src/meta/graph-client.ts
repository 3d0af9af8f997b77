import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { toAllowedOrigin } from './allowed-origins.js';
import { classifyMetaError, isRetryableClass, type MetaErrorClass } from './errors.js';
import { multipartFormData } from './multipart.js';

export { toAllowedOrigin };

/**
 * The service's only HTTP path to Meta's Graph API (graph.facebook.com; graph.instagram.com and
 * api.instagram.com go through instagram-client.ts, which shares `requestMetaJson`). The base URL is
 * injected (graph.facebook.com in production, the emulator in dev/tests) and the version pinned from
 * config, so every call goes to `<base>/<version>/…`. Tokens travel in the Authorization header, never
 * in a log line or an error message. The one exception to "never in a URL" is what Meta's OAuth
 * contract demands: the code exchange, `fb_exchange_token` and `debug_token`'s `input_token` are query
 * parameters; those URLs are not logged, and the values are scrubbed from errors.
 */

export interface GraphClientOptions {
  /** e.g. `https://graph.facebook.com`, without the version. */
  baseUrl: string;
  /** e.g. `v26.0`. */
  version: string;
  /**
   * Where media bytes may be fetched from besides the Graph origin: bare hostnames (https only, e.g.
   * `lookaside.fbsbx.com`) or full `http(s)://host[:port]` origins. Nothing else is ever fetched, so a
   * media URL (which comes from Meta's JSON) cannot make the service send a token elsewhere.
   */
  mediaHosts: readonly string[];
  /** When set, every Graph call carries `appsecret_proof` = hex HMAC-SHA256(appSecret, token). */
  appSecret?: string;
  /** Per Graph call, and until the response headers of a download; default 10 s. */
  timeoutMs?: number;
  /** Whole media transfer, body included; default 5 min. */
  downloadTimeoutMs?: number;
  /** Whole upload, from the first byte sent to Meta's answer; default 5 min. */
  uploadTimeoutMs?: number;
  /** Refuse media larger than this; default 110 MiB (Meta's limit is 100 MB). */
  maxDownloadBytes?: number;
  /** Redirects followed on downloads, each checked against the allow-list; default 3. */
  maxRedirects?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
}

export interface MediaInfo {
  id: string;
  /** Short-lived (about 5 min) and only fetchable with the same token. */
  url: string;
  mimeType: string;
  sha256: string;
  fileSize: number | undefined;
}

export interface MediaDownload {
  stream: Readable;
  mimeType: string;
  contentLength: number | undefined;
}

/** One file for `POST /{phone-number-id}/media`. */
export interface WhatsAppMediaUpload {
  /** The bytes, streamed as they come (e.g. an incoming HTTP request); see MultipartFile.body. */
  body: AsyncIterable<Uint8Array>;
  /** Bare MIME type: Meta's `type` field and the file part's Content-Type. */
  contentType: string;
  filename: string;
  /** When known, Meta gets a Content-Length instead of a chunked body. */
  contentLength?: number;
}

export type GraphOperation =
  | 'getMediaInfo'
  | 'downloadMedia'
  /** `POST /{phone-number-id}/media`. */
  | 'uploadMedia'
  /** OAuth: authorization code → token (graph.facebook.com or api.instagram.com). */
  | 'exchangeCode'
  /** OAuth: short-lived → long-lived token (`fb_exchange_token`, `ig_exchange_token`). */
  | 'exchangeToken'
  | 'refreshToken'
  | 'debugToken'
  | 'listPhoneNumbers'
  | 'listPages'
  | 'listSubscribedApps'
  | 'subscribeApp'
  | 'unsubscribeApp'
  | 'registerPhoneNumber'
  | 'getProfile'
  /** A Send API call (`/{phone-number-id}/messages`, `/me/messages`, `/{ig-id}/messages`). */
  | 'sendMessage';

interface MetaApiErrorInit {
  operation: GraphOperation;
  httpStatus: number;
  code: number | undefined;
  subcode: number | undefined;
  type: string | undefined;
  fbtraceId: string | undefined;
  metaTransientFlag: boolean | undefined;
  retryAfterMs: number | undefined;
  metaMessage: string | undefined;
  details: string | undefined;
}

/**
 * Meta answered with an error. `message` is built from codes only. Meta's own text (`metaMessage`,
 * `details`) may quote request parameters, so it is kept non-enumerable: logging or serialising the
 * error does not include it; read it deliberately when debugging.
 */
export class MetaApiError extends Error {
  override readonly name = 'MetaApiError';
  readonly operation: GraphOperation;
  readonly httpStatus: number;
  /** `error.code`; undefined when the body was not a Graph error (e.g. an HTML page from the CDN). */
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly type: string | undefined;
  readonly fbtraceId: string | undefined;
  readonly errorClass: MetaErrorClass;
  readonly isTransient: boolean;
  /** From Retry-After or X-Business-Use-Case-Usage `estimated_time_to_regain_access`. */
  readonly retryAfterMs?: number;
  declare readonly metaMessage: string | undefined;
  declare readonly details: string | undefined;

  constructor(init: MetaApiErrorInit) {
    const codes = init.code === undefined ? 'non-Graph error body' : `code ${init.code}${init.subcode === undefined ? '' : `/${init.subcode}`}`;
    super(`Meta ${init.operation} failed: HTTP ${init.httpStatus}, ${codes}${init.type ? ` (${init.type})` : ''}${init.fbtraceId ? `, fbtrace_id ${init.fbtraceId}` : ''}`);
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.subcode = init.subcode;
    this.type = init.type;
    this.fbtraceId = init.fbtraceId;
    this.errorClass = classifyMetaError(init.code, init.subcode);
    this.isTransient =
      isRetryableClass(this.errorClass) ||
      // The table wins for known codes; for unknown ones Meta's own flag, else the HTTP status, decides.
      (this.errorClass === 'unknown' && (init.metaTransientFlag ?? (init.httpStatus >= 500 || init.httpStatus === 429)));
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    Object.defineProperty(this, 'metaMessage', { value: init.metaMessage, enumerable: false });
    Object.defineProperty(this, 'details', { value: init.details, enumerable: false });
  }
}

export type MetaRequestErrorReason =
  /** No answer (or no complete body) in time. */
  | 'timeout'
  /** Connection refused/reset, DNS. */
  | 'network'
  /** A media URL (or redirect) outside the configured Graph/CDN origins; nothing was sent to it. */
  | 'url_not_allowed'
  | 'too_many_redirects'
  /** A 2xx whose body is not what the endpoint returns (bad JSON shape, an HTML page instead of media). */
  | 'invalid_response'
  | 'too_large'
  /**
   * The connection was never established (refused, DNS, unreachable network), so nothing reached
   * Meta. Only the Send API methods tell it apart from `network`: a send that fails this way is safe
   * to retry, while `network` (a reset mid-request) and `timeout` may hide a message that went out.
   */
  | 'unreachable';

/** The request did not produce a Meta answer we can use. Messages are fixed per reason. */
export class MetaRequestError extends Error {
  override readonly name = 'MetaRequestError';
  constructor(
    readonly operation: GraphOperation,
    readonly reason: MetaRequestErrorReason,
    options?: { cause?: unknown },
  ) {
    super(`Meta ${operation} failed: ${reason}`, options);
  }

  get isTransient(): boolean {
    return this.reason === 'timeout' || this.reason === 'network' || this.reason === 'unreachable';
  }
}

const GRAPH_ID = /^\d{1,32}$/;
/** Visible ASCII: anything else would be refused by fetch with an error that quotes the header value. */
const TOKEN_CHARS = /^[\x21-\x7e]{1,4096}$/;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_JSON_BODY = 1024 * 1024;
const USER_AGENT = 'meta-integration-service';

const MediaInfoBody = z.object({
  id: z.string().regex(GRAPH_ID),
  url: z.string().min(1),
  mime_type: z.string().min(1).max(255),
  sha256: z.string().max(128).default(''),
  // Meta documents a string ("303833"); some responses carry a number.
  file_size: z.union([z.string().regex(/^\d{1,15}$/).transform(Number), z.number().int().nonnegative()]).optional(),
});

const UploadBody = z.object({ id: z.union([z.string().regex(GRAPH_ID), z.number().int().nonnegative().transform(String)]) }).loose();

function bearerHeaders(token: string): Record<string, string> {
  if (typeof token !== 'string' || !TOKEN_CHARS.test(token)) throw new TypeError('access token is empty or has characters not allowed in a header');
  return { authorization: `Bearer ${token}`, 'user-agent': USER_AGENT };
}

/** Meta sends ids as strings, a few endpoints as numbers; they are always handled as strings here. */
const IdString = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).transform(String);
/** Tokens and codes: visible ASCII, checked before they go into a header, a query or a form. */
const SECRET_CHARS = TOKEN_CHARS;

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

const Paging = z.object({ cursors: z.object({ after: z.string().optional() }).loose().optional(), next: z.string().optional() }).loose().optional();

const PhoneNumbersBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString,
        display_phone_number: z.string().optional(),
        verified_name: z.string().optional(),
        code_verification_status: z.string().optional(),
        quality_rating: z.string().optional(),
        name_status: z.string().optional(),
        platform_type: z.string().optional(),
        throughput: z.object({ level: z.string().optional() }).loose().optional(),
        account_mode: z.string().optional(),
      })
      .loose(),
  ),
  paging: Paging,
});

/** One row of `GET /{waba-id}/phone_numbers` (reference §5.1). */
export interface WhatsAppPhoneNumber {
  id: string;
  displayPhoneNumber: string | undefined;
  verifiedName: string | undefined;
  codeVerificationStatus: string | undefined;
  qualityRating: string | undefined;
  nameStatus: string | undefined;
  platformType: string | undefined;
  throughputLevel: string | undefined;
  accountMode: string | undefined;
}

const PagesBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString,
        name: z.string().optional(),
        access_token: z.string().regex(TOKEN_CHARS).optional(),
        tasks: z.array(z.string()).optional(),
        instagram_business_account: z.object({ id: IdString, username: z.string().optional() }).loose().optional(),
      })
      .loose(),
  ),
  paging: Paging,
});

/** One row of `GET /me/accounts` (reference §5.2). */
export interface FacebookPage {
  id: string;
  name: string | undefined;
  /** The page token derived from the user token (no expiry when that was long-lived). */
  accessToken: string | undefined;
  tasks: string[];
  instagramAccount: { id: string; username: string | undefined } | undefined;
}

const SubscribedAppsBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString.optional(),
        name: z.string().optional(),
        subscribed_fields: z.array(z.string()).optional(),
        whatsapp_business_api_data: z.object({ id: IdString.optional(), name: z.string().optional() }).loose().optional(),
      })
      .loose(),
  ),
});

/**
 * One app subscribed to a WABA, a page or an Instagram account. WABAs nest the app under
 * `whatsapp_business_api_data`; pages list `id` and `subscribed_fields`; Instagram Login lists only
 * the calling app's `subscribed_fields`.
 */
export interface SubscribedApp {
  appId: string | undefined;
  subscribedFields: string[] | undefined;
}

export function parseSubscribedAppsBody(operation: GraphOperation, json: unknown): SubscribedApp[] {
  const parsed = SubscribedAppsBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError(operation, 'invalid_response');
  return parsed.data.data.map((row) => ({ appId: row.whatsapp_business_api_data?.id ?? row.id, subscribedFields: row.subscribed_fields }));
}

const SuccessBody = z.object({ success: z.union([z.literal(true), z.literal('true')]) }).loose();

export function expectSuccess(operation: GraphOperation, json: unknown): void {
  if (!SuccessBody.safeParse(json).success) throw new MetaRequestError(operation, 'invalid_response');
}

const WhatsAppSendResponse = z
  .object({
    contacts: z.array(z.object({ wa_id: z.string().optional() }).loose()).optional(),
    messages: z.array(z.object({ id: z.string().min(1).max(1024), message_status: z.string().optional() }).loose()).min(1),
  })
  .loose();

/** What `POST /{phone-number-id}/messages` answers (reference §6.1): accepted, not delivered. */
export interface WhatsAppSendResult {
  /** `wamid.…`: what status webhooks name. */
  messageId: string;
  /** Can differ from the `to` that was sent (e.g. Brazil/Mexico prefix normalization). */
  waId?: string;
  /** `accepted`, `held_for_quality_assessment`, `paused`; often absent. */
  messageStatus?: string;
}

export function parseWhatsAppSendBody(json: unknown): WhatsAppSendResult {
  const parsed = WhatsAppSendResponse.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('sendMessage', 'invalid_response');
  const message = parsed.data.messages[0]!;
  const waId = parsed.data.contacts?.[0]?.wa_id;
  return { messageId: message.id, ...(waId === undefined ? {} : { waId }), ...(message.message_status === undefined ? {} : { messageStatus: message.message_status }) };
}

const InstagramSendResponse = z.object({ recipient_id: IdString, message_id: z.string().min(1).max(1024).optional() }).loose();

/** What the Instagram Send API answers (reference §6.3). */
export interface InstagramSendResult {
  /** The `mid` an echo webhook repeats; absent for sender actions (react, unreact, mark_seen). */
  messageId: string | undefined;
  recipientId: string;
}

export function parseInstagramSendBody(json: unknown): InstagramSendResult {
  const parsed = InstagramSendResponse.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('sendMessage', 'invalid_response');
  return { messageId: parsed.data.message_id, recipientId: parsed.data.recipient_id };
}

/** fetch error codes (undici / Node) raised before any byte of the request left this process. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function neverConnected(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED_CODES.has(code)) return true;
  }
  return false;
}

/**
 * One Send API call. Meta's Send APIs have no idempotency key, so how a call failed matters: a
 * connection that never opened becomes `unreachable` (safe to retry); a timeout or a reset stays
 * `timeout` / `network`, which callers must treat as "may have been sent".
 */
export async function requestMetaSend(http: MetaHttp, request: MetaJsonRequest): Promise<unknown> {
  try {
    return await requestMetaJson(http, 'sendMessage', request);
  } catch (err) {
    if (err instanceof MetaRequestError && err.reason === 'network' && neverConnected(err.cause)) {
      throw new MetaRequestError('sendMessage', 'unreachable', { cause: err.cause });
    }
    throw err;
  }
}

/** Listing endpoints are followed by cursor, at most this many pages (100 rows each). */
const MAX_PAGES = 20;

/** What one JSON call to any Meta host needs; shared by the Graph and the Instagram clients. */
export interface MetaHttp {
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

export interface MetaJsonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Sent as `Authorization: Bearer`; omitted for the unauthenticated OAuth exchanges. */
  token?: string;
  /** JSON body. */
  json?: unknown;
  /** `application/x-www-form-urlencoded` body (Instagram's code exchange). */
  form?: Record<string, string>;
  /**
   * Codes, client secrets and tokens that Meta's API contract puts in the URL or body: scrubbed from
   * Meta's error text, and their presence drops fetch's own error (which can quote the URL).
   */
  secrets?: ReadonlyArray<string | undefined>;
}

/** One JSON call to a Meta host: Graph or Instagram-OAuth errors become MetaApiError, the rest MetaRequestError. */
export async function requestMetaJson(http: MetaHttp, operation: GraphOperation, request: MetaJsonRequest): Promise<unknown> {
  const headers = request.token !== undefined ? bearerHeaders(request.token) : { 'user-agent': USER_AGENT };
  let body: string | URLSearchParams | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form) {
    body = new URLSearchParams(request.form);
  }
  const hasSecrets = (request.secrets ?? []).some((s) => !!s);
  let response: Response;
  try {
    response = await http.fetch(request.url, { method: request.method, headers, ...(body === undefined ? {} : { body }), redirect: 'error', signal: AbortSignal.timeout(http.timeoutMs) });
  } catch (err) {
    throw transportError(operation, err, { keepCause: !hasSecrets });
  }
  if (!response.ok) throw await metaApiErrorFrom(http, operation, response, request.token, request.secrets ?? []);
  let text: string;
  try {
    text = await readLimited(operation, response, MAX_JSON_BODY);
  } catch (err) {
    throw err instanceof MetaRequestError ? err : transportError(operation, err, { keepCause: !hasSecrets });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MetaRequestError(operation, 'invalid_response');
  }
}

async function metaApiErrorFrom(
  http: MetaHttp,
  operation: GraphOperation,
  response: Response,
  token: string | undefined,
  secrets: ReadonlyArray<string | undefined>,
): Promise<MetaApiError> {
  let text = '';
  try {
    text = await readLimited(operation, response, MAX_ERROR_BODY, { truncate: true });
  } catch {
    // The status alone still classifies the failure.
  }
  return parseMetaError(operation, response.status, response.headers, text, { ...(token === undefined ? {} : { token }), secrets, nowMs: http.now() });
}

export function createGraphClient(options: GraphClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 5 * 60_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 5 * 60_000;
  const maxDownloadBytes = options.maxDownloadBytes ?? 110 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;
  if (!/^v\d+\.0$/.test(options.version)) throw new TypeError('Graph version must look like v26.0');
  let graphOrigin: string;
  try {
    graphOrigin = toAllowedOrigin(options.baseUrl.replace(/\/+$/, ''));
  } catch {
    throw new TypeError('Graph base URL must be an http(s) origin without path, e.g. https://graph.facebook.com');
  }
  const versionRoot = `${graphOrigin}/${options.version}`;
  const allowedOrigins = new Set([graphOrigin, ...options.mediaHosts.map(toAllowedOrigin)]);

  const authHeaders = bearerHeaders;

  /** `token` undefined: an unauthenticated call (the OAuth code exchange), so no appsecret_proof either. */
  function graphUrl(path: string, token: string | undefined, query: Record<string, string | undefined> = {}): string {
    const url = new URL(`${versionRoot}/${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    if (options.appSecret && token !== undefined) url.searchParams.set('appsecret_proof', createHmac('sha256', options.appSecret).update(token).digest('hex'));
    return url.toString();
  }

  const http: MetaHttp = { fetch: doFetch, timeoutMs, now };

  /** One JSON Graph call with the token in the Authorization header. */
  function graphJson(operation: GraphOperation, method: 'GET' | 'POST' | 'DELETE', url: string, token: string, body?: { json: unknown }): Promise<unknown> {
    return requestMetaJson(http, operation, { method, url, token, ...(body ? { json: body.json } : {}) });
  }

  async function apiError(operation: GraphOperation, response: Response, token: string): Promise<MetaApiError> {
    return metaApiErrorFrom(http, operation, response, token, []);
  }

  /** Follows `paging.cursors.after` while Meta says there is a next page. */
  async function listAll<Row>(
    operation: GraphOperation,
    path: string,
    token: string,
    query: Record<string, string>,
    parse: (json: unknown) => { data: Row[]; paging?: { cursors?: { after?: string | undefined } | undefined; next?: string | undefined } | undefined } | undefined,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const json = await graphJson(operation, 'GET', graphUrl(path, token, { ...query, limit: '100', after }), token);
      const body = parse(json);
      if (!body) throw new MetaRequestError(operation, 'invalid_response');
      rows.push(...body.data);
      after = body.paging?.next ? body.paging.cursors?.after : undefined;
      if (!after || body.data.length === 0) break;
    }
    return rows;
  }

  function checkAllowed(operation: GraphOperation, raw: string | URL): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new MetaRequestError(operation, 'url_not_allowed');
    }
    if (url.username || url.password || !allowedOrigins.has(url.origin)) throw new MetaRequestError(operation, 'url_not_allowed');
    return url;
  }

  return {
    version: options.version,

    /** `GET /{media-id}[?phone_number_id=]`: with the phone number id, Meta only answers for media of that number. */
    async getMediaInfo(token: string, mediaId: string, phoneNumberId?: string): Promise<MediaInfo> {
      if (!GRAPH_ID.test(mediaId)) throw new TypeError('media id must be 1-32 digits');
      if (phoneNumberId !== undefined && !GRAPH_ID.test(phoneNumberId)) throw new TypeError('phone number id must be 1-32 digits');
      const json = await graphJson('getMediaInfo', 'GET', graphUrl(mediaId, token, { phone_number_id: phoneNumberId }), token);
      const parsed = MediaInfoBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('getMediaInfo', 'invalid_response');
      const body = parsed.data;
      return { id: body.id, url: body.url, mimeType: body.mime_type, sha256: body.sha256, fileSize: body.file_size };
    },

    /**
     * `GET <media url>` with the bearer token, only on the Graph origin or an allowed CDN origin (also
     * for every redirect hop). The body is streamed, never buffered; the returned stream errors if
     * the transfer exceeds `maxDownloadBytes` or `downloadTimeoutMs`. `expectedMimeType` (from
     * getMediaInfo) turns an HTML page served with 200 (what the CDN shows instead of media when it
     * is unhappy) into an `invalid_response` error instead of bytes passed on as media.
     */
    async downloadMedia(token: string, url: string, opts: { expectedMimeType?: string } = {}): Promise<MediaDownload> {
      const operation = 'downloadMedia';
      const headers = authHeaders(token);
      let target = checkAllowed(operation, url);
      const controller = new AbortController();
      const overall = setTimeout(() => controller.abort(new DOMException('download timed out', 'TimeoutError')), downloadTimeoutMs);
      overall.unref();
      const fail = (err: Error): never => {
        clearTimeout(overall);
        controller.abort();
        throw err;
      };

      let response: Response | undefined;
      for (let hop = 0; ; hop += 1) {
        const headerTimer = setTimeout(() => controller.abort(new DOMException('no response in time', 'TimeoutError')), timeoutMs);
        try {
          response = await doFetch(target, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
        } catch (err) {
          fail(transportError(operation, err));
        } finally {
          clearTimeout(headerTimer);
        }
        const location = response!.status >= 300 && response!.status < 400 ? response!.headers.get('location') : null;
        if (location === null) break;
        await response!.body?.cancel().catch(() => undefined);
        if (hop >= maxRedirects) fail(new MetaRequestError(operation, 'too_many_redirects'));
        try {
          target = checkAllowed(operation, new URL(location, target));
        } catch (err) {
          fail(err as Error);
        }
      }
      const res = response!;
      if (!res.ok) fail(await apiError(operation, res, token));

      const mimeType = (res.headers.get('content-type') ?? '').trim() || 'application/octet-stream';
      const expected = opts.expectedMimeType?.toLowerCase();
      if (mediaTypeOf(mimeType) === 'text/html' && expected !== undefined && mediaTypeOf(expected) !== 'text/html') {
        await res.body?.cancel().catch(() => undefined);
        fail(new MetaRequestError(operation, 'invalid_response'));
      }
      const lengthHeader = res.headers.get('content-length');
      const contentLength = lengthHeader !== null && /^\d{1,15}$/.test(lengthHeader.trim()) ? Number(lengthHeader.trim()) : undefined;
      if (contentLength !== undefined && contentLength > maxDownloadBytes) {
        await res.body?.cancel().catch(() => undefined);
        fail(new MetaRequestError(operation, 'too_large'));
      }

      let received = 0;
      const limiter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          received += chunk.byteLength;
          if (received > maxDownloadBytes) {
            ctrl.error(new MetaRequestError(operation, 'too_large'));
            controller.abort();
            return;
          }
          ctrl.enqueue(chunk);
        },
        flush() {
          clearTimeout(overall);
        },
      });
      const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const stream = Readable.fromWeb(body.pipeThrough(limiter) as unknown as NodeWebReadableStream<Uint8Array>);
      stream.once('close', () => clearTimeout(overall));
      return { stream, mimeType, contentLength };
    },

    /**
     * `POST /{phone-number-id}/media` (reference §6.2): multipart `messaging_product=whatsapp`, `type`
     * and `file`, streamed from `upload.body` without buffering it. Errors of the body itself (e.g. the
     * caller's size limit) abort the request and are rethrown unchanged; the closing boundary is only
     * sent after a complete body, so an aborted upload never becomes media at Meta.
     */
    async uploadWhatsAppMedia(token: string, phoneNumberId: string, upload: WhatsAppMediaUpload): Promise<{ id: string }> {
      const operation = 'uploadMedia';
      checkId(phoneNumberId, 'phone number id');
      const headers = authHeaders(token);
      let bodyFailure: { error: unknown } | undefined;
      const form = multipartFormData([{ name: 'messaging_product', value: 'whatsapp' }, { name: 'type', value: upload.contentType }], {
        name: 'file',
        filename: upload.filename,
        contentType: upload.contentType,
        body: upload.body,
        ...(upload.contentLength === undefined ? {} : { length: upload.contentLength }),
      });
      const controller = new AbortController();
      const source = form.chunks[Symbol.asyncIterator]();
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(stream) {
            let next: IteratorResult<Uint8Array>;
            try {
              next = await source.next();
            } catch (error) {
              bodyFailure = { error };
              // fetch would tear the connection down too; aborting says so without relying on it.
              controller.abort();
              throw error;
            }
            if (next.done) stream.close();
            else stream.enqueue(next.value);
          },
          async cancel() {
            await source.return?.(undefined);
          },
        },
        // Pull one chunk at a time: the upload moves at Meta's pace, nothing piles up in memory.
        { highWaterMark: 0 },
      );
      headers['content-type'] = form.contentType;
      if (form.length !== undefined) headers['content-length'] = String(form.length);
      const overall = setTimeout(() => controller.abort(new DOMException('upload timed out', 'TimeoutError')), uploadTimeoutMs);
      overall.unref();
      try {
        let response: Response;
        try {
          response = await doFetch(graphUrl(`${phoneNumberId}/media`, token), {
            method: 'POST',
            headers,
            body,
            duplex: 'half',
            redirect: 'error',
            signal: controller.signal,
          });
        } catch (err) {
          if (bodyFailure) throw bodyFailure.error;
          throw transportError(operation, err);
        }
        if (!response.ok) throw await apiError(operation, response, token);
        let text: string;
        try {
          text = await readLimited(operation, response, MAX_JSON_BODY);
        } catch (err) {
          throw err instanceof MetaRequestError ? err : transportError(operation, err);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new MetaRequestError(operation, 'invalid_response');
        }
        const parsed = UploadBody.safeParse(json);
        if (!parsed.success) throw new MetaRequestError(operation, 'invalid_response');
        return { id: parsed.data.id };
      } finally {
        clearTimeout(overall);
        // Meta may answer (an error) before it read the whole body: stop sending the rest.
        if (!controller.signal.aborted) controller.abort();
      }
    },

    /**
     * `GET /{v}/oauth/access_token?client_id&client_secret&code[&redirect_uri]` (reference §4.1/§4.2).
     * Meta's contract puts the code and the app secret in the query; the URL is never logged, and both
     * are scrubbed from any error. `redirectUri` must be the one the dialog was opened with (omit it for
     * codes from the JS SDK).
     */
    async exchangeCode(input: { appId: string; appSecret: string; code: string; redirectUri?: string }): Promise<OAuthTokenResponse> {
      checkAppId(input.appId);
      checkSecret(input.code, 'authorization code');
      checkSecret(input.appSecret, 'app secret');
      const url = graphUrl('oauth/access_token', undefined, { client_id: input.appId, client_secret: input.appSecret, redirect_uri: input.redirectUri, code: input.code });
      const json = await requestMetaJson(http, 'exchangeCode', { method: 'GET', url, secrets: [input.code, input.appSecret] });
      return parseAccessTokenBody('exchangeCode', json);
    },

    /** `fb_exchange_token`: a short-lived Facebook user token → long-lived (~60 days, reference §4.4). */
    async exchangeForLongLivedToken(input: { appId: string; appSecret: string; accessToken: string }): Promise<OAuthTokenResponse> {
      checkAppId(input.appId);
      checkSecret(input.accessToken, 'access token');
      checkSecret(input.appSecret, 'app secret');
      const url = graphUrl('oauth/access_token', undefined, {
        grant_type: 'fb_exchange_token',
        client_id: input.appId,
        client_secret: input.appSecret,
        fb_exchange_token: input.accessToken,
      });
      const json = await requestMetaJson(http, 'exchangeToken', { method: 'GET', url, secrets: [input.accessToken, input.appSecret] });
      return parseAccessTokenBody('exchangeToken', json);
    },

    /**
     * `GET /debug_token?input_token=` authenticated with the app token `APP_ID|APP_SECRET` (reference
     * §4.7). An invalid input token is a 200 with `isValid: false`; an error is about the app token.
     */
    async debugToken(input: { inputToken: string; appToken: string }): Promise<TokenDebugInfo> {
      checkSecret(input.inputToken, 'input token');
      const url = graphUrl('debug_token', input.appToken, { input_token: input.inputToken });
      const json = await requestMetaJson(http, 'debugToken', { method: 'GET', url, token: input.appToken, secrets: [input.inputToken] });
      return parseDebugTokenBody(json);
    },

    /**
     * `POST /{phone-number-id}/messages` (reference §6.1) with a body from outbound/graph-bodies.ts.
     * Throws MetaApiError for Meta's errors and MetaRequestError otherwise (see requestMetaSend).
     */
    async sendWhatsAppMessage(token: string, phoneNumberId: string, body: object): Promise<WhatsAppSendResult> {
      checkId(phoneNumberId, 'phone number id');
      const json = await requestMetaSend(http, { method: 'POST', url: graphUrl(`${phoneNumberId}/messages`, token), token, json: body });
      return parseWhatsAppSendBody(json);
    },

    /** Mark-as-read (+ typing indicator) on the same endpoint; Meta answers `{success: true}`. */
    async markWhatsAppMessageRead(token: string, phoneNumberId: string, body: object): Promise<void> {
      checkId(phoneNumberId, 'phone number id');
      const json = await requestMetaSend(http, { method: 'POST', url: graphUrl(`${phoneNumberId}/messages`, token), token, json: body });
      expectSuccess('sendMessage', json);
    },

    /**
     * Instagram via Facebook Login: `POST graph.facebook.com/{v}/me/messages` (or `/{page-id}/messages`)
     * with the page token (reference §6.3). Instagram Login channels use the Instagram client instead.
     */
    async sendInstagramMessage(token: string, pageId: string | 'me', body: object): Promise<InstagramSendResult> {
      if (pageId !== 'me') checkId(pageId, 'page id');
      const json = await requestMetaSend(http, { method: 'POST', url: graphUrl(`${pageId}/messages`, token), token, json: body });
      return parseInstagramSendBody(json);
    },

    /** Every phone number of a WABA (reference §5.1), following cursors. */
    async listPhoneNumbers(token: string, wabaId: string): Promise<WhatsAppPhoneNumber[]> {
      checkId(wabaId, 'WABA id');
      const fields = 'id,display_phone_number,verified_name,code_verification_status,quality_rating,name_status,platform_type,throughput,account_mode';
      const rows = await listAll('listPhoneNumbers', `${wabaId}/phone_numbers`, token, { fields }, (json) => {
        const parsed = PhoneNumbersBody.safeParse(json);
        return parsed.success ? parsed.data : undefined;
      });
      return rows.map((n) => ({
        id: n.id,
        displayPhoneNumber: n.display_phone_number,
        verifiedName: n.verified_name,
        codeVerificationStatus: n.code_verification_status,
        qualityRating: n.quality_rating,
        nameStatus: n.name_status,
        platformType: n.platform_type,
        throughputLevel: n.throughput?.level,
        accountMode: n.account_mode,
      }));
    },

    /**
     * `POST /{phone-number-id}/register` (reference §5.1). The PIN goes in the JSON body, never in the
     * URL, and is not part of any error this throws.
     */
    async registerPhoneNumber(token: string, phoneNumberId: string, pin: string): Promise<void> {
      checkId(phoneNumberId, 'phone number id');
      if (!/^\d{6}$/.test(pin)) throw new TypeError('the registration PIN must be 6 digits');
      const json = await graphJson('registerPhoneNumber', 'POST', graphUrl(`${phoneNumberId}/register`, token), token, { json: { messaging_product: 'whatsapp', pin } });
      expectSuccess('registerPhoneNumber', json);
    },

    /** The pages (with page tokens and linked Instagram accounts) a user token grants (reference §5.2). */
    async listPages(token: string): Promise<FacebookPage[]> {
      const fields = 'id,name,access_token,tasks,instagram_business_account{id,username}';
      const rows = await listAll('listPages', 'me/accounts', token, { fields }, (json) => {
        const parsed = PagesBody.safeParse(json);
        return parsed.success ? parsed.data : undefined;
      });
      return rows.map((p) => ({
        id: p.id,
        name: p.name,
        accessToken: p.access_token,
        tasks: p.tasks ?? [],
        instagramAccount: p.instagram_business_account ? { id: p.instagram_business_account.id, username: p.instagram_business_account.username } : undefined,
      }));
    },

    /** `GET /{waba-id|page-id}/subscribed_apps`. */
    async listSubscribedApps(token: string, objectId: string): Promise<SubscribedApp[]> {
      checkId(objectId, 'object id');
      const json = await graphJson('listSubscribedApps', 'GET', graphUrl(`${objectId}/subscribed_apps`, token), token);
      return parseSubscribedAppsBody('listSubscribedApps', json);
    },

    /** `POST /{waba-id|page-id}/subscribed_apps[?subscribed_fields=]`: pages need the fields, WABAs take none. */
    async subscribeApp(token: string, objectId: string, opts: { subscribedFields?: readonly string[] } = {}): Promise<void> {
      checkId(objectId, 'object id');
      const query = opts.subscribedFields ? { subscribed_fields: opts.subscribedFields.join(',') } : {};
      const json = await graphJson('subscribeApp', 'POST', graphUrl(`${objectId}/subscribed_apps`, token, query), token);
      expectSuccess('subscribeApp', json);
    },

    /** `DELETE /{waba-id|page-id}/subscribed_apps`: removes this app's subscription. */
    async unsubscribeApp(token: string, objectId: string): Promise<void> {
      checkId(objectId, 'object id');
      const json = await graphJson('unsubscribeApp', 'DELETE', graphUrl(`${objectId}/subscribed_apps`, token), token);
      expectSuccess('unsubscribeApp', json);
    },
  };
}

export type GraphClient = ReturnType<typeof createGraphClient>;

function checkId(id: string, what: string): void {
  if (typeof id !== 'string' || !GRAPH_ID.test(id)) throw new TypeError(`${what} must be 1-32 digits`);
}

function checkAppId(id: string): void {
  checkId(id, 'app id');
}

/** Codes, tokens and secrets: the message names what was wrong, never the value. */
function checkSecret(value: string, what: string): void {
  if (typeof value !== 'string' || !SECRET_CHARS.test(value)) throw new TypeError(`${what} is empty or has characters Meta never uses`);
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function transportError(operation: GraphOperation, err: unknown, opts: { keepCause?: boolean } = {}): MetaRequestError {
  if (err instanceof MetaRequestError) return err;
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const reason = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
  // The cause is kept for its name/code only: fetch errors carry no header values (tokens are checked
  // before). Calls with secrets in the URL (OAuth) drop it: some fetch errors quote the URL.
  return new MetaRequestError(operation, reason, opts.keepCause === false ? undefined : { cause: err });
}

/** Reads at most `limit` bytes; beyond it either truncates (error bodies) or fails with too_large. */
async function readLimited(operation: GraphOperation, response: Response, limit: number, opts: { truncate?: boolean } = {}): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      if (!opts.truncate) throw new MetaRequestError(operation, 'too_large');
      chunks.push(value.subarray(0, value.byteLength - (size - limit)));
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const GraphErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.coerce.number().int().optional(),
    error_subcode: z.coerce.number().int().optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
    error_data: z.union([z.object({ details: z.string().optional() }).loose(), z.string()]).optional(),
  }).loose(),
});
/** Instagram-Login OAuth endpoints answer `{error_type, code, error_message}` instead (reference §4.3). */
const IgOAuthErrorBody = z.object({ error_type: z.string(), code: z.coerce.number().int(), error_message: z.string().optional() }).loose();

/**
 * Turns an error response into a MetaApiError. `token` and `secrets` (codes, client secrets) are only
 * used to scrub them from Meta's text should Meta ever echo them.
 */
export function parseMetaError(
  operation: GraphOperation,
  httpStatus: number,
  headers: Headers,
  bodyText: string,
  opts: { token?: string; secrets?: ReadonlyArray<string | undefined>; nowMs?: number } = {},
): MetaApiError {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const scrub = (text: string | undefined) => {
    if (text === undefined) return undefined;
    let clean = opts.token ? text.split(opts.token).join('[token]') : text;
    for (const secret of opts.secrets ?? []) if (secret) clean = clean.split(secret).join('[redacted]');
    return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
  };
  const retryAfterMs = retryAfterFrom(headers, opts.nowMs ?? Date.now());
  const graph = GraphErrorBody.safeParse(json);
  if (graph.success) {
    const e = graph.data.error;
    return new MetaApiError({
      operation,
      httpStatus,
      code: e.code,
      subcode: e.error_subcode,
      type: e.type,
      fbtraceId: e.fbtrace_id,
      metaTransientFlag: e.is_transient,
      retryAfterMs,
      metaMessage: scrub(e.message),
      details: scrub(typeof e.error_data === 'string' ? e.error_data : e.error_data?.details),
    });
  }
  const ig = IgOAuthErrorBody.safeParse(json);
  if (ig.success) {
    return new MetaApiError({
      operation,
      httpStatus,
      code: ig.data.code,
      subcode: undefined,
      type: ig.data.error_type,
      fbtraceId: undefined,
      metaTransientFlag: undefined,
      retryAfterMs,
      metaMessage: scrub(ig.data.error_message),
      details: undefined,
    });
  }
  return new MetaApiError({
    operation,
    httpStatus,
    code: undefined,
    subcode: undefined,
    type: undefined,
    fbtraceId: headers.get('x-fb-trace-id') ?? undefined,
    metaTransientFlag: undefined,
    retryAfterMs,
    metaMessage: undefined,
    details: undefined,
  });
}

/**
 * `Retry-After` (seconds or HTTP date) or the largest `estimated_time_to_regain_access` (minutes) in
 * `X-Business-Use-Case-Usage`; undefined when neither says anything useful.
 */
export function retryAfterFrom(headers: Headers, nowMs: number): number | undefined {
  const candidates: number[] = [];
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) candidates.push(Number(retryAfter) * 1000);
    else if (!Number.isNaN(Date.parse(retryAfter))) candidates.push(Math.max(0, Date.parse(retryAfter) - nowMs));
  }
  const buc = headers.get('x-business-use-case-usage');
  if (buc) {
    try {
      const usage = JSON.parse(buc) as unknown;
      if (usage && typeof usage === 'object') {
        for (const entries of Object.values(usage)) {
          if (!Array.isArray(entries)) continue;
          for (const entry of entries) {
            const minutes = (entry as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access;
            if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0) candidates.push(minutes * 60_000);
          }
        }
      }
    } catch {
      // A malformed usage header is ignored, like an absent one.
    }
  }
  return candidates.length ? Math.max(...candidates) : undefined;
}
