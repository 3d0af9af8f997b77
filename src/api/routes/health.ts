import Router from '@koa/router';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

/** `/healthz`: the process is alive. `/readyz`: every dependency answers, else 503 naming the failing ones. */
export function healthRoutes(checks: readonly ReadinessCheck[]): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
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
