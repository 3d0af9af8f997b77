import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type Koa from 'koa';
import type { Client } from '@temporalio/client';
import type { Foundation } from '../runtime.js';
import { temporalReachable } from '../temporal/client.js';
import { createInboundIntake } from '../inbound/intake.js';
import { createApp } from './app.js';
import { createDskAuth } from './middleware/dsk-auth.js';
import { healthRoutes } from './routes/health.js';
import { metaWebhookRoutes } from './routes/meta-webhooks.js';
import { wellKnownRoutes } from './routes/well-known.js';
import { loadOpenApiDocument, openApiRoutes } from './routes/openapi.js';
import { instanceRoutes } from './routes/instance.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { createRedelivery } from '../inbound/redelivery.js';
import { createChannelTokens } from '../db/channel-tokens.js';
import { mediaRoutes } from './routes/media.js';
import { channelMediaRoutes } from './routes/channel-media.js';
import { channelRoutes } from './routes/channels.js';
import { messageRoutes } from './routes/messages.js';
import { connectPageRoutes } from './routes/connect-pages.js';
import { connectionRoutes } from './routes/connections.js';
import { metaCallbackRoutes } from './routes/meta-callbacks.js';
import { codecRoutes } from './routes/codec.js';
import { metricsRoutes } from './routes/metrics.js';
import { loadPrivacyPolicy, privacyRoutes } from './routes/privacy.js';
import { createTokenBuckets, rateLimit } from './middleware/rate-limit.js';
import type { ConnectionTiming } from '../shared/connections.js';

/** How long a connect link and its session live. */
export const SESSION_TTL_MS = 30 * 60 * 1000;

/** Wires the Koa app from the foundation and a Temporal client; shared by main-api, dev and tests. */
export function buildApi(f: Foundation, temporal: Client, options: { connectionTiming?: ConnectionTiming; outbound?: { defaultWaitMs?: number; reconcileWindowMs?: number } } = {}) {
  const { config, log } = f;
  const intake = createInboundIntake({
    webhookLog: f.repos.webhookLog,
    workflows: temporal.workflow,
    taskQueue: config.temporal.taskQueue,
    deliveryHorizon: config.delivery.horizon,
    clock: f.clock,
    log,
    metrics: f.metrics,
  });
  const key = config.dskAuth.key;
  // One budget per client address across every public page and callback; never on /webhooks/meta.
  const limits = config.http.rateLimit;
  const publicRateLimit = limits
    ? rateLimit(createTokenBuckets({ burst: limits.burst, perMinute: limits.perMinute }), { onLimited: () => f.metrics.rateLimited.inc() })
    : undefined;
  const limited = publicRateLimit ? { rateLimit: publicRateLimit } : {};
  return createApp({
    log,
    trustProxy: config.http.trustProxy,
    httpsPublicUrl: config.http.publicBaseUrl.startsWith('https://'),
    publicRoutes: [
      healthRoutes([
        { name: 'postgres', check: async () => (await f.pool.query('select 1')).rowCount === 1 },
        { name: 'temporal', check: () => temporalReachable(temporal) },
      ]),
      wellKnownRoutes({ signingKey: f.signingKey }),
      openApiRoutes({ document: loadOpenApiDocument() }),
      metaWebhookRoutes({
        appSecrets: config.meta.appSecrets,
        verifyToken: config.meta.verifyToken,
        maxBodyBytes: config.meta.webhookMaxBytes,
        intake,
        metrics: f.metrics,
        clock: f.clock,
        log,
      }),
      codecRoutes({
        codecs: f.payloadCodecs,
        namespace: config.temporal.namespace,
        corsOrigins: config.codec.corsOrigins,
        authToken: config.codec.authToken,
        loopbackWithoutToken: config.env !== 'production',
        maxBodyBytes: config.codec.maxBytes,
        log,
      }),
      metricsRoutes({ registry: f.metrics.registry, token: config.metrics.token }),
      connectPageRoutes({
        connections: f.repos.connections,
        workflows: temporal.workflow,
        vault: f.vault,
        connectors: f.connectors,
        publicBaseUrl: config.http.publicBaseUrl,
        clock: f.clock,
        log,
        ...limited,
      }),
      metaCallbackRoutes({
        appSecrets: config.meta.appSecrets,
        channels: f.repos.channels,
        lifecycle: f.repos.channelLifecycle,
        workflows: temporal.workflow,
        pool: f.pool,
        publicBaseUrl: config.http.publicBaseUrl,
        clock: f.clock,
        log,
        ...limited,
      }),
      privacyRoutes({ page: loadPrivacyPolicy(), ...limited }),
    ],
    dskAuth: createDskAuth({
      issuer: config.dskAuth.issuer,
      audience: config.dskAuth.audience,
      algorithms: config.dskAuth.algorithms,
      instanceClaim: config.dskAuth.instanceClaim,
      key: key.kind === 'public-key' ? { kind: 'public-key', pem: key.pem, alg: config.dskAuth.algorithms[0]! } : key,
      log,
    }),
    dskRoutes: [
      instanceRoutes({ instances: f.repos.instances, httpsOnly: config.env === 'production' }),
      deliveryRoutes({
        redelivery: createRedelivery({ webhookLog: f.repos.webhookLog, workflows: temporal.workflow, taskQueue: config.temporal.taskQueue, clock: f.clock, log }),
      }),
      mediaRoutes({ channels: createChannelTokens(f.pool), vault: f.vault, adapters: f.adapters, log }),
      channelMediaRoutes({ channels: createChannelTokens(f.pool), vault: f.vault, adapters: f.adapters, clock: f.clock, log }),
      connectionRoutes({
        connections: f.repos.connections,
        channels: f.repos.channels,
        workflows: temporal.workflow,
        taskQueue: config.temporal.taskQueue,
        publicBaseUrl: config.http.publicBaseUrl,
        enabledFlows: config.enabledFlows,
        sessionTtlMs: SESSION_TTL_MS,
        ...(options.connectionTiming ? { timing: options.connectionTiming } : {}),
        clock: f.clock,
      }),
      channelRoutes({ channels: f.repos.channels, lifecycle: f.repos.channelLifecycle, workflows: temporal.workflow, pool: f.pool, clock: f.clock }),
      messageRoutes({
        channels: f.repos.channels,
        workflows: temporal.workflow,
        taskQueue: config.temporal.taskQueue,
        deliveryHorizon: config.delivery.horizon,
        ...(options.outbound ?? {}),
        log,
      }),
    ],
  });
}

export type ApiServer = http.Server | https.Server;

/** PEM files of the native TLS option (TLS_CERT_FILE / TLS_KEY_FILE). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

async function readTls(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  return { cert, key };
}

/**
 * The api's HTTP server: plain HTTP when TLS is terminated in front, else HTTPS with the given files
 * (TLS 1.2 at least). Not listening yet.
 */
export async function createApiServer(app: Koa, tls: TlsFiles | undefined): Promise<ApiServer> {
  if (!tls) return http.createServer(app.callback());
  return https.createServer({ ...(await readTls(tls)), minVersion: 'TLSv1.2' }, app.callback());
}

/** Swaps in renewed certificate files without dropping connections (main-api calls it on SIGHUP). */
export async function reloadTls(server: https.Server, tls: TlsFiles): Promise<void> {
  server.setSecureContext({ ...(await readTls(tls)), minVersion: 'TLSv1.2' });
}

/** Stops accepting connections and waits for in-flight requests (bounded). */
export function closeServer(server: ApiServer, timeoutMs = 10_000): Promise<void> {
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
