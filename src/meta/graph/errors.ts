import { z } from 'zod';
import { classifyMetaError, isRetryableClass, type MetaErrorClass } from './error-classes.js';

/*
 * What a call to any Meta host (graph.facebook.com, graph.instagram.com, api.instagram.com) fails
 * with: MetaApiError when Meta answered with an error, MetaRequestError when no usable answer came
 * back. What either means for the service (retry, reauth, the stable code DSK sees) is decided once,
 * in failure.ts.
 */

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
  /** `GET /{phone-number-id}`: whether and how the number is registered. */
  | 'getPhoneNumber'
  | 'getProfile'
  /** `GET /{waba-id}/message_templates`, `POST` and `DELETE` on the same edge. */
  | 'listTemplates'
  | 'createTemplate'
  | 'deleteTemplate'
  /** `GET` / `POST /{phone-number-id}/whatsapp_business_profile`. */
  | 'getBusinessProfile'
  | 'updateBusinessProfile'
  /** The Resumable Upload API: `POST /{app-id}/uploads`, then `POST /upload:<session>`. */
  | 'uploadFile'
  /** Instagram `GET /{igsid}?fields=name,username,profile_pic`. */
  | 'getSenderProfile'
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
   * Meta. Only the Send API calls tell it apart from `network`: a send that fails this way is safe
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
  const common = { operation, httpStatus, retryAfterMs };
  const graph = GraphErrorBody.safeParse(json);
  if (graph.success) {
    const e = graph.data.error;
    return new MetaApiError({
      ...common,
      code: e.code,
      subcode: e.error_subcode,
      type: e.type,
      fbtraceId: e.fbtrace_id,
      metaTransientFlag: e.is_transient,
      metaMessage: scrub(e.message),
      details: scrub(typeof e.error_data === 'string' ? e.error_data : e.error_data?.details),
    });
  }
  const ig = IgOAuthErrorBody.safeParse(json);
  if (ig.success) {
    return new MetaApiError({
      ...common,
      code: ig.data.code,
      subcode: undefined,
      type: ig.data.error_type,
      fbtraceId: undefined,
      metaTransientFlag: undefined,
      metaMessage: scrub(ig.data.error_message),
      details: undefined,
    });
  }
  return new MetaApiError({
    ...common,
    code: undefined,
    subcode: undefined,
    type: undefined,
    fbtraceId: headers.get('x-fb-trace-id') ?? undefined,
    metaTransientFlag: undefined,
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
