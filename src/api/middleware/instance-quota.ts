import type Koa from 'koa';
import type { InstanceQuotas } from '../../db/instance-quotas.js';
import { ApiError } from '../errors.js';

const WINDOW_MS = 60_000;

/**
 * Per-instance request quota on `/v1`, after authentication: `perMinute` requests per instance per
 * minute, shared by every replica; over it `429 quota_exceeded` with `Retry-After` (seconds to the
 * next window). One instance cannot starve the others of the api, the database or Temporal.
 */
export function instanceQuota(deps: { quotas: Pick<InstanceQuotas, 'take'>; perMinute: number; clock: () => Date }): Koa.Middleware {
  return async function limitInstance(ctx, next) {
    const instanceId: unknown = ctx.state.instanceId;
    if (typeof instanceId === 'string' && deps.perMinute > 0) {
      const now = deps.clock();
      const { count, windowEndsAt } = await deps.quotas.take(instanceId, now, WINDOW_MS);
      if (count > deps.perMinute) {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil((windowEndsAt.getTime() - now.getTime()) / 1000))));
        throw new ApiError(429, 'quota_exceeded', `This instance made more than ${deps.perMinute} requests this minute`);
      }
    }
    await next();
  };
}

/** Runs `second` inside `first`: authentication, then what needs the authenticated instance. */
export function chain(first: Koa.Middleware, second: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => first(ctx, () => second(ctx, next));
}
