import type { Config } from './config.js';
import { createPool, type Pool } from './db/pool.js';
import { createInstances } from './db/instances.js';
import { createRouting } from './db/routing.js';
import { createWebhookLog } from './db/webhook-log.js';
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
  };
  dsk: ReturnType<typeof createDskClient>;
  dataConverter: ReturnType<typeof createDataConverter>;
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
  return {
    config,
    log,
    pool,
    vault,
    signingKey,
    repos: { instances: createInstances(pool), routing: createRouting(pool), webhookLog: createWebhookLog(pool) },
    dsk: createDskClient({ signer: signingKey, issuer: config.serviceJwt.issuer, audience: config.serviceJwt.audience, timeoutMs: config.delivery.timeoutMs }),
    dataConverter: createDataConverter(),
    clock,
  };
}
