import Router from '@koa/router';
import type Koa from 'koa';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

/** How long one readiness answer is reused: probes and callers never multiply database and Temporal calls. */
const READY_CACHE_MS = 1_500;

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers, else 503 naming the failing
 * ones. `/readyz` costs a database query and a Temporal call, and is public: its result is computed
 * at most once per 1.5 s (concurrent callers share one run), and both are behind the public
 * per-address limit when one is given.
 */
export function healthRoutes(checks: readonly ReadinessCheck[], options: { rateLimit?: Koa.Middleware; now?: () => number } = {}): Router {
  const router = new Router();
  const now = options.now ?? (() => performance.now());
  let cached: { at: number; results: Promise<Array<readonly [string, boolean]>> } | undefined;
  const readiness = () => {
    const t = now();
    if (!cached || t - cached.at >= READY_CACHE_MS) {
      cached = { at: t, results: Promise.all(checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const)) };
    }
    return cached.results;
  };
  if (options.rateLimit) router.use(options.rateLimit);
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await readiness();
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    ctx.set('Cache-Control', 'no-store');
    if (failing.length > 0) {
      ctx.status = 503;
      ctx.body = {
        error: { code: 'not_ready', message: `Unavailable: ${failing.join(', ')}`, details: { failing } },
      };
      return;
    }
    ctx.body = { status: 'ready', checks: Object.fromEntries(results) };
  });
  return router;
}
