import Koa from 'koa';
import type Router from '@koa/router';
import type { Histogram } from 'prom-client';
import type { Logger } from '../logger.js';
import { errorMiddleware } from './errors.js';
import { accessLog } from './middleware/access-log.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';

export interface AppDeps {
  log: Logger;
  /**
   * Behind one TLS-terminating proxy: X-Forwarded-Proto is believed and the client address is the last
   * X-Forwarded-For entry (the one that proxy appended; earlier entries are whatever the client sent).
   */
  trustProxy: boolean;
  /** PUBLIC_BASE_URL is https: HSTS on every response (see securityHeaders). */
  httpsPublicUrl?: boolean;
  /** Public routers (health, webhooks, pages, well-known): mounted as given. */
  publicRoutes: readonly Router[];
  /** DSK's REST API: every route behind `dskAuth`, which puts the instance id on ctx.state. */
  dskAuth: Koa.Middleware;
  dskRoutes: readonly Router[];
  /** `http_request_duration_seconds`; omitted in tests that do not look at it. */
  httpDuration?: Histogram<'method' | 'route' | 'status'>;
}

/** Composes the HTTP API from its parts; never listens (tests drive `app.callback()`). */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy, maxIpsCount: deps.trustProxy ? 1 : 0 });
  // Koa's default handler would print errors to stderr with request details; ours logs ids only.
  app.silent = true;
  app.use(requestId());
  app.use(accessLog(deps.log, deps.httpDuration ? { duration: deps.httpDuration } : {}));
  app.use(errorMiddleware(deps.log));
  app.use(securityHeaders({ httpsPublicUrl: deps.httpsPublicUrl ?? false }));
  for (const router of deps.publicRoutes) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  const dskAuth = deps.dskAuth;
  app.use(async (ctx, next) => {
    if (ctx.path === '/v1' || ctx.path.startsWith('/v1/')) {
      await dskAuth(ctx, async () => {
        for (const router of deps.dskRoutes) {
          // Compose the DSK routers behind the auth check; allowedMethods answers 405 for known paths.
          await router.routes()(ctx as never, async () => undefined);
          if (ctx.body !== undefined || ctx.status !== 404) return;
        }
      });
      return;
    }
    await next();
  });
  return app;
}
