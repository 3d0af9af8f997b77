import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

/**
 * AES-256-GCM over the whole serialized Payload (metadata included, so even the original encoding
 * is hidden). The key id travels in clear metadata and is bound into the tag as additional
 * authenticated data, so rotation needs no trial decryption and a relabelled payload fails.
 *
 *   data = iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes)
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** As configured: `PAYLOAD_ENCRYPTION_KEYS` entries, newest first. */
export interface PayloadKey {
  id: string;
  /** 32 bytes, base64 or base64url. */
  key: string;
}

// CommonJS package: ESM sees only its default export.
const ProtoPayload = proto.temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  /** KeyObjects, made once: a raw key would be imported again by every cipher (measurable per event). */
  private readonly keys: ReadonlyMap<string, KeyObject>;
  private readonly activeKeyId: string;

  /** `keys` newest first: the first encrypts, every one decrypts. */
  constructor(keys: ReadonlyArray<{ id: string; key: Uint8Array }>) {
    if (keys.length === 0) throw new TypeError('at least one payload encryption key is required');
    const map = new Map<string, KeyObject>();
    for (const { id, key } of keys) {
      if (key.length !== KEY_BYTES) throw new TypeError(`payload key ${id} must be ${KEY_BYTES} bytes`);
      if (map.has(id)) throw new TypeError(`payload key id ${id} is used twice`);
      map.set(id, createSecretKey(Buffer.from(key)));
    }
    this.keys = map;
    this.activeKeyId = keys[0]!.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(utf8.encode(this.activeKeyId));
      const body = Buffer.concat([cipher.update(ProtoPayload.encode(payload).finish()), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(this.activeKeyId) },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Not ours (plain JSON, or another codec's): leave it for the next codec or the converter.
      if (fromUtf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromUtf8(payload.metadata?.[KEY_ID_METADATA]);
      const key = keyId === undefined ? undefined : this.keys.get(keyId);
      // Key ids are not secret; naming the missing one tells an operator which old key to restore.
      if (!key) throw new ValueError(`cannot decrypt payload: key id ${keyId === undefined ? '(missing)' : JSON.stringify(keyId)} is not configured`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('cannot decrypt payload: ciphertext is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(utf8.encode(keyId!));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return ProtoPayload.decode(plain);
      } catch {
        throw new ValueError(`cannot decrypt payload: authentication failed (key id ${JSON.stringify(keyId)})`);
      }
    });
  }
}

/** Decodes the configured keys (already validated by loadConfig) into the codec. */
export function createEncryptionCodec(keys: readonly PayloadKey[]): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(keys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') })));
}

/**
 * The codecs every Temporal client, worker and the codec endpoint use. No keys (possible outside
 * production only) means no codec: payloads stay plain JSON.
 */
export function createPayloadCodecs(keys: readonly PayloadKey[]): PayloadCodec[] {
  return keys.length > 0 ? [createEncryptionCodec(keys)] : [];
}

/** A fresh key for `PAYLOAD_ENCRYPTION_KEYS` (`<id>:<this>`). */
export function generatePayloadKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}
