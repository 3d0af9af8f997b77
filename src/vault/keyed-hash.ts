import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';

/**
 * A keyed hash (HMAC-SHA256, base64url) under a key derived with HKDF-SHA256 from a TOKEN_ENCRYPTION_KEYS
 * entry and a `label` of the caller's own, so each use (conversation counters, pair-rate keys, customer
 * windows) has a key of its own and the stored hashes cannot be reversed by enumerating phone numbers
 * without it. The key is imported once: a raw key would be imported again by every hash, on hot paths.
 */
export function keyedHash(tokenKey: string, label: string): (text: string) => string {
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(tokenKey, 'base64url'), Buffer.alloc(0), label, 32)));
  return (text) => createHmac('sha256', key).update(text, 'utf8').digest('base64url');
}
