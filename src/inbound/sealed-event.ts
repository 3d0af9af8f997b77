import { METADATA_ENCODING_KEY, type PayloadCodec } from '@temporalio/common';
import type { InboundEvent } from '../shared/inbound-events.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../temporal/encryption-codec.js';

/** An event as the intake stores it: the payload codec's ciphertext and the id of the key that made it. */
export interface SealedEvent {
  /** null: stored without encryption (only outside production, where PAYLOAD_ENCRYPTION_KEYS may be unset). */
  keyId: string | null;
  payload: Buffer;
}

const utf8 = new TextEncoder();
const JSON_PLAIN = utf8.encode('json/plain');

/**
 * Seals intake rows with the payload codec itself, the one Temporal's histories are encrypted with:
 * the event rests in PostgreSQL under the same keys (and the same rotation) as it rests in Temporal
 * afterwards. The key id is stored beside the ciphertext, so an older key still opens an older row.
 */
export function createEventSeal(codec: PayloadCodec | undefined) {
  return {
    async seal(event: InboundEvent): Promise<SealedEvent> {
      const plain = utf8.encode(JSON.stringify(event));
      if (!codec) return { keyId: null, payload: Buffer.from(plain) };
      const [sealed] = await codec.encode([{ metadata: { [METADATA_ENCODING_KEY]: JSON_PLAIN }, data: plain }]);
      const keyId = sealed?.metadata?.[KEY_ID_METADATA];
      if (!sealed?.data || !keyId) throw new Error('the payload codec did not seal the event');
      return { keyId: Buffer.from(keyId).toString('utf8'), payload: Buffer.from(sealed.data) };
    },

    async open(sealed: SealedEvent): Promise<InboundEvent> {
      if (sealed.keyId === null) return JSON.parse(sealed.payload.toString('utf8')) as InboundEvent;
      if (!codec) throw new Error(`an intake row is sealed with key ${JSON.stringify(sealed.keyId)} but no payload keys are configured`);
      const [opened] = await codec.decode([
        { metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(sealed.keyId) }, data: sealed.payload },
      ]);
      return JSON.parse(Buffer.from(opened?.data ?? new Uint8Array()).toString('utf8')) as InboundEvent;
    },
  };
}

export type EventSeal = ReturnType<typeof createEventSeal>;
