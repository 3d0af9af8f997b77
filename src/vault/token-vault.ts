import { FernetError, fernetDecrypt, fernetEncrypt, parseFernetKey, type FernetKey, type FernetErrorReason } from './fernet.js';

/**
 * Encrypts channel access tokens at rest. Stored form: `fernet:<keyId>:<token>`, so every ciphertext
 * names the key that made it and keys can be rotated without guessing.
 */
export interface TokenVault {
  /** Id of the newest key, the one `encrypt` uses. */
  readonly currentKeyId: string;
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
  keyIdOf(stored: string): string;
  /** True when `stored` was not made with the newest key. */
  needsRotation(stored: string): boolean;
  /** The same secret under the newest key; `stored` itself (after checking it decrypts) when already there. */
  reencrypt(stored: string): string;
}

export type VaultErrorCode = 'invalid_config' | 'unknown_key' | 'malformed' | 'invalid_token';

/** Messages carry key ids at most: never a stored value, a plaintext or key material. */
export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    /** Why the Fernet layer rejected the token, when code is 'invalid_token'. */
    readonly reason?: FernetErrorReason,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export interface TokenVaultOptions {
  /** Newest first: the first key encrypts, every key decrypts. */
  keys: Array<{ id: string; key: string }>;
  clock?: () => Date;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const SCHEME = 'fernet';
const STORED_PATTERN = /^fernet:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+={0,2})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createTokenVault(options: TokenVaultOptions): TokenVault {
  const clock = options.clock ?? (() => new Date());
  const keys = parseKeys(options.keys);
  const [newest] = keys.keys();
  if (newest === undefined) throw new VaultError('invalid_config', 'Token vault needs at least one key');
  const newestKey = keys.get(newest)!;

  function parse(stored: string): { keyId: string; token: string } {
    const match = typeof stored === 'string' ? STORED_PATTERN.exec(stored) : null;
    if (!match) throw new VaultError('malformed', `Stored token is not in the form ${SCHEME}:<keyId>:<token>`);
    return { keyId: match[1]!, token: match[2]! };
  }

  function encrypt(plaintext: string): string {
    const token = fernetEncrypt(newestKey, Buffer.from(plaintext, 'utf8'), { now: clock() });
    return `${SCHEME}:${newest}:${token}`;
  }

  function decrypt(stored: string): string {
    const { keyId, token } = parse(stored);
    const key = keys.get(keyId);
    if (!key) throw new VaultError('unknown_key', `No vault key with id "${keyId}" is configured`);
    let bytes: Buffer;
    try {
      // No TTL: expiry of the Meta token itself is tracked elsewhere; a stored token stays readable.
      bytes = fernetDecrypt(key, token, { now: clock() });
    } catch (err) {
      if (err instanceof FernetError) {
        throw new VaultError('invalid_token', `Stored token under key "${keyId}" failed verification (${err.reason})`, err.reason);
      }
      throw err;
    }
    try {
      return utf8.decode(bytes);
    } catch {
      throw new VaultError('invalid_token', `Stored token under key "${keyId}" is not UTF-8 text`);
    }
  }

  function keyIdOf(stored: string): string {
    return parse(stored).keyId;
  }

  function needsRotation(stored: string): boolean {
    return keyIdOf(stored) !== newest;
  }

  function reencrypt(stored: string): string {
    const plaintext = decrypt(stored);
    return needsRotation(stored) ? encrypt(plaintext) : stored;
  }

  return { currentKeyId: newest, encrypt, decrypt, keyIdOf, needsRotation, reencrypt };
}

/**
 * Errors name the key id, or only its position when the id itself is invalid (it might be a key pasted
 * into the wrong field), and never the key.
 */
function parseKeys(entries: TokenVaultOptions['keys']): Map<string, FernetKey> {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new VaultError('invalid_config', 'Token vault needs at least one key');
  }
  const keys = new Map<string, FernetKey>();
  entries.forEach((entry, index) => {
    const id: unknown = entry?.id;
    if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
      throw new VaultError('invalid_config', `Vault key #${index + 1} has an invalid id (must match ${KEY_ID_PATTERN})`);
    }
    if (keys.has(id)) throw new VaultError('invalid_config', `Vault key id "${id}" is configured more than once`);
    let key: FernetKey;
    try {
      key = parseFernetKey(typeof entry.key === 'string' ? entry.key : '');
    } catch {
      throw new VaultError('invalid_config', `Vault key "${id}" is not a valid Fernet key (32 bytes, base64url)`);
    }
    keys.set(id, key);
  });
  return keys;
}
