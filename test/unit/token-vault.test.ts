import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { generateFernetKey } from '../../src/vault/fernet.js';
import { VaultError, createTokenVault, type VaultErrorCode } from '../../src/vault/token-vault.js';

const PLAINTEXT = 'EAAGm0PX4ZCpsBA-meta-access-token';
const K1 = { id: 'k2026-01', key: generateFernetKey() };
const K2 = { id: 'k2026-06', key: generateFernetKey() };

function failsWith(code: VaultErrorCode) {
  return (err: unknown) => {
    assert.ok(err instanceof VaultError, `expected VaultError, got ${inspect(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

/** Everything a careless log line or error report could show of an error. */
function everythingShownBy(err: unknown): string {
  const e = err as Error;
  return [String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { showHidden: true, depth: 5 })].join('\n');
}

function tokenPart(stored: string): string {
  return stored.split(':')[2]!;
}

describe('token vault: encryption and rotation', () => {
  test('encrypts under the first (newest) key and decrypts back', () => {
    const vault = createTokenVault({ keys: [K2, K1] });
    const stored = vault.encrypt(PLAINTEXT);
    assert.match(stored, /^fernet:k2026-06:[A-Za-z0-9_-]+={0,2}$/);
    assert.ok(!stored.includes(PLAINTEXT));
    assert.equal(vault.currentKeyId, 'k2026-06');
    assert.equal(vault.keyIdOf(stored), 'k2026-06');
    assert.equal(vault.needsRotation(stored), false);
    assert.equal(vault.decrypt(stored), PLAINTEXT);
  });

  test('encrypting the same plaintext twice gives different ciphertexts (random IV)', () => {
    const vault = createTokenVault({ keys: [K1] });
    assert.notEqual(vault.encrypt(PLAINTEXT), vault.encrypt(PLAINTEXT));
  });

  test('after a new key is prepended, values under the old key still decrypt and need rotation', () => {
    const before = createTokenVault({ keys: [K1] });
    const old = before.encrypt(PLAINTEXT);

    const after = createTokenVault({ keys: [K2, K1] });
    assert.equal(after.keyIdOf(old), 'k2026-01');
    assert.equal(after.needsRotation(old), true);
    assert.equal(after.decrypt(old), PLAINTEXT);
  });

  test('reencrypt moves a value to the newest key; the old key can then be retired', () => {
    const old = createTokenVault({ keys: [K1] }).encrypt(PLAINTEXT);
    const rotating = createTokenVault({ keys: [K2, K1] });

    const rotated = rotating.reencrypt(old);
    assert.equal(rotating.keyIdOf(rotated), 'k2026-06');
    assert.equal(rotating.needsRotation(rotated), false);
    assert.equal(rotating.decrypt(rotated), PLAINTEXT);

    const retired = createTokenVault({ keys: [K2] });
    assert.equal(retired.decrypt(rotated), PLAINTEXT);
    assert.throws(() => retired.decrypt(old), failsWith('unknown_key'));
  });

  test('reencrypt returns a value already under the newest key unchanged', () => {
    const vault = createTokenVault({ keys: [K2, K1] });
    const stored = vault.encrypt(PLAINTEXT);
    assert.equal(vault.reencrypt(stored), stored);
  });

  test('reencrypt refuses a value it cannot decrypt', () => {
    const vault = createTokenVault({ keys: [K2, K1] });
    const foreign = createTokenVault({ keys: [{ id: 'k2026-01', key: generateFernetKey() }] }).encrypt(PLAINTEXT);
    assert.throws(() => vault.reencrypt(foreign), failsWith('invalid_token'));
  });

  test('the token timestamp comes from the injected clock, and stored values never expire', () => {
    const issuedAt = new Date('2020-02-02T02:02:02Z');
    const stored = createTokenVault({ keys: [K1], clock: () => issuedAt }).encrypt(PLAINTEXT);
    const bytes = Buffer.from(tokenPart(stored), 'base64url');
    assert.equal(bytes.readBigUInt64BE(1), BigInt(issuedAt.getTime() / 1000));

    const years = createTokenVault({ keys: [K1], clock: () => new Date('2035-01-01T00:00:00Z') });
    assert.equal(years.decrypt(stored), PLAINTEXT);
  });

  test('round-trips non-ASCII text', () => {
    const vault = createTokenVault({ keys: [K1] });
    assert.equal(vault.decrypt(vault.encrypt('ação ✓ 🔑')), 'ação ✓ 🔑');
  });
});

describe('token vault: rejected stored values', () => {
  const vault = createTokenVault({ keys: [K2, K1] });
  const stored = vault.encrypt(PLAINTEXT);

  test('a value under a key id that is not configured is unknown_key', () => {
    const other = stored.replace('fernet:k2026-06:', 'fernet:k2025-12:');
    assert.throws(() => vault.decrypt(other), failsWith('unknown_key'));
    assert.throws(() => vault.reencrypt(other), failsWith('unknown_key'));
    assert.equal(vault.keyIdOf(other), 'k2025-12');
    assert.equal(vault.needsRotation(other), true);
  });

  test('values not in the form fernet:<keyId>:<token> are malformed, for every method', () => {
    const malformed = [
      '',
      PLAINTEXT,
      tokenPart(stored),
      `fernet:k2026-06`,
      `fernet:k2026-06:`,
      `aes:k2026-06:${tokenPart(stored)}`,
      `FERNET:k2026-06:${tokenPart(stored)}`,
      `fernet:bad id:${tokenPart(stored)}`,
      `fernet:${'k'.repeat(33)}:${tokenPart(stored)}`,
      `fernet:k2026-06:${tokenPart(stored)}:extra`,
      `fernet:k2026-06:${tokenPart(stored)}\n`,
      ` ${stored}`,
    ];
    for (const value of malformed) {
      assert.throws(() => vault.decrypt(value), failsWith('malformed'), JSON.stringify(value));
      assert.throws(() => vault.keyIdOf(value), failsWith('malformed'), JSON.stringify(value));
      assert.throws(() => vault.needsRotation(value), failsWith('malformed'), JSON.stringify(value));
      assert.throws(() => vault.reencrypt(value), failsWith('malformed'), JSON.stringify(value));
    }
  });

  test('a tampered token is invalid_token with the Fernet reason', () => {
    const bytes = Buffer.from(tokenPart(stored), 'base64url');
    bytes[30]! ^= 0x01;
    const tampered = `fernet:k2026-06:${bytes.toString('base64url')}`;
    assert.throws(
      () => vault.decrypt(tampered),
      (err: unknown) => {
        failsWith('invalid_token')(err);
        assert.equal((err as VaultError).reason, 'bad_mac');
        return true;
      },
    );
  });

  test('a value relabelled with another configured key id is invalid_token', () => {
    const relabelled = stored.replace('fernet:k2026-06:', 'fernet:k2026-01:');
    assert.throws(() => vault.decrypt(relabelled), failsWith('invalid_token'));
  });

  test('errors never show the plaintext, the stored value or any key', () => {
    const bytes = Buffer.from(tokenPart(stored), 'base64url');
    bytes[30]! ^= 0x01;
    const failing = [
      `fernet:k2026-06:${bytes.toString('base64url')}`,
      stored.replace('fernet:k2026-06:', 'fernet:k2026-01:'),
      stored.replace('fernet:k2026-06:', 'fernet:nope:'),
      `fernet:${PLAINTEXT}:${tokenPart(stored)}`,
      `${stored}!`,
    ];
    for (const value of failing) {
      let shown: string | undefined;
      try {
        vault.decrypt(value);
      } catch (err) {
        shown = everythingShownBy(err);
      }
      assert.ok(shown !== undefined, `expected ${value.slice(0, 20)} to be rejected`);
      for (const secret of [PLAINTEXT, tokenPart(stored).slice(10, 40), K1.key.slice(0, 20), K2.key.slice(0, 20)]) {
        assert.ok(!shown.includes(secret), 'secret material leaked into an error');
      }
    }
  });
});

describe('token vault: configuration', () => {
  function configError(keys: Array<{ id: string; key: string }>): string {
    try {
      createTokenVault({ keys });
    } catch (err) {
      failsWith('invalid_config')(err);
      return everythingShownBy(err);
    }
    assert.fail('expected the configuration to be rejected');
  }

  test('needs at least one key', () => {
    assert.match(configError([]), /at least one key/);
  });

  test('rejects duplicate key ids, naming the id', () => {
    const shown = configError([K1, { id: K1.id, key: generateFernetKey() }]);
    assert.match(shown, /Vault key id "k2026-01" is configured more than once/);
  });

  test('rejects a malformed key, naming its id and never the key', () => {
    const badKey = `${K2.key.slice(0, 30)}`;
    const shown = configError([K1, { id: 'k-bad', key: badKey }]);
    assert.match(shown, /Vault key "k-bad" is not a valid Fernet key/);
    assert.ok(!shown.includes(badKey) && !shown.includes(K1.key.slice(0, 20)));
  });

  test('rejects a key of the wrong length and a key in the standard base64 alphabet', () => {
    assert.match(configError([{ id: 'short', key: Buffer.alloc(16, 1).toString('base64url') }]), /"short"/);
    assert.match(configError([{ id: 'std', key: Buffer.alloc(32, 0xff).toString('base64') }]), /"std"/);
  });

  test('rejects invalid key ids by position, without echoing the id (it could be a misplaced key)', () => {
    for (const id of ['', 'has space', 'has:colon', 'x'.repeat(33), K2.key]) {
      const shown = configError([K1, { id, key: generateFernetKey() }]);
      assert.match(shown, /Vault key #2 has an invalid id/);
      if (id.length > 3) assert.ok(!shown.includes(id));
    }
  });
});
