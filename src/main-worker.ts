import { NativeConnection } from '@temporalio/worker';
import { startProcess } from './entry.js';
import { buildFoundation } from './runtime.js';
import { buildActivities } from './runtime-worker.js';
import { createWorkflowClient } from './temporal/client.js';
import { createTemporalClient } from './temporal/connect.js';
import { temporalConnectionOptions } from './temporal/connection-options.js';
import { installTemporalRuntime } from './temporal/runtime-logger.js';
import { createWorker, workflowSourceFor } from './temporal/worker.js';
import { freeLoopbackPort, sdkMetricsSource, startMetricsServer } from './metrics-server.js';
import { MEDIA_RETENTION_SCHEDULE_ID, RETENTION_SCHEDULE_ID } from './temporal/schedules.js';

startProcess('worker', async (config, log) => {
  // The SDK's metrics only when the worker serves /metrics at all; Core listens on loopback only.
  const sdkMetricsPort = config.metrics.workerPort === undefined ? undefined : await freeLoopbackPort();
  installTemporalRuntime(log, { handleSignals: true, ...(sdkMetricsPort ? { metrics: { bindAddress: `127.0.0.1:${sdkMetricsPort}`, prefix: config.metrics.prefix } } : {}) });
  const foundation = await buildFoundation(config, log, 'worker');
  const { address, tls, apiKey } = temporalConnectionOptions(config.temporal);
  const connection = await NativeConnection.connect({ address, ...(tls ? { tls } : {}), ...(apiKey ? { apiKey } : {}) });
  // For the retention schedule; activities need no Temporal client.
  const client = await createTemporalClient(config.temporal, foundation.dataConverter);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: foundation.dataConverter,
    source: workflowSourceFor(config.env),
    activities: buildActivities(foundation),
  });
  const metricsServer =
    config.metrics.workerPort === undefined
      ? undefined
      : await startMetricsServer({
          registry: foundation.metrics.registry,
          host: config.metrics.workerHost,
          port: config.metrics.workerPort,
          token: config.metrics.token,
          log,
          ...(sdkMetricsPort ? { extraSources: [sdkMetricsSource(`http://127.0.0.1:${sdkMetricsPort}/metrics`)] } : {}),
        });
  // Idempotent: every worker start makes sure the daily retention purge is scheduled, with today's spec.
  const workflows = createWorkflowClient({ client, taskQueue: config.temporal.taskQueue, channels: foundation.repos.channels, clock: foundation.clock });
  await workflows.ensureRetentionSchedule().then(
    (result) => log.info({ scheduleId: RETENTION_SCHEDULE_ID, result }, 'retention schedule ensured'),
    (err: unknown) => log.error({ scheduleId: RETENTION_SCHEDULE_ID, errorName: err instanceof Error ? err.name : typeof err }, 'retention schedule not ensured'),
  );
  await workflows.ensureMediaRetentionSchedule().then(
    (result) => log.info({ scheduleId: MEDIA_RETENTION_SCHEDULE_ID, result }, 'media retention schedule ensured'),
    (err: unknown) => log.error({ scheduleId: MEDIA_RETENTION_SCHEDULE_ID, errorName: err instanceof Error ? err.name : typeof err }, 'media retention schedule not ensured'),
  );
  log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running');
  try {
    // Resolves after SIGINT/SIGTERM once in-flight tasks have drained (shutdownGraceTime).
    await worker.run();
  } finally {
    await metricsServer?.close();
    await connection.close();
    await client.connection.close();
    await foundation.pool.end();
    log.info('worker stopped');
  }
});
