import type Koa from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from '../errors.js';

/**
 * Reads the body as the exact bytes received, with a limit, for routes that verify a signature over
 * them. Oversized bodies become 413 (payload_too_large) before any work is done. A body that does not
 * arrive within `timeoutMs` is cut off with 408: a client trickling megabytes must not hold memory
 * and a socket for the server's whole request timeout.
 */
export function rawBody(options: { limit: number; timeoutMs?: number }): Koa.Middleware {
  return async function readRawBody(ctx, next) {
    const length = ctx.get('content-length');
    const reading = getRawBody(ctx.req, { length: length || undefined, limit: options.limit });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (options.timeoutMs === undefined) return;
      timer = setTimeout(() => {
        reading.catch(() => undefined);
        ctx.req.unpipe();
        ctx.req.pause();
        ctx.set('Connection', 'close');
        reject(new ApiError(408, 'request_timeout', 'The request body did not arrive in time'));
      }, options.timeoutMs);
    });
    try {
      ctx.state.rawBody = await Promise.race([reading, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await next();
  };
}
