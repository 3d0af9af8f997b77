import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger.js';

/** SQL migrations live outside `src` so that they ship unchanged (they are not compiled). */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/**
 * Applies every pending migration, forward only, under node-pg-migrate's advisory lock so that
 * several processes starting at once do not race. Returns the names of the migrations applied.
 */
export async function migrateUp(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: () => undefined,
      info: (msg: string) => log.debug({ migration: msg }, 'migration'),
      warn: (msg: string) => log.warn({ migration: msg }, 'migration warning'),
      error: (msg: string) => log.error({ migration: msg }, 'migration error'),
    },
  });
  return applied.map((m) => m.name);
}
