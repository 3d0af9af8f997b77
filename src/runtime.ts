import { createHmac, hkdfSync } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { Registry } from 'prom-client';
import type { Config } from './config.js';
import { createChannelStats } from './db/channel-stats.js';
import { createMetrics, instrumentDskClient, type Metrics } from './metrics.js';
import { createPayloadCodecs } from './temporal/encryption-codec.js';
import { createPool, type Pool } from './db/pool.js';
import { createInstances } from './db/instances.js';
import { createRouting } from './db/routing.js';
import { createWebhookLog } from './db/webhook-log.js';
import { createMessageStatusStore } from './db/message-status.js';
import { createChannelLifecycle } from './db/channel-lifecycle.js';
import { createChannels } from './db/channels.js';
import { createConnections } from './db/connections.js';
import { createOutboundSends } from './db/outbound-sends.js';
import { createSendRateLimiter } from './db/send-rate-limiter.js';
import type { WorkflowClient } from '@temporalio/client';
import { createActivities } from './activities/index.js';
import type { ChannelConnector } from './meta/connectors.js';
import { adapterDepsFromConfig, createChannelAdapters } from './meta/adapters.js';
import { connectorsOf, type ChannelAdapters } from './meta/channel-adapter.js';
import type { ConnectFlow } from './shared/connections.js';
import { createDskClient } from './dsk/client.js';
import { loadServiceSigningKey, type ServiceSigningKey } from './dsk/service-keys.js';
import type { Logger } from './logger.js';
import { createDataConverter } from './temporal/data-converter.js';
import { createTokenVault, type TokenVault } from './vault/token-vault.js';

/**
 * What both processes (api and worker) build from configuration. Each entry point takes what it
 * needs; nothing here is a module-level singleton.
 */
export interface Foundation {
  config: Config;
  log: Logger;
  pool: Pool;
  vault: TokenVault;
  signingKey: ServiceSigningKey;
  repos: {
    instances: ReturnType<typeof createInstances>;
    routing: ReturnType<typeof createRouting>;
    webhookLog: ReturnType<typeof createWebhookLog>;
    messageStatus: ReturnType<typeof createMessageStatusStore>;
    channelLifecycle: ReturnType<typeof createChannelLifecycle>;
    channels: ReturnType<typeof createChannels>;
    connections: ReturnType<typeof createConnections>;
    outboundSends: ReturnType<typeof createOutboundSends>;
  };
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
  });
  const clock = () => new Date();
  const payloadCodecs = createPayloadCodecs(config.payloadKeys);
  if (payloadCodecs.length === 0) log.warn('PAYLOAD_ENCRYPTION_KEYS is unset: Temporal payloads are stored unencrypted (outside production only)');
  const metrics = createMetrics(
    new Registry(),
    processName === 'worker'
      ? {}
      : {
          channelCounts: createChannelStats(pool).countByStatus,
          onCollectError: (err) => log.warn({ errorName: err instanceof Error ? err.name : typeof err }, 'channel count for metrics failed'),
        },
  );
  const adapters = createChannelAdapters(adapterDepsFromConfig(config, { clock, log }));
  return {
    config,
    log,
    pool,
    vault,
    signingKey,
    repos: {
      instances: createInstances(pool),
      routing: createRouting(pool),
      webhookLog: createWebhookLog(pool),
      messageStatus: createMessageStatusStore(pool),
      channelLifecycle: createChannelLifecycle(pool),
      channels: createChannels(pool),
      connections: createConnections(pool),
      outboundSends: createOutboundSends(pool),
    },
    dsk: instrumentDskClient(
      createDskClient({ signer: signingKey, issuer: config.serviceJwt.issuer, audience: config.serviceJwt.audience, timeoutMs: config.delivery.timeoutMs }),
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

/**
 * Every activity the worker registers, from the foundation. Activities that signal other workflows
 * (a channel's connection workflow) use `workflows`.
 */
export function buildActivities(f: Foundation, workflows: WorkflowClient) {
  return createActivities({
    pool: f.pool,
    routing: f.repos.routing,
    webhookLog: f.repos.webhookLog,
    messageStatus: f.repos.messageStatus,
    outboundSends: f.repos.outboundSends,
    channels: f.repos.channelLifecycle,
    dsk: f.dsk,
    workflows,
    clock: f.clock,
    connection: {
      connections: f.repos.connections,
      channels: f.repos.channels,
      lifecycle: f.repos.channelLifecycle,
      instances: f.repos.instances,
      vault: f.vault,
      connectors: f.connectors,
      dsk: f.dsk,
      redirectUri: `${f.config.http.publicBaseUrl}/oauth/callback`,
      clock: f.clock,
      metrics: f.metrics,
    },
    outbound: {
      channels: f.repos.channels,
      instances: f.repos.instances,
      sends: f.repos.outboundSends,
      rateLimiter: createSendRateLimiter(f.pool),
      rateLimits: f.config.outbound.rateLimits,
      recipientKey: recipientKeyer(f.config.tokenKeys[0]!.key),
      workflows,
      dsk: f.dsk,
      metrics: f.metrics,
      vault: f.vault,
      adapters: f.adapters,
      clock: f.clock,
      log: f.log,
    },
  });
}

/**
 * The pair-rate key of a recipient: HMAC-SHA256 under a key derived (HKDF) from the newest token key,
 * so the rate table in PostgreSQL never holds a phone number and cannot be reversed by enumerating
 * numbers. A key rotation only resets pair pacing for a few seconds.
 */
function recipientKeyer(tokenKey: string): (recipient: string) => string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(tokenKey, 'base64url'), Buffer.alloc(0), 'send-rate-recipient-key', 32));
  return (recipient) => createHmac('sha256', key).update(recipient.replace(/^\+/, ''), 'utf8').digest('base64url').slice(0, 22);
}
