import { closeServer, buildApi } from './api/server.js';
import { startProcess } from './entry.js';
import { buildFoundation } from './runtime.js';
import { createTemporalClient } from './temporal/client.js';

startProcess('api', async (config, log) => {
  const foundation = await buildFoundation(config, log, 'api');
  const temporal = await createTemporalClient(config.temporal, foundation.dataConverter);
  const app = buildApi(foundation, temporal);
  const server = app.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  log.info({ url: config.http.publicBaseUrl, port: config.http.port }, 'api listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'api stopping');
    await closeServer(server);
    await temporal.connection.close();
    await foundation.pool.end();
    log.info('api stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
});
