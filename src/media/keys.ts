import { hkdfSync } from 'node:crypto';

/**
 * The keys captured media is sealed with, newest first: the first seals, any opens (each object
 * records its key id). They are either MEDIA_ENCRYPTION_KEYS (32-byte keys of their own) or, when
 * that is unset, derived with HKDF-SHA256 from each TOKEN_ENCRYPTION_KEYS entry under a label of
 * their own, so that a media key never equals a token key and rotating the token keys rotates them.
 */
export interface MediaKeyring {
  current: { id: string; key: Buffer };
  get(id: string): Buffer | undefined;
}

const KEY_BYTES = 32;

export function createMediaKeyring(config: { mediaKeys: ReadonlyArray<{ id: string; key: string }>; tokenKeys: ReadonlyArray<{ id: string; key: string }> }): MediaKeyring {
  const entries =
    config.mediaKeys.length > 0
      ? config.mediaKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }))
      : config.tokenKeys.map((k) => ({
          id: `token-${k.id}`,
          key: Buffer.from(hkdfSync('sha256', Buffer.from(k.key, 'base64url'), Buffer.alloc(0), 'media-object-key', KEY_BYTES)),
        }));
  if (entries.length === 0) throw new TypeError('no media encryption key');
  for (const e of entries) if (e.key.length !== KEY_BYTES) throw new TypeError(`media key ${e.id} must be ${KEY_BYTES} bytes`);
  const byId = new Map(entries.map((e) => [e.id, e.key]));
  return { current: entries[0]!, get: (id) => byId.get(id) };
}
