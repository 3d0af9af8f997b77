import { inTransaction, type Pool } from '../db/pool.js';
import type { BlobStore } from './blob-store.js';

/** Writes go to PostgreSQL in pieces of about this size, so a large object never sits whole in memory. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * PostgreSQL large objects (`pg_largeobject`) through the server-side functions `lo_create`, `lo_put`,
 * `lo_get` and `lo_unlink`: no client-side descriptor protocol, a range read is one query, and a
 * capture that fails midway rolls back with its transaction (no half-written object remains).
 */
export function createLargeObjectStore(pool: Pool): BlobStore {
  return {
    backend: 'postgres',

    async put(_key, chunks) {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ oid: number }>(`SELECT lo_create(0) AS oid`);
        const oid = rows[0]!.oid;
        let offset = 0;
        let batch: Buffer[] = [];
        let batched = 0;
        const flush = async () => {
          if (batched === 0) return;
          await client.query(`SELECT lo_put($1::oid, $2::bigint, $3::bytea)`, [oid, offset, Buffer.concat(batch)]);
          offset += batched;
          batch = [];
          batched = 0;
        };
        for await (const chunk of chunks) {
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= WRITE_BATCH_BYTES) await flush();
        }
        await flush();
        return String(oid);
      });
    },

    async read(location, offset, length) {
      const { rows } = await pool.query<{ data: Buffer }>(`SELECT lo_get($1::oid, $2::bigint, $3::int) AS data`, [location, offset, length]);
      return rows[0]!.data;
    },

    async delete(location) {
      // lo_unlink of an oid that no longer exists raises; deleting twice must not.
      await pool.query(`SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = $1::oid`, [location]);
    },
  };
}
