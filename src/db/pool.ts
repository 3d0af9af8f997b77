import pg from 'pg';

export type Pool = pg.Pool;

/** One pool per process; statement timeouts keep a stuck query from holding a webhook ack hostage. */
export function createPool(config: { url: string; poolMax: number; applicationName?: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    application_name: config.applicationName ?? 'meta-integration-service',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
  });
  // The pool listens for errors only on idle clients. A checked-out client whose connection PostgreSQL
  // ends (a restart, pg_terminate_backend) while no query runs on it would emit 'error' with no
  // listener, which throws and ends the process. The query in flight, if any, rejects by itself, and
  // release() discards a client that is no longer queryable: nothing more is to be done here.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Readiness probe: PostgreSQL answers a trivial query. */
export async function databaseReachable(pool: Pool): Promise<boolean> {
  return (await pool.query('select 1')).rowCount === 1;
}

/** What a transaction's work can ask of it besides its client. */
export interface TransactionControl {
  /** End with ROLLBACK instead of COMMIT (a decision not to write, not a failure). */
  rollback(): void;
}

/**
 * Runs `work` in one transaction on one client: COMMIT when it returns, ROLLBACK when it throws (the
 * error is rethrown) or asked for. A client whose ROLLBACK fails is broken (its connection ended under
 * it) and is destroyed rather than handed to the next caller.
 */
export async function inTransaction<T>(pool: Pool, work: (client: pg.PoolClient, control: TransactionControl) => Promise<T>, options: { begin?: string } = {}): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(options.begin ?? 'BEGIN');
    let rollback = false;
    const result = await work(client, { rollback: () => void (rollback = true) });
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (err) {
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw err;
  } finally {
    client.release(broken);
  }
}
