import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { MediaObjectRow, MediaObjects } from '../db/media-objects.js';
import type { BlobStore } from './blob-store.js';
import type { MediaKeyring } from './keys.js';
import { DEFAULT_CHUNK_SIZE, newNonce, openRange, seal, type SealParams } from './sealing.js';

export interface MediaStoreDeps {
  objects: MediaObjects;
  blobs: BlobStore;
  keyring: MediaKeyring;
  clock: () => Date;
  chunkSize?: number;
}

export interface CaptureInput {
  channelId: string;
  mediaId: string;
  instanceId: string;
  mimeType: string;
  expiresAt: Date;
  /** The plaintext, streamed from Meta. */
  source: AsyncIterable<Uint8Array>;
}

/** An opened object (or the part of it a Range asked for): plaintext bytes `start..end` of `size`. */
export interface OpenedMedia {
  stream: Readable;
  mimeType: string;
  size: number;
  start: number;
  end: number;
}

function objectIdOf(row: Pick<MediaObjectRow, 'channelId' | 'mediaId'>): string {
  return `${row.channelId}/${row.mediaId}`;
}

/** A bucket key that names no channel or media id in clear. */
function blobKeyOf(channelId: string, mediaId: string): string {
  return createHash('sha256').update(`${channelId}/${mediaId}`).digest('base64url');
}

/**
 * Captured media: sealed (src/media/sealing.ts) with the newest media key, stored in the blob store,
 * recorded in `media_objects`; read back by range; removed with its bytes.
 */
export function createMediaStore(deps: MediaStoreDeps) {
  const chunkSize = deps.chunkSize ?? DEFAULT_CHUNK_SIZE;

  function paramsOf(row: MediaObjectRow): SealParams & { size: number } {
    const key = deps.keyring.get(row.keyId);
    if (!key) throw new Error(`media key ${row.keyId} is no longer configured`);
    return { key, nonce: row.nonce, objectId: objectIdOf(row), chunkSize: row.chunkSize, size: row.sizeBytes };
  }

  return {
    backend: deps.blobs.backend,

    /** Whether this item was captured before (a retried capture does not fetch again). */
    has(channelId: string, mediaId: string): Promise<boolean> {
      return deps.objects.exists(channelId, mediaId);
    },

    /** Seals and stores the bytes, then records them. A concurrent capture of the same item keeps the first. */
    async capture(input: CaptureInput): Promise<{ sizeBytes: number }> {
      const { current } = deps.keyring;
      const nonce = newNonce();
      let size = 0;
      const params: SealParams = { key: current.key, nonce, objectId: objectIdOf(input), chunkSize };
      const location = await deps.blobs.put(blobKeyOf(input.channelId, input.mediaId), seal(params, input.source, (n) => (size = n)));
      const recorded = await deps.objects.insert({
        channelId: input.channelId,
        mediaId: input.mediaId,
        instanceId: input.instanceId,
        backend: deps.blobs.backend,
        location,
        keyId: current.id,
        nonce,
        chunkSize,
        mimeType: input.mimeType,
        sizeBytes: size,
        createdAt: deps.clock(),
        expiresAt: input.expiresAt,
      });
      // Lost a race with another capture of the same item (S3 overwrote the same key, so only a large object is left over).
      if (!recorded && deps.blobs.backend === 'postgres') await deps.blobs.delete(location);
      return { sizeBytes: size };
    },

    /** The object's plaintext, whole or the inclusive range `start..end` (already clamped by the caller). */
    open(row: MediaObjectRow, range?: { start: number; end: number }): OpenedMedia {
      const params = paramsOf(row);
      const start = range?.start ?? 0;
      const end = range?.end ?? Math.max(row.sizeBytes - 1, 0);
      const chunks = openRange(params, { start, end }, (offset, length) => deps.blobs.read(row.location, offset, length));
      return { stream: Readable.from(chunks), mimeType: row.mimeType, size: row.sizeBytes, start, end };
    },

    /** Deletes the bytes of a row already taken out of the table. */
    async discard(row: MediaObjectRow): Promise<void> {
      await deps.blobs.delete(row.location);
    },

    /** Retention, one batch: objects past their horizon, bytes and rows. Returns how many went. */
    async purgeExpiredBatch(limit: number): Promise<number> {
      const rows = await deps.objects.expiredBatch(deps.clock(), limit);
      // Bytes first: a row whose bytes could not be deleted stays, and the next run tries again.
      for (const row of rows) {
        await deps.blobs.delete(row.location);
        await deps.objects.remove(row.channelId, row.mediaId);
      }
      return rows.length;
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
