import { randomUUID } from 'node:crypto';
import type Koa from 'koa';

const VALID_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Every request gets an id (the caller's X-Request-Id when well-formed) echoed back and put in logs. */
export function requestId(): Koa.Middleware {
  return async function assignRequestId(ctx, next) {
    const given = ctx.get('x-request-id');
    const id = VALID_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
