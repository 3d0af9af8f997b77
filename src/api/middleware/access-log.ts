import type Koa from 'koa';
import type { Histogram } from 'prom-client';
import type { Logger } from '../../logger.js';

/** Probes and scrapes come every few seconds: logged at debug, so `info` stays readable. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One `request` line per request at info (method, matched route pattern, status, duration, request
 * id, and for DSK calls the instance and the JWT subject), timed into `http_request_duration_seconds`;
 * plus an `audit` line for every change DSK makes through /v1 (who, which instance, what, outcome).
 * Never the path's ids, the query string or the body: OAuth codes, state and verify tokens travel in
 * query strings, and bodies hold message content. A route adds its own counts to the line through
 * `ctx.state.logFields` (ids and counts only), so a busy route costs one line per request, not two.
 */
export function accessLog(log: Logger, options: { duration?: Histogram<'method' | 'route' | 'status'> } = {}): Koa.Middleware {
  return async function logRequest(ctx, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const status = ctx.status;
      options.duration?.observe({ method: ctx.method, route, status: String(status) }, seconds);
      const auth = ctx.state.auth as { subject?: string; instanceId?: string } | undefined;
      const who = auth ? { instanceId: auth.instanceId, subject: auth.subject ?? null } : {};
      const fields = ctx.state.logFields as Record<string, unknown> | undefined;
      const line = { requestId: ctx.state.requestId, method: ctx.method, route, status, ms: Math.round(seconds * 10_000) / 10, ...who, ...fields };
      if (QUIET_ROUTES.has(route)) log.debug(line, 'request');
      else log.info(line, 'request');
      if (auth && MUTATING.has(ctx.method)) log.info({ audit: true, ...line }, 'audit');
    }
  };
}
