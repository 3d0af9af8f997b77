import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { z } from 'zod';
import {
  FernetError,
  fernetDecrypt,
  fernetEncrypt,
  generateFernetKey,
  parseFernetKey,
  type FernetErrorReason,
} from '../../src/vault/fernet.js';

/** Nearest folder holding package.json: works from test/unit (sources) and dist/test/unit (compiled). */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

const vectorsDir = path.join(path.resolve(findRepoRoot(), '..', 'shared'), 'testdata', 'fernet');

function readVectors<T>(file: string, schema: z.ZodType<T>): T[] {
  return z.array(schema).min(1).parse(JSON.parse(readFileSync(path.join(vectorsDir, file), 'utf8')));
}

const generateVectors = readVectors(
  'generate.json',
  z.object({ token: z.string(), now: z.string(), iv: z.array(z.number().int()).length(16), src: z.string(), secret: z.string() }),
);
const verifyVectors = readVectors(
  'verify.json',
  z.object({ token: z.string(), now: z.string(), ttl_sec: z.number().int(), src: z.string(), secret: z.string() }),
);
const invalidVectors = readVectors(
  'invalid.json',
  z.object({ desc: z.string(), token: z.string(), now: z.string(), ttl_sec: z.number().int(), secret: z.string() }),
);

const expectedReason: Record<string, FernetErrorReason> = {
  'incorrect mac': 'bad_mac',
  'too short': 'too_short',
  'invalid base64': 'invalid_base64',
  'payload size not multiple of block size': 'not_block_multiple',
  'payload padding error': 'bad_padding',
  'far-future TS (unacceptable clock skew)': 'future_timestamp',
  'expired TTL': 'expired',
  'incorrect IV (causes padding error)': 'bad_padding',
};

/** The vectors npm fernet@0.4.0 accepts (measured, see shared/testdata/fernet/README.md). */
const acceptedByNpmFernet: Record<string, string> = {
  'payload size not multiple of block size': '',
  'payload padding error': '\u0010',
  'incorrect IV (causes padding error)': '',
};

function rejectsWith(reason: FernetErrorReason) {
  return (err: unknown) => {
    assert.ok(err instanceof FernetError, `expected FernetError, got ${inspect(err)}`);
    assert.equal(err.reason, reason);
    return true;
  };
}

describe('Fernet spec vectors: generate', () => {
  for (const v of generateVectors) {
    test(`produces the exact token for "${v.src}" at ${v.now} with the given IV`, () => {
      const token = fernetEncrypt(parseFernetKey(v.secret), Buffer.from(v.src, 'utf8'), {
        now: new Date(v.now),
        iv: Buffer.from(v.iv),
      });
      assert.equal(token, v.token);
    });
  }
});

describe('Fernet spec vectors: verify', () => {
  for (const v of verifyVectors) {
    test(`decrypts to "${v.src}" at ${v.now} with ttl ${v.ttl_sec}s`, () => {
      const plaintext = fernetDecrypt(parseFernetKey(v.secret), v.token, { now: new Date(v.now), ttlSeconds: v.ttl_sec });
      assert.equal(plaintext.toString('utf8'), v.src);
    });
  }
});

describe('Fernet spec vectors: invalid', () => {
  test('every invalid vector has an expected reason', () => {
    assert.deepEqual(invalidVectors.map((v) => v.desc).sort(), Object.keys(expectedReason).sort());
  });

  for (const v of invalidVectors) {
    const reason = expectedReason[v.desc];
    test(`rejects "${v.desc}" with reason ${reason ?? '(unmapped)'}`, () => {
      assert.ok(reason, `no expected reason for vector "${v.desc}"`);
      assert.throws(
        () => fernetDecrypt(parseFernetKey(v.secret), v.token, { now: new Date(v.now), ttlSeconds: v.ttl_sec }),
        rejectsWith(reason),
      );
    });
  }
});

describe('fernetEncrypt / fernetDecrypt', () => {
  const vector = generateVectors[0]!;

  test('round-trips arbitrary bytes, including empty and block-sized plaintexts', () => {
    const key = parseFernetKey(generateFernetKey());
    const now = new Date('2026-01-01T00:00:00Z');
    for (const plaintext of [Buffer.alloc(0), Buffer.alloc(16, 7), Buffer.from('EAAG token ✓', 'utf8')]) {
      assert.deepEqual(fernetDecrypt(key, fernetEncrypt(key, plaintext, { now }), { now, ttlSeconds: 0 }), plaintext);
    }
  });

  test('accepts the token without base64 padding', () => {
    const unpadded = vector.token.replace(/=+$/, '');
    assert.notEqual(unpadded, vector.token);
    assert.equal(fernetDecrypt(parseFernetKey(vector.secret), unpadded, { now: new Date(vector.now) }).toString(), vector.src);
  });

  test('rejects the standard base64 alphabet and wrong padding as invalid_base64', () => {
    const key = parseFernetKey(vector.secret);
    const now = new Date(vector.now);
    const standardAlphabet = vector.token.replaceAll('-', '+').replaceAll('_', '/');
    assert.notEqual(standardAlphabet, vector.token);
    const unpadded = vector.token.replace(/=+$/, '');
    for (const token of [standardAlphabet, `${vector.token}=`, `${unpadded}=`, `${unpadded} `]) {
      assert.throws(() => fernetDecrypt(key, token, { now }), rejectsWith('invalid_base64'));
    }
  });

  test('rejects a token whose version byte is not 0x80', () => {
    const bytes = Buffer.from(vector.token, 'base64url');
    bytes[0] = 0x81;
    assert.throws(
      () => fernetDecrypt(parseFernetKey(vector.secret), bytes.toString('base64url'), { now: new Date(vector.now) }),
      rejectsWith('bad_version'),
    );
  });

  test('rejects a token made under another key as bad_mac', () => {
    const token = fernetEncrypt(parseFernetKey(generateFernetKey()), Buffer.from('secret'));
    assert.throws(() => fernetDecrypt(parseFernetKey(generateFernetKey()), token, { now: new Date() }), rejectsWith('bad_mac'));
  });

  test('without a TTL, neither age nor a far-future timestamp is checked', () => {
    const key = parseFernetKey(vector.secret);
    assert.equal(fernetDecrypt(key, vector.token, { now: new Date('2100-01-01T00:00:00Z') }).toString(), vector.src);
    assert.equal(fernetDecrypt(key, vector.token, { now: new Date('1970-01-01T00:00:00Z') }).toString(), vector.src);
  });

  test('a token is valid up to exactly ttl seconds old and up to 60 s in the future', () => {
    const key = parseFernetKey(vector.secret);
    const issued = new Date(vector.now).getTime();
    const at = (offsetSeconds: number) => ({ now: new Date(issued + offsetSeconds * 1000), ttlSeconds: 60 });
    assert.equal(fernetDecrypt(key, vector.token, at(60)).toString(), vector.src);
    assert.throws(() => fernetDecrypt(key, vector.token, at(61)), rejectsWith('expired'));
    assert.equal(fernetDecrypt(key, vector.token, at(-60)).toString(), vector.src);
    assert.throws(() => fernetDecrypt(key, vector.token, at(-61)), rejectsWith('future_timestamp'));
  });

  test('error messages never contain the token or the plaintext', () => {
    const key = parseFernetKey(vector.secret);
    const marker = 'EAAG-plaintext-marker';
    const tampered = Buffer.from(fernetEncrypt(key, Buffer.from(marker)), 'base64url');
    tampered[40]! ^= 0x01;
    const cases: Array<[string, FernetErrorReason, Date]> = [
      [tampered.toString('base64url'), 'bad_mac', new Date()],
      [`%${vector.token}`, 'invalid_base64', new Date(vector.now)],
      [vector.token, 'expired', new Date(new Date(vector.now).getTime() + 3_600_000)],
    ];
    for (const [token, reason, now] of cases) {
      assert.throws(
        () => fernetDecrypt(key, token, { now, ttlSeconds: 60 }),
        (err: unknown) => {
          rejectsWith(reason)(err);
          const shown = `${String(err)} ${(err as Error).stack ?? ''} ${JSON.stringify(err)} ${inspect(err)}`;
          assert.ok(!shown.includes(token.slice(10, 40)), 'token leaked into the error');
          assert.ok(!shown.includes(marker) && !shown.includes(vector.src), 'plaintext leaked into the error');
          return true;
        },
      );
    }
  });

  test('encrypt rejects an IV that is not 16 bytes and a time before 1970', () => {
    const key = parseFernetKey(generateFernetKey());
    assert.throws(() => fernetEncrypt(key, Buffer.from('x'), { iv: Buffer.alloc(8) }), rejectsWith('invalid_iv'));
    assert.throws(() => fernetEncrypt(key, Buffer.from('x'), { now: new Date('1969-12-31T23:59:59Z') }), rejectsWith('invalid_timestamp'));
  });
});

describe('keys', () => {
  test('generateFernetKey returns 32 random bytes as padded base64url that parseFernetKey accepts', () => {
    const a = generateFernetKey();
    assert.match(a, /^[A-Za-z0-9_-]{43}=$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, generateFernetKey());
    parseFernetKey(a);
    parseFernetKey(a.replace(/=$/, ''));
  });

  test('parseFernetKey rejects keys that are not 32 bytes of base64url, without echoing them', () => {
    const key32 = Buffer.alloc(32, 0xfb);
    for (const bad of ['', Buffer.alloc(16).toString('base64url'), Buffer.alloc(33).toString('base64url'), key32.toString('base64'), `${key32.toString('base64url')}!`]) {
      assert.throws(
        () => parseFernetKey(bad),
        (err: unknown) => {
          assert.ok(err instanceof FernetError);
          assert.equal(err.reason, 'invalid_key');
          assert.ok(bad === '' || !err.message.includes(bad));
          return true;
        },
      );
    }
  });

  test('a parsed key prints as a placeholder, never its bytes', () => {
    const secret = generateVectors[0]!.secret;
    const raw = Buffer.from(secret, 'base64url');
    const key = parseFernetKey(secret);
    for (const shown of [inspect(key, { showHidden: true, depth: 5 }), JSON.stringify({ key }), String(key)]) {
      assert.ok(shown.includes('[FernetKey]'));
      for (const leak of [secret.slice(0, 20), raw.subarray(0, 16).toString('hex'), raw.subarray(16).toString('hex')]) {
        assert.ok(!shown.includes(leak), 'key material leaked');
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The npm `fernet` package is only an interoperability oracle. It is CommonJS, ships no types, and adds
// String.prototype.lpad on load, which is why it stays out of `src/` and is loaded here only.
// ---------------------------------------------------------------------------------------------------

interface NpmFernetToken {
  encode(message?: string): string;
  decode(token?: string): string;
}
interface NpmFernet {
  Secret: new (secret64: string) => object;
  Token: new (opts: { secret: object; token?: string; ttl?: number; time?: string }) => NpmFernetToken;
}

const lpadBeforeLoad = Object.hasOwn(String.prototype, 'lpad');
let npmFernet: NpmFernet | undefined;

async function loadNpmFernet(): Promise<NpmFernet> {
  if (!npmFernet) {
    // A non-literal specifier keeps tsc from looking for types the package does not have.
    const specifier: string = 'fernet';
    const mod = (await import(specifier)) as { default: NpmFernet };
    npmFernet = mod.default;
  }
  return npmFernet;
}

describe('interoperability with npm fernet@0.4.0', () => {
  const messages = ['hello', 'EAAGm0PX4ZCpsBA-token_value', 'ação ✓ 16 bytes!', 'x'.repeat(16)];

  test('tokens made by npm fernet decrypt with ours', async () => {
    const fernet = await loadNpmFernet();
    const secret = generateFernetKey();
    const time = '2026-03-01T12:00:00.000Z';
    for (const message of messages) {
      const token = new fernet.Token({ secret: new fernet.Secret(secret), time }).encode(message);
      const plaintext = fernetDecrypt(parseFernetKey(secret), token, { now: new Date('2026-03-01T12:00:30Z'), ttlSeconds: 60 });
      assert.equal(plaintext.toString('utf8'), message);
    }
  });

  test('tokens made by ours decrypt with npm fernet', async () => {
    const fernet = await loadNpmFernet();
    const secret = generateFernetKey();
    for (const message of messages) {
      const token = fernetEncrypt(parseFernetKey(secret), Buffer.from(message, 'utf8'));
      assert.equal(new fernet.Token({ secret: new fernet.Secret(secret), token, ttl: 0 }).decode(), message);
    }
  });

  test('npm fernet accepts exactly the 3 padding/block-size vectors that ours rejects (why we do not use it)', async (t) => {
    const fernet = await loadNpmFernet();
    const accepted: Record<string, string> = {};
    for (const v of invalidVectors) {
      // npm fernet reads the wall clock; pin it to the vector's time.
      t.mock.timers.enable({ apis: ['Date'], now: new Date(v.now).getTime() });
      try {
        accepted[v.desc] = new fernet.Token({ secret: new fernet.Secret(v.secret), token: v.token, ttl: v.ttl_sec }).decode();
      } catch {
        // rejected, as it should be
      } finally {
        t.mock.timers.reset();
      }
    }
    assert.deepEqual(accepted, acceptedByNpmFernet);

    for (const v of invalidVectors.filter((vector) => vector.desc in acceptedByNpmFernet)) {
      assert.throws(
        () => fernetDecrypt(parseFernetKey(v.secret), v.token, { now: new Date(v.now), ttlSeconds: v.ttl_sec }),
        rejectsWith(expectedReason[v.desc]!),
      );
    }
  });

  test('loading npm fernet patches String.prototype (why it stays out of the service process)', async () => {
    await loadNpmFernet();
    assert.equal(lpadBeforeLoad, false);
    assert.equal(typeof (String.prototype as unknown as { lpad?: unknown }).lpad, 'function');
  });
});
