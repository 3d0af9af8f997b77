import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import Koa from 'koa';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { errorMiddleware } from '../../src/api/errors.js';
import { createLogger } from '../../src/logger.js';
import { wellKnownRoutes } from '../../src/api/routes/well-known.js';
import {
  generateServiceSigningKey,
  loadServiceSigningKey,
  type ServiceSigningAlg,
  type ServiceSigningKey,
} from '../../src/dsk/service-keys.js';
import { listen, type TestServer } from '../support/jwt.js';

const SERVICE_ISSUER = 'https://meta-bridge.example.test';
const DSK_AUDIENCE = 'https://dsk.example.test/events';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  RSA: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
  OKP: ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
};
const KTY: Record<ServiceSigningAlg, string> = { ES256: 'EC', RS256: 'RSA', EdDSA: 'OKP' };

/** Serves wellKnownRoutes the way the API does and fetches the JWKS like DSK would. */
async function serveWellKnown(signingKey: ServiceSigningKey): Promise<TestServer & { fetchJwks(): Promise<Response> }> {
  const app = new Koa();
  app.use(errorMiddleware(createLogger({ level: 'silent' })));
  const router = wellKnownRoutes({ signingKey });
  app.use(router.routes()).use(router.allowedMethods());
  const server = await listen(app.callback());
  return { ...server, fetchJwks: () => fetch(`${server.url}/.well-known/jwks.json`) };
}

function assertPublicOnly(jwk: JWK): void {
  for (const member of PRIVATE_MEMBERS) assert.equal(member in jwk, false, `JWKS exposes "${member}"`);
  assert.deepEqual(Object.keys(jwk).sort(), PUBLIC_MEMBERS[jwk.kty as string]);
  assert.equal(jwk.use, 'sig');
}

for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
  describe(`service signing key ${alg}`, () => {
    let key: ServiceSigningKey;
    let server: TestServer & { fetchJwks(): Promise<Response> };

    before(async () => {
      ({ key } = await generateServiceSigningKey(alg, `svc-${alg.toLowerCase()}-1`));
      server = await serveWellKnown(key);
    });
    after(() => server.close());

    it('signs a token that verifies against the JWKS served at /.well-known/jwks.json', async () => {
      const token = await key.sign({
        issuer: SERVICE_ISSUER,
        audience: DSK_AUDIENCE,
        subject: 'instance-a',
        ttlSeconds: 120,
        extra: { event_id: 'evt-1' },
      });
      const jwks = (await (await server.fetchJwks()).json()) as { keys: JWK[] };
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: SERVICE_ISSUER,
        audience: DSK_AUDIENCE,
        algorithms: [alg],
        requiredClaims: ['exp', 'iat', 'jti'],
      });
      assert.deepEqual(protectedHeader, { alg, kid: `svc-${alg.toLowerCase()}-1`, typ: 'JWT' });
      assert.equal(payload.sub, 'instance-a');
      assert.equal(payload.event_id, 'evt-1');
      assert.equal((payload.exp as number) - (payload.iat as number), 120);
      assert.match(payload.jti as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('publishes only the public members, with kid, alg and use', async () => {
      const response = await server.fetchJwks();
      const jwks = (await response.json()) as { keys: JWK[] };
      assert.equal(jwks.keys.length, 1);
      const [jwk] = jwks.keys as [JWK];
      assert.equal(jwk.kty, KTY[alg]);
      assert.equal(jwk.kid, `svc-${alg.toLowerCase()}-1`);
      assert.equal(jwk.alg, alg);
      assertPublicOnly(jwk);
    });
  });
}

describe('GET /.well-known/jwks.json', () => {
  let server: TestServer & { fetchJwks(): Promise<Response> };

  before(async () => {
    server = await serveWellKnown((await generateServiceSigningKey('ES256', 'svc-1')).key);
  });
  after(() => server.close());

  it('is cacheable for five minutes and JSON', async () => {
    const response = await server.fetchJwks();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  it('answers 405 to a POST', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`, { method: 'POST' });
    assert.equal(response.status, 405);
  });
});

describe('loadServiceSigningKey', () => {
  it('loads the privateJwk persisted by generateServiceSigningKey to the same public key', async () => {
    const generated = await generateServiceSigningKey('ES256', 'svc-1');
    const loaded = await loadServiceSigningKey({ privateJwk: generated.privateJwk, keyId: 'svc-1', alg: 'ES256' });
    assert.deepEqual(loaded.publicJwks(), generated.key.publicJwks());
    const token = await loaded.sign({ issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE, subject: 'instance-a', ttlSeconds: 60 });
    await jwtVerify(token, createLocalJWKSet(generated.key.publicJwks()), { issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE });
  });

  it('loads a PKCS#8 PEM', async () => {
    const generated = await generateServiceSigningKey('RS256', 'svc-rsa');
    const pem = createPrivateKey({ key: JSON.parse(generated.privateJwk), format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }) as string;
    const loaded = await loadServiceSigningKey({ privatePem: pem, keyId: 'svc-rsa', alg: 'RS256' });
    assert.deepEqual(loaded.publicJwks(), generated.key.publicJwks());
  });

  it('lists previous public keys after the current one, so tokens signed before a rotation still verify', async () => {
    const old = await generateServiceSigningKey('ES256', 'svc-2024');
    const older = await generateServiceSigningKey('EdDSA', 'svc-2023');
    const previousPublicJwks = JSON.stringify({ keys: [...old.key.publicJwks().keys, ...older.key.publicJwks().keys] });
    const current = await generateServiceSigningKey('ES256', 'svc-2025');
    const rotated = await loadServiceSigningKey({ privateJwk: current.privateJwk, keyId: 'svc-2025', alg: 'ES256', previousPublicJwks });

    const server = await serveWellKnown(rotated);
    try {
      const jwks = (await (await server.fetchJwks()).json()) as { keys: JWK[] };
      assert.deepEqual(jwks.keys.map((jwk) => [jwk.kid, jwk.alg]), [['svc-2025', 'ES256'], ['svc-2024', 'ES256'], ['svc-2023', 'EdDSA']]);
      jwks.keys.forEach(assertPublicOnly);

      const keySet = createLocalJWKSet(jwks);
      const claims = { issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE, subject: 'instance-a', ttlSeconds: 60 };
      for (const signer of [rotated, old.key, older.key]) {
        const token = await signer.sign(claims);
        const { protectedHeader } = await jwtVerify(token, keySet, { issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE });
        assert.equal(protectedHeader.kid, signer.keyId);
      }
    } finally {
      await server.close();
    }
  });

  it('drops non-public members a previous key carries and accepts the object form', async () => {
    const old = await generateServiceSigningKey('ES256', 'svc-old');
    const [oldJwk] = old.key.publicJwks().keys as [JWK];
    const current = await generateServiceSigningKey('ES256', 'svc-new');
    const loaded = await loadServiceSigningKey({
      privateJwk: current.privateJwk,
      keyId: 'svc-new',
      alg: 'ES256',
      previousPublicJwks: { keys: [{ ...oldJwk, x5u: 'https://example.test/cert', key_ops: ['verify'] }] },
    });
    assert.deepEqual(loaded.publicJwks().keys[1], oldJwk);
  });

  it('refuses previous keys that carry private material, lack a kid, or reuse the current kid', async () => {
    const old = await generateServiceSigningKey('ES256', 'svc-old');
    const current = await generateServiceSigningKey('ES256', 'svc-new');
    const load = (keys: unknown[]) =>
      loadServiceSigningKey({ privateJwk: current.privateJwk, keyId: 'svc-new', alg: 'ES256', previousPublicJwks: JSON.stringify({ keys }) });
    const [oldPublic] = old.key.publicJwks().keys as [JWK];
    await assert.rejects(load([JSON.parse(old.privateJwk)]), /previousPublicJwks\[0\] contains private key material/);
    await assert.rejects(load([{ ...oldPublic, kid: undefined }]), /previousPublicJwks\[0\] needs a kid/);
    await assert.rejects(load([{ ...oldPublic, alg: undefined }]), /previousPublicJwks\[0\] needs alg/);
    await assert.rejects(load([{ ...oldPublic, kid: 'svc-new' }]), /kid "svc-new" is published twice/);
    await assert.rejects(
      loadServiceSigningKey({ privateJwk: current.privateJwk, keyId: 'svc-new', alg: 'ES256', previousPublicJwks: 'not json' }),
      /previousPublicJwks is not JSON/,
    );
  });

  it('refuses a key that does not fit the algorithm, and never quotes the key in the error', async () => {
    const ec = await generateServiceSigningKey('ES256', 'svc-ec');
    await assert.rejects(loadServiceSigningKey({ privateJwk: ec.privateJwk, keyId: 'svc-ec', alg: 'RS256' }), /is for "ES256", configured RS256/);
    const { alg: _alg, ...withoutAlg } = JSON.parse(ec.privateJwk) as Record<string, unknown>;
    await assert.rejects(
      loadServiceSigningKey({ privateJwk: JSON.stringify(withoutAlg), keyId: 'svc-ec', alg: 'EdDSA' }),
      /not a valid EdDSA key/,
    );
    const truncated = ec.privateJwk.slice(0, -5);
    await assert.rejects(loadServiceSigningKey({ privateJwk: truncated, keyId: 'svc-ec', alg: 'ES256' }), (err: Error) => {
      assert.equal(err.message, 'Service signing key: privateJwk is not a private JWK in JSON');
      assert.equal(err.cause, undefined);
      return true;
    });
    const publicOnly = JSON.stringify(ec.key.publicJwks().keys[0]);
    await assert.rejects(loadServiceSigningKey({ privateJwk: publicOnly, keyId: 'svc-ec', alg: 'ES256' }), /not a private JWK/);
    await assert.rejects(loadServiceSigningKey({ keyId: 'svc-ec', alg: 'ES256' }), /exactly one of privateJwk and privatePem/);
    await assert.rejects(loadServiceSigningKey({ privatePem: 'garbage', keyId: 'svc-ec', alg: 'ES256' }), /privatePem is not a PEM private key/);
    await assert.rejects(loadServiceSigningKey({ privateJwk: ec.privateJwk, keyId: 'bad kid', alg: 'ES256' }), /keyId must match/);
  });
});

describe('ServiceSigningKey.sign', () => {
  let key: ServiceSigningKey;
  const fixedNow = Date.UTC(2030, 0, 1, 12, 0, 0);
  const claims = { issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE, subject: 'instance-a', ttlSeconds: 300 };

  before(async () => {
    const generated = await generateServiceSigningKey('ES256', 'svc-1');
    key = await loadServiceSigningKey({ privateJwk: generated.privateJwk, keyId: 'svc-1', alg: 'ES256', now: () => fixedNow });
  });

  it('stamps iat and exp from the clock and a fresh jti on every token', async () => {
    const [first, second] = [await key.sign(claims), await key.sign(claims)];
    const keySet = createLocalJWKSet(key.publicJwks());
    const verifyAt = { currentDate: new Date(fixedNow), issuer: SERVICE_ISSUER, audience: DSK_AUDIENCE };
    const a = (await jwtVerify(first, keySet, verifyAt)).payload;
    const b = (await jwtVerify(second, keySet, verifyAt)).payload;
    assert.equal(a.iat, fixedNow / 1000);
    assert.equal(a.exp, fixedNow / 1000 + 300);
    assert.notEqual(a.jti, b.jti);
    assert.deepEqual(decodeProtectedHeader(first), { alg: 'ES256', kid: 'svc-1', typ: 'JWT' });
  });

  it('refuses a ttl outside 1..3600 seconds', async () => {
    for (const ttlSeconds of [0, -1, 1.5, 3601]) {
      await assert.rejects(key.sign({ ...claims, ttlSeconds }), RangeError);
    }
  });

  it('refuses extra claims that would override registered ones', async () => {
    for (const name of ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti']) {
      await assert.rejects(key.sign({ ...claims, extra: { [name]: 'x' } }), new TypeError(`extra must not set the registered claim "${name}"`));
    }
  });
});
