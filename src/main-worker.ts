import { NativeConnection } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { startProcess } from './entry.js';
import { buildFoundation } from './runtime.js';
import { installTemporalRuntime } from './temporal/runtime-logger.js';
import { createWorker, workflowSourceFor } from './temporal/worker.js';

startProcess('worker', async (config, log) => {
  installTemporalRuntime(log, { handleSignals: true });
  const foundation = await buildFoundation(config, log, 'worker');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: foundation.dataConverter,
    source: workflowSourceFor(config.env),
    activities: createActivities({
      routing: foundation.repos.routing,
      webhookLog: foundation.repos.webhookLog,
      dsk: foundation.dsk,
      clock: foundation.clock,
    }),
  });
  log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running');
  try {
    // Resolves after SIGINT/SIGTERM once in-flight tasks have drained (shutdownGraceTime).
    await worker.run();
  } finally {
    await connection.close();
    await foundation.pool.end();
    log.info('worker stopped');
  }
});
