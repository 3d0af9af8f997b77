import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { SignJWT } from 'jose';
import { closeServer, applyServerTimeouts } from '../src/api/server.js';
import { buildApi } from '../src/runtime-api.js';
import { loadConfig } from '../src/config.js';
import { migrateUp } from '../src/db/migrate.js';
import { createDskStandIn } from './dsk-stand-in.js';
import { startDevMetaEmulator, type DevMetaEmulator } from './start-meta-emulator.js';
import { devEnvironment, loadOrCreateDevSecrets } from './secrets.js';
import { startLocalPostgres, type LocalPostgres } from './infra/local-postgres.js';
import { startLocalTemporal, type LocalTemporal } from './infra/local-temporal.js';
import { ensureMediaRetentionSchedule, ensureRetentionSchedule } from '../src/temporal/schedules.js';
import { findTemporalCli, projectRoot } from './infra/tools.js';
import { createLogger } from '../src/logger.js';
import { buildFoundation } from '../src/runtime.js';
import { buildActivities } from '../src/runtime-worker.js';
import { searchAttributeFlags } from '../src/shared/search-attributes.js';
import { createTemporalClient } from '../src/temporal/connect.js';
import { installTemporalRuntime } from '../src/temporal/runtime-logger.js';
import { createWorker, workflowSourceFor } from '../src/temporal/worker.js';

/**
 * The embedded default stack (`npm run dev`): a local PostgreSQL cluster and a Temporal dev server
 * with its Web UI (both persistent under .data/), migrations, the worker and the API in this process,
 * a DSK stand-in and, unless META_APP_ID names a real Meta app, the Meta emulator with its sandbox
 * page. No Meta or DSK credentials are needed. Ctrl-C stops all of it.
 */
const DEV_INSTANCE = 'dev-instance';
const env = process.env;
const log = createLogger({ level: env.LOG_LEVEL ?? 'info', name: 'dev' });
const dataDir = path.join(projectRoot(), '.data');
const stops: Array<() => Promise<void>> = [];

async function main() {
  const secrets = await loadOrCreateDevSecrets(dataDir);
  const apiPort = Number(env.HTTP_PORT ?? 3000);
  const standInPort = Number(env.DSK_STAND_IN_PORT ?? 3001);

  let postgres: LocalPostgres | undefined;
  if (!env.DATABASE_URL) {
    postgres = await startLocalPostgres({ port: Number(env.DEV_POSTGRES_PORT ?? 54329), database: 'meta_integration', log });
    stops.push(() => postgres!.stop());
  }
  let temporal: LocalTemporal | undefined;
  if (!env.TEMPORAL_ADDRESS) {
    temporal = await startLocalTemporal({
      binary: findTemporalCli(env),
      port: 7233,
      uiPort: 8233,
      dbFilename: path.join(dataDir, 'temporal.db'),
      searchAttributes: searchAttributeFlags(),
      // The Web UI decodes payloads through the API's codec endpoint (open to loopback callers in development).
      codecEndpoint: `http://localhost:${apiPort}/codec`,
      logFile: path.join(dataDir, 'temporal.log'),
      log,
    });
    stops.push(() => temporal!.stop());
  }

  // No Meta app configured: the emulator plays Meta, with the app secret the service verifies webhooks with.
  let meta: DevMetaEmulator | undefined;
  if (!env.META_APP_ID) {
    const appSecret = env.META_APP_SECRETS?.split(',')[0]?.trim() || secrets.metaAppSecret;
    meta = await startDevMetaEmulator({ port: Number(env.DEV_META_EMULATOR_PORT ?? 4000), appSecret });
    const running = meta.running;
    stops.unshift(() => running.close());
  }

  const config = loadConfig(
    devEnvironment(
      secrets,
      { databaseUrl: postgres?.url ?? env.DATABASE_URL!, temporalAddress: temporal?.address ?? env.TEMPORAL_ADDRESS!, port: apiPort },
      env,
      meta?.serviceEnv,
    ),
  );
  if (meta) meta.emulator.state.webhookCallbackUrl = `${config.http.publicBaseUrl}/webhooks/meta`;
  const applied = await migrateUp(config.database.url, log);
  log.info({ applied: applied.length }, 'migrations up to date');

  installTemporalRuntime(log, { handleSignals: false });
  const foundation = await buildFoundation(config, log, 'dev');
  stops.unshift(() => foundation.pool.end());

  const client = await createTemporalClient(config.temporal, foundation.dataConverter);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: foundation.dataConverter,
    source: workflowSourceFor('development'),
    activities: buildActivities(foundation),
  });
  const workerDone = worker.run();
  await ensureRetentionSchedule(client, { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace });
  await ensureMediaRetentionSchedule(client, { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace });
  stops.unshift(async () => {
    worker.shutdown();
    await workerDone;
    await connection.close();
  });

  const server = applyServerTimeouts(buildApi(foundation, client).listen(apiPort, config.http.host));
  await new Promise<void>((resolve) => server.once('listening', resolve));
  stops.unshift(async () => {
    await closeServer(server);
    await client.connection.close();
  });

  const standIn = createDskStandIn({
    jwksUrl: `${config.http.publicBaseUrl}/.well-known/jwks.json`,
    issuer: config.serviceJwt.issuer,
    audience: config.serviceJwt.audience,
  });
  const standInServer = await standIn.listen(standInPort);
  stops.unshift(() => closeServer(standInServer));
  await foundation.repos.instances.setEventsUrl(DEV_INSTANCE, `http://127.0.0.1:${standInPort}/dsk/events`);

  const dskToken = await new SignJWT({ [config.dskAuth.instanceClaim]: DEV_INSTANCE })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(config.dskAuth.issuer)
    .setAudience(config.dskAuth.audience)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(Buffer.from(secrets.dskSecret));

  process.stdout.write(
    [
      '',
      'Meta Integration Service: development stack is up',
      `  API              ${config.http.publicBaseUrl}   (ready: ${config.http.publicBaseUrl}/readyz)`,
      `  Temporal Web UI  ${temporal?.uiUrl ?? config.temporal.uiUrl}`,
      `  Temporal gRPC    ${config.temporal.address}   namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
      `  PostgreSQL       ${postgres ? `127.0.0.1:${postgres.port} (data in ${postgres.dataDir})` : 'from DATABASE_URL'}`,
      `  DSK stand-in     http://127.0.0.1:${standInPort}/dsk   (events of instance "${DEV_INSTANCE}")`,
      `  Meta webhook     POST ${config.http.publicBaseUrl}/webhooks/meta  (app secret and verify token in .data/dev-secrets.json)`,
      ...(meta
        ? [
            `  Meta emulator    ${meta.running.url}   (no META_APP_ID: Graph API, OAuth dialogs and webhooks are emulated)`,
            `  Sandbox          ${meta.sandboxUrl}   (write as a customer to a connected channel, see what the business sent)`,
          ]
        : [`  Meta app         ${config.meta.appId} at ${config.meta.graphBaseUrl}`]),
      '',
      `  A DSK token for instance "${DEV_INSTANCE}" (12 h):`,
      `    export DSK_TOKEN=${dskToken}`,
      `    curl -H "Authorization: Bearer $DSK_TOKEN" ${config.http.publicBaseUrl}/v1/instance`,
      '',
      '  Connect a channel (whatsapp or instagram), then open the connect_url it answers with in a browser:',
      `    curl -H "Authorization: Bearer $DSK_TOKEN" -H 'content-type: application/json' \\`,
      `      -d '{"channel_type":"whatsapp","return_url":"http://127.0.0.1:${standInPort}/dsk"}' ${config.http.publicBaseUrl}/v1/connections`,
      ...(meta ? [`  then write to it as a customer at ${meta.sandboxUrl} and watch it arrive at the DSK stand-in.`] : []),
      '',
      '  Answer as DSK (channel id from the channel.status event or GET /v1/channels):',
      `    curl -H "Authorization: Bearer $DSK_TOKEN" -H 'content-type: application/json' \\`,
      `      -d '{"client_message_id":"crm-1","to":"+15550001111","type":"text","text":{"body":"Hello"}}' ${config.http.publicBaseUrl}/v1/channels/<channel-id>/messages`,
      '',
      'Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function stopAll(signal: string, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping the development stack');
  for (const stop of stops) {
    await stop().catch((err: unknown) => log.warn({ errorName: err instanceof Error ? err.name : 'unknown' }, 'stop step failed'));
  }
  log.info('stopped');
  process.exit(exitCode);
}
process.once('SIGINT', () => void stopAll('SIGINT'));
process.once('SIGTERM', () => void stopAll('SIGTERM'));

main().catch(async (err: unknown) => {
  log.fatal({ errorName: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.message : undefined }, 'development stack failed to start');
  await stopAll('startup-failure', 1);
});
