import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { generateKeyPair, SignJWT } from 'jose';
import { errorMiddleware } from '../../src/api/errors.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createDskAuth, requireInstance, type DskAuthOptions } from '../../src/api/middleware/dsk-auth.js';
import {
  createDskIssuer,
  craftToken,
  dskClaims,
  DSK_AUDIENCE,
  DSK_ISSUER,
  DEFAULT_INSTANCE_ID,
  DEFAULT_SUBJECT,
  hmacToken,
  INSTANCE_CLAIM,
  listen,
  MALFORMED_TOKENS,
  noneAlgToken,
  serveJwks,
  type DskIssuer,
  type JwksServer,
  type TestServer,
} from '../support/jwt.js';

const WWW_AUTHENTICATE = 'Bearer error="invalid_token"';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

interface Reply {
  status: number;
  body: unknown;
  wwwAuthenticate: string | null;
}

interface TestApp extends TestServer {
  call(authorization?: string): Promise<Reply>;
}

/** errorMiddleware + the auth middleware + a route echoing what auth put into ctx.state. */
async function startApp(
  options: Pick<DskAuthOptions, 'key'> & Partial<DskAuthOptions>,
  log: Logger = createLogger({ level: 'silent' }),
): Promise<TestApp> {
  const app = new Koa();
  app.use(errorMiddleware(log));
  app.use(
    createDskAuth({
      issuer: DSK_ISSUER,
      audience: DSK_AUDIENCE,
      algorithms: ['ES256'],
      instanceClaim: INSTANCE_CLAIM,
      log,
      ...options,
    }),
  );
  app.use((ctx) => {
    ctx.body = { instanceId: ctx.state.instanceId, auth: ctx.state.auth, required: requireInstance(ctx) };
  });
  const server = await listen(app.callback());
  return {
    ...server,
    async call(authorization) {
      const response = await fetch(`${server.url}/v1/whoami`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      return {
        status: response.status,
        body: await response.json(),
        wwwAuthenticate: response.headers.get('www-authenticate'),
      };
    },
  };
}

/** `subject: null` expects `ctx.state.auth` without a subject. */
function assertAccepted(reply: Reply, instanceId = DEFAULT_INSTANCE_ID, subject: string | null = DEFAULT_SUBJECT): void {
  const auth = subject === null ? { instanceId } : { subject, instanceId };
  assert.deepEqual(reply, { status: 200, body: { instanceId, auth, required: instanceId }, wwwAuthenticate: null });
}

function assertRejected(reply: Reply, code: string): void {
  assert.equal(reply.status, 401);
  assert.equal((reply.body as { error: { code: string } }).error.code, code);
  assert.equal(reply.wwwAuthenticate, WWW_AUTHENTICATE);
}

const bearer = (token: string) => `Bearer ${token}`;

describe('createDskAuth with DSK keys from a local JWKS', () => {
  let dsk: DskIssuer;
  let app: TestApp;

  before(async () => {
    dsk = await createDskIssuer();
    app = await startApp({ key: { kind: 'jwks-local', jwks: dsk.jwks } });
  });
  after(() => app.close());

  it('accepts a valid token and exposes its instance and subject in ctx.state', async () => {
    assertAccepted(await app.call(bearer(await dsk.dskToken({ instanceId: 'inst:42.eu-1_x' }))), 'inst:42.eu-1_x');
  });

  it('accepts a token without a subject', async () => {
    assertAccepted(await app.call(bearer(await dsk.dskToken({ subject: null }))), DEFAULT_INSTANCE_ID, null);
  });

  it('accepts a lower-case scheme and an audience array that contains ours', async () => {
    const token = await dsk.dskToken({ audience: ['other-service', DSK_AUDIENCE] });
    assertAccepted(await app.call(`bearer ${token}`));
  });

  it('renders a rejection as the standard JSON error with the Bearer challenge', async () => {
    assert.deepEqual(await app.call(), {
      status: 401,
      body: { error: { code: 'missing_token', message: 'Authorization: Bearer <token> is required' } },
      wwwAuthenticate: WWW_AUTHENTICATE,
    });
  });

  for (const [name, authorization] of [
    ['an empty header', ''],
    ['a blank Bearer', 'Bearer   '],
    ['the bare scheme', 'Bearer'],
    ['another scheme', 'Basic ZHNrOnNlY3JldA=='],
    ['a token without a scheme', 'eyJhbGciOiJFUzI1NiJ9.e30.sig'],
  ] as const) {
    it(`answers missing_token for ${name}`, async () => {
      assertRejected(await app.call(authorization), 'missing_token');
    });
  }

  for (const [name, token] of Object.entries(MALFORMED_TOKENS)) {
    it(`answers invalid_token for ${name}`, async () => {
      assertRejected(await app.call(bearer(token)), 'invalid_token');
    });
  }

  it('answers invalid_token when the Bearer value has spaces inside', async () => {
    assertRejected(await app.call('Bearer abc def'), 'invalid_token');
  });

  it('answers invalid_signature for a token signed by another key under the trusted kid', async () => {
    const impostor = await createDskIssuer({ kid: dsk.kid });
    assertRejected(await app.call(bearer(await impostor.dskToken())), 'invalid_signature');
  });

  it('answers invalid_signature for a token whose kid is not in the JWKS', async () => {
    const stranger = await createDskIssuer({ kid: 'unknown-kid' });
    assertRejected(await app.call(bearer(await stranger.dskToken())), 'invalid_signature');
  });

  it('answers invalid_signature when the claims were altered after signing', async () => {
    const [header, , signature] = (await dsk.dskToken()).split('.');
    const forged = craftToken({}, dskClaims({ instanceId: 'instance-b' })).split('.')[1];
    assertRejected(await app.call(bearer(`${header}.${forged}.${signature}`)), 'invalid_signature');
  });

  it('answers unsupported_algorithm for alg none, with or without a signature', async () => {
    assertRejected(await app.call(bearer(noneAlgToken())), 'unsupported_algorithm');
    assertRejected(await app.call(bearer(`${noneAlgToken()}c2ln`)), 'unsupported_algorithm');
    assertRejected(await app.call(bearer(craftToken({ alg: 'None' }, dskClaims()))), 'unsupported_algorithm');
  });

  it('answers unsupported_algorithm for an HS256 token when only ES256 is allowed', async () => {
    assertRejected(await app.call(bearer(await hmacToken(SECRET))), 'unsupported_algorithm');
  });

  it('answers unsupported_algorithm for an allowed-family algorithm that is not in the list', async () => {
    const { privateKey } = await generateKeyPair('ES384');
    const token = await new SignJWT(dskClaims()).setProtectedHeader({ alg: 'ES384', kid: dsk.kid }).sign(privateKey);
    assertRejected(await app.call(bearer(token)), 'unsupported_algorithm');
  });

  it('answers invalid_issuer for another issuer or none', async () => {
    assertRejected(await app.call(bearer(await dsk.dskToken({ issuer: 'https://evil.example' }))), 'invalid_issuer');
    assertRejected(await app.call(bearer(await dsk.dskToken({ issuer: null }))), 'invalid_issuer');
  });

  it('answers invalid_audience for another audience or none', async () => {
    assertRejected(await app.call(bearer(await dsk.dskToken({ audience: 'another-service' }))), 'invalid_audience');
    assertRejected(await app.call(bearer(await dsk.dskToken({ audience: null }))), 'invalid_audience');
  });

  it('answers token_expired for a token past exp plus the clock tolerance', async () => {
    assertRejected(await app.call(bearer(await dsk.dskToken({ expiresInSeconds: -600 }))), 'token_expired');
  });

  it('accepts a token that expired within the default 30 s clock tolerance', async () => {
    assertAccepted(await app.call(bearer(await dsk.dskToken({ expiresInSeconds: -10 }))));
  });

  it('answers invalid_token for a token without exp', async () => {
    assertRejected(await app.call(bearer(await dsk.dskToken({ expiresInSeconds: null }))), 'invalid_token');
  });

  it('answers invalid_token for a token that is not valid yet', async () => {
    assertRejected(await app.call(bearer(await dsk.dskToken({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }))), 'invalid_token');
  });

  for (const [name, instanceId] of [
    ['absent', null],
    ['empty', ''],
    ['a number', 42],
    ['an array', ['instance-a']],
    ['containing a slash', 'instance/a'],
    ['containing a space', 'instance a'],
    ['longer than 128 characters', 'i'.repeat(129)],
  ] as const) {
    it(`answers missing_instance_claim when the instance claim is ${name}`, async () => {
      assertRejected(await app.call(bearer(await dsk.dskToken({ instanceId }))), 'missing_instance_claim');
    });
  }

  it('accepts an instance id of exactly 128 characters', async () => {
    const instanceId = 'i'.repeat(128);
    assertAccepted(await app.call(bearer(await dsk.dskToken({ instanceId }))), instanceId);
  });
});

describe('createDskAuth options', () => {
  let dsk: DskIssuer;

  before(async () => {
    dsk = await createDskIssuer();
  });

  it('reads the instance from the configured claim name', async () => {
    const app = await startApp({ key: { kind: 'jwks-local', jwks: dsk.jwks }, instanceClaim: 'https://dsk/instance' });
    try {
      const token = await dsk.dskToken({ instanceId: null, claims: { 'https://dsk/instance': 'instance-c' } });
      assertAccepted(await app.call(bearer(token)), 'instance-c');
      assertRejected(await app.call(bearer(await dsk.dskToken())), 'missing_instance_claim');
    } finally {
      await app.close();
    }
  });

  it('answers token_expired for a token older than maxTokenAgeSeconds and invalid_token without iat', async () => {
    const app = await startApp({ key: { kind: 'jwks-local', jwks: dsk.jwks }, maxTokenAgeSeconds: 300 });
    try {
      assertAccepted(await app.call(bearer(await dsk.dskToken({ issuedAtOffsetSeconds: -60 }))));
      assertRejected(await app.call(bearer(await dsk.dskToken({ issuedAtOffsetSeconds: -3600, expiresInSeconds: 600 }))), 'token_expired');
      assertRejected(await app.call(bearer(await dsk.dskToken({ issuedAtOffsetSeconds: null }))), 'invalid_token');
    } finally {
      await app.close();
    }
  });

  it('honours a zero clock tolerance', async () => {
    const app = await startApp({ key: { kind: 'jwks-local', jwks: dsk.jwks }, clockToleranceSeconds: 0 });
    try {
      assertRejected(await app.call(bearer(await dsk.dskToken({ expiresInSeconds: -10 }))), 'token_expired');
    } finally {
      await app.close();
    }
  });

  it('tries every matching key when the JWKS keys carry no kid', async () => {
    const next = await createDskIssuer({ kid: 'dsk-key-2' });
    const withoutKid = [dsk.publicJwk, next.publicJwk].map(({ kid: _kid, ...jwk }) => jwk);
    const app = await startApp({ key: { kind: 'jwks-local', jwks: { keys: withoutKid } } });
    try {
      assertAccepted(await app.call(bearer(await next.dskToken({ kid: null }))));
      assertAccepted(await app.call(bearer(await dsk.dskToken({ kid: null }))));
      const stranger = await createDskIssuer();
      assertRejected(await app.call(bearer(await stranger.dskToken({ kid: null }))), 'invalid_signature');
    } finally {
      await app.close();
    }
  });

  it('never writes the token to the log, accepted or rejected', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger({ level: 'trace', destination });
    const app = await startApp({ key: { kind: 'jwks-local', jwks: dsk.jwks } }, log);
    const good = await dsk.dskToken();
    const expired = await dsk.dskToken({ expiresInSeconds: -600 });
    try {
      assertAccepted(await app.call(bearer(good)));
      assertRejected(await app.call(bearer(expired)), 'token_expired');
    } finally {
      await app.close();
    }
    const logged = lines.join('');
    // The rejection was logged (so the capture works), by its code only.
    assert.match(logged, /"request rejected"/);
    assert.match(logged, /token_expired/);
    for (const token of [good, expired]) {
      for (const segment of token.split('.')) assert.equal(logged.includes(segment), false);
    }
  });

  it('refuses configurations that would weaken verification', async () => {
    const base = { issuer: DSK_ISSUER, audience: DSK_AUDIENCE, instanceClaim: INSTANCE_CLAIM };
    const jwksLocal = { kind: 'jwks-local' as const, jwks: dsk.jwks };
    assert.throws(() => createDskAuth({ ...base, algorithms: [], key: jwksLocal }), /at least one allowed algorithm/);
    assert.throws(() => createDskAuth({ ...base, algorithms: ['none'], key: jwksLocal }), /"none" is not supported/);
    assert.throws(() => createDskAuth({ ...base, algorithms: ['ES256', 'HS256'], key: jwksLocal }), /HMAC algorithms need a `secret`/);
    assert.throws(() => createDskAuth({ ...base, algorithms: ['ES256'], key: { kind: 'secret', secret: SECRET } }), /only verifies HS256/);
    assert.throws(() => createDskAuth({ ...base, algorithms: ['HS256'], key: { kind: 'secret', secret: 'short' } }), /at least 32 bytes/);
    assert.throws(
      () => createDskAuth({ ...base, algorithms: ['RS256'], key: { kind: 'public-key', pem: dsk.publicPem, alg: 'ES256' } }),
      /not in the allow-list/,
    );
    assert.throws(() => createDskAuth({ ...base, issuer: '', algorithms: ['ES256'], key: jwksLocal }), /needs an issuer/);
  });
});

describe('requireInstance', () => {
  it('fails closed with 401 missing_token on a route without createDskAuth', async () => {
    const app = new Koa();
    app.use(errorMiddleware(createLogger({ level: 'silent' })));
    app.use((ctx) => {
      ctx.body = { instanceId: requireInstance(ctx) };
    });
    const server = await listen(app.callback());
    try {
      const response = await fetch(`${server.url}/v1/whoami`);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), WWW_AUTHENTICATE);
      assert.deepEqual(await response.json(), { error: { code: 'missing_token', message: 'Authentication required' } });
    } finally {
      await server.close();
    }
  });
});

describe('createDskAuth with DSK keys from a JWKS URL', () => {
  let dsk: DskIssuer;
  let jwks: JwksServer;

  before(async () => {
    dsk = await createDskIssuer({ kid: 'dsk-key-1' });
    jwks = await serveJwks(dsk.jwks);
  });
  after(() => jwks.close());

  it('fetches the JWKS once and serves later requests from the cache', async () => {
    jwks.setKeys(dsk.jwks);
    const before = jwks.fetchCount();
    const app = await startApp({ key: { kind: 'jwks', url: jwks.jwksUrl } });
    try {
      assertAccepted(await app.call(bearer(await dsk.dskToken())));
      assertAccepted(await app.call(bearer(await dsk.dskToken({ instanceId: 'instance-b' }))), 'instance-b');
      assert.equal(jwks.fetchCount() - before, 1);
    } finally {
      await app.close();
    }
  });

  it('accepts a key DSK added to its JWKS after the first fetch (kid rotation)', async () => {
    jwks.setKeys(dsk.jwks);
    const app = await startApp({ key: { kind: 'jwks', url: jwks.jwksUrl, cooldownSeconds: 0 } });
    const rotated = await createDskIssuer({ kid: 'dsk-key-2' });
    try {
      assertAccepted(await app.call(bearer(await dsk.dskToken())));
      assertRejected(await app.call(bearer(await rotated.dskToken())), 'invalid_signature');

      jwks.setKeys({ keys: [dsk.publicJwk, rotated.publicJwk] });
      assertAccepted(await app.call(bearer(await rotated.dskToken({ instanceId: 'instance-r' }))), 'instance-r');
      assertAccepted(await app.call(bearer(await dsk.dskToken())));
    } finally {
      await app.close();
    }
  });

  it('does not refetch for unknown kids within the cooldown', async () => {
    jwks.setKeys(dsk.jwks);
    const before = jwks.fetchCount();
    const app = await startApp({ key: { kind: 'jwks', url: jwks.jwksUrl, cooldownSeconds: 60 } });
    try {
      assertAccepted(await app.call(bearer(await dsk.dskToken())));
      for (const kid of ['made-up-1', 'made-up-2', 'made-up-3']) {
        assertRejected(await app.call(bearer(await dsk.dskToken({ kid }))), 'invalid_signature');
      }
      assert.equal(jwks.fetchCount() - before, 1);
    } finally {
      await app.close();
    }
  });

  it('answers 503 auth_unavailable, not 401, when the JWKS cannot be fetched', async () => {
    jwks.setStatus(500);
    const app = await startApp({ key: { kind: 'jwks', url: jwks.jwksUrl } });
    try {
      const reply = await app.call(bearer(await dsk.dskToken()));
      assert.equal(reply.status, 503);
      assert.equal((reply.body as { error: { code: string } }).error.code, 'auth_unavailable');
    } finally {
      jwks.setStatus(200);
      await app.close();
    }
  });

  it('rejects alg none and HS256 without fetching the JWKS', async () => {
    const before = jwks.fetchCount();
    const app = await startApp({ key: { kind: 'jwks', url: jwks.jwksUrl } });
    try {
      assertRejected(await app.call(bearer(noneAlgToken())), 'unsupported_algorithm');
      assertRejected(await app.call(bearer(await hmacToken(SECRET))), 'unsupported_algorithm');
      assert.equal(jwks.fetchCount(), before);
    } finally {
      await app.close();
    }
  });
});

describe('createDskAuth with a shared secret', () => {
  let app: TestApp;

  before(async () => {
    app = await startApp({ algorithms: ['HS256'], key: { kind: 'secret', secret: SECRET } });
  });
  after(() => app.close());

  it('accepts a token MACed with the secret', async () => {
    assertAccepted(await app.call(bearer(await hmacToken(SECRET))));
  });

  it('answers invalid_signature for a token MACed with another secret', async () => {
    assertRejected(await app.call(bearer(await hmacToken(`${SECRET}-other`))), 'invalid_signature');
  });

  it('answers unsupported_algorithm for HS512 and ES256 tokens when only HS256 is allowed', async () => {
    assertRejected(await app.call(bearer(await hmacToken(SECRET, { alg: 'HS512' }))), 'unsupported_algorithm');
    const dsk = await createDskIssuer();
    assertRejected(await app.call(bearer(await dsk.dskToken())), 'unsupported_algorithm');
  });

  it('still checks claims: wrong issuer, expired, missing instance', async () => {
    assertRejected(await app.call(bearer(await hmacToken(SECRET, { issuer: 'https://evil.example' }))), 'invalid_issuer');
    assertRejected(await app.call(bearer(await hmacToken(SECRET, { expiresInSeconds: -600 }))), 'token_expired');
    assertRejected(await app.call(bearer(await hmacToken(SECRET, { instanceId: null }))), 'missing_instance_claim');
  });
});

describe('createDskAuth with a configured public key', () => {
  let dsk: DskIssuer;
  let app: TestApp;

  before(async () => {
    dsk = await createDskIssuer();
    app = await startApp({ algorithms: ['ES256', 'RS256'], key: { kind: 'public-key', pem: dsk.publicPem, alg: 'ES256' } });
  });
  after(() => app.close());

  it('accepts a token signed with the matching private key, whatever its kid', async () => {
    assertAccepted(await app.call(bearer(await dsk.dskToken({ kid: null }))));
    assertAccepted(await app.call(bearer(await dsk.dskToken({ kid: 'anything' }))));
  });

  it('answers invalid_signature for a token signed by another key', async () => {
    const other = await createDskIssuer();
    assertRejected(await app.call(bearer(await other.dskToken())), 'invalid_signature');
  });

  it('answers unsupported_algorithm for an HS256 token MACed with the public key (algorithm confusion)', async () => {
    assertRejected(await app.call(bearer(await hmacToken(dsk.publicPem))), 'unsupported_algorithm');
  });

  it('answers unsupported_algorithm for RS256, allowed in the list but not the key’s algorithm', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(dskClaims()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    assertRejected(await app.call(bearer(token)), 'unsupported_algorithm');
  });
});
