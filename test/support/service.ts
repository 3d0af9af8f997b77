import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { applyServerTimeouts, closeServer } from '../../src/api/server.js';
import { buildApi, type ApiOptions } from '../../src/runtime-api.js';
import { loadConfig, type Config } from '../../src/config.js';
import { migrateUp } from '../../src/db/migrate.js';
import { generateServiceSigningKey } from '../../src/dsk/service-keys.js';
import { freePort } from '../../dev/infra/local-temporal.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { MetaEmulator } from '../../dev/meta-emulator/app.js';
import { DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from '../../dev/meta-emulator/app-ids.js';
import type { ConnectionTiming } from '../../src/shared/connections.js';
import { buildFoundation, type Foundation } from '../../src/runtime.js';
import { buildActivities } from '../../src/runtime-worker.js';
import { installTemporalRuntime } from '../../src/temporal/runtime-logger.js';
import { createWorker, WORKFLOWS_ENTRY } from '../../src/temporal/worker.js';
import { generateFernetKey } from '../../src/vault/fernet.js';
import { generatePayloadKey } from '../../src/temporal/encryption-codec.js';
import { createDskIssuer, type DskIssuer } from './jwt.js';

/** The real stack the test runner started (scripts/run-tests.ts); tests fail loudly without it. */
export function testInfrastructure(): { databaseUrl: string; temporalAddress: string; namespace: string } {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!databaseUrl || !temporalAddress) {
    throw new Error('TEST_DATABASE_URL / TEST_TEMPORAL_ADDRESS are not set: run the tests with `npm test`, which starts PostgreSQL and Temporal');
  }
  return { databaseUrl, temporalAddress, namespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default' };
}

export interface TestService {
  baseUrl: string;
  config: Config;
  /** The environment `config` was parsed from: what a worker or API child process needs to join this service. */
  env: Readonly<Record<string, string>>;
  foundation: Foundation;
  client: Client;
  dskIssuer: DskIssuer;
  metaAppSecret: string;
  log: Logger;
  /** Starts (or restarts after stopWorker) the in-process worker on this service's own task queue. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole service in this test process, against the real PostgreSQL and Temporal of the test run:
 * migrations, a worker on a task queue of its own (so parallel test files cannot steal each other's
 * tasks) and the API on an ephemeral port. Only Meta and DSK are fakes.
 */
export async function startTestService(
  options: {
    env?: Record<string, string>;
    withWorker?: boolean;
    metaAppSecret?: string;
    connectionTiming?: ConnectionTiming;
    /** The send route's wait for Meta's answer and the reconcile window of ambiguous sends. */
    outbound?: { defaultWaitMs?: number; reconcileWindowMs?: number };
    /** The inbound intake's bound and relay tuning (buildApi's `intake`). */
    intake?: ApiOptions['intake'];
    /** A Temporal server of the test's own (e.g. one with the Web UI) instead of the test run's. */
    temporalAddress?: string;
    /** The API's port, when something started before the service must know its URL (the Web UI's codec endpoint). */
    port?: number;
    /**
     * Every log line of the service at level debug (api, activities, and the Temporal SDK's worker and
     * workflow logs, routed as main-worker routes them), for tests that assert on what is logged. The SDK
     * part must be the process's first use of Temporal's native runtime: pass it to the first service only.
     */
    logDestination?: NodeJS.WritableStream;
  } = {},
): Promise<TestService> {
  const infra = testInfrastructure();
  const log = options.logDestination
    ? createLogger({ level: 'debug', name: 'test', destination: options.logDestination })
    : createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'test' });
  if (options.logDestination) installTemporalRuntime(log, { handleSignals: false });
  const dskIssuer = await createDskIssuer();
  const { privateJwk } = await generateServiceSigningKey('ES256', 'test-service-1');
  const metaAppSecret = options.metaAppSecret ?? randomBytes(16).toString('hex');
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: infra.databaseUrl,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_POOL_MAX: '20',
    TEMPORAL_ADDRESS: options.temporalAddress ?? infra.temporalAddress,
    TEMPORAL_NAMESPACE: infra.namespace,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    TOKEN_ENCRYPTION_KEYS: `test1:${generateFernetKey()}`,
    PAYLOAD_ENCRYPTION_KEYS: `test1:${generatePayloadKey()}`,
    DSK_JWT_ISSUER: 'https://dsk.example.test',
    DSK_JWT_AUDIENCE: 'meta-integration-service',
    DSK_JWT_ALGORITHMS: 'ES256',
    DSK_JWT_PUBLIC_KEY: dskIssuer.publicPem,
    SERVICE_JWT_PRIVATE_KEY: privateJwk,
    SERVICE_JWT_KEY_ID: 'test-service-1',
    META_APP_SECRETS: metaAppSecret,
    META_VERIFY_TOKEN: 'verify-token-for-tests',
    // The emulator's Meta app (the service has no default app): connect flows are offered as in a deployment.
    META_APP_ID: DEV_META_APP_ID,
    META_CONFIG_ID: DEV_WHATSAPP_CONFIG_ID,
    DSK_DELIVERY_HORIZON: '1 hour',
    // The DSK fakes listen on loopback: the tests allow-list it, as the dev stack does its stand-in.
    DSK_EGRESS_ALLOW: '127.0.0.1/32',
    // Off by default, as the emulator's windows are, so tests about other behaviour need not open a
    // conversation first; test/integration/customer-windows.test.ts turns it on.
    ENFORCE_CUSTOMER_WINDOW: 'false',
    ...options.env,
  };
  const config = loadConfig(env);
  await migrateUp(config.database.url, log);
  const foundation = await buildFoundation(config, log, 'test');
  const client = new Client({
    connection: await Connection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
    dataConverter: foundation.dataConverter,
  });
  // The port is chosen up front: PUBLIC_BASE_URL (connect links, OAuth redirect URI) must name it.
  const api = buildApi(foundation, client, {
    ...(options.connectionTiming ? { connectionTiming: options.connectionTiming } : {}),
    ...(options.outbound ? { outbound: options.outbound } : {}),
    ...(options.intake ? { intake: options.intake } : {}),
  });
  const server: Server = applyServerTimeouts(api.app.listen(port, '127.0.0.1'));
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (baseUrl !== config.http.publicBaseUrl) throw new Error(`test service listens on ${baseUrl}, not on PUBLIC_BASE_URL ${config.http.publicBaseUrl}`);

  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  const service: TestService = {
    baseUrl,
    config,
    env: Object.freeze({ ...env }),
    foundation,
    client,
    dskIssuer,
    metaAppSecret,
    log,
    async startWorker() {
      if (worker) return;
      const connection = await NativeConnection.connect({ address: config.temporal.address });
      const w = await createWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        dataConverter: foundation.dataConverter,
        source: { kind: 'path', workflowsPath: WORKFLOWS_ENTRY },
        activities: buildActivities(foundation),
      });
      worker = { worker: w, running: w.run(), connection };
    },
    async stopWorker() {
      if (!worker) return;
      const current = worker;
      worker = undefined;
      current.worker.shutdown();
      await current.running;
      await current.connection.close();
    },
    async stop() {
      await service.stopWorker();
      await closeServer(server, 2_000);
      await api.stop();
      await client.connection.close();
      await foundation.pool.end();
    },
  };
  if (options.withWorker !== false) await service.startWorker();
  return service;
}

/** Registers a live channel for an instance directly in the database (the connect flow is tested on its own). */
export async function seedChannel(
  service: TestService,
  channel: {
    instanceId: string;
    channelType: 'whatsapp' | 'instagram';
    externalId: string;
    wabaId?: string;
    /** Instagram via Facebook Login: the page the account is linked to. */
    pageId?: string;
    eventsUrl: string | null;
    /** A Meta access token, stored encrypted with the service's vault as the connect flow would. */
    token?: string;
  },
): Promise<string> {
  const id = randomUUID();
  await service.foundation.repos.instances.setEventsUrl(channel.instanceId, channel.eventsUrl);
  const ciphertext = channel.token === undefined ? null : service.foundation.vault.encrypt(channel.token);
  await service.foundation.pool.query(
    `INSERT INTO channels (id, instance_id, channel_type, external_id, waba_id, page_id, status, token_ciphertext, token_key_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8)`,
    [id, channel.instanceId, channel.channelType, channel.externalId, channel.wabaId ?? null, channel.pageId ?? null, ciphertext, ciphertext && service.foundation.vault.keyIdOf(ciphertext)],
  );
  return id;
}

/**
 * A live WhatsApp channel of `instanceId` on a fresh phone-number id, holding a token the emulator
 * issued for that number (no events URL): what the media routes need, without the connect flow.
 */
export async function seedEmulatorWhatsAppChannel(service: TestService, emulator: MetaEmulator, instanceId: string) {
  const phoneNumberId = uniqueMetaId();
  const metaToken = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
  const channelId = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, eventsUrl: null, token: metaToken });
  return { channelId, phoneNumberId, metaToken };
}

/** A unique numeric-looking Meta id, so concurrent test files never share a channel. */
export function uniqueMetaId(): string {
  return `${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(-16);
}
