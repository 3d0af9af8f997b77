import type { Pool } from './pool.js';

/** A captured media item: where its sealed bytes are and how to open them; never the bytes. */
export interface MediaObjectRow {
  channelId: string;
  mediaId: string;
  instanceId: string;
  backend: 'postgres' | 's3';
  /** Large-object oid, or the bucket key. */
  location: string;
  keyId: string;
  nonce: Buffer;
  chunkSize: number;
  mimeType: string;
  /** Plaintext size. */
  sizeBytes: number;
  createdAt: Date;
  expiresAt: Date;
}

const COLUMNS = `channel_id, media_id, instance_id, backend, location, key_id, nonce, chunk_size, mime_type, size_bytes, created_at, expires_at`;

/**
 * The `media_objects` table: one row per captured inbound media item, scoped by instance for every
 * read that serves DSK. Its large objects are PostgreSQL's own (`pg_largeobject`); the S3 backend's
 * bytes live in the bucket.
 */
export function createMediaObjects(pool: Pool) {
  return {
    /** Records a stored object; a second capture of the same item (a retried activity) keeps the first. Returns whether this one was recorded. */
    async insert(row: MediaObjectRow): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO media_objects (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (channel_id, media_id) DO NOTHING`,
        [row.channelId, row.mediaId, row.instanceId, row.backend, row.location, row.keyId, row.nonce, row.chunkSize, row.mimeType, row.sizeBytes, row.createdAt, row.expiresAt],
      );
      return (rowCount ?? 0) > 0;
    },

    async exists(channelId: string, mediaId: string): Promise<boolean> {
      const { rowCount } = await pool.query(`SELECT 1 FROM media_objects WHERE channel_id = $1 AND media_id = $2`, [channelId, mediaId]);
      return (rowCount ?? 0) > 0;
    },

    /** The object, if it belongs to this instance's channel and has not expired. */
    async getForInstance(instanceId: string, channelId: string, mediaId: string, now: Date): Promise<MediaObjectRow | undefined> {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM media_objects WHERE instance_id = $1 AND channel_id = $2 AND media_id = $3 AND expires_at > $4`, [
        instanceId,
        channelId,
        mediaId,
        now,
      ]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    /** Removes the row (DSK acknowledged the media) and returns it, for its bytes to be deleted. */
    async removeForInstance(instanceId: string, channelId: string, mediaId: string): Promise<MediaObjectRow | undefined> {
      const { rows } = await pool.query(`DELETE FROM media_objects WHERE instance_id = $1 AND channel_id = $2 AND media_id = $3 RETURNING ${COLUMNS}`, [
        instanceId,
        channelId,
        mediaId,
      ]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    /** Retention: up to `limit` objects past their horizon (their bytes go first, then `remove`). */
    async expiredBatch(now: Date, limit: number): Promise<MediaObjectRow[]> {
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM media_objects WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`, [now, limit]);
      return rows.map(toRow);
    },

    async remove(channelId: string, mediaId: string): Promise<void> {
      await pool.query(`DELETE FROM media_objects WHERE channel_id = $1 AND media_id = $2`, [channelId, mediaId]);
    },

    /** Counts for the information right (`GET /v1/channels/:id/data`). */
    async summaryForChannel(channelId: string): Promise<{ count: number; bytes: number; oldest: Date | null }> {
      const { rows } = await pool.query<{ count: number; bytes: string | null; oldest: Date | null }>(
        `SELECT count(*)::int AS count, sum(size_bytes)::text AS bytes, min(created_at) AS oldest FROM media_objects WHERE channel_id = $1`,
        [channelId],
      );
      const r = rows[0]!;
      return { count: r.count, bytes: Number(r.bytes ?? 0), oldest: r.oldest };
    },
  };
}

export type MediaObjects = ReturnType<typeof createMediaObjects>;

function toRow(r: Record<string, unknown>): MediaObjectRow {
  return {
    channelId: r.channel_id as string,
    mediaId: r.media_id as string,
    instanceId: r.instance_id as string,
    backend: r.backend as 'postgres' | 's3',
    location: r.location as string,
    keyId: r.key_id as string,
    nonce: r.nonce as Buffer,
    chunkSize: r.chunk_size as number,
    mimeType: r.mime_type as string,
    sizeBytes: Number(r.size_bytes),
    createdAt: r.created_at as Date,
    expiresAt: r.expires_at as Date,
  };
}
