import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Foundation } from '../runtime.js';
import { temporalReachable } from '../temporal/client.js';
import { createInboundIntake } from '../inbound/intake.js';
import { createApp } from './app.js';
import { createDskAuth } from './middleware/dsk-auth.js';
import { healthRoutes } from './routes/health.js';
import { metaWebhookRoutes } from './routes/meta-webhooks.js';
import { wellKnownRoutes } from './routes/well-known.js';
import { instanceRoutes } from './routes/instance.js';

/** Wires the Koa app from the foundation and a Temporal client; shared by main-api, dev and tests. */
export function buildApi(f: Foundation, temporal: Client) {
  const { config, log } = f;
  const intake = createInboundIntake({
    webhookLog: f.repos.webhookLog,
    workflows: temporal.workflow,
    taskQueue: config.temporal.taskQueue,
    deliveryHorizon: config.delivery.horizon,
    clock: f.clock,
    log,
  });
  const key = config.dskAuth.key;
  return createApp({
    log,
    trustProxy: config.http.trustProxy,
    publicRoutes: [
      healthRoutes([
        { name: 'postgres', check: async () => (await f.pool.query('select 1')).rowCount === 1 },
        { name: 'temporal', check: () => temporalReachable(temporal) },
      ]),
      wellKnownRoutes({ signingKey: f.signingKey }),
      metaWebhookRoutes({
        appSecrets: config.meta.appSecrets,
        verifyToken: config.meta.verifyToken,
        maxBodyBytes: config.meta.webhookMaxBytes,
        intake,
        clock: f.clock,
        log,
      }),
    ],
    dskAuth: createDskAuth({
      issuer: config.dskAuth.issuer,
      audience: config.dskAuth.audience,
      algorithms: config.dskAuth.algorithms,
      instanceClaim: config.dskAuth.instanceClaim,
      key: key.kind === 'public-key' ? { kind: 'public-key', pem: key.pem, alg: config.dskAuth.algorithms[0]! } : key,
      log,
    }),
    dskRoutes: [instanceRoutes({ instances: f.repos.instances })],
  });
}

/** Stops accepting connections and waits for in-flight requests (bounded). */
export function closeServer(server: Server, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
