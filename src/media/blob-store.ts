/**
 * Where sealed media bytes live: PostgreSQL large objects (default) or an S3-compatible bucket.
 * Both store opaque sealed bytes (src/media/sealing.ts); neither ever sees plaintext or a key.
 */
export interface BlobStore {
  readonly backend: 'postgres' | 's3';
  /** Stores the chunks as one object; returns its location (large-object oid, or `key` for S3). */
  put(key: string, chunks: AsyncIterable<Buffer>): Promise<string>;
  /** `length` bytes from `offset`. */
  read(location: string, offset: number, length: number): Promise<Buffer>;
  /** Idempotent: an object already gone is not an error. */
  delete(location: string): Promise<void>;
}
