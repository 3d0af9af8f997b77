import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { chunkCount, openRange, seal, sealedSpan, TAG_BYTES, type SealParams } from '../../src/media/sealing.js';

const key = randomBytes(32);

async function sealAll(p: SealParams, plain: Buffer, pieces = 7): Promise<Buffer> {
  async function* source() {
    for (let i = 0; i < plain.length; i += pieces) yield plain.subarray(i, i + pieces);
  }
  const out: Buffer[] = [];
  for await (const chunk of seal(p, source(), () => undefined)) out.push(chunk);
  return Buffer.concat(out);
}

async function open(p: SealParams, sealed: Buffer, size: number, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of openRange({ ...p, size }, { start, end }, async (offset, length) => sealed.subarray(offset, offset + length), 2)) parts.push(part);
  return Buffer.concat(parts);
}

describe('media sealing (chunked AES-256-GCM)', () => {
  // A nonce whose last word has its high bit set: the chunk index is XORed into it.
  const params = (objectId = 'ch/1', chunkSize = 16): SealParams => ({ key, nonce: Buffer.from('00112233445566778899aaff', 'hex'), objectId, chunkSize });

  it('seals chunk by chunk (a tag per chunk) and opens every range back to the exact bytes', async () => {
    for (const size of [0, 1, 15, 16, 17, 64, 100]) {
      const plain = randomBytes(size);
      const sealed = await sealAll(params(), plain);
      assert.equal(sealed.length, size + chunkCount(size, 16) * TAG_BYTES, `size ${size}`);
      if (size === 0) {
        assert.deepEqual(await open(params(), sealed, 0, 0, 0), Buffer.alloc(0));
        continue;
      }
      for (const [start, end] of [[0, size - 1], [0, 0], [size - 1, size - 1], [Math.floor(size / 3), Math.floor((2 * size) / 3)]] as const) {
        assert.deepEqual(await open(params(), sealed, size, start, end), plain.subarray(start, end + 1), `size ${size} range ${start}-${end}`);
      }
    }
  });

  it('places chunks where sealedSpan says', () => {
    assert.deepEqual(sealedSpan(40, 16, 0, 0), { offset: 0, length: 32 });
    assert.deepEqual(sealedSpan(40, 16, 2, 2), { offset: 64, length: 8 + TAG_BYTES });
    assert.deepEqual(sealedSpan(40, 16, 1, 2), { offset: 32, length: 32 + 8 + TAG_BYTES });
  });

  it('refuses a flipped byte, a chunk of another object, and an object cut after a full chunk', async () => {
    const plain = randomBytes(48);
    const sealed = await sealAll(params(), plain);
    const flipped = Buffer.from(sealed);
    flipped[3] = flipped[3]! ^ 1;
    await assert.rejects(open(params(), flipped, 48, 0, 47));
    await assert.rejects(open(params('ch/2'), sealed, 48, 0, 47), 'bound to its object id');
    // Claiming the object ends after its second chunk: that chunk was not sealed as the last one.
    await assert.rejects(open(params(), sealed.subarray(0, 2 * (16 + TAG_BYTES)), 32, 16, 31));
  });
});
