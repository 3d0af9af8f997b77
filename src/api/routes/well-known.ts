import { Router } from '@koa/router';
import type Koa from 'koa';
import type { ServiceSigningKey } from '../../dsk/service-keys.js';

export interface WellKnownDeps {
  signingKey: Pick<ServiceSigningKey, 'publicJwks'>;
  /** The public per-address limit (api/middleware/rate-limit.ts); omitted: none. */
  rateLimit?: Koa.Middleware;
}

/**
 * Public endpoints DSK reads without authentication: the service's JWKS, with which DSK verifies
 * the tokens on our event deliveries. Five minutes of caching keeps DSK's fetches cheap; it is also
 * how long a verifier that does not refetch on an unknown `kid` may lag behind a rotation.
 */
export function wellKnownRoutes({ signingKey, rateLimit }: WellKnownDeps): Router {
  const router = new Router();
  if (rateLimit) router.use(rateLimit);
  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = signingKey.publicJwks();
  });
  return router;
}
