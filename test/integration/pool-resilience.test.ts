import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, inTransaction, type Pool } from '../../src/db/pool.js';
import { testInfrastructure } from '../support/service.js';

describe('the PostgreSQL pool when the server ends a connection (real PostgreSQL)', () => {
  let pool: Pool;
  let admin: Pool;
  before(() => {
    const { databaseUrl } = testInfrastructure();
    pool = createPool({ url: databaseUrl, poolMax: 2, applicationName: 'pool-resilience-test' });
    admin = createPool({ url: databaseUrl, poolMax: 1, applicationName: 'pool-resilience-admin' });
  });
  after(async () => {
    await pool?.end();
    await admin?.end();
  });

  it('survives a checked-out client losing its connection between queries, and the pool keeps serving', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // What a PostgreSQL restart does to every backend: terminated while the client is held, no query running.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      const deadline = Date.now() + 5_000;
      let lost: unknown;
      while (Date.now() < deadline) {
        lost = await client.query('SELECT 1').then(() => undefined, (err: unknown) => err);
        if (lost) break;
        await sleep(20);
      }
      assert.ok(lost instanceof Error, 'the held client reports its lost connection on its next query');
      // As inTransaction does with a client whose work failed: it is not handed to the next caller.
      client.release(true);
      const again = await pool.query<{ one: number }>('SELECT 1 AS one');
      assert.equal(again.rows[0]!.one, 1);
      assert.deepEqual(uncaught, [], 'no error escaped as an uncaught exception');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('inTransaction commits what its work wrote, and rolls back when the work throws or asks to', async () => {
    const table = `tx_test_${process.pid}`;
    await admin.query(`CREATE TABLE IF NOT EXISTS ${table} (v int)`);
    try {
      await inTransaction(pool, async (client) => void (await client.query(`INSERT INTO ${table} VALUES (1)`)));
      await assert.rejects(
        inTransaction(pool, async (client) => {
          await client.query(`INSERT INTO ${table} VALUES (2)`);
          throw new Error('work failed');
        }),
        /work failed/,
      );
      const answer = await inTransaction(pool, async (client, tx) => {
        await client.query(`INSERT INTO ${table} VALUES (3)`);
        tx.rollback();
        return 'declined';
      });
      assert.equal(answer, 'declined');
      const { rows } = await admin.query<{ v: number }>(`SELECT v FROM ${table} ORDER BY v`);
      assert.deepEqual(rows.map((r) => r.v), [1]);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it('inTransaction destroys a client whose connection ended during the work instead of pooling it', async () => {
    const failed = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await client.query('SELECT pg_sleep(0.05)');
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(failed instanceof Error, 'the work saw the connection end');
    // Every later caller gets a working connection (a pooled dead client would fail here).
    for (let i = 0; i < 3; i += 1) assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
  });
});
