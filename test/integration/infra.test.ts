import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import pg from 'pg';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes.js';

/** The stack `scripts/run-tests.ts` starts before any test file runs (run via `npm test`). */
function required(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run the tests through \`npm test\` (scripts/run-tests.ts starts the test stack)`);
  return value;
}

describe('test harness stack', () => {
  describe('temporal dev server', () => {
    let connection: Connection;
    before(async () => {
      connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
    });
    after(() => connection?.close());

    test('answers on TEST_TEMPORAL_ADDRESS', async () => {
      const info = await connection.workflowService.getSystemInfo({});
      assert.ok(info.serverVersion, 'server reports a version');
    });

    test('has every search attribute of the service registered as Keyword in TEST_TEMPORAL_NAMESPACE', async () => {
      const namespace = required('TEST_TEMPORAL_NAMESPACE');
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const keyword = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      const expected = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, keyword]));
      const actual = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, customAttributes?.[key.name]]));
      assert.deepEqual(actual, expected);
      assert.deepEqual(
        ALL_SEARCH_ATTRIBUTES.map((key) => key.name).sort(),
        ['ChannelId', 'ChannelType', 'DskInstanceId', 'EventKind', 'IntegrationStatus'],
      );
    });
  });

  describe('postgres', () => {
    test('TEST_DATABASE_URL accepts connections and runs queries', async () => {
      const client = new pg.Client({ connectionString: required('TEST_DATABASE_URL') });
      await client.connect();
      try {
        const { rows } = await client.query<{ one: number }>('select 1 as one');
        assert.deepEqual(rows, [{ one: 1 }]);
      } finally {
        await client.end();
      }
    });
  });

  test('binaries for @temporalio/testing are handed to tests as existing paths', async () => {
    const { accessSync, constants } = await import('node:fs');
    for (const name of ['TEMPORAL_CLI_PATH', 'TEMPORAL_TEST_SERVER_PATH']) {
      assert.doesNotThrow(() => accessSync(required(name), constants.X_OK), `${name} is executable`);
    }
  });
});
