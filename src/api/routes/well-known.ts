import { Router } from '@koa/router';
import type { ServiceSigningKey } from '../../dsk/service-keys.js';

export interface WellKnownDeps {
  signingKey: Pick<ServiceSigningKey, 'publicJwks'>;
}

/**
 * Public endpoints DSK reads without authentication: the service's JWKS, with which DSK verifies
 * the tokens on our event deliveries. Five minutes of caching keeps DSK's fetches cheap; it is also
 * how long a verifier that does not refetch on an unknown `kid` may lag behind a rotation.
 */
export function wellKnownRoutes({ signingKey }: WellKnownDeps): Router {
  const router = new Router();
  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = signingKey.publicJwks();
  });
  return router;
}
