import type Koa from 'koa';
import type { Counter } from 'prom-client';
import { asApiError } from '../errors.js';

/**
 * Counts a route's responses by HTTP status. Errors are rendered further up (errorMiddleware), so a
 * thrown error is counted with the status it will be rendered with: its ApiError status, else 500.
 */
export function countResponses(counter: Counter<'status'>): Koa.Middleware {
  return async function countResponse(ctx, next) {
    try {
      await next();
      counter.inc({ status: String(ctx.status) });
    } catch (err) {
      counter.inc({ status: String(asApiError(err)?.status ?? 500) });
      throw err;
    }
  };
}
