import pg from 'pg';

export type Pool = pg.Pool;

/** One pool per process; statement timeouts keep a stuck query from holding a webhook ack hostage. */
export function createPool(config: { url: string; poolMax: number; applicationName?: string }): pg.Pool {
  return new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    application_name: config.applicationName ?? 'meta-integration-service',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
  });
}

/** Readiness probe: PostgreSQL answers a trivial query. */
export async function databaseReachable(pool: Pool): Promise<boolean> {
  return (await pool.query('select 1')).rowCount === 1;
}
