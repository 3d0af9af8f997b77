import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Fernet (spec version 0x80) on node:crypto. We implement the spec ourselves instead of using the npm
 * `fernet` package because that package accepts tokens with bad PKCS#7 padding (see docs/token-vault.md).
 *
 * Token layout: version (1) | timestamp (8, big-endian seconds) | IV (16) | ciphertext (n*16) | HMAC (32),
 * the HMAC-SHA256 covering everything before it, the whole encoded as base64url.
 */

const VERSION = 0x80;
const VERSION_LEN = 1;
const TIMESTAMP_LEN = 8;
const IV_LEN = 16;
const BLOCK_LEN = 16;
const HMAC_LEN = 32;
const HEADER_LEN = VERSION_LEN + TIMESTAMP_LEN + IV_LEN;
const MIN_TOKEN_LEN = HEADER_LEN + HMAC_LEN;
const KEY_LEN = 32;
/** The spec's allowance for the issuer's clock being ahead of ours. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

export type FernetErrorReason =
  | 'invalid_base64'
  | 'too_short'
  | 'bad_version'
  | 'bad_mac'
  | 'not_block_multiple'
  | 'bad_padding'
  | 'expired'
  | 'future_timestamp'
  | 'invalid_key'
  | 'invalid_iv'
  | 'invalid_timestamp';

const MESSAGES: Record<FernetErrorReason, string> = {
  invalid_base64: 'Fernet token is not valid base64url',
  too_short: 'Fernet token is too short',
  bad_version: 'Fernet token has an unsupported version byte',
  bad_mac: 'Fernet token HMAC does not match',
  not_block_multiple: 'Fernet ciphertext is not a whole number of AES blocks',
  bad_padding: 'Fernet ciphertext has invalid padding',
  expired: 'Fernet token is older than its TTL',
  future_timestamp: 'Fernet token timestamp is too far in the future',
  invalid_key: 'Fernet key must be 32 bytes encoded as base64url',
  invalid_iv: 'Fernet IV must be 16 bytes',
  invalid_timestamp: 'Fernet timestamp must be a time at or after 1970-01-01T00:00:00Z',
};

/** Messages are fixed per reason so that no token, plaintext or key can ever end up in one. */
export class FernetError extends Error {
  constructor(readonly reason: FernetErrorReason) {
    super(MESSAGES[reason]);
    this.name = 'FernetError';
  }
}

interface KeyMaterial {
  signingKey: Buffer;
  encryptionKey: Buffer;
}

let materialOf!: (key: FernetKey) => KeyMaterial;
let keyFromBytes!: (raw: Buffer) => FernetKey;

/**
 * A parsed key. The bytes sit in private fields and the object prints as a placeholder, so logging a
 * key by mistake (`log.info({ key })`, util.inspect, JSON) does not leak it.
 */
export class FernetKey {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  private constructor(raw: Buffer) {
    this.#signingKey = Buffer.from(raw.subarray(0, 16));
    this.#encryptionKey = Buffer.from(raw.subarray(16, 32));
  }

  // Module-private accessors: only this file can build a key or read its bytes.
  static {
    materialOf = (key) => ({ signingKey: key.#signingKey, encryptionKey: key.#encryptionKey });
    keyFromBytes = (raw) => new FernetKey(raw);
  }

  toJSON(): string {
    return '[FernetKey]';
  }

  toString(): string {
    return '[FernetKey]';
  }

  [inspect.custom](): string {
    return '[FernetKey]';
  }
}

/** Key as the spec writes it: 32 bytes base64url, signing key = first 16 bytes, encryption key = last 16. */
export function parseFernetKey(base64url32bytes: string): FernetKey {
  const raw = decodeBase64Url(base64url32bytes);
  if (raw === undefined || raw.length !== KEY_LEN) throw new FernetError('invalid_key');
  return keyFromBytes(raw);
}

/** A fresh random key in the spec's textual form (padded base64url). */
export function generateFernetKey(): string {
  return encodeBase64Url(randomBytes(KEY_LEN));
}

export function fernetEncrypt(key: FernetKey, plaintext: Buffer, opts: { now?: Date; iv?: Buffer } = {}): string {
  const { signingKey, encryptionKey } = materialOf(key);
  const iv = opts.iv ?? randomBytes(IV_LEN);
  if (iv.length !== IV_LEN) throw new FernetError('invalid_iv');
  const millis = (opts.now ?? new Date()).getTime();
  if (!Number.isFinite(millis) || millis < 0) throw new FernetError('invalid_timestamp');

  const header = Buffer.alloc(HEADER_LEN);
  header.writeUInt8(VERSION, 0);
  header.writeBigUInt64BE(BigInt(Math.floor(millis / 1000)), VERSION_LEN);
  iv.copy(header, VERSION_LEN + TIMESTAMP_LEN);

  const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const signed = Buffer.concat([header, ciphertext]);
  const mac = createHmac('sha256', signingKey).update(signed).digest();
  return encodeBase64Url(Buffer.concat([signed, mac]));
}

/**
 * Verifies then decrypts, in the spec's order: decode, version, age (only when a TTL is given, as in
 * the reference implementations), HMAC in constant time, and only then AES-CBC with OpenSSL's PKCS#7 check.
 */
export function fernetDecrypt(key: FernetKey, token: string, opts: { now: Date; ttlSeconds?: number }): Buffer {
  const { signingKey, encryptionKey } = materialOf(key);
  const data = decodeBase64Url(token);
  if (data === undefined) throw new FernetError('invalid_base64');
  if (data.length < MIN_TOKEN_LEN) throw new FernetError('too_short');
  if (data[0] !== VERSION) throw new FernetError('bad_version');

  if (opts.ttlSeconds !== undefined) {
    if (!Number.isSafeInteger(opts.ttlSeconds) || opts.ttlSeconds < 0) {
      throw new RangeError('ttlSeconds must be a non-negative integer');
    }
    const issuedAt = data.readBigUInt64BE(VERSION_LEN);
    const now = BigInt(Math.floor(opts.now.getTime() / 1000));
    if (issuedAt + BigInt(opts.ttlSeconds) < now) throw new FernetError('expired');
    if (now + BigInt(MAX_CLOCK_SKEW_SECONDS) < issuedAt) throw new FernetError('future_timestamp');
  }

  const macOffset = data.length - HMAC_LEN;
  const expectedMac = createHmac('sha256', signingKey).update(data.subarray(0, macOffset)).digest();
  if (!timingSafeEqual(expectedMac, data.subarray(macOffset))) throw new FernetError('bad_mac');

  const iv = data.subarray(VERSION_LEN + TIMESTAMP_LEN, HEADER_LEN);
  const ciphertext = data.subarray(HEADER_LEN, macOffset);
  // An empty ciphertext cannot come from a conforming encoder: PKCS#7 always adds at least one byte.
  if (ciphertext.length === 0 || ciphertext.length % BLOCK_LEN !== 0) throw new FernetError('not_block_multiple');

  const decipher = createDecipheriv('aes-128-cbc', encryptionKey, iv);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // OpenSSL's message is dropped on purpose: we expose only the stable reason.
    throw new FernetError('bad_padding');
  }
}

const BASE64URL_BODY = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url: URL-safe alphabet only, padding either absent or exact, and canonical (unused
 * trailing bits zero). Buffer.from(_, 'base64url') alone would silently skip foreign characters.
 */
function decodeBase64Url(text: string): Buffer | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (!BASE64URL_BODY.test(body) || body.length % 4 === 1) return undefined;
  if (body.length !== text.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) return undefined;
  return bytes;
}

/** Padded, as the spec's vectors and the reference implementations emit it. */
function encodeBase64Url(bytes: Buffer): string {
  const body = bytes.toString('base64url');
  return body + '='.repeat((4 - (body.length % 4)) % 4);
}
