import https from 'node:https';
import { closeServer, createApiServer, reloadTls } from './api/server.js';
import { startProcess } from './entry.js';
import { buildFoundation } from './runtime.js';
import { buildApi } from './runtime-api.js';
import { createTemporalClient } from './temporal/connect.js';

startProcess('api', async (config, log) => {
  const foundation = await buildFoundation(config, log, 'api');
  const temporal = await createTemporalClient(config.temporal, foundation.dataConverter);
  const api = buildApi(foundation, temporal);
  const app = api.app;
  const tls = config.http.tls;
  const server = await createApiServer(app, tls);
  server.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  log.info({ url: config.http.publicBaseUrl, port: config.http.port, tls: tls !== undefined }, 'api listening');

  if (tls && server instanceof https.Server) {
    // Renewed certificates (e.g. ACME, every few weeks) are picked up without a restart.
    process.on('SIGHUP', () => {
      reloadTls(server, tls).then(
        () => log.info('tls certificate reloaded'),
        (err: unknown) => log.error({ errorName: err instanceof Error ? err.name : typeof err }, 'tls certificate not reloaded; keeping the previous one'),
      );
    });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'api stopping');
    await closeServer(server);
    // Batches in flight are relayed (or left for another replica) before the connections close.
    await api.stop();
    await temporal.connection.close();
    await foundation.pool.end();
    log.info('api stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
});
