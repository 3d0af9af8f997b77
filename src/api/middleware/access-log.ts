import type Koa from 'koa';
import type { Logger } from '../../logger.js';

/**
 * One line per request: method, matched route pattern, status, duration, request id. Never the query
 * string or body: OAuth codes, state and verify tokens travel in query strings.
 */
export function accessLog(log: Logger): Koa.Middleware {
  return async function logRequest(ctx, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      log.debug({ requestId: ctx.state.requestId, method: ctx.method, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
