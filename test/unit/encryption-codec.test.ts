import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ApplicationFailure, DefaultFailureConverter, ValueError, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeFailure, encodeFailure } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter.js';
import {
  AesGcmPayloadCodec,
  createEncryptionCodec,
  createPayloadCodecs,
  ENCRYPTED_ENCODING,
  generatePayloadKey,
  KEY_ID_METADATA,
} from '../../src/temporal/encryption-codec.js';
import { failureConverter } from '../../src/temporal/failure-converter.js';

const SECRET_TEXT = 'Hallo, meine Nummer ist +4915112345678';
const k1 = { id: 'k2025', key: generatePayloadKey() };
const k2 = { id: 'k2026', key: generatePayloadKey() };

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const plainPayload = (): Payload => defaultPayloadConverter.toPayload({ text: SECRET_TEXT, to: '+4915112345678' });

async function encodeOne(codec: AesGcmPayloadCodec, payload: Payload): Promise<Payload> {
  const [encoded] = await codec.encode([payload]);
  return encoded!;
}

async function decodeOne(codec: AesGcmPayloadCodec, payload: Payload): Promise<Payload> {
  const [decoded] = await codec.decode([payload]);
  return decoded!;
}

describe('AES-256-GCM payload codec', () => {
  it('round-trips a payload, hiding its content and original encoding behind binary/encrypted and the key id', async () => {
    const codec = createEncryptionCodec([k1]);
    const original = plainPayload();
    const encoded = await encodeOne(codec, original);
    assert.deepEqual(Object.keys(encoded.metadata!).sort(), ['encoding', KEY_ID_METADATA].sort());
    assert.equal(text(encoded.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded.metadata![KEY_ID_METADATA]), 'k2025');
    assert.ok(!Buffer.from(encoded.data!).includes('+4915112345678'));
    assert.ok(!Buffer.from(encoded.data!).includes('json/plain'));
    const decoded = await decodeOne(codec, encoded);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { text: SECRET_TEXT, to: '+4915112345678' });
    assert.equal(text(decoded.metadata!.encoding), 'json/plain');
  });

  it('uses a fresh IV per payload: the same payload encrypts differently each time', async () => {
    const codec = createEncryptionCodec([k1]);
    const [a, b] = await codec.encode([plainPayload(), plainPayload()]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('after rotation encrypts with the newest key and still decrypts what the old key encrypted', async () => {
    const before = createEncryptionCodec([k1]);
    const after = createEncryptionCodec([k2, k1]);
    const old = await encodeOne(before, plainPayload());
    assert.deepEqual(defaultPayloadConverter.fromPayload(await decodeOne(after, old)), { text: SECRET_TEXT, to: '+4915112345678' });
    const fresh = await encodeOne(after, plainPayload());
    assert.equal(text(fresh.metadata![KEY_ID_METADATA]), 'k2026');
    await assert.rejects(decodeOne(before, fresh), (err: unknown) => err instanceof ValueError && /key id "k2026" is not configured/.test(err.message));
  });

  it('rejects a payload whose ciphertext, tag or IV was altered', async () => {
    const codec = createEncryptionCodec([k1]);
    const encoded = await encodeOne(codec, plainPayload());
    const length = encoded.data!.length;
    for (const index of [0, 12, Math.floor(length / 2), length - 1]) {
      const data = Buffer.from(encoded.data!);
      data[index]! ^= 0x01;
      await assert.rejects(decodeOne(codec, { ...encoded, data }), (err: unknown) => err instanceof ValueError && /authentication failed/.test(err.message));
    }
  });

  it('rejects a payload relabelled with another configured key id (the id is authenticated) and a truncated one', async () => {
    const codec = createEncryptionCodec([k2, k1]);
    const encoded = await encodeOne(codec, plainPayload());
    const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: Buffer.from('k2025') } };
    await assert.rejects(decodeOne(codec, relabelled), /authentication failed/);
    await assert.rejects(decodeOne(codec, { ...encoded, data: Buffer.from(encoded.data!).subarray(0, 20) }), /truncated/);
    await assert.rejects(decodeOne(codec, { ...encoded, metadata: { encoding: encoded.metadata!.encoding! } }), /key id \(missing\) is not configured/);
  });

  it('passes payloads that are not its own through untouched', async () => {
    const codec = createEncryptionCodec([k1]);
    const json = plainPayload();
    const nothing = defaultPayloadConverter.toPayload(undefined);
    const binary = defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]));
    const other: Payload = { metadata: { encoding: Buffer.from('binary/zstd') }, data: Buffer.from('compressed') };
    const decoded = await codec.decode([json, nothing, binary, other]);
    assert.equal(decoded[0], json);
    assert.equal(decoded[1], nothing);
    assert.equal(decoded[2], binary);
    assert.equal(decoded[3], other);
  });

  it('refuses keys that are not 32 bytes, a repeated key id, or no key at all', () => {
    assert.throws(() => new AesGcmPayloadCodec([{ id: 'short', key: new Uint8Array(16) }]), /must be 32 bytes/);
    assert.throws(() => new AesGcmPayloadCodec([{ id: 'a', key: new Uint8Array(32) }, { id: 'a', key: new Uint8Array(32) }]), /used twice/);
    assert.throws(() => new AesGcmPayloadCodec([]), /at least one/);
  });

  it('generates base64 keys of 32 bytes, and no codec at all when no key is configured', () => {
    assert.equal(Buffer.from(generatePayloadKey(), 'base64').length, 32);
    assert.deepEqual(createPayloadCodecs([]), []);
    assert.equal(createPayloadCodecs([k1]).length, 1);
  });
});

describe('failure converter and data converter', () => {
  it('moves failure messages and stack traces into a payload that the codec encrypts', async () => {
    const codec = createEncryptionCodec([k1]);
    const failure = failureConverter.errorToFailure(ApplicationFailure.create({ message: `Graph said: ${SECRET_TEXT}`, type: 'meta.policy' }), defaultPayloadConverter);
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(failure.stackTrace, '');
    const encoded = await encodeFailure([codec], failure);
    assert.equal(text(encoded.encodedAttributes!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.ok(!JSON.stringify(encoded).includes('+4915112345678'));
    const restored = failureConverter.failureToError(await decodeFailure([codec], encoded), defaultPayloadConverter);
    assert.equal(restored.message, `Graph said: ${SECRET_TEXT}`);
  });

  it('points the data converter at the compiled failure converter, which the SDK loads from that path', () => {
    const converter = createDataConverter({ payloadCodecs: createPayloadCodecs([k1]) });
    assert.equal(converter.failureConverterPath, FAILURE_CONVERTER_PATH);
    assert.ok(existsSync(FAILURE_CONVERTER_PATH), FAILURE_CONVERTER_PATH);
    const loaded = loadDataConverter(converter);
    assert.ok(loaded.failureConverter instanceof DefaultFailureConverter);
    assert.equal((loaded.failureConverter as DefaultFailureConverter).options.encodeCommonAttributes, true);
    assert.equal(loaded.payloadCodecs.length, 1);
  });
});
