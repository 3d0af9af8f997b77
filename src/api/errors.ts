import type Koa from 'koa';
import type { Logger } from '../logger.js';

/** The one error type handlers throw; rendered as `{error: {code, message, details?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Sent as `Retry-After` (a quota, a throttle) by the error middleware. */
    readonly options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Stable codes for the errors that libraries (raw-body, koa) raise with an HTTP status. */
const HTTP_ERROR_CODES: Record<string, { code: string; message: string }> = {
  'entity.too.large': { code: 'payload_too_large', message: 'Request body is larger than allowed' },
  'request.size.invalid': { code: 'invalid_request_size', message: 'Request body length does not match Content-Length' },
  'request.aborted': { code: 'request_aborted', message: 'Request was aborted by the client' },
  'encoding.unsupported': { code: 'unsupported_encoding', message: 'Request body encoding is not supported' },
  'charset.unsupported': { code: 'unsupported_charset', message: 'Request body charset is not supported' },
};

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
};

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/** Maps an ApiError, or an exposed 4xx error from a library, to what the client may see. */
export function asApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const httpErr = err as HttpErrorLike;
  const status = httpErr.status ?? httpErr.statusCode;
  // The router answers a method it does not know at all with 501: a client error in substance.
  if (status === 501) return new ApiError(501, 'method_not_implemented', 'This HTTP method is not supported');
  if (typeof status !== 'number' || status < 400 || status >= 500 || httpErr.expose === false) return undefined;
  const known = httpErr.type ? HTTP_ERROR_CODES[httpErr.type] : undefined;
  if (known) return new ApiError(status, known.code, known.message);
  return new ApiError(status, STATUS_CODES[status] ?? 'bad_request', httpErr.expose ? String(httpErr.message) : 'Bad request');
}

/** A 429 whose cause named no wait (Meta throttling without Retry-After): Meta's rate windows are per minute or longer. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Top of the middleware chain: every error becomes JSON with a stable code. Unknown errors are a
 * 500 without detail, logged once with ids only (never the request body or the error's message,
 * which could carry content).
 */
export function errorMiddleware(log: Logger): Koa.Middleware {
  return async function renderErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'not_found', 'No such route');
      }
    } catch (err) {
      const known = asApiError(err);
      ctx.status = known?.status ?? 500;
      if (known?.options.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(known.options.retryAfterSeconds));
      // Every 429 says when to come back, including Meta throttling that named no wait of its own.
      if (ctx.status === 429 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', String(DEFAULT_RETRY_AFTER_SECONDS));
      ctx.type = 'application/json';
      ctx.body = {
        error: known
          ? { code: known.code, message: known.message, ...(known.details === undefined ? {} : { details: known.details }) }
          : { code: 'internal', message: 'Internal error' },
      };
      const fields = { requestId: ctx.state.requestId as string | undefined, method: ctx.method, route: routeOf(ctx), status: ctx.status };
      if (known) {
        log.info({ ...fields, errorCode: known.code }, 'request rejected');
      } else {
        log.error({ ...fields, errorName: errorName(err), stack: errorStack(err) }, 'unhandled error');
      }
    }
  };
}

function routeOf(ctx: Koa.Context): string {
  return (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/** Stack frames only: the first line (the message) is dropped because it may quote input. */
function errorStack(err: unknown): string | undefined {
  return err instanceof Error ? err.stack?.split('\n').slice(1, 8).join('\n') : undefined;
}
