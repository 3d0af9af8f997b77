import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * Captured media is sealed with AES-256-GCM in fixed-size chunks, so that a `Range` request decrypts
 * only the chunks it touches and still authenticates every byte it returns. Each chunk has its own
 * nonce (the object's random 96-bit nonce with the chunk index XORed into its last four bytes) and
 * its own 16-byte tag; the associated data binds it to its object, its position and whether it is the
 * last chunk, so chunks cannot be swapped between objects, reordered, or the object cut short (the
 * construction of Hoang, Reyhanitabar, Rogaway and Vizár's STREAM, as in Tink's streaming AEAD).
 */

export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;
/** 64 KiB of plaintext per chunk: 0.02 % overhead, and a range costs at most two extra chunks. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

export interface SealParams {
  key: Buffer;
  nonce: Buffer;
  /** Names the object in every chunk's associated data (e.g. `<channel id>/<media id>`). */
  objectId: string;
  chunkSize: number;
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

function chunkNonce(nonce: Buffer, index: number): Buffer {
  const out = Buffer.from(nonce);
  out.writeUInt32BE((out.readUInt32BE(NONCE_BYTES - 4) ^ index) >>> 0, NONCE_BYTES - 4);
  return out;
}

function aad(objectId: string, index: number, last: boolean): Buffer {
  return Buffer.from(`${objectId}\u0000${index}\u0000${last ? 1 : 0}`, 'utf8');
}

function sealChunk(p: SealParams, index: number, plain: Buffer, last: boolean): Buffer {
  const cipher = createCipheriv('aes-256-gcm', p.key, chunkNonce(p.nonce, index));
  cipher.setAAD(aad(p.objectId, index, last));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(p: SealParams, index: number, sealed: Buffer, last: boolean): Buffer {
  if (sealed.length < TAG_BYTES) throw new Error('sealed media chunk is truncated');
  const decipher = createDecipheriv('aes-256-gcm', p.key, chunkNonce(p.nonce, index));
  decipher.setAAD(aad(p.objectId, index, last));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}

/**
 * Seals a stream of plaintext into sealed chunks as it arrives (one chunk of look-ahead, to know which
 * is last). An empty input still yields one (empty) final chunk. `onPlainBytes` reports the total.
 */
export async function* seal(p: SealParams, source: AsyncIterable<Uint8Array>, onPlainBytes: (n: number) => void): AsyncGenerator<Buffer> {
  if (p.chunkSize < 1 || p.chunkSize > 16 * 1024 * 1024) throw new RangeError('chunk size out of range');
  let pending = Buffer.alloc(0);
  let held: Buffer | undefined;
  let index = 0;
  let total = 0;
  for await (const piece of source) {
    total += piece.byteLength;
    pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, piece]);
    while (pending.length >= p.chunkSize) {
      if (held) yield sealChunk(p, index++, held, false);
      held = pending.subarray(0, p.chunkSize);
      pending = pending.subarray(p.chunkSize);
    }
  }
  if (pending.length > 0 || !held) {
    if (held) yield sealChunk(p, index++, held, false);
    held = pending;
  }
  yield sealChunk(p, index, held, true);
  onPlainBytes(total);
}

/** How many chunks an object of `size` plaintext bytes has (at least one). */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** Where chunks `first..last` sit in the sealed object: byte offset and length. */
export function sealedSpan(size: number, chunkSize: number, first: number, last: number): { offset: number; length: number } {
  const sealedChunk = chunkSize + TAG_BYTES;
  const count = chunkCount(size, chunkSize);
  const lastPlain = size - (count - 1) * chunkSize;
  const end = last === count - 1 ? (count - 1) * sealedChunk + lastPlain + TAG_BYTES : (last + 1) * sealedChunk;
  return { offset: first * sealedChunk, length: end - first * sealedChunk };
}

/**
 * The plaintext bytes `start..end` (inclusive) of an object, reading sealed spans through `read` a
 * few chunks at a time; every chunk is authenticated before any of its bytes is yielded.
 */
export async function* openRange(
  p: SealParams & { size: number },
  range: { start: number; end: number },
  read: (offset: number, length: number) => Promise<Buffer>,
  chunksPerRead = 16,
): AsyncGenerator<Buffer> {
  const count = chunkCount(p.size, p.chunkSize);
  if (p.size === 0) {
    // Still authenticate the empty final chunk: a missing or altered object must not read as empty.
    openChunk(p, 0, await read(0, TAG_BYTES), true);
    return;
  }
  const firstChunk = Math.floor(range.start / p.chunkSize);
  const lastChunk = Math.floor(range.end / p.chunkSize);
  const sealedChunk = p.chunkSize + TAG_BYTES;
  for (let from = firstChunk; from <= lastChunk; from += chunksPerRead) {
    const to = Math.min(lastChunk, from + chunksPerRead - 1);
    const span = sealedSpan(p.size, p.chunkSize, from, to);
    const sealed = await read(span.offset, span.length);
    if (sealed.length !== span.length) throw new Error('sealed media object is shorter than recorded');
    for (let i = from; i <= to; i += 1) {
      const start = (i - from) * sealedChunk;
      const plain = openChunk(p, i, sealed.subarray(start, Math.min(start + sealedChunk, sealed.length)), i === count - 1);
      const chunkStart = i * p.chunkSize;
      const cutFrom = Math.max(range.start - chunkStart, 0);
      const cutTo = Math.min(range.end - chunkStart + 1, plain.length);
      yield plain.subarray(cutFrom, cutTo);
    }
  }
}
