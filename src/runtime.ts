import type { PayloadCodec } from '@temporalio/common';
import { Registry } from 'prom-client';
import type { Config } from './config.js';
import { createMetrics, instrumentDskClient, type Metrics } from './metrics.js';
import { createPayloadCodecs } from './temporal/encryption-codec.js';
import { createPool, type Pool } from './db/pool.js';
import { createInstances } from './db/instances.js';
import { createRouting } from './db/routing.js';
import { createWebhookLog } from './db/webhook-log.js';
import { createMessageStatusStore } from './db/message-status.js';
import { createChannels } from './db/channels.js';
import { createConnectionSessions } from './db/connection-sessions.js';
import { createConnections } from './db/connections.js';
import { createDeletionRequests } from './db/deletion-requests.js';
import { createOutboundSends } from './db/outbound-sends.js';
import { createInstanceQuotas } from './db/instance-quotas.js';
import { createMessageTemplates } from './db/message-templates.js';
import { createMediaObjects } from './db/media-objects.js';
import type { BlobStore } from './media/blob-store.js';
import { createMediaKeyring } from './media/keys.js';
import { createLargeObjectStore } from './media/pg-large-objects.js';
import { createS3Store } from './media/s3-store.js';
import { createMediaStore, type MediaStore } from './media/store.js';
import { createTemplateCatalog, type TemplateCatalog } from './templates/catalog.js';
import type { ChannelConnector } from './meta/connectors.js';
import { createChannelAdapters } from './meta/adapters.js';
import { adapterDepsFromConfig } from './runtime-meta.js';
import { connectorsOf, type ChannelAdapters } from './meta/channel-adapter.js';
import type { ConnectFlow } from './shared/connections.js';
import { createDskClient } from './dsk/client.js';
import { createEgressPolicy, type EgressPolicy } from './dsk/egress.js';
import { loadServiceSigningKey, type ServiceSigningKey } from './dsk/service-keys.js';
import type { Logger } from './logger.js';
import { createDataConverter } from './temporal/data-converter.js';
import { createTokenVault, type TokenVault } from './vault/token-vault.js';

/**
 * What both processes (api and worker) build from configuration. Each entry point takes what it
 * needs; nothing here is a module-level singleton. What only one process needs is built in its own
 * composition module (runtime-worker.ts: activities and the send rate limiter; runtime-api.ts: the
 * Koa app), so the api never loads activities and the worker never loads Koa.
 */
export interface Foundation {
  config: Config;
  log: Logger;
  pool: Pool;
  vault: TokenVault;
  signingKey: ServiceSigningKey;
  /** Where events URLs may point (checked at PUT /v1/instance and at every delivery's connection). */
  egress: EgressPolicy;
  repos: {
    instances: ReturnType<typeof createInstances>;
    routing: ReturnType<typeof createRouting>;
    webhookLog: ReturnType<typeof createWebhookLog>;
    messageStatus: ReturnType<typeof createMessageStatusStore>;
    channels: ReturnType<typeof createChannels>;
    connections: ReturnType<typeof createConnections>;
    sessions: ReturnType<typeof createConnectionSessions>;
    outboundSends: ReturnType<typeof createOutboundSends>;
    deletionRequests: ReturnType<typeof createDeletionRequests>;
    instanceQuotas: ReturnType<typeof createInstanceQuotas>;
    messageTemplates: ReturnType<typeof createMessageTemplates>;
    mediaObjects: ReturnType<typeof createMediaObjects>;
  };
  /** Captured inbound media (sealed), in PostgreSQL large objects or an S3-compatible bucket. */
  mediaStore: MediaStore;
  /** WhatsApp message templates: stored per WABA, synced from Meta, checked before template sends. */
  templates: TemplateCatalog;
  /** One per connect flow (WhatsApp Embedded Signup, Instagram via Facebook Login, Instagram Login). */
  connectors: Readonly<Record<ConnectFlow, ChannelConnector>>;
  dsk: ReturnType<typeof createDskClient>;
  /** One per channel kind: connect flows, sends, mark-read and media against Meta (or the emulator). */
  adapters: ChannelAdapters;
  dataConverter: ReturnType<typeof createDataConverter>;
  /** Encrypt every Temporal payload; also what the codec endpoint decodes for the Web UI. */
  payloadCodecs: PayloadCodec[];
  metrics: Metrics;
  clock: () => Date;
}

export async function buildFoundation(config: Config, log: Logger, processName: string): Promise<Foundation> {
  const pool = createPool({ url: config.database.url, poolMax: config.database.poolMax, applicationName: `meta-integration-${processName}` });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ errorName: err.name }, 'postgres idle client error'));
  const vault = createTokenVault({ keys: config.tokenKeys });
  const privateKey = config.serviceJwt.privateKey.trim();
  const signingKey = await loadServiceSigningKey({
    ...(privateKey.startsWith('{') ? { privateJwk: privateKey } : { privatePem: privateKey }),
    keyId: config.serviceJwt.keyId,
    alg: config.serviceJwt.alg,
    // During a rotation DSK must still verify tokens signed with the previous key: it stays published.
    ...(config.serviceJwt.previousPublicJwks ? { previousPublicJwks: config.serviceJwt.previousPublicJwks } : {}),
  });
  const clock = () => new Date();
  const egress = createEgressPolicy(config.delivery.egressAllow);
  const payloadCodecs = createPayloadCodecs(config.payloadKeys);
  if (payloadCodecs.length === 0) log.warn('PAYLOAD_ENCRYPTION_KEYS is unset: Temporal payloads are stored unencrypted (outside production only)');
  const channels = createChannels(pool);
  const metrics = createMetrics(
    new Registry(),
    processName === 'worker'
      ? { prefix: config.metrics.prefix }
      : {
          prefix: config.metrics.prefix,
          channelCounts: channels.countByStatus,
          onCollectError: (err) => log.warn({ errorName: err instanceof Error ? err.name : typeof err }, 'channel count for metrics failed'),
        },
  );
  const adapters = createChannelAdapters(adapterDepsFromConfig(config, { clock, log }));
  const mediaObjects = createMediaObjects(pool);
  const messageTemplates = createMessageTemplates(pool);
  const storeConfig = config.media.store;
  const blobs: BlobStore = storeConfig.kind === 's3' ? createS3Store(storeConfig) : createLargeObjectStore(pool);
  return {
    config,
    log,
    pool,
    vault,
    signingKey,
    egress,
    repos: {
      instances: createInstances(pool),
      routing: createRouting(pool),
      webhookLog: createWebhookLog(pool),
      messageStatus: createMessageStatusStore(pool),
      channels,
      connections: createConnections(pool),
      sessions: createConnectionSessions(pool),
      outboundSends: createOutboundSends(pool),
      deletionRequests: createDeletionRequests(pool),
      instanceQuotas: createInstanceQuotas(pool),
      messageTemplates,
      mediaObjects,
    },
    mediaStore: createMediaStore({ objects: mediaObjects, blobs, keyring: createMediaKeyring({ mediaKeys: config.media.keys, tokenKeys: config.tokenKeys }), clock }),
    templates: createTemplateCatalog({ templates: messageTemplates, adapters, channels, vault, clock, log }),
    dsk: instrumentDskClient(
      createDskClient({
        signer: signingKey,
        issuer: config.serviceJwt.issuer,
        audience: config.serviceJwt.audience,
        timeoutMs: config.delivery.timeoutMs,
        egress,
      }),
      metrics,
    ),
    adapters,
    connectors: connectorsOf(adapters),
    dataConverter: createDataConverter({ payloadCodecs }),
    payloadCodecs,
    metrics,
    clock,
  };
}
