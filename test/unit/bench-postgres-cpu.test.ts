import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseOfTitle } from '../../bench/support/postgres-cpu.js';

describe('bench:production PostgreSQL CPU split: database of a process title', () => {
  it('reads the database of a backend (TCP or local) and of an autovacuum worker', () => {
    assert.equal(databaseOfTitle('postgres: meta meta_integration 127.0.0.1(41234) idle'), 'meta_integration');
    assert.equal(databaseOfTitle('postgres: temporal temporal_visibility 127.0.0.1(41240) idle in transaction'), 'temporal_visibility');
    assert.equal(databaseOfTitle('postgres: postgres postgres [local] SELECT'), 'postgres');
    assert.equal(databaseOfTitle('postgres: autovacuum worker temporal'), 'temporal');
  });

  it('gives no database to the postmaster and the background processes', () => {
    for (const title of ['postgres: checkpointer', 'postgres: background writer', 'postgres: walwriter', 'postgres: autovacuum launcher', 'postgres: logical replication launcher', '/usr/lib/postgresql/15/bin/postgres -D /tmp/x -p 5432']) {
      assert.equal(databaseOfTitle(title), undefined, title);
    }
  });
});
