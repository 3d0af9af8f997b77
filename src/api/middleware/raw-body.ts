import type Koa from 'koa';
import getRawBody from 'raw-body';

/**
 * Reads the body as the exact bytes received, with a limit, for routes that verify a signature over
 * them. Oversized bodies become 413 (payload_too_large) before any work is done.
 */
export function rawBody(options: { limit: number }): Koa.Middleware {
  return async function readRawBody(ctx, next) {
    const length = ctx.get('content-length');
    ctx.state.rawBody = await getRawBody(ctx.req, { length: length || undefined, limit: options.limit });
    await next();
  };
}
