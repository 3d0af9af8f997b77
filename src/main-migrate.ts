import { migrateUp } from './db/migrate.js';
import { startProcess } from './entry.js';

startProcess('migrate', async (config, log) => {
  const applied = await migrateUp(config.database.url, log);
  log.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
});
