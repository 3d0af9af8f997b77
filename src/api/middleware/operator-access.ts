import type Koa from 'koa';
import { decideOperatorAccess, type OperatorAccessOptions } from '../../operator-access.js';
import { ApiError } from '../errors.js';

/** Koa form of the rule in src/operator-access.ts (which the worker's metrics server uses without Koa): rejects with an ApiError, and records how the caller got in on `ctx.state.operatorAccess`. */
export function operatorAccess(options: OperatorAccessOptions): Koa.Middleware {
  return async function checkOperatorAccess(ctx, next) {
    const access = decideOperatorAccess(ctx.req, options);
    if (!access.ok) {
      if (access.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(access.status, access.code, access.message);
    }
    ctx.state.operatorAccess = access.via;
    await next();
  };
}
