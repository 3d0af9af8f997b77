import { startProcess } from './entry.js';
import { connectTemporal } from './temporal/connect.js';
import { setupTemporal } from './temporal/setup.js';

/**
 * `npm run temporal:setup` (`node dist/src/main-temporal-setup.js`): the namespace with its retention
 * and the search attributes, on an existing cluster (self-hosted with TLS/mTLS, or Temporal Cloud with
 * an API key). Idempotent: run it before every deploy, like migrate.
 */
startProcess('temporal-setup', async (config, log) => {
  const connection = await connectTemporal(config.temporal);
  try {
    const result = await setupTemporal(connection, { namespace: config.temporal.namespace, retentionHours: config.temporal.retentionHours }).catch((err: unknown) => {
      // Temporal's messages name the namespace or attribute at fault and never carry secrets: show them.
      log.fatal({ errorName: err instanceof Error ? err.name : typeof err, reason: err instanceof Error ? err.message : String(err) }, 'temporal setup failed');
      process.exit(1);
    });
    log.info({ ...result, namespaceName: config.temporal.namespace }, 'temporal namespace ready');
  } finally {
    await connection.close();
  }
});
