import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { operatorAccess } from '../middleware/operator-access.js';

export interface MetricsRouteDeps {
  registry: Registry;
  /** METRICS_TOKEN; unset: callers on this machine only (a sidecar or node agent scraping locally). */
  token: string | undefined;
}

/** `GET /metrics` in Prometheus text format, for the api process's registry. */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = new Router();
  router.get('/metrics', operatorAccess({ token: deps.token, loopbackWithoutToken: true, tokenVariable: 'METRICS_TOKEN' }), async (ctx) => {
    const text = await deps.registry.metrics();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.registry.contentType;
    ctx.body = text;
  });
  return router;
}
