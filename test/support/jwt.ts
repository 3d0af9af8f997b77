import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** The values a DSK test token carries unless a test overrides them. */
export const DSK_ISSUER = 'https://dsk.example.test';
export const DSK_AUDIENCE = 'meta-integration-service';
export const INSTANCE_CLAIM = 'instance_id';
export const DEFAULT_INSTANCE_ID = 'instance-a';
export const DEFAULT_SUBJECT = 'dsk-user-7';

export interface DskTokenOptions {
  /** `null` leaves the claim out; a non-string is written as given, for the negative cases. */
  instanceId?: unknown;
  /** `null` leaves `sub` out. */
  subject?: string | null;
  /** `null` leaves `iss` out. */
  issuer?: string | null;
  /** `null` leaves `aud` out. */
  audience?: string | string[] | null;
  /** Seconds from now; negative gives an expired token, `null` a token without `exp`. */
  expiresInSeconds?: number | null;
  /** Seconds from now for `iat` (default 0); `null` leaves `iat` out. */
  issuedAtOffsetSeconds?: number | null;
  /** Header `kid`; defaults to the issuer's kid, `null` leaves it out. */
  kid?: string | null;
  /** Merged over everything else, last. */
  claims?: Record<string, unknown>;
}

/** A stand-in for one DSK deployment: an ES256 key pair, its public JWKS, and a token factory. */
export interface DskIssuer {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateKey: CryptoKey;
  /** Public part with kid, alg and use. */
  readonly publicJwk: JWK;
  readonly publicPem: string;
  /** `{keys: [publicJwk]}`: what DSK would serve at its JWKS URL. */
  readonly jwks: { keys: JWK[] };
  dskToken(options?: DskTokenOptions): Promise<string>;
}

export async function createDskIssuer(options: { kid?: string } = {}): Promise<DskIssuer> {
  const kid = options.kid ?? 'dsk-key-1';
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const publicPem = await exportSPKI(publicKey);
  return {
    kid,
    alg: 'ES256',
    privateKey,
    publicJwk,
    publicPem,
    jwks: { keys: [publicJwk] },
    async dskToken(tokenOptions = {}) {
      const headerKid = tokenOptions.kid === undefined ? kid : tokenOptions.kid;
      return new SignJWT(dskClaims(tokenOptions))
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(headerKid === null ? {} : { kid: headerKid }) })
        .sign(privateKey);
    },
  };
}

/** The claims of a DSK token; exported so negative tokens built by hand carry the same ones. */
export function dskClaims(options: DskTokenOptions = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {};
  const set = (name: string, value: unknown) => {
    if (value !== null) claims[name] = value;
  };
  set('iss', options.issuer === undefined ? DSK_ISSUER : options.issuer);
  set('aud', options.audience === undefined ? DSK_AUDIENCE : options.audience);
  set('sub', options.subject === undefined ? DEFAULT_SUBJECT : options.subject);
  set(INSTANCE_CLAIM, options.instanceId === undefined ? DEFAULT_INSTANCE_ID : options.instanceId);
  const iat = options.issuedAtOffsetSeconds === undefined ? 0 : options.issuedAtOffsetSeconds;
  set('iat', iat === null ? null : now + iat);
  const exp = options.expiresInSeconds === undefined ? 300 : options.expiresInSeconds;
  set('exp', exp === null ? null : now + exp);
  return { ...claims, ...options.claims };
}

/** A compact JWS assembled by hand, for tokens no library would sign. */
export function craftToken(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/** An unsecured JWT (`alg: none`, empty signature) with otherwise valid DSK claims. */
export function noneAlgToken(options: DskTokenOptions = {}): string {
  return craftToken({ alg: 'none', typ: 'JWT' }, dskClaims(options));
}

/** A token MACed with a shared secret (HS256 by default), with otherwise valid DSK claims. */
export async function hmacToken(
  secret: string,
  options: DskTokenOptions & { alg?: 'HS256' | 'HS384' | 'HS512' } = {},
): Promise<string> {
  return new SignJWT(dskClaims(options))
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/** Authorization values whose token is not a usable compact JWS. */
export const MALFORMED_TOKENS: Readonly<Record<string, string>> = {
  'a single segment': 'not-a-jwt',
  'segments that are not base64url JSON': 'aaa.bbb.ccc',
  'a header that is not JSON': `${base64url.encode('{alg:ES256')}.${base64url.encode('{}')}.`,
  'five segments (JWE shape)': 'a.b.c.d.e',
  'characters outside base64url': 'eyJhbGciOiJFUzI1NiJ9.e30.a~b',
};

export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port. */
export async function listen(handler: RequestListener): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export interface JwksServer extends TestServer {
  /** Full URL of the JWKS document. */
  readonly jwksUrl: string;
  /** Replaces what is served from now on, e.g. to add a rotated key. */
  setKeys(jwks: { keys: JWK[] }): void;
  /** Answers every request with this status (e.g. 500) until set back to 200. */
  setStatus(status: number): void;
  /** How many times the JWKS was fetched. */
  fetchCount(): number;
}

/** A DSK-like JWKS endpoint on loopback. */
export async function serveJwks(initial: { keys: JWK[] }): Promise<JwksServer> {
  let jwks = initial;
  let status = 200;
  let fetches = 0;
  const server = await listen((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches += 1;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  return {
    ...server,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    setKeys: (next) => {
      jwks = next;
    },
    setStatus: (next) => {
      status = next;
    },
    fetchCount: () => fetches,
  };
}
