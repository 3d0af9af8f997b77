import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from './blob-store.js';

export interface S3StoreConfig {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, moto in tests); undefined: AWS itself. */
  endpoint: string | undefined;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most S3-compatible servers want. */
  forcePathStyle: boolean;
  /** Static credentials; undefined: the SDK's default chain (environment, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Prefix of every object key, e.g. `media/`. */
  prefix: string;
}

/**
 * An S3-compatible bucket through the AWS SDK. An object is PUT whole (the sealed bytes are gathered
 * first: a single PUT is atomic and needs no multipart bookkeeping for media of at most ~100 MB);
 * ranges are read with `Range: bytes=a-b`.
 */
export function createS3Store(config: S3StoreConfig, client?: S3Client): BlobStore {
  const s3 =
    client ??
    new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      // A copy: the SDK marks the object it is given, and the configuration is frozen.
      ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    });
  return {
    backend: 's3',

    async put(key, chunks) {
      const parts: Buffer[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      const body = Buffer.concat(parts);
      const objectKey = `${config.prefix}${key}`;
      await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: objectKey, Body: body, ContentLength: body.length, ContentType: 'application/octet-stream' }));
      return objectKey;
    },

    async read(location, offset, length) {
      const res = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: location, Range: `bytes=${offset}-${offset + length - 1}` }));
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    },

    async delete(location) {
      await s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: location }));
    },
  };
}
