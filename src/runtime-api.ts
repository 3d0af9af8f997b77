import type { Client } from '@temporalio/client';
import { SESSION_TTL_MS } from './api/server.js';
import type { Foundation } from './runtime.js';
import { createWorkflowClient } from './temporal/client.js';
import { temporalReachable } from './temporal/connect.js';
import { createInboundIntake } from './inbound/intake.js';
import { createWabaRouting } from './inbound/waba-routing.js';
import { createApp } from './api/app.js';
import { createDskAuth } from './api/middleware/dsk-auth.js';
import { healthRoutes } from './api/routes/health.js';
import { metaWebhookRoutes } from './api/routes/meta-webhooks.js';
import { wellKnownRoutes } from './api/routes/well-known.js';
import { loadOpenApiDocument, openApiRoutes } from './api/routes/openapi.js';
import { instanceRoutes } from './api/routes/instance.js';
import { deliveryRoutes } from './api/routes/deliveries.js';
import { createRedelivery } from './inbound/redelivery.js';
import { databaseReachable } from './db/pool.js';
import { mediaRoutes } from './api/routes/media.js';
import { channelMediaRoutes } from './api/routes/channel-media.js';
import { channelRoutes } from './api/routes/channels.js';
import { templateRoutes } from './api/routes/templates.js';
import { businessProfileRoutes } from './api/routes/business-profile.js';
import { storedMediaRoutes } from './api/routes/stored-media.js';
import { messageRoutes } from './api/routes/messages.js';
import { createSendIdempotency } from './api/send-idempotency.js';
import { connectPageRoutes } from './api/routes/connect-pages.js';
import { connectionRoutes } from './api/routes/connections.js';
import { metaCallbackRoutes } from './api/routes/meta-callbacks.js';
import { codecRoutes } from './api/routes/codec.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { loadPrivacyPolicy, privacyRoutes } from './api/routes/privacy.js';
import { createTokenBuckets, rateLimit } from './api/middleware/rate-limit.js';
import { chain, instanceQuota } from './api/middleware/instance-quota.js';
import type { ConnectionTiming } from './shared/connections.js';

/**
 * The API process's composition: the Koa app wired from the foundation and a Temporal client, through
 * which every route reaches workflows only via the workflow client. Shared by main-api, dev and tests;
 * it never loads activities.
 */
export function buildApi(f: Foundation, temporal: Client, options: { connectionTiming?: ConnectionTiming; outbound?: { defaultWaitMs?: number; reconcileWindowMs?: number } } = {}) {
  const { config, log } = f;
  const workflows = createWorkflowClient({ client: temporal, taskQueue: config.temporal.taskQueue, channels: f.repos.channels, clock: f.clock });
  const intake = createInboundIntake({
    webhookLog: f.repos.webhookLog,
    workflows,
    wabaRouting: createWabaRouting({ routing: f.repos.routing }),
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
    httpDuration: f.metrics.httpRequestDuration,
    httpsPublicUrl: config.http.publicBaseUrl.startsWith('https://'),
    publicRoutes: [
      healthRoutes(
        [
          { name: 'postgres', check: () => databaseReachable(f.pool) },
          { name: 'temporal', check: () => temporalReachable(temporal) },
        ],
        limited,
      ),
      wellKnownRoutes({ signingKey: f.signingKey, ...limited }),
      openApiRoutes({ document: loadOpenApiDocument(), ...limited }),
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
        sessions: f.repos.sessions,
        workflows,
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
        deletionRequests: f.repos.deletionRequests,
        workflows,
        publicBaseUrl: config.http.publicBaseUrl,
        clock: f.clock,
        log,
        ...limited,
      }),
      privacyRoutes({ page: loadPrivacyPolicy(), ...limited }),
    ],
    dskAuth: chain(
      createDskAuth({
      issuer: config.dskAuth.issuer,
      audience: config.dskAuth.audience,
      algorithms: config.dskAuth.algorithms,
      instanceClaim: config.dskAuth.instanceClaim,
      maxTokenAgeSeconds: config.dskAuth.maxAgeSeconds,
      maxLifetimeSeconds: config.dskAuth.maxAgeSeconds,
      key: key.kind === 'public-key' ? { kind: 'public-key', pem: key.pem, alg: config.dskAuth.algorithms[0]! } : key,
      log,
      }),
      instanceQuota({ quotas: f.repos.instanceQuotas, perMinute: config.quotas.requestsPerMinute, clock: f.clock }),
    ),
    dskRoutes: [
      instanceRoutes({ instances: f.repos.instances, httpsOnly: config.env === 'production', egress: f.egress }),
      deliveryRoutes({
        redelivery: createRedelivery({ webhookLog: f.repos.webhookLog, workflows, clock: f.clock, log }),
      }),
      mediaRoutes({ channels: f.repos.channels, vault: f.vault, adapters: f.adapters, log }),
      channelMediaRoutes({ channels: f.repos.channels, vault: f.vault, adapters: f.adapters, clock: f.clock, log }),
      connectionRoutes({
        connections: f.repos.connections,
        sessions: f.repos.sessions,
        channels: f.repos.channels,
        workflows,
        publicBaseUrl: config.http.publicBaseUrl,
        enabledFlows: config.enabledFlows,
        sessionTtlMs: SESSION_TTL_MS,
        httpsOnly: config.env === 'production',
        openConnections: { limit: config.quotas.openConnections, count: (instanceId, now) => f.repos.connections.openForInstance(instanceId, now) },
        ...(options.connectionTiming ? { timing: options.connectionTiming } : {}),
        clock: f.clock,
      }),
      channelRoutes({
        channels: f.repos.channels,
        webhookLog: f.repos.webhookLog,
        messageStatus: f.repos.messageStatus,
        outboundSends: f.repos.outboundSends,
        mediaObjects: f.repos.mediaObjects,
        workflows,
        clock: f.clock,
      }),
      messageRoutes({
        channels: f.repos.channels,
        sends: createSendIdempotency({ sends: f.repos.outboundSends, workflows, clock: f.clock, log, openSendLimit: config.quotas.openSends }),
        deliveryHorizon: config.delivery.horizon,
        ...(options.outbound ?? {}),
        log,
        templates: f.templates,
      }),
      templateRoutes({ channels: f.repos.channels, templates: f.templates, log }),
      businessProfileRoutes({ channels: f.repos.channels, vault: f.vault, adapters: f.adapters, log }),
      storedMediaRoutes({ channels: f.repos.channels, objects: f.repos.mediaObjects, store: f.mediaStore, vault: f.vault, adapters: f.adapters, clock: f.clock, log }),
    ],
  });
}
